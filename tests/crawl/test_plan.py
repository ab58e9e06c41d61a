"""The crawl plan (crawler.plan, monitor.crawl.planner) and the items the spider reports its crawl
with (crawler.items: `kind`, from_dict; Store: crawl rows, samples, aborted rows)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import pytest
from scrapy.exporters import JsonLinesItemExporter

from crawler.items import (
    ITEM_TYPES,
    ArticleItem,
    CrawlFinishedItem,
    CrawlStartedItem,
    FetchErrorItem,
    GoneItem,
    IncompleteListItem,
    ListPageItem,
    NotModifiedItem,
    SampleItem,
    from_dict,
)
from crawler.plan import CrawlPlan, Known
from crawler.sites import Settings, Site
from monitor.config import parse_config
from monitor.crawl.child import main as run_main
from monitor.crawl.planner import build_plan
from monitor.store.db import SAMPLES_PER_SITE, Store

T0 = "2026-11-20T01:00:00Z"
SITES = {
    "portalwatch": {"contact_url": "https://example.org/c", "delay": 0.5, "hosts": {"sim.test": "127.0.0.1"}},
    "site": [
        {"id": "a", "name": "Xã A", "start_urls": ["http://a.test/tin"], "max_pages": 9,
         "revisit": {"list_pages": 2, "deep_every_hours": 24, "steps": [[24, 2]]}, "aliases": ["a-old"]},
        {"id": "b", "name": "Xã B", "start_urls": ["http://b.test/tin"], "selectors": {"title": "h1"}},
    ],
}


def config(tmp_path):
    return parse_config(json.loads(json.dumps(SITES)), tmp_path / "sites.toml")


def article(key="lr:1", **kw):
    return ArticleItem(site_id="a", key=key, url=f"http://a.test/{key}", source="list", observed_at=T0,
                       title="Tin", views=3, **kw)


def test_plan_round_trips_through_json(tmp_path):
    cfg = config(tmp_path)
    known = {"a": {"lr:1": Known(1, "http://a.test/1", None, "T", T0, 3, T0, T0, T0, T0, '"e"', None, "live", True)}}
    plan = CrawlPlan(settings=cfg.settings, sites=cfg.sites, pages={"a": 2, "b": None},
                     list_walk={"a": "shallow", "b": "full"}, known=known, planned_at=T0)
    again = CrawlPlan.from_json(plan.to_json())
    assert again == plan
    assert isinstance(again.settings, Settings) and all(isinstance(s, Site) for s in again.sites)
    assert [again.max_pages(s) for s in again.sites] == [2, 20] and again.walk("a") == "shallow"
    assert CrawlPlan.load("@" + str(_write(tmp_path / "p.json", plan.to_json()))) == plan
    with pytest.raises(ValueError, match="not a crawl plan"):
        CrawlPlan.from_json('{"sites": []}')


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_build_plan_decides_each_sites_walk_once(tmp_path):
    cfg, db = config(tmp_path), tmp_path / "pw.db"
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    plan = build_plan(cfg, db, None, now)  # no crawl yet: full walks
    assert plan.pages == {"a": None, "b": None} and plan.list_walk == {"a": "full", "b": "full"}
    store = Store(db)
    store.sync_sites(cfg.sites)
    store.apply([CrawlStartedItem("a", "2026-11-20T06:00:00Z", 1, "full"),
                 CrawlFinishedItem("a", "2026-11-20T06:01:00Z", "ok", list_pages=1)])
    store.close()
    plan = build_plan(cfg, db, ["a-old", "b"], now)  # a's full walk 6 h ago: shallow (2 pages)
    assert plan.site_ids() == ["a", "b"] and plan.pages == {"a": 2, "b": None}
    assert plan.list_walk == {"a": "shallow", "b": "full"} and plan.known is None
    assert build_plan(cfg, db, ["a"], now, walks=False).pages == {"a": None}
    assert build_plan(cfg, db, ["a"], now, with_known=True).known == {"a": {}}


def test_every_item_has_a_kind_and_comes_back_from_its_export(tmp_path):
    items = [
        CrawlStartedItem("a", T0, 42, "shallow"),
        ListPageItem("a", "http://a.test/tin", [article("lr:1", missing=["views"]), article("lr:2")]),
        article("lr:3", body="Nội dung đầy đủ"), NotModifiedItem("a", "lr:1", T0),
        GoneItem("a", "lr:2", "http://a.test/lr:2", 404, T0), FetchErrorItem("a", "http://a.test/x", "HTTP 500", T0, 500),
        IncompleteListItem("a", "http://a.test/tin?page=6", "pager shows page 12 but the walk stopped at page 6: next link not found",
                           T0, list_url="http://a.test/tin", pages_read=6),
        SampleItem("a", "http://a.test/tin", "list", "no articles found", "<html>ạ</html>", T0),
        CrawlFinishedItem("a", T0, "partial", list_pages=1, errors=1, error_summary="waited"),
    ]
    assert {i.kind for i in items} == set(ITEM_TYPES)
    path = tmp_path / "items.jsonl"
    with path.open("wb") as f:  # Scrapy's own JSON Lines exporter, as a feed export writes
        exporter = JsonLinesItemExporter(f)
        exporter.start_exporting()
        for i in items:
            exporter.export_item(i)
        exporter.finish_exporting()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [d["kind"] for d in lines] == [i.kind for i in items]
    assert [from_dict(d) for d in lines] == items
    assert from_dict(asdict(items[1])) == items[1]
    with pytest.raises(ValueError, match="not a portalwatch item"):
        from_dict({"kind": "pizza"})
    with pytest.raises(ValueError, match="unknown fields"):
        from_dict({**asdict(items[3]), "colour": "red"})


def test_the_store_opens_and_finishes_crawl_rows_from_items(tmp_path):
    cfg = config(tmp_path)
    store = Store(tmp_path / "pw.db")
    try:
        store.sync_sites(cfg.sites)
        store.apply([CrawlStartedItem("a", T0, 42, "shallow"), CrawlStartedItem("b", T0, 42, "full"),
                     ListPageItem("a", "http://a.test/tin", [article("lr:1"), article("lr:2")])])
        store.apply([FetchErrorItem("b", "http://b.test/x", "HTTP 500", T0, 500), FetchErrorItem("b", "http://b.test/y", "HTTP 500", T0, 500),
                     CrawlFinishedItem("a", "2026-11-20T01:05:00Z", "ok", list_pages=1, article_pages=2, not_modified_pages=1),
                     CrawlFinishedItem("b", "2026-11-20T01:05:00Z", "ok", list_pages=1, error_summary="b.test asked to wait")])
        rows = store.conn.execute(
            "SELECT site_id, pid, list_walk, outcome, finished_at, list_pages, pages_fetched, articles_seen, articles_new,"
            " errors, error_summary FROM crawls ORDER BY id").fetchall()
        assert rows == [
            ("a", 42, "shallow", "ok", "2026-11-20T01:05:00Z", 1, 4, 2, 2, 0, None),
            ("b", 42, "full", "partial", "2026-11-20T01:05:00Z", 1, 1, 0, 0, 2, "HTTP 500 ×2; b.test asked to wait"),
        ]
        assert store.conn.execute("SELECT COUNT(*) FROM view_counts WHERE crawl_id = 1").fetchone() == (2,)
        store.apply([CrawlStartedItem("a", T0, 43)])
        assert store.mark_aborted([43], "killed after the 5s crawl timeout") == 1
        assert store.conn.execute("SELECT outcome, error_summary FROM crawls WHERE id = 3").fetchone() == (
            "aborted", "killed after the 5s crawl timeout")
        with pytest.raises(ValueError, match="never started"):
            Store(tmp_path / "other.db").apply([CrawlFinishedItem("a", T0, "ok")])
    finally:
        store.close()


def test_samples_kept_outside_a_crawl_respect_the_cap(tmp_path):
    from monitor.sites.check import CheckReport, keep_pages

    cfg = config(tmp_path)
    store = Store(tmp_path / "pw.db")
    store.sync_sites(cfg.sites)
    store.apply([SampleItem("a", f"http://a.test/{i}", "list", "crawl", "<html/>", T0) for i in range(SAMPLES_PER_SITE)])
    report = CheckReport(site=cfg.sites[0], profile="auto")
    report.pages = {"list": ("http://a.test/tin", "<html>kept</html>")}
    ids = keep_pages(store.conn, "a", report)
    assert len(ids) == 1
    assert store.conn.execute("SELECT COUNT(*) FROM html_samples WHERE site_id = 'a'").fetchone() == (SAMPLES_PER_SITE,)
    assert store.conn.execute("SELECT kind, reason, crawl_id FROM html_samples WHERE id = ?", ids).fetchone() == (
        "list", "kept by sites check", None)
    store.close()


def test_the_child_refuses_a_bad_plan(tmp_path, capsys):
    assert run_main(["--plan", str(_write(tmp_path / "p.json", "{}")), "--db", str(tmp_path / "x.db")]) == 2
    assert "not a crawl plan" in capsys.readouterr().err
