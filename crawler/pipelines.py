"""Hands items to monitor.store.db in batches: one transaction per batch, counters per crawl.

Batches are written by one writer thread (SQLite releases the GIL while it works), so parsing
goes on while a batch is committed; batches are applied strictly in order.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from scrapy import signals
from twisted.internet import task

from monitor.store.db import Store

BATCH_SIZE = 200
BATCH_SECONDS = 2.0


class StorePipeline:
    """Buffers items and writes them with Store.apply; opens and closes one `crawls` row per site."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.buffer: list = []
        self.last_flush = time.monotonic()
        self.store: Store | None = None
        self.crawl_ids: dict[str, int] = {}
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portalwatch-writer")
        self.pending: list[Future] = []
        self.storage_error: str | None = None
        self.timer = task.LoopingCall(self._tick)

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler)
        crawler.signals.connect(pipe.finish, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.store = Store(spider.db_path)
        self.store.abort_stale_crawls()
        self.store.sync_sites(spider.config.sites)
        for site in spider.sites:
            self.crawl_ids[site.id] = self.store.begin_crawl(site.id)
        self.store.prime(self.crawl_ids)
        spider.crawl_ids = self.crawl_ids
        self.timer.start(BATCH_SECONDS, now=False)

    def _tick(self) -> None:
        if time.monotonic() - self.last_flush >= BATCH_SECONDS:
            self.flush()

    def process_item(self, item, spider=None):
        self.buffer.append(item)
        if len(self.buffer) >= BATCH_SIZE or time.monotonic() - self.last_flush > BATCH_SECONDS:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer or self.store is None:
            return
        batch, self.buffer = self.buffer, []
        self.pending = [f for f in self.pending if not f.done() or self._collect(f)]
        self.pending.append(self.writer.submit(self.store.apply, batch, self.crawl_ids))
        self.last_flush = time.monotonic()

    def _collect(self, future: Future) -> bool:
        """Wait for a written batch; remember a storage error (it fails every crawl row)."""
        try:
            future.result()
        except Exception as e:  # noqa: BLE001 - reported in every crawl row below
            logging.getLogger(__name__).error("storing a batch failed: %s", e)
            self.storage_error = self.storage_error or f"storage error: {e}"
        return False

    def drain(self) -> None:
        """Write what is buffered and wait for the writer."""
        self.flush()
        for f in self.pending:
            self._collect(f)
        self.pending = []

    def close_spider(self, spider=None):
        if self.timer.running:
            self.timer.stop()
        self.drain()

    def finish(self, spider, reason):
        """spider_closed: write each site's crawl row (outcome, page counts, error summary)."""
        if self.store is None:
            return
        self.drain()
        self.writer.shutdown(wait=True)
        for site_id, crawl_id in self.crawl_ids.items():
            st = spider.state.get(site_id)
            stats = st.stats if st else {}
            pages = {
                "list_pages": stats.get("list_pages", 0),
                "article_pages": stats.get("article_pages", 0),
                "pages_fetched": stats.get("list_pages", 0) + stats.get("article_pages", 0)
                + stats.get("not_modified_pages", 0),
            }
            self.store.add_crawl_counts(crawl_id, pages)
            # the store records errors too (values it refused): count what the crawl row holds
            stored = self.store.conn.execute("SELECT errors FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
            errors = max(stats.get("errors", 0), stored[0] if stored else 0)
            if st is None or stats.get("list_pages", 0) == 0 or (st.list_failed and not st.seen):
                outcome = "failed"
            elif errors:
                outcome = "partial"
            else:
                outcome = "ok"
            if reason != "finished":
                outcome = "aborted"
            summary = "; ".join(filter(None, [self._error_summary(crawl_id), self._waits(st)])) or None
            if self.storage_error:
                outcome, summary = "failed", self.storage_error
            self.store.finish_crawl(crawl_id, outcome, summary)
        self.store.close()

    def _waits(self, st) -> str | None:
        """Retry-After waits the site's hosts asked for and got (crawler.middlewares.RetryAfter)."""
        mw = getattr(self.crawler, "retry_after", None)
        if mw is None or st is None:
            return None
        waits = [f"{h} asked to wait (Retry-After), waited {mw.waited[h]:.0f} s" for h in sorted(st.hosts) if h in mw.waited]
        return "; ".join(waits) or None

    def _error_summary(self, crawl_id: int) -> str | None:
        rows = self.store.conn.execute(
            "SELECT error, COUNT(*) FROM fetch_errors WHERE crawl_id = ? GROUP BY error ORDER BY 2 DESC LIMIT 3",
            (crawl_id,),
        ).fetchall()
        if not rows:
            return None
        return "; ".join(f"{err} ×{n}" if n > 1 else err for err, n in rows)
