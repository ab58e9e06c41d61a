"""The spider a Scrapyd node runs: `portal` without a database, on the coordinator's clock.

    scrapy crawl portal-node -a plan=<CrawlPlan.encode()>        (Scrapyd: schedule.json plan=…)

The plan (crawler.plan.CrawlPlan, cut from the cycle's plan by monitor/cluster/node_job.py) carries the sites, the
stored state the spider would read from the database (`known`, `list_views`) and the
coordinator's clock (`planned_at`: revisit decisions are taken at that time). Items leave
through the feed Scrapyd configures (items_dir), one JSON object per line with its `kind`, the
same items a local crawl stores: `crawl_started` and, per site once its walk is done,
`crawl_finished`. A feed without a `crawl_finished` line for each site is an unfinished job.

A crawl process whose Scrapyd daemon died (killed, crashed: the process is re-parented, or its
parent is no Scrapyd daemon by the time the spider opens) stops within ORPHAN_CHECK seconds (finish reason `orphaned`): no daemon will report its job, the
coordinator has moved its hosts to another node, and they must not be crawled twice.
"""

from __future__ import annotations

import logging
import os

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler import clock
from crawler.spiders.portal import PortalSpider

ORPHAN_CHECK = 2.0  # seconds between checks that the parent (the Scrapyd daemon) is still there


class PortalNodeSpider(PortalSpider):
    name = "portal-node"
    custom_settings = {"EXTENSIONS": {"crawler.progress.Progress": None}}

    def __init__(self, plan: str = "", **kw):  # noqa: D107 - the plan comes from the coordinator
        super().__init__(plan=plan, **kw)
        if self.plan.planned_at:
            self.now = clock.parse_iso(self.plan.planned_at)
        self.parent = os.getppid()
        self.orphan_watch: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._watch_parent, signal=signals.spider_opened)
        crawler.signals.connect(spider._unwatch_parent, signal=signals.spider_closed)
        return spider

    def _watch_parent(self, spider=None) -> None:
        if getattr(self, "_job", None) and not _is_scrapyd(self.parent):  # the daemon died before we started
            self._orphaned()
            return
        self.orphan_watch = task.LoopingCall(self._check_parent)
        self.orphan_watch.start(ORPHAN_CHECK, now=False)

    def _unwatch_parent(self, spider=None, reason=None) -> None:
        if self.orphan_watch is not None and self.orphan_watch.running:
            self.orphan_watch.stop()

    def _check_parent(self) -> None:
        if os.getppid() != self.parent:
            self._unwatch_parent()
            self._orphaned()

    def _orphaned(self) -> None:
        logging.getLogger(__name__).warning("the Scrapyd daemon that started this crawl is gone (parent now pid %d):"
                                            " stopping this crawl", os.getppid())
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="orphaned"))


def _is_scrapyd(pid: int) -> bool:
    """Whether `pid` runs Scrapyd (True where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"scrapyd" in f.read()
    except OSError:
        return True
