"""The spider reports through items: a local crawl's items, exported as JSON Lines and stored
again with crawler.items.from_dict into a fresh database, give the same rows (what the Scrapyd
coordinator does with the feeds of nodes that hold no database)."""

import json
import subprocess
import sys

import pytest

from crawler.items import from_dict
from monitor.crawl.planner import build_plan
from monitor.store.connect import open_db
from monitor.store.db import Store
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

TABLES = {  # table -> ORDER BY
    "articles": "id", "view_counts": "id", "views_daily": "article_id, day", "article_revisions": "id",
    "crawls": "id", "fetch_errors": "id", "html_samples": "id",
}


def rows(db_path) -> dict[str, list[tuple]]:
    db = open_db(db_path)
    try:
        return {t: db.conn.execute(f"SELECT * FROM {t} ORDER BY {o}").fetchall() for t, o in TABLES.items()}
    finally:
        db.conn.close()


def child_crawl(plan, db, feed, tmp_path):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan.to_json(), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "monitor.crawl.child", "--plan", str(plan_file), "--db", str(db),
                          "--feed", str(feed)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]


def test_exported_items_rebuild_the_same_rows(portal, tmp_path):
    text = portal.config.read_text(encoding="utf-8")  # revisits: the second crawl re-reads pages
    portal.config.write_text(text.replace("\nprofile = ", '\nrevisit = { mode = "always" }\nprofile = '), encoding="utf-8")
    config = portal.load_config()
    sites = [s.id for s in config.sites][:3]
    feeds = []
    for n in range(2):  # a first crawl, and one over a stored history after time passed
        plan = build_plan(config, portal.db_path, sites, walks=False)
        feeds.append(tmp_path / f"items-{n}.jsonl")
        child_crawl(plan, portal.db_path, feeds[-1], tmp_path)
        portal.sim.advance(hours=30)

    fresh = tmp_path / "fresh.db"
    store = Store(fresh)
    try:
        store.sync_sites(plan.sites)
        for feed in feeds:
            items = [from_dict(json.loads(line)) for line in feed.read_text(encoding="utf-8").splitlines()]
            kinds = {i.kind for i in items}
            assert {"crawl_started", "list_page", "article", "crawl_finished"} <= kinds, kinds
            for i in range(0, len(items), 200):  # in batches, as the pipeline does
                store.apply(items[i:i + 200])
    finally:
        store.close()
    local, rebuilt = rows(portal.db_path), rows(fresh)
    assert len(local["crawls"]) == 2 * len(sites) and all(c[4] in ("ok", "partial") for c in local["crawls"])
    assert local["articles"] and local["view_counts"]
    for table in TABLES:
        assert rebuilt[table] == local[table], table
