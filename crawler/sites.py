"""The crawl's vocabulary for its sites: the `[portalwatch]` settings, one `[[site]]` table and
one `[[unit]]` table (a parent without a portal, mirrored into the `sites` table), as typed records. sites.toml is read and validated by monitor.config, which builds these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler import __version__


@dataclass
class Settings:
    """The optional `[portalwatch]` table: crawl-wide settings."""

    contact_url: str = "https://github.com/portalwatch/portalwatch"
    user_agent: str | None = None
    concurrency: int = 16
    concurrency_per_domain: int = 4
    delay: float = 1.0
    autothrottle: bool = True
    obey_robots: bool = True
    timeout: float = 30.0
    max_response_kb: int = 4096
    retries: int = 2
    max_retry_after: float = 300.0  # seconds a host may ask to wait (429 Retry-After); more: skipped
    robots_cache_hours: float = 24.0  # robots.txt kept between crawls this long (RFC 9309: ≤ 24 h)
    detect_after_crawl: bool = True
    # the service (`portalwatch run`, monitor/service/); relative paths: the config file's folder
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
    hosts: dict[str, str] = field(default_factory=dict)  # host-name suffix -> IP, inside the crawl only

    @property
    def ua(self) -> str:
        return self.user_agent or f"portalwatch/{__version__} (+{self.contact_url})"


@dataclass
class Site:
    """One `[[site]]` table."""

    id: str
    name: str
    start_urls: list[str]
    level: str | None = None
    parent: str | None = None
    profile: str = "auto"
    selectors: dict[str, str] = field(default_factory=dict)
    max_pages: int = 20
    max_age_days: int | None = None
    delay: float | None = None
    concurrency: int | None = None
    enabled: bool = True
    schedule: str | None = None
    revisit: dict[str, Any] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    merged_from: list[str] = field(default_factory=list)
    home_url: str | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.start_urls[0]).netloc


@dataclass
class Unit:
    """One `[[unit]]` table: an administrative unit without a crawled portal (a district or
    province its sites name as `parent`). Mirrored into the `sites` table like a site that is
    not crawled: no profile, no host, no start URLs, enabled false."""

    id: str
    name: str
    level: str | None = None
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)

    profile = None
    host = None
    enabled = False

    @property
    def start_urls(self) -> list[str]:
        return []

    @property
    def merged_from(self) -> list[str]:
        return []
