"""The spider a Scrapyd node runs: `portal` without a database, on the coordinator's clock.

    scrapy crawl portal-node -a plan=<CrawlPlan.encode()>        (Scrapyd: schedule.json plan=…)

The plan (crawler.plan.CrawlPlan, cut from the cycle's plan by monitor/cluster/node_job.py) carries the sites, the
stored state the spider would read from the database (`known`, `list_views`) and the
coordinator's clock (`planned_at`: revisit decisions are taken at that time). Items leave
through the feed Scrapyd configures (items_dir), one JSON object per line with its `kind`, the
same items a local crawl stores: `crawl_started` and, per site once its walk is done,
`crawl_finished`. A feed without a `crawl_finished` line for each site is an unfinished job.
"""

from __future__ import annotations

from crawler import clock
from crawler.spiders.portal import PortalSpider


class PortalNodeSpider(PortalSpider):
    name = "portal-node"
    custom_settings = {"EXTENSIONS": {"crawler.progress.Progress": None}}

    def __init__(self, plan: str = "", **kw):  # noqa: D107 - the plan comes from the coordinator
        super().__init__(plan=plan, **kw)
        if self.plan.planned_at:
            self.now = clock.parse_iso(self.plan.planned_at)
