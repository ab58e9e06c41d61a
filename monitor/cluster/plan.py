"""The seam between the coordinator and the node's spider: the job's arguments and settings, and
feed lines back to typed items. When `crawler/plan.py` (CrawlPlan, the plan-based `portal` spider,
`crawler.items.from_dict`) is on main, these functions are what point at it.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import asdict, fields
from pathlib import Path

from crawler import clock
from crawler.items import (
    ArticleItem,
    FetchErrorItem,
    GoneItem,
    ListPageItem,
    NotModifiedItem,
    SampleItem,
)
from crawler.sites import Site
from monitor.config import Config

SPIDER = "portal-node"
MAX_ARG = 120_000  # bytes: Scrapyd passes arguments on the crawl's command line (Linux: 128 KiB each)


def node_plan(config: Config, store, sites: list[Site], now=None) -> dict:
    """Everything the node's spider needs for these sites, read from the coordinator's store."""
    settings = {f.name: getattr(config.settings, f.name) for f in fields(config.settings)}
    return {
        "now": clock.iso(now or clock.now()),
        "settings": settings,
        "sites": [asdict(s) for s in sites],
        "known": {s.id: _reachable(store.known_articles(s.id), s) for s in sites},
        "list_views": {s.id: store.list_views_share(s.id) for s in sites},
    }


def _reachable(known: dict, site: Site) -> dict:
    """The stored articles a walk of the site's lists can meet: the newest max_pages x 50 (at least
    1,000). Older ones cannot be on the walked pages nor count as vanished (the spider skips
    articles older than what its lists covered), and leaving them out keeps a big site's plan
    within one command-line argument."""
    keep = max(1000, site.max_pages * 50)
    if len(known) <= keep:
        return {k: asdict(v) for k, v in known.items()}
    newest = sorted(known, key=lambda k: (known[k].published_at or known[k].first_seen_at, known[k].id), reverse=True)
    kept = set(newest[:keep])
    return {k: asdict(v) for k, v in known.items() if k in kept}  # the store's order, as the spider sees it


def encode_plan(plan: dict) -> str:
    """JSON, deflated, base64 (a command-line-safe string)."""
    raw = json.dumps(plan, ensure_ascii=False, separators=(",", ":")).encode()
    return "z:" + base64.b64encode(zlib.compress(raw, 6)).decode()


def decode_plan(text: str) -> dict:
    """An encoded plan, JSON text, or @/path/to/plan.json."""
    if text.startswith("z:"):
        return json.loads(zlib.decompress(base64.b64decode(text[2:])))
    if text.startswith("@"):
        return json.loads(Path(text[1:]).read_text(encoding="utf-8"))
    return json.loads(text)


def node_settings(config: Config, sites: list[Site]) -> dict[str, str]:
    """Scrapy settings for the job (schedule.json `setting=NAME=value`): the same as a local
    crawl's (politeness, timeouts, the [portalwatch] hosts resolver)."""
    from crawler.run import crawl_settings

    s = crawl_settings(config, sites)
    names = ("USER_AGENT", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
             "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY",
             "ROBOTSTXT_OBEY", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES", "RETRY_AFTER_MAX",
             "DOWNLOAD_SLOTS", "PORTALWATCH_HOSTS", "TWISTED_DNS_RESOLVER")
    out = {}
    for name in names:
        if name in s and s[name] is not None:
            v = s[name]
            if hasattr(v, "copy_to_dict"):
                v = v.copy_to_dict()
            out[name] = json.dumps(v) if isinstance(v, dict) else str(v)
    return out


_KINDS = {"article": ArticleItem, "not_modified": NotModifiedItem, "gone": GoneItem,
          "fetch_error": FetchErrorItem, "sample": SampleItem}


def item_from_dict(d: dict):
    """A feed line → the typed item Store.apply takes; `site_finished` lines stay dicts."""
    kind = d.get("kind")
    body = {k: v for k, v in d.items() if k != "kind"}
    if kind == "list_page":
        return ListPageItem(body["site_id"], body["url"], [ArticleItem(**e) for e in body["entries"]])
    if kind in _KINDS:
        return _KINDS[kind](**body)
    if kind == "site_finished":
        return d
    raise ValueError(f"unknown item kind {kind!r} in a feed")
