"""URL canonicalisation and stable per-site article identity."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

# parameters that say where a link was, not which article it is: tracking, sessions, Liferay's
# redirect= (the list page), Joomla's menu item, Jetpack's related-posts position
_DROP_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "jsessionid", "p_auth", "_101_viewmode", "redirect",
     "inheritredirect", "itemid", "relatedposts_hit", "relatedposts_origin", "relatedposts_position"}
)
_DROP_SUFFIXES = ("_redirect", "_viewmode")
_JSESSION_RE = re.compile(r";jsessionid=[^/?#;]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": "80", "https": "443"}

_LIFERAY_RE = re.compile(r"/-/view_content/(?:pop_up/)?(\d+)(?=[-._/]|$)", re.IGNORECASE)
_LIFERAY_EN_RE = re.compile(r"(?:^|/)(?:en|en[-_]us|en[-_]gb)(?:/|$)|/web/[^/]+-eng(?:/|$)", re.IGNORECASE)
# Liferay 7 asset publisher: /-/asset_publisher/<instance>/content/<urlTitle> (any instance)
_LIFERAY7_RE = re.compile(r"/-/asset_publisher/[^/]+/content/([^/?#;]+)", re.IGNORECASE)
_DNN_RE = re.compile(r"/post/(\d+)(?=/|\.aspx|$)", re.IGNORECASE)
_TANDAN_DATED_RE = re.compile(r"/Pages/\d{4}-\d{1,2}-\d{1,2}/[^/]*-([A-Za-z0-9]{4,16})\.aspx$", re.IGNORECASE)
_TANDAN_NUM_RE = re.compile(r"-(\d{4,})\.aspx$", re.IGNORECASE)
_TIMESTAMP_RE = re.compile(r"-(\d{14,20})\.s?html?$", re.IGNORECASE)


@lru_cache(maxsize=8192)
def absolute_url(base: str, href: str) -> str:
    """urljoin(base, href) without the fragment (cached: list pages link the same URLs often)."""
    if href.startswith(("http://", "https://")) and "/." not in href and " " not in href and "\\" not in href:
        return href.split("#", 1)[0]  # already absolute, no dot segments: what urljoin would give
    return urljoin(base, href).split("#", 1)[0]


def _keep_param(key: str) -> bool:
    k = unquote(key).lower()
    return not (k in _DROP_PARAMS or k.startswith("utm_") or k.endswith(_DROP_SUFFIXES))


@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """Lowercase scheme/host, drop fragment, default port, session/tracking params; sort query."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.port and str(parts.port) != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = _JSESSION_RE.sub("", parts.path) or "/"
    pairs = [p for p in parts.query.split("&") if p]
    pairs = [p for p in pairs if _keep_param(p.split("=", 1)[0])]
    if "option=com_content" in pairs:  # Joomla: the article is its id, not the category it was listed in
        pairs = [p for p in pairs if unquote(p.split("=", 1)[0]).lower() != "catid"]
    pairs.sort(key=lambda p: (unquote(p.split("=", 1)[0]), p))
    return urlunsplit((scheme, netloc, path, "&".join(pairs), ""))


def article_key(url: str) -> str:
    """Stable identity of an article within its site ("lr:<id>", "lr7:<urlTitle>", "dnn:<id>",
    "td:<code>", ...)."""
    path = _JSESSION_RE.sub("", urlsplit(url.strip()).path)
    m = _LIFERAY_RE.search(path)
    if m:
        prefix = path[: m.start()]
        return f"lr:en:{m[1]}" if _LIFERAY_EN_RE.search(prefix) else f"lr:{m[1]}"
    m = _LIFERAY7_RE.search(path)
    if m:
        return f"lr7:{m[1].lower()}"
    m = _DNN_RE.search(path)
    if m:
        return f"dnn:{m[1]}"
    m = _TANDAN_DATED_RE.search(path) or _TANDAN_NUM_RE.search(path)
    if m:
        return f"td:{m[1]}"
    m = _TIMESTAMP_RE.search(path)
    if m:
        return f"ts:{m[1]}"
    return "url:" + canonical_url(url)
