"""Downloader middlewares that turn hostile answers into errors a person can read.

HostGuard    a request (a redirect, a meta refresh) leaving the site's own hosts is not sent;
             a redirect back to a URL already on its chain is a loop, reported as such.
             robots.txt requests (made by crawler.robots for a request HostGuard lets through)
             obey the same rule: their host is their own, a redirect elsewhere is not followed.
RetryAfter   429/503 with Retry-After: that host waits as asked, up to RETRY_AFTER_MAX seconds;
             past that the host is skipped for the rest of the crawl.
Both raise IgnoreRequest with the sentence the spider's errback stores in fetch_errors.
DroppedSites a site this crawl gave up (its crawl lease went to another run) is not fetched any
             further: its queued requests are ignored before anything is sent, robots.txt included.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler import clock

logger = logging.getLogger(__name__)

def is_robots_request(request) -> bool:
    """The robots.txt request Scrapy's RobotsTxtMiddleware makes before a host's first page."""
    first = (request.meta.get("redirect_urls") or [request.url])[0]
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(first).path == "/robots.txt"


def allowed_hosts(crawler, request) -> set[str] | None:
    """The hosts (netlocs) this request may reach: its site's own hosts; for a robots.txt request,
    the host it was made for. None: no rule (a request of no site, such as the spider's data: report)."""
    if is_robots_request(request):
        return {urlsplit((request.meta.get("redirect_urls") or [request.url])[0]).netloc}
    state = getattr(crawler.spider, "state", {}).get(request.meta.get("site_id"))
    return state.hosts if state is not None else None


def leaves_site(crawler, request) -> bool:
    """Whether HostGuard refuses this request (its host is not one of its site's)."""
    hosts = allowed_hosts(crawler, request)
    return hosts is not None and bool(hosts) and urlsplit(request.url).netloc not in hosts


class HostGuard:
    def __init__(self, crawler):
        self.crawler = crawler
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)
        self.robots_refused: dict[str, str] = {}  # host -> why its robots.txt was not read (for the summary)

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.host_guard = mw  # the spider names refused robots.txt redirects in the crawl rows
        return mw

    def _hosts(self, request) -> set[str] | None:
        return allowed_hosts(self.crawler, request)

    def process_request(self, request, spider=None):
        hosts = self._hosts(request)
        if hosts and urlsplit(request.url).netloc not in hosts:
            if request.meta.get("redirect_urls"):
                raise IgnoreRequest(f"redirected to another host: {request.url}, not followed")
            raise IgnoreRequest(f"URL on another host: {request.url}, not followed")
        return None

    def process_response(self, request, response, spider=None):
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise IgnoreRequest(f"redirect loop after {len(chain)} redirect(s): back to {target}")
        if len(chain) > self.max_redirects:
            raise IgnoreRequest(f"redirect loop after {self.max_redirects} redirects, gave up at {request.url}")
        hosts = self._hosts(request)
        if hosts and urlsplit(target).netloc not in hosts:
            if is_robots_request(request):
                host = next(iter(hosts))
                why = (f"robots.txt of {host} redirected to another host: {target}, not followed"
                       " (read as no robots.txt)")
                self.robots_refused[host] = why
                logger.warning(why)
                raise IgnoreRequest(why)
            raise IgnoreRequest(f"redirected to another host: {target}, not followed")
        return response


class DroppedSites:
    DROPPED = "site dropped by this crawl: its crawl lease went to another run"

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @classmethod
    def check(cls, crawler, request) -> None:
        """IgnoreRequest if the request's site was dropped (crawler.downloader checks again as it is sent)."""
        state = getattr(crawler.spider, "state", {}).get(request.meta.get("site_id"))
        if state is not None and state.dropped:
            raise IgnoreRequest(cls.DROPPED)

    def process_request(self, request, spider=None):
        self.check(self.crawler, request)
        return None


def retry_after_seconds(value: str, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    now = clock.now().timestamp() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryAfter:
    """Honours Retry-After within RETRY_AFTER_MAX seconds: a 429 (too many requests: about us)
    for the whole host (netloc), a 503 (the service is down) for the site that got it only, so
    one ward down on a platform that serves many does not stop the others."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("RETRY_AFTER_MAX", 300)
        self.attempts = max(1, crawler.settings.getint("RETRY_TIMES", 2))
        self.until: dict[str, float] = {}  # scope -> monotonic time it may be asked again
        self.skipped: dict[str, str] = {}  # scope -> why it is skipped for this crawl
        self.waited: dict[str, float] = {}  # host -> seconds waited as asked (for the summary)

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.retry_after = mw  # the pipeline reports waits and skips in the crawl row
        return mw

    @staticmethod
    def _scopes(request) -> tuple[str, str]:
        """(the host, the host for this site): what a 429 and a 503 put on hold."""
        host = urlsplit(request.url).netloc
        return host, f"{host} {request.meta.get('site_id', '')}"

    async def process_request(self, request, spider=None):
        scopes = self._scopes(request)
        for scope in scopes:
            if scope in self.skipped:
                raise IgnoreRequest(self.skipped[scope])
        wait = max(self.until.get(scope, 0) for scope in scopes) - time.monotonic()
        if wait > 0:
            from twisted.internet import reactor  # the one Scrapy installed (never at import time)

            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return None

    def process_response(self, request, response, spider=None):
        if response.status not in (429, 503) or b"Retry-After" not in response.headers:
            return response
        raw = response.headers[b"Retry-After"].decode("latin-1")
        seconds = retry_after_seconds(raw)
        if seconds is None:
            return response  # unreadable: the ordinary retry rules apply
        host, site_scope = self._scopes(request)
        scope = host if response.status == 429 else site_scope
        if seconds > self.cap:
            self.skipped[scope] = (
                f"HTTP {response.status}: the server asks to wait {seconds:.0f} s (Retry-After: {raw}),"
                f" more than the {self.cap:.0f} s limit (max_retry_after);"
                f" {host if scope == host else 'the site on ' + host} skipped for this crawl"
            )
            raise IgnoreRequest(self.skipped[scope])
        tries = request.meta.get("retry_after_times", 0)
        if tries >= self.attempts:
            request.meta["dont_retry"] = True  # asked to wait again and again: an HTTP error now
            return response
        self.until[scope] = max(self.until.get(scope, 0), time.monotonic() + seconds)
        self.waited[host] = self.waited.get(host, 0) + seconds
        again = request.replace(dont_filter=True)
        again.meta["retry_after_times"] = tries + 1
        return again
