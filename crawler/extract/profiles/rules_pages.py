"""Pagination rules: the page number of a list URL and the link to the next list page."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from ..text import element_text, fold
from ..urls import canonical_url
from .rules_regions import _host, base_url, usable_link

_PAGE_KEY_RE = re.compile(
    r"^(?:page|p|pg|paged|pageindex|page_index|pagenum|pagenumber|pageno|page_no|trang|"
    r"currentpage|current_page|cur|start_page)$|_cur$|cur$",
    re.IGNORECASE,
)
_PAGE_PATH_RE = re.compile(r"/(?:trang|page|p|pages?)[-/_](\d{1,5})(?:\.\w+)?/?$", re.IGNORECASE)
_NEXT_WORDS = {
    "tiep", "tiep theo", "trang sau", "trang tiep", "trang tiep theo", "sau", "next", "next page",
    "xem tiep", "ke tiep",
}
_LAST_WORDS = {"cuoi", "cuoi cung", "trang cuoi", "last", "end"}
_ARROWS = "<>»«›‹→←-|.:()[] "


@lru_cache(maxsize=8192)
def page_number(url: str) -> tuple[str, int] | None:
    """(pager key, page number) read from a list URL, e.g. ("_101_cur", 2), or None."""
    parts = urlsplit(url)
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if _PAGE_KEY_RE.search(k) and v.isdigit():
            return k.lower(), int(v)
    m = _PAGE_PATH_RE.search(parts.path)
    if m:
        return "<path>", int(m.group(1))
    return None


def find_next_page(root, page_url: str, base: str | None = None) -> tuple[str | None, str]:
    """URL of the next list page by rel=next, a "Tiếp"/"Trang sau"/"next" link, or page N+1."""
    base = base or base_url(root, page_url)
    page_host = _host(urlsplit(page_url).netloc)
    page_canon = canonical_url(page_url)
    cur_info = page_number(page_url)
    cur = cur_info[1] if cur_info else 1
    for link in root.iter("link"):
        if "next" in (link.get("rel") or "").lower().split():
            u = usable_link(link.get("href"), base, page_host)
            if u:
                return u, "auto: <link rel=next>"
    best: tuple[float, str, str] | None = None
    for a in root.iter("a"):
        u = usable_link(a.get("href"), base, page_host)
        if not u or canonical_url(u) == page_canon:
            continue
        parent = a.getparent()
        if parent is not None and "disabled" in (parent.get("class") or "").lower():
            continue
        pn = page_number(u)
        if pn and pn[1] <= cur:
            continue
        text = fold(element_text(a))
        core = text.strip(_ARROWS)
        attr = fold(" ".join(filter(None, (a.get("title"), a.get("aria-label"))))).strip(_ARROWS)
        rel = (a.get("rel") or "").lower().split()
        score, rule = 0.0, ""
        if "next" in rel:
            score, rule = 10, "auto: a[rel=next]"
        elif core in _NEXT_WORDS or attr in _NEXT_WORDS:
            score, rule = 8, f"auto: link text '{element_text(a) or attr}'"
        elif core in _LAST_WORDS or attr in _LAST_WORDS:
            continue
        elif pn and pn[1] == cur + 1 and (cur_info is None or pn[0] == cur_info[0]):
            score, rule = 6 if core == str(cur + 1) else 5, f"auto: page {cur + 1} via '{pn[0]}'"
        elif core == str(cur + 1):
            score, rule = 4, f"auto: link text '{cur + 1}' in pager"
        elif not core and text and any(c in text for c in "»›>→") and not any(c in text for c in "«‹<←"):
            if pn and pn[1] > cur + 1:
                score, rule = 1, f"auto: arrow link '{text.strip()}'"
            else:
                score, rule = 3, f"auto: arrow link '{text.strip()}'"
        if score and (best is None or score > best[0]):
            best = (score, u, rule)
    if best is None:
        return None, ""
    return best[1], best[2]


__all__ = [
    "find_next_page",
    "page_number",
]
