"""Reading a portal's *structure* (no I/O): which links of a home page lead to news lists, whether
a parsed page is a news list, which links of a district/province portal lead to unit sub-sites,
and what a unit calls itself.

Used by `portalwatch sites add / import / discover` (monitor/sites/onboard.py, monitor/sites/discover.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .profiles import rules_lists as rl
from .profiles import rules_pages as rp
from .profiles import rules_regions as rr
from .text import clean_text, element_text, fold, parse_html
from .types import ListPage
from .urls import article_key, canonical_url

# link text / URL words (folded, ASCII) that name a news list, and ones that name something else
_NEWS_WORDS = ("tin tuc", "tin-tuc", "tintuc", "su kien", "su-kien", "thong bao", "thong-bao", "thongbao",
               "tin hoat dong", "hoat dong", "tin moi", "news", "bai viet", "chuyen muc", "tin dia phuong",
               "tuyen truyen", "tin van hoa", "tin kinh te", "tin tong hop")
_OTHER_WORDS = ("gioi thieu", "lien he", "so do", "site map", "sitemap", "dang nhap", "login", "tim kiem",
                "search", "hoi dap", "gop y", "rss", "english", "thu tuc", "dich vu cong", "van ban",
                "lich cong tac", "co cau to chuc", "trang chu", "home", "ban do", "thu vien anh", "video")
# pages that list a unit's sub-units ("Các phường", "Xã, phường", "Đơn vị hành chính")
_DIRECTORY_RE = re.compile(
    r"\b(?:cac (?:phuong|xa|don vi)|(?:phuong|xa)\s*[,-]?\s*(?:thi tran|phuong|xa)|don vi hanh chinh|"
    r"don vi truc thuoc|cong thanh phan|trang thanh phan)\b")
_UNIT_WORDS = {  # folded prefix -> level
    "phuong": "ward", "xa": "commune", "thi tran": "commune", "dac khu": "special_zone",
    "quan": "district", "huyen": "district", "thi xa": "district", "thanh pho": "city", "tinh": "province",
}
_UNIT_RE = re.compile(r"^(thi tran|thi xa|thanh pho|dac khu|phuong|xa|quan|huyen|tinh)\s+(\S.*)$")
_PORTAL_PREFIX_RE = re.compile(
    r"^(?:cong thong tin dien tu|cong ttdt|trang thong tin dien tu|trang ttdt|cong thong tin|website|"
    r"uy ban nhan dan|ubnd)\s+", re.IGNORECASE)
_TITLE_SPLIT_RE = re.compile(r"\s+[-|–—:»]\s+|\s*\|\s*")


@dataclass
class LinkCandidate:
    """A link of a page that may lead to a news list (or to a directory of sub-sites)."""

    url: str
    text: str
    score: float
    kind: str = "list"  # "list" or "directory"
    reasons: list[str] = field(default_factory=list)


@dataclass
class ListAssessment:
    """Is a parsed page a news list? `reason` says why (not)."""

    is_list: bool
    entries: int
    article_like: int
    dated: int
    with_views: int
    has_next: bool
    reason: str


@dataclass
class SubSiteLink:
    url: str
    name: str
    level: str | None
    source: str  # the page that linked it


def _folded(text: str) -> str:
    return " ".join(fold(text or "").replace("_", " ").split())


def path_dir(url: str) -> str:
    """'/a/b/list.aspx' -> '/a/b/'; '/a/tin-tuc' -> '/a/tin-tuc/'; lowercased."""
    path = urlsplit(url).path.lower()
    last = path.rsplit("/", 1)[-1]
    if "." in last:
        path = path[: len(path) - len(last)]
    return path if path.endswith("/") else path + "/"


def page_links(html_or_root, url: str) -> list[tuple[str, str, bool]]:
    """(absolute URL, link text, in a nav/menu region) of every on-host link, in page order."""
    root = parse_html(html_or_root) if isinstance(html_or_root, (str, bytes)) else html_or_root
    base = rr.base_url(root, url)
    host = rr._host(urlsplit(url).netloc)
    cache: dict = {}
    out, seen = [], set()
    for a in root.iter("a"):
        u = rr.usable_link(a.get("href"), base, host)
        if not u:
            continue
        key = canonical_url(u)
        if key in seen:
            continue
        seen.add(key)
        text = element_text(a) or clean_text(a.get("title"))
        out.append((u, text, rr.in_boilerplate(a, cache)))
    return out


def is_article_like(url: str) -> bool:
    from .profiles import PROFILES

    return PROFILES["auto"].is_article_url(url)


def list_candidates(html: str, url: str, limit: int = 10) -> list[LinkCandidate]:
    """Links of a home (or article) page that probably lead to news lists, best first; directory
    pages of sub-sites ("Các phường") come back with kind="directory"."""
    root = parse_html(html)
    links = page_links(root, url)
    here = canonical_url(url)
    home_dir = path_dir(url)
    article_dirs = Counter(path_dir(u) for u, _, _ in links if is_article_like(u))
    out: list[LinkCandidate] = []
    for u, text, in_nav in links:
        if canonical_url(u) == here or is_article_like(u) or rp.page_number(u):
            continue
        words = _folded(text) + " " + _folded(urlsplit(u).path.replace("/", " "))
        if _DIRECTORY_RE.search(_folded(text)) or _DIRECTORY_RE.search(words):
            out.append(LinkCandidate(u, text, 0, "directory", ["names a directory of sub-units"]))
            continue
        score, why = 0.0, []
        if any(w in words for w in _NEWS_WORDS):
            score += 3
            why.append("news words in the link")
        if any(re.search(rf"(?:^|\s){re.escape(w)}(?:\s|$)", _folded(text)) for w in _OTHER_WORDS):
            score -= 4
            why.append("names a non-news page")
        d = path_dir(u)
        owned = sum(n for ad, n in article_dirs.items() if ad.startswith(d) and d != home_dir)
        if owned:
            score += min(3, 1 + owned / 2)
            why.append(f"{owned} linked article(s) live under it")
        if in_nav:
            score += 1
            why.append("in the navigation")
        if not urlsplit(u).path.lower().startswith(home_dir):
            score -= 2
            why.append("outside this site's path")
        if "/en/" in urlsplit(u).path.lower() + "/":
            score -= 3
            why.append("English pages")
        if score > 0:
            out.append(LinkCandidate(u, text, score, "list", why))
    lists = sorted((c for c in out if c.kind == "list"), key=lambda c: -c.score)[:limit]
    return lists + [c for c in out if c.kind == "directory"]


def assess_list(listing: ListPage, url: str, min_entries: int = 3) -> ListAssessment:
    """A news list: ≥ min_entries on-host article links, most of them dated or a next page (or a
    short list whose every link is a dated article)."""
    host = rr._host(urlsplit(url).netloc)
    entries = [e for e in listing.entries if rr._host(urlsplit(e.url).netloc) == host]
    article_like = sum(1 for e in entries if is_article_like(e.url))
    dated = sum(1 for e in entries if e.published_at is not None)
    views = sum(1 for e in entries if e.views is not None)
    has_next = bool(listing.next_url)
    n = len(entries)
    if 0 < n < min_entries and dated == article_like == n:
        return ListAssessment(True, n, article_like, dated, views, has_next,
                              f"a short list: {n} dated article(s), {views} with views")
    if n < min_entries:
        reason = f"{n} article link(s) found, expected at least {min_entries}"
        ok = False
    elif article_like * 2 < n:
        reason = f"only {article_like} of {n} links look like article URLs"
        ok = False
    elif dated * 2 < n and not has_next:
        reason = f"{n} links but only {dated} with a date and no next page: a menu or a teaser block, not a list"
        ok = False
    else:
        ok = True
        reason = f"{n} articles, {dated} dated, {views} with views" + (", next page" if has_next else "")
    return ListAssessment(ok, n, article_like, dated, views, has_next, reason)


def article_pattern(urls: list[str]) -> str:
    """The commonest URL shape of article links plus the identity rule, e.g.
    "/hoangmai/tin-tuc/-/view_content/<name>.html (key lr:<id>)"."""
    if not urls:
        return "—"
    shapes = Counter(rl.path_shape(u) for u in urls)
    shape, n = shapes.most_common(1)[0]
    label = "/" + "/".join(shape[0]) + ("?" + "&".join(f"{k}=…" for k in shape[1]) if shape[1] else "")
    kinds = Counter(article_key(u).split(":", 1)[0] for u in urls)
    kind = kinds.most_common(1)[0][0]
    rule = {"lr": "Liferay numeric id", "dnn": "DNN post id", "td": "Tân Dân page code",
            "ts": "timestamp id", "url": "the canonical URL"}.get(kind, kind)
    extra = f" ({n}/{len(urls)} links)" if n < len(urls) else ""
    return f"{label} — identity: {rule}{extra}"


# ---------------------------------------------------------------- units and sub-sites
def unit_of(text: str) -> tuple[str, str] | None:
    """("Phường Vĩnh Hưng", "ward") when text names an administrative unit, else None."""
    t = clean_text(text)
    t = re.sub(r"^(?:Cổng thông tin điện tử|Cổng TTĐT|Trang thông tin điện tử|Trang TTĐT|Cổng thông tin|"
               r"Ủy ban nhân dân|Uỷ ban nhân dân|UBND)\s+", "", t, flags=re.IGNORECASE)
    folded = _folded(t).lower()
    m = _UNIT_RE.match(folded)
    if not m or len(m.group(2)) > 40 or len(m.group(2).split()) > 5:
        return None
    if t.isupper():  # "XÃ QUẢNG PHÚ" -> "Xã Quảng Phú"
        t = " ".join(w[:1] + w[1:].lower() for w in t.split())
    t = t[:1].upper() + t[1:]
    return t, _UNIT_WORDS[m.group(1)]


def guess_unit(html: str) -> tuple[str, str] | None:
    """The unit a portal's page belongs to, from its site title, logo or <title>."""
    root = parse_html(html)
    texts = []
    for el in root.iter("h1", "title", "a", "div", "span"):
        classes = (el.get("class") or "").split()
        if el.tag in ("h1", "title") or {"site-title", "logo"} & set(classes) or any("logo" in c for c in classes):
            texts.append(element_text(el))
    for t in texts:
        for part in [t, *_TITLE_SPLIT_RE.split(t)]:
            u = unit_of(part)
            if u:
                return u
    return None


def _related_host(host: str, page_host: str) -> bool:
    if host == page_host or host.endswith("." + page_host):
        return True
    parent = page_host.split(".", 1)[-1]
    return parent.count(".") >= 2 and host.endswith("." + parent)


def subsite_links(html: str, url: str) -> tuple[list[SubSiteLink], list[LinkCandidate]]:
    """Links to unit sub-sites (text names a phường/xã/…, target is not an article) and links to
    directory pages that list them ("Các phường")."""
    root = parse_html(html)
    base = rr.base_url(root, url)
    page_host = rr._host(urlsplit(url).netloc)
    here = canonical_url(url)
    own = guess_unit(html)
    found: dict[str, SubSiteLink] = {}
    dirs: dict[str, LinkCandidate] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        u = urljoin(base, href).split("#", 1)[0]
        parts = urlsplit(u)
        if parts.scheme not in ("http", "https") or not _related_host(rr._host(parts.netloc), page_host):
            continue
        if canonical_url(u) == here or is_article_like(u):
            continue
        text = element_text(a) or clean_text(a.get("title"))
        if _DIRECTORY_RE.search(_folded(text)):
            dirs.setdefault(canonical_url(u), LinkCandidate(u, text, 1, "directory", ["names a directory"]))
            continue
        unit = unit_of(text) or unit_of(clean_text(a.get("title")))
        if unit and (own is None or _folded(unit[0]) != _folded(own[0])):
            found.setdefault(canonical_url(u), SubSiteLink(u, unit[0], unit[1], url))
    return list(found.values()), list(dirs.values())


def slug_id(name: str) -> str:
    """'Phường Vĩnh Hưng' -> 'phuong-vinh-hung' (a valid site id)."""
    s = re.sub(r"[^a-z0-9]+", "-", _folded(name).lower()).strip("-")
    return s[:64].rstrip("-") or "site"
