"""What the coordinator sends a node: the cycle's crawler.plan.CrawlPlan cut to the job's sites
(their stored articles and list-view shares included, the node has no database), encoded as one Scrapyd
argument, and the job's Scrapy settings. The node's feed lines come back as crawler.items
(`crawler.items.from_dict`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from crawler import clock
from crawler.plan import CrawlPlan, Known
from crawler.run_settings import crawl_settings
from crawler.sites import Site

SPIDER = "portal-node"
MAX_ARG = 120_000  # bytes: Scrapyd passes arguments on the crawl's command line (Linux: 128 KiB each)


def job_plan(plan: CrawlPlan, sites: list[Site], store, now: datetime | None = None) -> CrawlPlan:
    """The plan of one job, cut from the cycle's plan: these sites, full walks, the revisit state
    read from the coordinator's store, decided at `now` (the node's spider takes its revisit
    decisions at that time); no other sites or units (the node stores nothing)."""
    ids = [s.id for s in sites]
    return replace(
        plan, sites=sites, pages=dict.fromkeys(ids), list_walk=dict.fromkeys(ids, "full"),
        known={s.id: _reachable(store.known_articles(s.id), s) for s in sites},
        list_views={s.id: store.list_views_share(s.id) for s in sites},
        list_hints={s.id: h for s in sites if (h := store.list_hint(s.id))},
        planned_at=clock.iso(now or clock.now()), units=[], now=None, lease=None,
    )


def _reachable(known: dict[str, Known], site: Site) -> dict[str, Known]:
    """The stored articles a walk of the site's lists can meet: the newest max_pages x 50 (at least
    1,000). Older ones cannot be on the walked pages nor count as vanished (the spider skips
    articles older than what its lists covered), and leaving them out keeps a big site's plan
    within one command-line argument."""
    keep = max(1000, site.max_pages * 50)
    if len(known) <= keep:
        return dict(known)
    newest = sorted(known, key=lambda k: (known[k].published_at or known[k].first_seen_at, known[k].id), reverse=True)
    kept = set(newest[:keep])
    return {k: v for k, v in known.items() if k in kept}  # the store's order, as the spider sees it


def node_settings(plan: CrawlPlan) -> dict[str, str]:
    """Scrapy settings for the job (schedule.json `setting=NAME=value`): the same as a local
    crawl's (politeness, timeouts, the [portalwatch] hosts resolver)."""
    s = crawl_settings(plan)
    names = ("USER_AGENT", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
             "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY",
             "ROBOTSTXT_OBEY", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES", "RETRY_AFTER_MAX",
             "PORTALWATCH_ROBOTS_CACHE_HOURS", "DOWNLOAD_SLOTS", "PORTALWATCH_HOSTS", "TWISTED_DNS_RESOLVER")
    out = {}
    for name in names:
        if name in s and s[name] is not None:
            v = s[name]
            if hasattr(v, "copy_to_dict"):
                v = v.copy_to_dict()
            out[name] = json.dumps(v) if isinstance(v, dict) else str(v)
    return out
