"""Hands items to monitor.store in batches: one transaction per batch, counters per crawl."""

from __future__ import annotations

import time

from scrapy import signals

from monitor.store import Store

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
        self.totals: dict[str, dict[str, int]] = {}

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
        spider.crawl_ids = self.crawl_ids

    def process_item(self, item, spider=None):
        self.buffer.append(item)
        if len(self.buffer) >= BATCH_SIZE or time.monotonic() - self.last_flush > BATCH_SECONDS:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer or self.store is None:
            return
        batch, self.buffer = self.buffer, []
        for site_id, counter in self.store.apply(batch, self.crawl_ids).items():
            tot = self.totals.setdefault(site_id, {})
            for k, v in counter.items():
                tot[k] = tot.get(k, 0) + v
        self.last_flush = time.monotonic()

    def close_spider(self, spider=None):
        self.flush()

    def finish(self, spider, reason):
        """spider_closed: write each site's crawl row (outcome, page counts, error summary)."""
        if self.store is None:
            return
        self.flush()
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
            errors = stats.get("errors", 0)
            if st is None or stats.get("list_pages", 0) == 0 or (st.list_failed and not st.seen):
                outcome = "failed"
            elif errors:
                outcome = "partial"
            else:
                outcome = "ok"
            if reason != "finished":
                outcome = "aborted"
            summary = self._error_summary(crawl_id)
            self.store.finish_crawl(crawl_id, outcome, summary)
        self.store.close()

    def _error_summary(self, crawl_id: int) -> str | None:
        rows = self.store.conn.execute(
            "SELECT error, COUNT(*) FROM fetch_errors WHERE crawl_id = ? GROUP BY error ORDER BY 2 DESC LIMIT 3",
            (crawl_id,),
        ).fetchall()
        if not rows:
            return None
        return "; ".join(f"{err} ×{n}" if n > 1 else err for err, n in rows)
