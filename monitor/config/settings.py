"""The `[portalwatch]` table, read into two records by job: the crawl's settings
(crawler.sites.Settings: politeness, timeouts, user agent, the hosts resolver; what the spider and
the downloader need, carried in every crawl plan and to Scrapyd nodes) and the monitor's own
(`ServiceSettings`: schedules, the crawl timeout, health thresholds, retention, backups, digest
delivery retries, the job store). Users write one table; the keys and their errors are those of
keys.SETTINGS_SPEC.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from crawler.sites import Settings
from monitor.config.keys import (
    SETTINGS_SPEC,
    ConfigError,
    check_hosts,
    check_table,
    check_url,
    positive,
)
from monitor.config.retention import parse_view_retention


@dataclass
class ServiceSettings:
    """The monitor's part of `[portalwatch]`: what the CLI, the service, detection and the store's
    upkeep read; never sent to a crawl. Relative paths are relative to the config file's folder."""

    detect_after_crawl: bool = True
    schedule: str = "every 1h"  # crawl schedule of sites without their own `schedule`
    jitter: int = 60  # seconds: each crawl job starts up to this much late, at random
    crawl_timeout: float = 3600.0  # seconds: a crawl child still running then is killed
    unreachable_after: int = 3  # failed crawls in a row before a site counts as unreachable
    housekeeping: str = "30 3 * * *"  # PRAGMA optimize / ANALYZE, retention; "off" disables
    sample_retention_days: int = 30  # html_samples older than this are deleted
    event_retention_days: int = 14  # views_changed events older than this are deleted (readings stay)
    crawl_retention_days: int = 30  # crawls and fetch_errors rows older than this are deleted (some stay)
    view_retention: str = "30d all, 90d hourly, daily"  # old view_counts readings thinned (monitor/config/retention.py)
    backup: str = "0 4 * * *"  # consistent copy with SQLite's backup API; "off" disables
    backup_dir: str | None = None  # default: "backups" next to the database
    backup_keep: int = 7  # newest backups kept
    delivery_retry: str = "every 10m"  # retry failed digest deliveries
    jobstore: str | None = None  # APScheduler job store; default: <database>.jobs.sqlite


_CRAWL_KEYS = {f.name for f in fields(Settings)}


def parse_settings(raw: Any, path: Path) -> tuple[Settings, ServiceSettings]:
    """`[portalwatch]` → (the crawl's settings, the monitor's), every key checked."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [portalwatch] must be a table")
    where = f"{path}: [portalwatch]"
    check_table(raw, SETTINGS_SPEC, where)
    crawl = Settings(**{k: v for k, v in raw.items() if k in _CRAWL_KEYS})
    service = ServiceSettings(**{k: v for k, v in raw.items() if k not in _CRAWL_KEYS})
    for k in ("concurrency", "concurrency_per_domain", "max_response_kb", "max_links_per_page"):
        positive(getattr(crawl, k), where, k)
    positive(crawl.delay, where, "delay", 0)
    positive(crawl.retries, where, "retries", 0)
    positive(crawl.max_retry_after, where, "max_retry_after", 0)
    positive(crawl.robots_cache_hours, where, "robots_cache_hours", 0)
    check_url(crawl.contact_url, where, "contact_url")
    for k in ("sample_retention_days", "event_retention_days", "crawl_retention_days", "backup_keep"):
        positive(getattr(service, k), where, k)
    try:
        parse_view_retention(service.view_retention)
    except ValueError as e:
        raise ConfigError(f"{where}: key 'view_retention': {e}") from None
    positive(service.jitter, where, "jitter", 0)
    positive(service.unreachable_after, where, "unreachable_after")
    if service.crawl_timeout <= 0:
        raise ConfigError(f"{where}: key 'crawl_timeout': expected seconds (number > 0), got {service.crawl_timeout!r}")
    check_schedule(service.schedule, where, "schedule")
    for k in ("housekeeping", "backup", "delivery_retry"):
        if getattr(service, k).strip().lower() != "off":
            check_schedule(getattr(service, k), where, k)
    check_hosts(crawl.hosts, where)
    return crawl, service


def check_schedule(expr: str, where: str, key: str = "schedule") -> None:
    from monitor.config.schedules import parse_schedule

    try:
        parse_schedule(expr)
    except ValueError as e:
        raise ConfigError(f"{where}: key {key!r}: {e}") from None
