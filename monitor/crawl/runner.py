"""The one way a crawl runs: a plan built once (monitor.crawl.planner.build_plan), a backend
chosen once (monitor.crawl.backends.backend_for), the sites' leases taken here, then the backend
runs the plan and returns a CrawlResult (the `crawls` rows the run wrote, how it ended).

    plan = build_plan(config, db, site_ids)                       # sites, walks, clock
    backend = backend_for(config, processes)                      # local child(ren) or Scrapyd nodes
    result = crawl(plan, db, backend, timeout=600, on_progress=show)

Before the backend starts, the run takes the per-site crawl leases (monitor.store.lease): sites
another run is crawling are skipped (CrawlResult.skipped says who holds them since when), the
rest are renewed from a heartbeat and released when the run ends. The plan carries the run's lease
token (`plan.lease`): whatever writes the items (a crawl child's pipeline, the cluster coordinator)
stores a site only while the run still holds its lease (monitor.store.db.Store.lease).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from crawler.plan import CrawlPlan
from monitor.crawl.backends import Backend
from monitor.crawl.outcome import CrawlResult
from monitor.store.lease import SiteLeases


def crawl(plan: CrawlPlan, db: str | os.PathLike, backend: Backend, *, timeout: float | None = None,
          on_progress: Callable[[dict], None] | None = None) -> CrawlResult:
    """Crawl the plan's sites into `db` with `backend`; sites whose lease another run holds are
    skipped, not crawled twice. `timeout`: seconds before the backend stops the crawl."""
    leases = SiteLeases(db, plan.site_ids())
    with leases as got:
        if got.held and not got.sites:  # every site is being crawled by another run: nothing failed
            return CrawlResult(returncode=0, seconds=0.0, skipped={s: h.reason() for s, h in got.held.items()})
        mine = replace(plan.only(got.sites) if got.held else plan, lease=leases.holder)  # the writer checks it
        result = backend.run(mine, db, timeout, on_progress)
    result.skipped.update({s: h.reason() for s, h in got.held.items()})
    return result
