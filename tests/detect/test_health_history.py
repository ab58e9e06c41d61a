"""A broken site stays broken: the usual share of articles missing a field comes from healthy
crawls only, and "no views" counts articles without a count (not pages). Real crawls of the
simulator into a real SQLite file, `sites health` and `sites check` through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect.events import detect

pytestmark = pytest.mark.slow


def run(portal, *args):
    return CliRunner().invoke(cli, ["--config", str(portal.config), "--db", str(portal.db_path), *args],
                              catch_exceptions=False)


def health(portal) -> dict[str, dict]:
    res = run(portal, "sites", "health", "--json")
    assert res.exit_code == 0, res.output
    return {h["site_id"]: h for h in json.loads(res.stdout)}


def always_reread(portal) -> None:
    """Every crawl reads every listed article page too (where the Liferay wards' pages lack counts)."""
    text = portal.config.read_text(encoding="utf-8")
    portal.config.write_text(text.replace("\nprofile = ", '\nrevisit = { mode = "always" }\nprofile = '),
                             encoding="utf-8")


def test_no_views_counts_articles_without_a_count_not_pages(portal):
    """Liferay wards print every count on their lists, but 40 % of their article pages print none:
    every stored article has a count, so none of them is "without views"."""
    always_reread(portal)
    portal.crawl(["vinh-hung", "tuong-mai", "ea-kao"])
    portal.sim.advance(hours=2)
    portal.crawl(["vinh-hung", "tuong-mai", "ea-kao"])
    db = portal.db()
    try:
        no_count = db.execute("SELECT COUNT(*) FROM articles WHERE site_id IN ('vinh-hung', 'tuong-mai')"
                              " AND views IS NULL").fetchone()[0]
        rows = db.execute("SELECT site_id, articles_seen, missing_views, article_pages FROM crawls"
                          " ORDER BY id").fetchall()
    finally:
        db.conn.close()
    site = portal.sim.sites["vinh-hung"]
    bare = [a for a in site.visible() if not portal.sim.shows_views(a, "article")]
    assert no_count == 0 and bare  # every count stored; some article pages print none
    for site_id, seen, missing, article_pages in rows:
        assert seen > 0 and article_pages > 0, site_id
        if site_id != "ea-kao":  # the unknown template's lists show no count: its article pages do
            assert missing == 0, (site_id, seen, missing)
    h = health(portal)
    for sid in ("vinh-hung", "tuong-mai"):
        assert h[sid]["status"] == "ok", h[sid]
        assert h[sid]["missing"]["views"]["share"] == 0 and h[sid]["missing"]["views"]["usual"] == 0
    # ea-kao: every article page is read (revisit "always") and prints its count
    assert h["ea-kao"]["missing"]["views"]["share"] == 0, h["ea-kao"]


def test_a_ward_hiding_its_counts_stays_broken_until_it_reads_again(portal):
    always_reread(portal)
    for _ in range(2):
        portal.crawl(["vinh-hung"])
        portal.sim.advance(hours=1)
    assert health(portal)["vinh-hung"]["status"] == "ok"

    portal.sim.set_faults(site="vinh-hung", hide_views=True)
    for n in range(1, 6):  # as many crawls as the usual share looks back over (5)
        portal.crawl(["vinh-hung"])
        if n % 2:  # detect's events and the health rule agree, whether detect ran or not
            db = portal.db()
            try:
                detect(db, portal.load_config())
            finally:
                db.conn.close()
        h = health(portal)["vinh-hung"]
        views = h["missing"]["views"]
        assert h["status"] == "extraction_broken", (n, h)
        assert (views["share"], views["usual"], views["broken"]) == (1.0, 0.0, True), (n, views)
        portal.sim.advance(hours=1)

    # the kept page of the broken list: `sites check` says what is missing, and exits 1
    sample = health(portal)["vinh-hung"]["sample_id"]
    assert sample
    res = run(portal, "sites", "check", "vinh-hung", "--sample", str(sample), "--json")
    report = json.loads(res.stdout)
    assert res.exit_code == 1, res.output
    assert any("view count" in p and "usually" in p for p in report["problems"]), report["problems"]
    text = run(portal, "sites", "check", "vinh-hung", "--sample", str(sample))
    assert text.exit_code == 1 and "OK: list and article extract cleanly" not in text.output

    portal.sim.clear_faults("vinh-hung")
    portal.crawl(["vinh-hung"])
    h = health(portal)["vinh-hung"]
    assert h["status"] == "ok" and h["missing"]["views"]["share"] == 0.0, h
    assert run(portal, "sites", "check", "vinh-hung").exit_code == 0


def test_broken_crawls_never_become_the_usual(tmp_path):
    """The rule alone, over crawl rows written through the store: two healthy crawls, then eight
    that lost every count. Each of the eight is broken against the healthy two, in `sites health`
    and in detect's events alike; the first healthy crawl after them is ok again."""
    from monitor.config import parse_config
    from monitor.detect.site_status import site_health
    from monitor.store.db import Store

    config = parse_config({"site": [{"id": "w", "name": "Phường W", "start_urls": ["https://w.gov.vn/tin-tuc"]}]},
                          tmp_path / "sites.toml")
    store = Store(tmp_path / "pw.db")
    store.sync_sites(config.sites)

    def crawl(missing_views: int) -> None:
        cid = store.begin_crawl("w")
        store.add_crawl_counts(cid, {"articles_seen": 20, "missing_views": missing_views})
        store.finish_crawl(cid, "ok")

    try:
        for _ in range(2):
            crawl(0)
        for n in range(8):
            crawl(20)
            (h,) = site_health(store.db, config)
            assert (h.status, h.missing["views"].usual) == ("extraction_broken", 0.0), (n, h)
            if n == 3:  # detect's events take over the judgement of the crawls it has examined
                detect(store.db, config)
        events = detect(store.db, config)
        assert [e["details"]["usual"] for e in events if e["kind"] == "extraction_broken"] == [0.0] * 4
        crawl(1)
        (h,) = site_health(store.db, config)
        assert h.status == "ok" and h.missing["views"].usual == 0.0, h
    finally:
        store.close()
