"""Small synchronous HTTP fetches for interactive commands (`sites check`, `sites add`).

Crawls use Scrapy; this is for one page at a time, with the same User-Agent and size bound, and
the same libraries as the crawl: w3lib decodes the page (BOM, header charset, then meta charset)
and Scrapy's Protego parser reads robots.txt, so `sites check` and the crawl agree.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scrapy.robotstxt import ProtegoRobotParser
from w3lib.encoding import html_to_unicode


@dataclass
class Page:
    url: str  # final URL after redirects
    status: int
    text: str
    content_type: str


class FetchError(RuntimeError):
    pass


def fetch(url: str, *, user_agent: str, timeout: float = 30, max_bytes: int = 4 << 20) -> Page:
    """GET one page; raise FetchError naming the URL and what went wrong."""
    req = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": "text/html,*/*"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only, checked by config
            body = resp.read(max_bytes + 1)
            status, final, ctype = resp.status, resp.geturl(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        raise FetchError(f"{url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise FetchError(f"{url}: {getattr(e, 'reason', e)}") from None
    if len(body) > max_bytes:
        raise FetchError(f"{url}: response larger than {max_bytes // 1024} KiB")
    if "html" not in ctype and "xml" not in ctype and ctype:
        raise FetchError(f"{url}: expected an HTML page, got Content-Type {ctype!r}")
    _encoding, text = html_to_unicode(ctype or None, body)
    return Page(final, status, text, ctype)


def robots_allows(url: str, *, user_agent: str, timeout: float = 10) -> tuple[bool | None, str]:
    """(allowed?, explanation) from the host's robots.txt; None when it could not be read."""
    parts = urlsplit(url)
    robots_url = urljoin(f"{parts.scheme}://{parts.netloc}", "/robots.txt")
    try:
        req = urllib.request.Request(robots_url, headers={"User-Agent": user_agent})
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            rp = ProtegoRobotParser(resp.read(1 << 20), None)  # the crawl's ROBOTSTXT_PARSER
    except urllib.error.HTTPError as e:
        if 400 <= e.code < 500:
            return True, f"{robots_url}: HTTP {e.code} (no robots.txt: everything allowed)"
        return None, f"{robots_url}: HTTP {e.code}"
    except (urllib.error.URLError, OSError) as e:
        return None, f"{robots_url}: {getattr(e, 'reason', e)}"
    allowed = rp.allowed(url, user_agent)
    delay = rp.crawl_delay(user_agent)
    extra = f", Crawl-delay {delay}" if delay else ""
    return allowed, f"{robots_url}: {'allowed' if allowed else 'DISALLOWED'} for {url}{extra}"
