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
    """Issue 10: `parent = "hoang-maii"` made a ward vanish from its district's digest."""
    text = GOOD.replace('parent = "hoang-mai"', 'parent = "hoang-maii"', 1)
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text))
    assert "site 'vinh-hung': key 'parent': no site or unit 'hoang-maii' (did you mean 'hoang-mai'?)" in str(e.value)


def test_a_parent_that_is_a_unit_of_its_own_is_accepted(tmp_path):
    """Wards of a district that is not crawled itself: the parent names no [[site]] and resembles none."""
    text = GOOD.replace('parent = "hoang-mai"', 'parent = "tinh-mo-phong"', 1).replace(
        'parents = ["hoang-mai"]', 'parents = ["tinh-mo-phong"]')
    config = load_config(write(tmp_path, text))
    assert [s.id for s in config.sites_for(config.recipients[0])] == ["vinh-hung"]


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
