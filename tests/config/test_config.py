"""sites.toml validation: every mistake answered with file, site and key — never a traceback."""

import pytest

from monitor.config import ConfigError, load_config

GOOD = """
[portalwatch]
contact_url = "https://example.org/contact"
delay = 0

[[site]]
id = "hoang-mai"
name = "Quận Hoàng Mai"
level = "district"
start_urls = ["http://127.0.0.1:8765/hoangmai/tin-tuc"]
profile = "liferay"

[[site]]
id = "vinh-hung"
name = "Phường Vĩnh Hưng"
level = "ward"
parent = "hoang-mai"
start_urls = ["http://127.0.0.1:8765/hoangmai/cac-phuong/vinh-hung/tin-tuc"]
max_pages = 3
schedule = "every 2h"
[site.selectors]
title = "h1.title"

[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
"""


def write(tmp_path, text):
    p = tmp_path / "sites.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_config_loads(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    assert [s.id for s in cfg.sites] == ["hoang-mai", "vinh-hung"]
    vh = cfg.site("vinh-hung")
    assert vh.parent == "hoang-mai" and vh.max_pages == 3 and vh.selectors == {"title": "h1.title"}
    assert vh.profile == "auto" and vh.host == "127.0.0.1:8765"
    assert cfg.settings.delay == 0
    assert load_config(write(tmp_path, GOOD.replace('"every 2h"', '"30 7 * * 7"'))).site("vinh-hung").schedule == "30 7 * * 7"
    assert "portalwatch/" in cfg.settings.ua and "https://example.org/contact" in cfg.settings.ua
    r = cfg.recipient("ubnd-hoang-mai")
    assert [s.id for s in cfg.sites_for(r)] == ["vinh-hung"]


@pytest.mark.parametrize(
    "change, expected",
    [
        (('max_pages = 3', 'max_pages = "three"'), "site 'vinh-hung': key 'max_pages': expected an integer"),
        (('max_pages = 3', 'max_page = 3'), "unknown key 'max_page' (did you mean 'max_pages'?)"),
        (('id = "vinh-hung"', 'id = "hoang-mai"'), "duplicate id 'hoang-mai'"),
        (('http://127.0.0.1:8765/hoangmai/tin-tuc', 'ftp://x/y'), "key 'start_urls': expected an http(s) URL, got 'ftp://x/y'"),
        (('profile = "liferay"', 'profile = "wordpress"'), "key 'profile': expected one of"),
        (('level = "ward"', 'level = "village"'), "key 'level': expected one of"),
        (('schedule = "every 2h"', 'schedule = "sometimes"'), "key 'schedule': expected 'every"),
        (('title = "h1.title"', 'headline = "h1"'), "unknown key 'headline'"),
        (('parents = ["hoang-mai"]', 'parents = ["nowhere"]'), "recipient 'ubnd-hoang-mai': unknown site or unit 'nowhere'"),
        (('delay = 0', 'delay = -1'), "[portalwatch]: key 'delay': expected a number ≥ 0"),
        (('delay = 0', 'delay = 0\nmax_links_per_page = 0'), "[portalwatch]: key 'max_links_per_page': expected a number ≥ 1"),
        (('max_pages = 3', 'max_pages = 3\nmax_links_per_page = "many"'),
         "site 'vinh-hung': key 'max_links_per_page': expected an integer ≥ 1"),
        (('schedule = "every 2h"', 'schedule = "0 7 * * 9"'), "key 'schedule': bad cron expression '0 7 * * 9'"),
        (('schedule = "every 2h"', 'schedule = "every 2h"\nrevisit = { mod = "smart" }'),
         "site 'vinh-hung': [site.revisit]: unknown revisit keys: mod"),
    ],
)
def test_mistakes_name_file_site_and_key(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(path) in str(e.value)
    assert expected in str(e.value)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[[site]\nid="))
    with pytest.raises(ConfigError, match=r"write \[\[site\]\], not \[site\]"):
        load_config(write(tmp_path, '[site]\nid = "x"\n'))
    with pytest.raises(ConfigError, match="missing required key 'start_urls'"):
        load_config(write(tmp_path, '[[site]]\nid = "x"\nname = "X"\n'))


def test_cli_reports_config_error_without_traceback(tmp_path):
    from click.testing import CliRunner

    from monitor.cli import cli

    path = write(tmp_path, GOOD.replace("max_pages = 3", "max_pages = 0"))
    result = CliRunner().invoke(cli, ["--config", str(path), "sites", "list"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "site 'vinh-hung': key 'max_pages': expected a number ≥ 1, got 0" in result.output


def test_renames_and_mergers_are_consistent(tmp_path):
    merged = GOOD.replace('id = "vinh-hung"', 'id = "vinh-hung"\nmerged_from = ["hoang-mai"]')
    with pytest.raises(ConfigError, match="merged_from 'hoang-mai' is still crawled; set enabled = false"):
        load_config(write(tmp_path, merged))
    disabled = merged.replace('level = "district"', 'level = "district"\nenabled = false')
    assert load_config(write(tmp_path, disabled)).site("vinh-hung").merged_from == ["hoang-mai"]
    renamed = GOOD.replace('id = "vinh-hung"', 'id = "vinh-hung"\naliases = ["hoang-mai"]')
    with pytest.raises(ConfigError, match="alias 'hoang-mai' is the id of a configured site"):
        load_config(write(tmp_path, renamed))
    twice = GOOD.replace('id = "vinh-hung"', 'id = "vinh-hung"\naliases = ["old"]').replace(
        'id = "hoang-mai"', 'id = "hoang-mai"\naliases = ["old"]')
    with pytest.raises(ConfigError, match="'old' is already claimed by site 'hoang-mai'"):
        load_config(write(tmp_path, twice))


def test_a_parent_typo_is_an_error_with_did_you_mean(tmp_path):
    """A misspelt parent (`parent = "hoang-maii"`) is an error naming the close match, not a ward
    silently missing from its district's digest."""
    text = GOOD.replace('parent = "hoang-mai"', 'parent = "hoang-maii"', 1)
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text))
    assert "site 'vinh-hung': key 'parent': no site or unit 'hoang-maii' (did you mean 'hoang-mai'?)" in str(e.value)


def test_a_parent_that_is_a_unit_of_its_own_is_accepted(tmp_path):
    """Wards of a province that is not crawled itself: declared as a [[unit]] (no portal) the
    parent is accepted; without the table the same config is an error (ids that name nothing
    are errors on load), one line naming the key and the fix."""
    text = GOOD.replace('parent = "hoang-mai"', 'parent = "tinh-mo-phong"', 1).replace(
        'parents = ["hoang-mai"]', 'parents = ["tinh-mo-phong"]')
    unit = '\n[[unit]]\nid = "tinh-mo-phong"\nname = "Tỉnh Mô Phỏng"\nlevel = "province"\n'
    config = load_config(write(tmp_path, text + unit))
    assert [s.id for s in config.sites_for(config.recipients[0])] == ["vinh-hung"]
    assert [(u.id, u.name, u.level) for u in config.units] == [("tinh-mo-phong", "Tỉnh Mô Phỏng", "province")]
    assert config.unit("tinh-mo-phong").name == "Tỉnh Mô Phỏng"
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text))
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(str(tmp_path / "sites.toml"))
    assert ("site 'vinh-hung': key 'parent': no site or unit 'tinh-mo-phong'; add a [[unit]] table with "
            'id = "tinh-mo-phong", name = "…", level = "…" if it is a unit without a portal') in msg


def test_an_unknown_recipient_site_suggests_the_close_one(tmp_path):
    text = GOOD.replace('parents = ["hoang-mai"]', 'parents = ["hoang-mai"]\nsites = ["vinh-hungg"]')
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text))
    assert "unknown site or unit 'vinh-hungg' in 'sites' (did you mean 'vinh-hung'?)" in str(e.value)


def test_an_unknown_site_on_the_command_line_suggests_the_close_one(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"no site with id 'vinh-hungg' \(did you mean 'vinh-hung'\?\)"):
        config.site("vinh-hungg")
    with pytest.raises(ConfigError, match=r"no site with id 'nope' \(known: hoang-mai, vinh-hung\)"):
        config.site("nope")


UNIT = '\n[[unit]]\nid = "ha-noi"\nname = "Thành phố Hà Nội"\nlevel = "city"\n'


def test_a_parent_resembling_nothing_is_an_error_naming_the_key_and_the_unit_fix(tmp_path):
    text = GOOD.replace('level = "district"', 'level = "district"\nparent = "xyzzy"', 1)
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text))
    assert "site 'hoang-mai': key 'parent': no site or unit 'xyzzy'; add a [[unit]] table with id = \"xyzzy\"" in str(e.value)


def test_a_unit_is_a_parent_through_units_and_its_own_parent_must_exist(tmp_path):
    district = '\n[[unit]]\nid = "q-ba-dinh"\nname = "Quận Ba Đình"\nlevel = "district"\nparent = "ha-noi"\n'
    text = GOOD.replace('level = "district"', 'level = "district"\nparent = "q-ba-dinh"', 1).replace(
        'parents = ["hoang-mai"]', 'parents = ["ha-noi"]')
    config = load_config(write(tmp_path, text + district + UNIT))
    # province unit > district unit > site hoang-mai > ward vinh-hung: the sites, never the units
    assert [s.id for s in config.sites_for(config.recipients[0])] == ["hoang-mai", "vinh-hung"]
    with pytest.raises(ConfigError, match=r"unit 'q-ba-dinh': key 'parent': no site or unit 'ha-noi'; add a \[\[unit\]\]"):
        load_config(write(tmp_path, text + district))
    with pytest.raises(ConfigError, match=r"unit 'q-ba-dinh': key 'parent': no site or unit 'ha-noii' \(did you mean 'ha-noi'\?\)"):
        load_config(write(tmp_path, text + district.replace('parent = "ha-noi"', 'parent = "ha-noii"') + UNIT))


@pytest.mark.parametrize("unit, expected", [
    (UNIT.replace('level = "city"', 'levle = "city"'), r"unit 'ha-noi': unknown key 'levle' \(did you mean 'level'\?\)"),
    (UNIT.replace('level = "city"', 'start_urls = ["http://x/"]'), r"unit 'ha-noi': unknown key 'start_urls'"),
    (UNIT.replace('"ha-noi"', '"hoang-mai"'), r"unit 'hoang-mai': duplicate id 'hoang-mai' \(also site #1\)"),
    (UNIT + UNIT, r"unit 'ha-noi': duplicate id 'ha-noi' \(also unit #1\)"),
    (UNIT.replace('"ha-noi"', '"Ha Noi"'), r"unit 'Ha Noi': key 'id': expected a short id"),
    (UNIT.replace('name = "Thành phố Hà Nội"\n', ''), r"unit 'ha-noi': missing required key 'name'"),
    (UNIT.replace('"city"', '"town"'), r"unit 'ha-noi': key 'level': expected one of province"),
    (UNIT + 'parent = "ha-noi"\n', r"unit 'ha-noi': key 'parent': a unit cannot be its own parent"),
    (UNIT + 'aliases = ["vinh-hung"]\n', r"unit 'ha-noi': alias 'vinh-hung' is the id of a configured site"),
    ('\n[unit]\nid = "x"\nname = "X"\n', r"'unit' must be an array of tables: write \[\[unit\]\]"),
])
def test_unit_tables_are_validated_like_sites(tmp_path, unit, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, GOOD + unit))


def test_a_parent_cycle_is_an_error(tmp_path):
    a = '\n[[unit]]\nid = "a"\nname = "A"\nparent = "b"\n'
    b = '\n[[unit]]\nid = "b"\nname = "B"\nparent = "a"\n'
    text = GOOD.replace('level = "district"', 'level = "district"\nparent = "a"', 1)
    with pytest.raises(ConfigError, match=r"site 'hoang-mai': key 'parent': parent cycle a → b → a"):
        load_config(write(tmp_path, text + a + b))


@pytest.mark.parametrize("recipient, expected", [
    ('parents = ["nosuch"]', "recipient 'ubnd-hoang-mai': unknown site or unit 'nosuch' in 'parents'; add a [[unit]] table"),
    ('parents = ["ha-noii"]', "recipient 'ubnd-hoang-mai': unknown site or unit 'ha-noii' in 'parents' (did you mean 'ha-noi'?)"),
    ('sites = ["nosuch"]', "recipient 'ubnd-hoang-mai': unknown site or unit 'nosuch' in 'sites'; add a [[unit]] table"),
    ('sites = ["ha-noi"]', "recipient 'ubnd-hoang-mai': key 'sites': 'ha-noi' is a [[unit]] (no portal); list it in 'parents'"),
])
def test_unknown_recipient_sites_and_parents_are_errors(tmp_path, recipient, expected):
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, GOOD.replace('parents = ["hoang-mai"]', recipient) + UNIT))
    assert expected in str(e.value) and "\n" not in str(e.value)
    ok = load_config(write(tmp_path, GOOD.replace('parents = ["hoang-mai"]', 'parents = ["ha-noi"]') + UNIT))
    assert ok.recipients[0].parents == ["ha-noi"] and ok.sites_for(ok.recipients[0]) == []


def test_a_unit_is_not_a_site_on_the_command_line(tmp_path):
    config = load_config(write(tmp_path, GOOD + UNIT))
    with pytest.raises(ConfigError, match=r"'ha-noi' is a \[\[unit\]\] \(no portal, never crawled\), not a site"):
        config.site("ha-noi")


def _load(tmp_path, text: str):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_web_table_and_its_mistakes(tmp_path):
    base = '[[site]]\nid = "a"\nname = "A"\nstart_urls = ["https://a.vn/tin"]\n'
    ok = _load(tmp_path, base + '[web]\nurl = "https://pw.example.vn"\nport = 9000\n')
    assert ok.web.url == "https://pw.example.vn" and ok.web.host == "127.0.0.1" and ok.web.port == 9000
    assert ok.web.link("/u/a") == "https://pw.example.vn/u/a"
    assert _load(tmp_path, base).web.link("/u/a") is None
    for text, words in (('[web]\nurl = "ftp://x"\n', "key 'url': expected an http(s) URL"),
                        ('[web]\nport = 70000\n', "key 'port'"),
                        ('[web]\nuri = "https://x"\n', "unknown key 'uri' (did you mean 'url'?)")):
        with pytest.raises(ConfigError) as e:
            _load(tmp_path, base + text)
        assert words in str(e.value) and "[web]" in str(e.value)


def test_a_selector_that_does_not_compile_is_refused_on_load(tmp_path):
    text = ('[[site]]\nid = "vinh-hung"\nname = "A"\nstart_urls = ["https://a.vn/tin"]\n'
            '[site.selectors]\ntitle = "h1.title["\n')
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, text)
    assert str(e.value).startswith(f"{tmp_path / 'sites.toml'}: site 'vinh-hung': selector 'title': invalid CSS "
                                   "selector 'h1.title['")
    assert "\n" not in str(e.value)


def test_an_inline_table_over_several_lines_gets_a_hint(tmp_path):
    """Python's tomllib reads TOML 1.0: `{ … }` spread over lines is the commonest mistake (the
    recipient example of docs/digests.md was written so); the one-line error says what to do."""
    path = tmp_path / "sites.toml"
    path.write_text(
        '[[recipient]]\nid = "r"\nname = "R"\nchannels = [\n'
        '  { type = "email", to = ["a@example.vn"], from = "b@example.vn",\n'
        '    host = "smtp.example.vn" },\n]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"{path}: not valid TOML: Invalid initial character for a key part")
    assert msg.endswith("hint: an inline table { … } must stay on one line (the one opened on line 5 is not "
                        "closed there): write it on one line, or as a `[[recipient.channels]]` table")
    path.write_text('[[site]]\nid = "a"\nrevisit = { list_pages = 2,\n  deep_every_hours = 24 }\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"or as a `\[site\.revisit\]` table$"):
        load_config(path)


def test_other_toml_mistakes_get_no_inline_table_hint(tmp_path):
    path = tmp_path / "sites.toml"
    for text in ('a = [1,\n2,\n', 'a = "{"\nb = ]\n', '[portalwatch]\ndelay = 1 2\n', 'x = { a = 1, }\n'):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as e:
            load_config(path)
        assert "not valid TOML" in str(e.value) and "hint" not in str(e.value), text
