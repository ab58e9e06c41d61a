"""Scrapy settings for one crawl: crawler.settings (polite defaults) plus the plan's
`[portalwatch]` settings and its sites' per-host politeness. Storing is not the crawl's
business: the monitor's child adds its pipeline (monitor/crawl/child.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy.settings import Settings


def crawl_settings(config, sites=None, *, progress: bool = False) -> Settings:
    """Scrapy settings for one run, from crawler.settings plus the [portalwatch] table and sites
    (`config`: anything with `settings` and `sites`, a CrawlPlan; `sites`: default the plan's).
    Scrapy is imported here, not with the module: the CLI and the coordinator import this module
    and never run Scrapy themselves (importing it costs them about half a second of CPU)."""
    from scrapy.settings import Settings

    if sites is None:
        sites = config.sites
    s = Settings()
    s.setmodule("crawler.settings", priority="project")
    g = config.settings
    s.set("USER_AGENT", g.ua, priority="cmdline")
    s.set("CONCURRENT_REQUESTS", g.concurrency, priority="cmdline")
    s.set("CONCURRENT_REQUESTS_PER_DOMAIN", g.concurrency_per_domain, priority="cmdline")
    s.set("DOWNLOAD_DELAY", g.delay, priority="cmdline")
    s.set("AUTOTHROTTLE_ENABLED", g.autothrottle, priority="cmdline")
    s.set("AUTOTHROTTLE_START_DELAY", max(g.delay, 0.1), priority="cmdline")
    s.set("AUTOTHROTTLE_TARGET_CONCURRENCY", float(g.concurrency_per_domain), priority="cmdline")
    s.set("ROBOTSTXT_OBEY", g.obey_robots, priority="cmdline")
    s.set("DOWNLOAD_TIMEOUT", g.timeout, priority="cmdline")
    s.set("DOWNLOAD_MAXSIZE", g.max_response_kb * 1024, priority="cmdline")
    s.set("RETRY_TIMES", g.retries, priority="cmdline")
    s.set("RETRY_AFTER_MAX", g.max_retry_after, priority="cmdline")
    s.set("PORTALWATCH_ROBOTS_CACHE_HOURS", g.robots_cache_hours, priority="cmdline")
    slots: dict[str, dict[str, float]] = {}
    for site in sites:
        host = urlsplit(site.start_urls[0]).hostname
        slot = slots.setdefault(host, {})
        if site.concurrency is not None:
            slot["concurrency"] = min(slot.get("concurrency", site.concurrency), site.concurrency)
        if site.delay is not None:
            slot["delay"] = max(slot.get("delay", site.delay), site.delay)
    s.set("DOWNLOAD_SLOTS", {h: v for h, v in slots.items() if v}, priority="cmdline")
    s.set("PORTALWATCH_PROGRESS", progress, priority="cmdline")
    if g.hosts:  # [portalwatch] hosts: resolve these suffixes inside this crawl only
        s.set("PORTALWATCH_HOSTS", dict(g.hosts), priority="cmdline")
        s.set("TWISTED_DNS_RESOLVER", "crawler.resolver.HostsResolver", priority="cmdline")
    return s
