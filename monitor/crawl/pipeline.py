"""The monitor's receiving end of a local crawl: hands items to Store.apply in batches, one
transaction per batch. A batch is at most PORTALWATCH_BATCH_SIZE rows (a list page counts one
per article it lists) or PORTALWATCH_BATCH_SECONDS old, so every write transaction is short and
other writers (the lease heartbeat, a second crawl) never wait long for the lock.

A batch is written when it is full, when the oldest buffered item is PORTALWATCH_BATCH_SECONDS
old, and whenever the spider goes idle (nothing left to fetch: the end of the crawl, or a wait).
Batches are written by one writer thread (SQLite releases the GIL while it works), so parsing
goes on while a batch is committed; batches are applied strictly in order. The pipeline keeps no
crawl bookkeeping of its own: the spider reports each site's start and end as items
(CrawlStartedItem, CrawlFinishedItem) and Store.apply opens and finishes the `crawls` rows.

A batch that cannot be stored (a full disk, a read-only file, a lock held too long …) stops the
crawl: what was fetched could not be kept anyway. The cause, in words ("disk full: …",
monitor.store.dbfile.explain), becomes every open crawl row's error summary (when it can still be
written) and the stat STORAGE_ERROR_STAT, from which the child exits non-zero naming it.

Settings (monitor.crawl.child sets them, with ITEM_PIPELINES): PORTALWATCH_DB (the SQLite file;
unset: the pipeline stores nothing), PORTALWATCH_BATCH_SIZE, PORTALWATCH_BATCH_SECONDS.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, cast

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.items import CrawlFinishedItem, CrawlStartedItem, ListPageItem
from monitor.store.db import Store
from monitor.store.dbfile import explain, is_storage_error

BATCH_SIZE = 200
BATCH_SECONDS = 2.0
STORAGE_ERROR_STAT = "portalwatch/storage_error"
log = logging.getLogger(__name__)


class StorePipeline:
    """Buffers items and writes them with Store.apply."""

    def __init__(self, crawler, db_path: str | None, batch_size: int = BATCH_SIZE, batch_seconds: float = BATCH_SECONDS):
        self.crawler = crawler
        self.db_path = db_path
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.buffer: list = []
        self.rows = 0  # rows the buffer will write: a list page's sightings count one each
        self.last_flush = time.monotonic()
        self.store: Store | None = None
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portalwatch-writer")
        self.pending: list[Future] = []
        self.storage_error: str | None = None
        self.finished: set[str] = set()  # sites whose CrawlFinishedItem passed
        self.started = 0  # CrawlStartedItems passed
        self.sites = 0  # sites in the crawl's plan
        self.stopping = False  # every site's lease was lost: the crawl is being closed
        self.timer = task.LoopingCall(self._tick)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        pipe = cls(crawler, s.get("PORTALWATCH_DB") or None, s.getint("PORTALWATCH_BATCH_SIZE", BATCH_SIZE),
                   s.getfloat("PORTALWATCH_BATCH_SECONDS", BATCH_SECONDS))
        crawler.signals.connect(pipe.finish, signal=signals.spider_closed)
        crawler.signals.connect(pipe.idle, signal=signals.spider_idle)
        return pipe

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.sites = len(spider.plan.sites)
        if self.db_path is None:
            return
        try:
            self.store = Store(self.db_path)
            self.store.lease = spider.plan.lease  # a site whose lease another run took is not stored
            self.store.abort_stale_crawls()
            self.store.sync_sites([*spider.plan.sites, *spider.plan.units])  # the `sites` table mirrors the config
        except Exception as e:  # noqa: BLE001 - a crawl that cannot store stops, saying why
            self._failed(e)
            return
        self.timer.start(self.batch_seconds, now=False)

    def _tick(self) -> None:
        if time.monotonic() - self.last_flush >= self.batch_seconds:
            self.flush()
        self._settle()

    def idle(self, spider=None) -> None:
        """spider_idle: nothing is being fetched; store what is buffered now rather than at the
        next tick (a crawl waiting on a slow host, or about to report its end, has it all stored)."""
        self.flush()

    def process_item(self, item, spider=None):
        if isinstance(item, CrawlFinishedItem):
            self.finished.add(item.site_id)
            self._settle()  # a storage error so far fails this crawl
            item.storage_error = item.storage_error or self.storage_error
        self.buffer.append(item)
        # the crawl rows are written once every site started, and a site's end at once: a crawl
        # stopped later (its timeout) keeps the outcome of the sites that finished, fails the others
        now = isinstance(item, CrawlFinishedItem)
        if isinstance(item, CrawlStartedItem):
            self.started += 1
            now = self.started == self.sites
        self.rows += len(item.entries) if isinstance(item, ListPageItem) else 1
        if now or self.rows >= self.batch_size or time.monotonic() - self.last_flush > self.batch_seconds:
            self.flush()
        return item

    def _settle(self) -> None:
        self.pending = [f for f in self.pending if not f.done() or self._collect(f)]
        self._check_lost()

    def _check_lost(self) -> None:
        """Every site's lease was taken by another run (this crawl was paused past it): stop
        crawling (Scrapy's finish reason 'lease_lost'; the rows are 'aborted' already)."""
        store = self.store
        if self.stopping or store is None or not store.lost or self.crawler is None:
            return
        spider = self.crawler.spider
        if spider is None:
            return
        spider.drop(list(store.lost))  # a lost site is fetched no further (the others go on)
        if {s.id for s in spider.plan.sites} <= set(store.lost):
            self.stopping = True
            logging.getLogger(__name__).warning("every site's crawl lease was taken over: stopping this crawl")
            # the crawl's reactor, installed by now (imported at module level it would install its own)
            from twisted.internet import reactor

            close = lambda: deferred_from_coro(self.crawler.engine.close_spider_async(reason="lease_lost"))  # noqa: E731
            cast(Any, reactor).callLater(0, close)  # after this item, not inside its processing

    def flush(self) -> None:
        if not self.buffer or self.store is None:
            return
        batch, self.buffer, self.rows = self.buffer, [], 0
        self._settle()
        self.pending.append(self.writer.submit(self.store.apply, batch))
        self.last_flush = time.monotonic()

    def _collect(self, future: Future) -> bool:
        """Wait for a written batch; a failed one fails the crawl (see the module docstring)."""
        try:
            future.result()
        except Exception as e:  # noqa: BLE001 - reported in every crawl row and the exit status
            self._failed(e)
        return False

    def _failed(self, e: Exception) -> None:
        """Storing failed: say why (once), in every open crawl row and the crawl's stats; stop the crawl."""
        if self.storage_error is not None:
            log.debug("storing a batch failed again: %s", e)
            return
        if is_storage_error(e):
            msg = explain(self.db_path or "", e)
        else:
            msg = f"storage error: {type(e).__name__}: {e}"
        log.error("storing a batch failed: %s", msg)
        self.storage_error = msg
        if self.crawler is None:
            return
        self.crawler.stats.set_value(STORAGE_ERROR_STAT, msg)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            from scrapy.utils.defer import deferred_from_coro
            from twisted.internet import reactor

            # from the reactor's next turn: never inside the pipeline call that saw the failure
            task.deferLater(reactor, 0, lambda: deferred_from_coro(engine.close_spider_async(reason="storage failed")))

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
        """spider_closed: sites whose end the spider did not report (the crawl was stopped, or
        a batch failed) are finished here, with the spider's own CrawlFinishedItems."""
        if self.store is None:
            return
        self.drain()
        self.writer.shutdown(wait=True)
        late = [it for it in spider.finished_items(reason)
                if it.site_id in self.store.crawl_ids and (it.site_id not in self.finished or self.storage_error)]
        for it in late:
            it.storage_error = self.storage_error
            if it.site_id in self.finished:  # counted already: only the outcome changes
                it.list_pages = it.article_pages = it.not_modified_pages = 0
        if late:
            try:
                self.store.apply(late)
            except Exception as e:  # noqa: BLE001 - the crawl failed already
                self._failed(e)
                log.error("finishing the crawl rows failed: %s", e)
        self.store.close()
