"""The spider a Scrapyd node runs: `portal`'s crawl without a database.

    scrapy crawl portal-node -a plan=<encoded plan>        (Scrapyd: schedule.json plan=…)

The plan (monitor.cluster.plan) carries the sites (validated [[site]] tables), the revisit state
the spider would read from the database (known articles, list-view shares) and the crawl clock.
Items leave through the feed Scrapyd configures (items_dir), one JSON object per line with a
`kind`; after the last one, one `site_finished` line per site carries what the local pipeline
would write into the site's `crawls` row. A feed without those lines is an unfinished job.

This is the stand-in for the plan-based `portal` spider (crawler/plan.py, being built on another
branch): the coordinator talks to it through monitor/cluster/plan.py only.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime

import scrapy
from scrapy.exceptions import DontCloseSpider, DropItem

from crawler.items import CrawlFinishedItem, CrawlStartedItem
from crawler.plan import CrawlPlan
from crawler.spiders.portal import PlanState, PortalSpider, SiteState
from crawler.sites import Settings, Site
from monitor.store.db import Known


class SiteFinished(dict):
    """A plain dict item: the per-site totals the coordinator turns into the `crawls` row."""


class KindPipeline:
    """Typed items → dicts with their `kind` (what the feed exporter writes). The coordinator
    keeps the `crawls` rows itself (from `site_finished`), so crawl start/end items stay home."""

    def process_item(self, item, spider=None):
        if isinstance(item, dict):
            return item
        if isinstance(item, (CrawlStartedItem, CrawlFinishedItem)):
            raise DropItem("crawl bookkeeping: the coordinator keeps the crawls rows")
        if is_dataclass(item) and not isinstance(item, type):
            return asdict(item)  # every item carries its `kind`
        return item


class PortalNodeSpider(PortalSpider):
    name = "portal-node"
    custom_settings = {
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": None, "crawler.spiders.node.KindPipeline": 100},
        "EXTENSIONS": {"crawler.progress.Progress": None},
    }

    def __init__(self, plan: str = "", **kw):  # noqa: D107 - the plan comes from the coordinator
        from monitor.cluster.plan import decode_plan

        data = decode_plan(plan)
        known = {sid: {k: Known(**v) for k, v in rows.items()} for sid, rows in data.get("known", {}).items()}
        super().__init__(plan=CrawlPlan(settings=Settings(**data.get("settings", {})),
                                        sites=[Site(**s) for s in data["sites"]], known=known,
                                        planned_at=data["now"]), **kw)
        self.now = datetime.fromisoformat(data["now"])
        self.list_views = data.get("list_views", {})
        self._finished_sent = False

    async def start(self):
        self.stored = PlanState(self.plan.known)
        for site in self.sites:
            st = self.state[site.id] = SiteState(site, self.plan.max_pages(site), self.plan.walk(site.id))
            st.list_views_usual = self.list_views.get(site.id)
        for site in self.sites:
            st = self.state[site.id]
            for url in site.start_urls:
                st.pending_lists += 1
                yield self._list_request(site.id, url, 1, first=True)

    def _idle(self, spider=None):
        """The crawl is done: one last (local, data:) request whose callback yields the totals."""
        if self._finished_sent:
            return
        self._finished_sent = True
        self.crawler.engine.crawl(scrapy.Request("data:,", callback=self._totals, dont_filter=True,
                                                 meta={"allow_offsite": True, "kind": "totals"}))
        raise DontCloseSpider

    def _totals(self, response) -> list:
        mw = getattr(self.crawler, "retry_after", None)
        out = []
        for site in self.sites:
            st = self.state[site.id]
            waits = [f"{h} asked to wait (Retry-After), waited {mw.waited[h]:.0f} s"
                     for h in sorted(st.hosts) if mw is not None and h in mw.waited]
            out.append(SiteFinished(
                kind="site_finished", site_id=site.id, stats=dict(st.stats), list_failed=st.list_failed,
                seen=len(st.seen), waits="; ".join(waits) or None,
            ))
        return out
