"""`sites add` from a home page only: the entry it writes crawls every article exactly."""

from __future__ import annotations

import tomllib

import pytest

from .conftest import HEAD, as_json, expected_views, flat, stored

# one site per simulator template (plain is the unknown template: `auto`)
TEMPLATES = {"liferay": "vinh-hung", "tandan": "xa-quang-phu", "dnn": "dai-phuc", "plain": "ea-kao"}


@pytest.mark.parametrize("template", ["liferay", "tandan", "dnn"])
def test_add_from_home_page_then_crawl_matches_truth_exactly(ops, template):
    sid = TEMPLATES[template]
    res = ops.cli("sites", "add", ops.home(sid), "--id", sid, "--yes", "--json")
    found = as_json(res)
    assert found["added"] and found["kind"] == "home"
    assert found["profile"] == ops.sim.sites[sid].profile
    expected_lists = [c["url"] for c in ops.sim.sites[sid].info(ops.url)["categories"]]
    assert found["start_urls"] == expected_lists
    assert found["preview"][0]["published_at"] and found["preview"][0]["views"] is not None

    ops.crawl()
    rows = stored(ops.db, sid)
    truth = ops.sim.truth(sid, include_body=False, include_removed=False)
    assert {t["url"] for t in truth} == set(rows)
    for t in truth:
        r = rows[t["url"]]
        assert (r["title"], r["published_at"], r["views"]) == (t["title"], t["published_at"], expected_views(t)), t["url"]


def test_district_home_gets_its_own_lists_not_the_wards(ops):
    res = ops.cli("sites", "add", ops.home("hoang-mai"), "--id", "hoang-mai", "--yes", "--json")
    found = as_json(res)
    assert found["start_urls"] == [ops.url + "/hoangmai/tin-tuc", ops.url + "/hoangmai/thong-bao"]
    assert found["site"]["level"] == "district" and found["site"]["name"] == "Quận Hoàng Mai"


def test_unknown_template_auto_finds_95_percent_with_dates_and_counts(ops):
    """Plain markup, no platform fingerprint: `auto` only, more articles so pagination counts."""
    bulk = ops.sim.add_sites(3, "plain", articles_per_site=40)
    ids = ["ea-kao"] + [s.id for s in bulk]
    for sid in ids:
        found = as_json(ops.cli("sites", "add", ops.home(sid), "--id", sid, "--yes", "--json"))
        assert found["profile"] == "auto"
        assert found["fingerprints"] == {"liferay": 0.0, "tandan": 0.0, "dnn": 0.0}
    ops.crawl()
    for sid in ids:
        rows = stored(ops.db, sid)
        truth = ops.sim.truth(sid, include_body=False, include_removed=False)
        good = sum(1 for t in truth if t["url"] in rows
                   and rows[t["url"]]["published_at"] == t["published_at"]
                   and rows[t["url"]]["views"] == expected_views(t))
        assert good >= 0.95 * len(truth), f"{sid}: {good}/{len(truth)} articles with the right date and views"
        assert len(rows) <= len(truth), f"{sid}: stored pages that are not articles"


def test_add_keeps_the_files_comments_and_layout(ops):
    text = HEAD + f"""
# Thanh Hóa communes
[[site]]
id = "xa-quang-phu"   # added by hand
name = "Xã Quảng Phú"
start_urls = ["{ops.url}/thanhhoa/xa-quang-phu/portal/Pages/tin-tuc.aspx"]
profile = "tandan"
[site.selectors]
title = "h1"   # a per-site override

# The office gets one digest a day.
[[recipient]]
id = "office"
name = "Văn phòng"
sites = ["xa-quang-phu"]
"""
    ops.config.write_text(text, encoding="utf-8")
    ops.cli("sites", "add", ops.home("dai-phuc"), "--id", "dai-phuc", "--yes")
    new = ops.config.read_text(encoding="utf-8")
    cut = new.index('[[site]]\nid = "dai-phuc"')
    block = new[cut: new.index("\n\n", cut) + 1]
    assert new.replace("\n" + block, "", 1) == text  # everything else byte for byte
    assert new.index("[site.selectors]") < cut < new.index("# The office gets one digest a day.\n[[recipient]]")
    data = tomllib.loads(new)
    assert [s["id"] for s in data["site"]] == ["xa-quang-phu", "dai-phuc"]
    assert data["site"][0]["selectors"] == {"title": "h1"}
    assert data["site"][1]["home_url"] == ops.home("dai-phuc")


def test_non_news_urls_are_explained_and_nothing_is_written(ops):
    before = ops.config.read_text(encoding="utf-8")
    res = ops.cli("sites", "add", ops.url + "/hoangmai/cac-phuong", "--yes", expect=1)
    assert "links 4 sub-sites" in flat(res) and "sites discover" in flat(res)
    article = ops.sim.truth("vinh-hung", include_body=False)[0]["url"]
    res = ops.cli("sites", "add", article, "--yes", expect=1)
    assert "is an article page" in flat(res)
    res = ops.cli("sites", "add", ops.url + "/nowhere/", "--yes", expect=1)
    assert "HTTP 404" in flat(res)
    res = ops.cli("sites", "add", ops.url + "/robots.txt", "--yes", expect=1)
    assert "expected an HTML page" in flat(res)
    assert ops.config.read_text(encoding="utf-8") == before


def test_duplicates_are_refused(ops):
    ops.cli("sites", "add", ops.home("dai-phuc"), "--id", "dai-phuc", "--yes")
    res = ops.cli("sites", "add", ops.home("dai-phuc"), "--id", "dai-phuc-2", "--yes", expect=1)
    assert "already crawled for site 'dai-phuc'" in flat(res)
    res = ops.cli("sites", "add", ops.home("ea-kao"), "--id", "dai-phuc", "--yes", expect=1)
    assert "id 'dai-phuc' is already used" in flat(res)


def test_page_text_cannot_drive_the_terminal(ops):
    first = ops.sim.truth("ea-kao", include_body=False)[0]
    ops.sim.edit(first["url"], title="[bold red]XSS[/] \x1b[2J\x1b]0;pwned\x07 <script>alert(1)</script>")
    res = ops.cli("sites", "add", ops.url + "/eakao/tin-tuc/", "--dry-run")
    assert "[bold red]XSS[/]" in flat(res)  # printed literally, not as markup
    assert "\x1b" not in res.output and "\x07" not in res.output
