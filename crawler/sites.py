"""The crawl's vocabulary for its sites: the crawl settings of `[portalwatch]`, one `[[site]]` table and
one `[[unit]]` table (a parent without a portal, mirrored into the `sites` table), as typed records. sites.toml is read and validated by monitor.config, which builds these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler import __version__


@dataclass
class Settings:
    """The crawl's part of the optional `[portalwatch]` table: politeness, timeouts, the user
    agent, the hosts resolver (the monitor keeps the rest: monitor.config.ServiceSettings)."""

    contact_url: str = "https://github.com/portalwatch/portalwatch"
    user_agent: str | None = None
    concurrency: int = 16
    concurrency_per_domain: int = 4
    delay: float = 1.0
    autothrottle: bool = True
    obey_robots: bool = True
    timeout: float = 30.0
    max_response_kb: int = 4096
    max_links_per_page: int = 500  # article links read from one list page; more: the rest is ignored, said
    retries: int = 2
    max_retry_after: float = 300.0  # seconds a host may ask to wait (429 Retry-After); more: skipped
    robots_cache_hours: float = 24.0  # robots.txt kept between crawls this long (RFC 9309: ≤ 24 h)
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
    max_links_per_page: int | None = None  # default: [portalwatch] max_links_per_page
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
