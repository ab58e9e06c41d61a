"""A Scrapy DNS resolver that maps configured host-name suffixes to fixed addresses.

``PORTALWATCH_HOSTS = {"sim.test": "127.0.0.1"}`` sends ``sim.test`` and every
``*.sim.test`` name to 127.0.0.1 inside this crawl only (nothing system-wide); other names
resolve as usual. the crawl settings (crawler.run_settings) enable it from ``[portalwatch] hosts`` in sites.toml.
"""

from __future__ import annotations

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


def match(hosts: dict[str, str], name: str) -> str | None:
    """The address for ``name`` under the longest matching suffix, or None."""
    name = name.lower().rstrip(".")
    best = None
    for suffix, address in hosts.items():
        s = suffix.lower().strip(".")
        if (name == s or name.endswith("." + s)) and (best is None or len(s) > len(best[0])):
            best = (s, address)
    return best[1] if best else None


class HostsResolver(CachingThreadedResolver):
    """CachingThreadedResolver, except for names under a PORTALWATCH_HOSTS suffix."""

    def __init__(self, reactor, cache_size: int, timeout: float, hosts: dict[str, str] | None = None):
        super().__init__(reactor, cache_size, timeout)
        self.hosts = dict(hosts or {})

    @classmethod
    def from_crawler(cls, crawler, reactor):
        r = super().from_crawler(crawler, reactor)
        r.hosts = dict(crawler.settings.getdict("PORTALWATCH_HOSTS"))
        return r

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's interface
        address = match(self.hosts, name)
        if address is not None:
            return defer.succeed(address)
        return super().getHostByName(name, timeout)
