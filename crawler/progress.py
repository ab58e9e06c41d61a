"""Progress lines for the parent process: one JSON object per line on stdout, twice a second."""

from __future__ import annotations

import json
import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler):
        if not crawler.settings.getbool("PORTALWATCH_PROGRESS"):
            raise NotConfigured
        self.crawler = crawler
        self.loop = task.LoopingCall(self.emit)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        self.spider = spider
        self.loop.start(0.5, now=False)

    def closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        self.emit(final=True, reason=reason)

    def emit(self, final: bool = False, reason: str | None = None):
        sites = {
            sid: {
                "lists": st.stats.get("list_pages", 0),
                "articles": st.stats.get("article_pages", 0) + st.stats.get("not_modified_pages", 0),
                "errors": st.stats.get("errors", 0),
                "seen": len(st.seen),
                # every request of the site answered: its outcome and how long it took
                **({"done": True, "outcome": st.outcome(), "seconds": round(st.seconds, 1)}
                   if st.seconds is not None else {}),
            }
            for sid, st in getattr(self.spider, "state", {}).items()
        }
        line = {"event": "done" if final else "progress", "sites": sites}
        if reason:
            line["reason"] = reason
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
