"""robots.txt kept between crawls: Scrapy's RobotsTxtMiddleware (Protego parses) with a
per-host file cache, so a crawl every 15 minutes asks each host for robots.txt once a day.

PORTALWATCH_ROBOTS_CACHE      the cache folder (unset: Scrapy's behaviour, once per crawl);
                              the monitor's child sets `<database>.robots`, a Scrapyd node the
                              PORTALWATCH_ROBOTS_CACHE environment variable (its own folder).
PORTALWATCH_ROBOTS_CACHE_HOURS  a copy older than this is fetched again (`[portalwatch]
                              robots_cache_hours`, default 24: RFC 9309 §2.4 says a crawler
                              SHOULD NOT use a cached copy for more than 24 hours); 0: no cache.

Ages are measured on crawler.clock (PORTALWATCH_NOW pins it), the clock the crawl stamps its
rows with; a copy from the future (a clock set back) is stale. Cached: the answers Scrapy acts
on by parsing them, 2xx-4xx (a 4xx allows everything, as in Scrapy). Not cached: 5xx, network
errors, skipped hosts (Retry-After): the next crawl asks again. One JSON file per host, written
to a temporary file, synced and renamed (a kill or a power cut leaves the old copy or the new
one); a missing, unreadable or corrupt file means the host is asked, as without a cache. A
temporary file a killed crawl left behind is removed by a later crawl once it is an hour old.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crawler import clock
from crawler.middlewares import leaves_site

logger = logging.getLogger(__name__)
ENV = "PORTALWATCH_ROBOTS_CACHE"
LEFTOVER_SECONDS = 3600  # a temporary file this old belongs to no running crawl


class RobotsCache:
    """One file per host (netloc) in `folder`: {"fetched_at", "status", "body" (base64)}."""

    def __init__(self, folder: str | Path, hours: float):
        self.folder, self.max_age = Path(folder), hours * 3600

    def path(self, netloc: str) -> Path:
        return self.folder / (quote(netloc.lower(), safe="") + ".json")

    def fresh(self, netloc: str) -> bytes | None:
        """The cached body if it is younger than the limit; None: ask the host."""
        try:
            data = json.loads(self.path(netloc).read_text(encoding="utf-8"))
            age = (clock.now() - clock.parse_iso(data["fetched_at"])).total_seconds()
            status, body = int(data["status"]), base64.b64decode(data["body"], validate=True)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            return None  # missing, unreadable or corrupt: fetched as without a cache
        if not 200 <= status < 500 or not 0 <= age <= self.max_age:
            return None
        return body

    def store(self, netloc: str, status: int, body: bytes) -> None:
        data = {"fetched_at": clock.now_iso(), "status": status, "body": base64.b64encode(body).decode()}
        target = self.path(netloc)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as e:  # a read-only or full disk: the crawl goes on, the next one asks again
            logger.warning("robots.txt cache: cannot write %s: %s", target, e)

    def sweep(self, now: float | None = None) -> int:
        """Remove the temporary files killed crawls left (older than LEFTOVER_SECONDS); how many."""
        now = time.time() if now is None else now
        removed = 0
        try:
            for tmp in self.folder.glob(".tmp-*.json"):
                try:
                    if now - tmp.stat().st_mtime > LEFTOVER_SECONDS:
                        tmp.unlink()
                        removed += 1
                except OSError:
                    continue  # gone meanwhile, or not ours to remove
        except OSError:
            pass  # no folder yet
        return removed


class CachedRobotsTxt(RobotsTxtMiddleware):
    """RobotsTxtMiddleware that serves a fresh cached robots.txt without a request, and asks a
    host for its robots.txt only for a request that may go there (crawler.middlewares.HostGuard
    refuses the others: a meta refresh to another host must not make us fetch that host's
    robots.txt). The robots.txt request itself stays on its host (HostGuard)."""

    async def process_request(self, request, spider=None):
        if leaves_site(self.crawler, request):
            return None  # refused by HostGuard next, with the reason the spider records
        return await super().process_request(request)

    def __init__(self, crawler):
        super().__init__(crawler)
        folder = crawler.settings.get("PORTALWATCH_ROBOTS_CACHE") or os.environ.get(ENV)
        hours = crawler.settings.getfloat("PORTALWATCH_ROBOTS_CACHE_HOURS", 24.0)
        self.cache = RobotsCache(folder, hours) if folder and hours > 0 else None
        if self.cache is not None:
            self.cache.sweep()

    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        if self.cache is not None and netloc not in self._parsers:
            body = self.cache.fresh(netloc)
            if body is not None:
                rp = build_from_crawler(self._parserimpl, self.crawler, body)
                self._parsers[netloc] = rp  # before any await: one lookup per host
                self._stats.inc_value("robotstxt/cached")
                await self.crawler.signals.send_catch_log_async(
                    signal=signals.robots_parsed, robotparser=rp, request=request)
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc, request):
        await super()._parse_robots(response, netloc, request)
        if self.cache is not None and 200 <= response.status < 500:
            self.cache.store(netloc, response.status, response.body)
