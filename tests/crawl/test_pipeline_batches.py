"""The store pipeline's batches are bounded by rows, not items: a list page counts one row per
article it lists, so a few big list pages never make one long write transaction (the other
writers — the lease heartbeat, a second crawl — wait for the lock only that long)."""

from __future__ import annotations

import os
import sqlite3

from crawler.items import ArticleItem, CrawlStartedItem, ListPageItem
from crawler.sites import Site
from monitor.crawl.pipeline import StorePipeline
from monitor.store.db import Store

T = "2026-11-15T03:00:00Z"


def page(n: int, start: int) -> ListPageItem:
    return ListPageItem("a", "http://a/tin-tuc", [
        ArticleItem(site_id="a", key=f"k{i}", url=f"http://a/{i}", source="list", observed_at=T, title=f"Tin {i}")
        for i in range(start, start + n)])


def committed(db) -> int:
    conn = sqlite3.connect(db)  # another connection: sees only committed rows
    try:
        return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def test_list_pages_count_their_sightings_toward_the_batch(tmp_path):
    db = tmp_path / "pw.db"
    pipe = StorePipeline(None, str(db), batch_size=200, batch_seconds=3600)
    pipe.store = Store(db)
    pipe.store.sync_sites([Site(id="a", name="A", start_urls=["http://a/tin-tuc"])])
    try:
        pipe.process_item(CrawlStartedItem("a", T, os.getpid(), "full"))
        pipe.process_item(page(150, 0))
        pipe.process_item(page(150, 150))  # 301 rows buffered: written now, not 200 items later
        for f in pipe.pending:
            f.result()
        assert committed(db) == 300
        pipe.process_item(page(150, 300))
        for f in pipe.pending:
            f.result()
        assert committed(db) == 300  # 150 rows wait for the next batch
        pipe.drain()
        assert committed(db) == 450
    finally:
        pipe.writer.shutdown(wait=True)
        pipe.store.close()
