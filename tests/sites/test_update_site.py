"""update_site: one [[site]] table's keys changed through tomlkit; every other line, comment and
the order of the file kept; a result that would not load is refused with loading's own error."""

import pytest

from monitor.config import ConfigError, load_config
from monitor.sites.tomlfile import update_site

FILE = """# top comment
[portalwatch]
delay = 0 # no delay

[[site]]
id = "a"   # the a site
name = "Phường A"
start_urls = ["http://x.vn/a"]
profile = "liferay"

[site.selectors]
title = "h1.t"   # keep me
date = "div.d"

# between
[[site]]
id = "b"
name = "Xã B"
start_urls = ["http://x.vn/b"]

# the recipient
[[recipient]]
id = "r"
name = "R"
parents = ["a"]
"""


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "sites.toml"
    p.write_text(FILE, encoding="utf-8")
    return p


def test_changed_keys_only_comments_and_order_kept(path):
    update_site(path, "a", {"name": "Phường A mới", "schedule": "every 2h",
                            "selectors": {"title": "h1.x", "views": "span.v"}})
    update_site(path, "b", {"enabled": False, "profile": "dnn", "selectors": {"title": "h2"}})
    text = path.read_text(encoding="utf-8")
    assert text == FILE.replace('name = "Phường A"\n', 'name = "Phường A mới"\n').replace(
        'profile = "liferay"\n', 'profile = "liferay"\nschedule = "every 2h"\n').replace(
        'title = "h1.t"   # keep me\ndate = "div.d"\n', 'title = "h1.x"   # keep me\nviews = "span.v"\n').replace(
        'start_urls = ["http://x.vn/b"]\n', 'start_urls = ["http://x.vn/b"]\nenabled = false\n'
        'profile = "dnn"\nselectors = {title = "h2"}\n')
    config = load_config(path)
    assert config.site("b").enabled is False and config.site("a").selectors == {"title": "h1.x", "views": "span.v"}


def test_removing_keys_gives_the_file_back(path):
    update_site(path, "b", {"enabled": False, "selectors": {"title": "h2"}})
    update_site(path, "b", {"enabled": None, "selectors": {}})
    assert path.read_text(encoding="utf-8") == FILE
    update_site(path, "a", {"selectors": {}})
    text = path.read_text(encoding="utf-8")
    assert "[site.selectors]" not in text and "# between\n[[site]]" in text and 'keep me' not in text


@pytest.mark.parametrize("changes, words", [
    ({"selectors": {"title": "div["}}, "site 'a': selector 'title': invalid CSS selector 'div['"),
    ({"schedule": "every 2 hours"}, "site 'a': key 'schedule'"),
    ({"parent": "nowhere"}, "site 'a': key 'parent': no site or unit 'nowhere'"),
    ({"name": None}, "site 'a': missing required key 'name'"),
])
def test_a_change_that_would_not_load_is_refused_and_nothing_is_written(path, changes, words):
    with pytest.raises(ConfigError) as e:
        update_site(path, "a", changes)
    assert words in str(e.value) and "\n" not in str(e.value)
    assert path.read_text(encoding="utf-8") == FILE


def test_an_unknown_site(path):
    with pytest.raises(ConfigError, match="no \\[\\[site\\]\\] with id 'zz'"):
        update_site(path, "zz", {"name": "x"})


@pytest.mark.parametrize("site_id, changes", [
    ("a", {"name": "Phường A mới", "schedule": "every 2h", "selectors": {"title": "h1.x", "views": "span.v"}}),
    ("a", {"selectors": {}}),
    ("a", {"profile": None, "enabled": False}),
    ("b", {"enabled": False, "profile": "dnn", "selectors": {"title": "h2"}}),
    ("b", {"name": 'Xã "B" # không phải chú thích', "parent": "a"}),
])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_editing_the_sites_own_table_writes_what_reading_the_whole_file_writes(tmp_path, monkeypatch, site_id,
                                                                               changes, newline):
    """update_site hands tomlkit only the site's own table (2 s → a few ms on a national file);
    the text it writes is the one the whole file through tomlkit gives."""
    import monitor.sites.tomlfile as tomlfile

    fast, whole = tmp_path / "fast.toml", tmp_path / "whole.toml"
    for p in (fast, whole):
        p.write_bytes(FILE.replace("\n", newline).encode())
    calls: list = []
    real = tomlfile._site_block
    monkeypatch.setattr(tomlfile, "_site_block", lambda text, index: calls.append(index) or real(text, index))
    update_site(fast, site_id, changes)
    monkeypatch.setattr(tomlfile, "_site_block", lambda text, index: None)  # the layout not recognised
    update_site(whole, site_id, changes)
    assert calls and fast.read_bytes() == whole.read_bytes() != FILE.replace("\n", newline).encode()


def test_a_table_split_by_another_is_read_whole(path):
    """A site whose sub-table comes after another table (legal TOML, not what `sites add` writes)
    is not cut out alone: the block would not hold the site as read, so the whole file is used."""
    import monitor.sites.tomlfile as tomlfile

    text = FILE.replace('[site.selectors]\ntitle = "h1.t"   # keep me\ndate = "div.d"\n', "") + (
        '\n[site.selectors]\ntitle = "h3"\n')
    path.write_text(text, encoding="utf-8")
    b = {"id": "b", "name": "Xã B", "start_urls": ["http://x.vn/b"], "selectors": {"title": "h3"}}  # as read
    assert tomlfile._edit_block(text, b, 1, {"name": "Xã B mới"}) is None
    update_site(path, "b", {"name": "Xã B mới"})
    config = load_config(path)
    assert config.site("b").name == "Xã B mới" and config.site("b").selectors == {"title": "h3"}
