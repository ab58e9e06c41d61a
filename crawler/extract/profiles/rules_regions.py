"""Page regions: boilerplate blocks (nav/menu/footer/sidebar/pager), usable on-site links, the base URL."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..text import SKIP_TAGS, clean_text, element_text, fold
from ..urls import absolute_url

_BOILER_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_BOILER_RE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|menus|mainmenu|topmenu|submenu|megamenu|footer|"
    r"header|sidebar|side-bar|breadcrumbs?|pagination|pager|paging|banner|topbar|toolbar|"
    r"related|lienquan|tinlienquan|tin-lien-quan|tinkhac|tin-khac|other-news|othernews|"
    r"most-?viewed|xemnhieu|xem-nhieu|popular|comments?|share|social|copyright|site-?map|"
    r"portlet-site-map|widget|chan-?trang|dau-?trang)(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_HEADER_FOOTER_RE = re.compile(r"header|footer")
_BOILER_SUBSTR = ("menu", "sidebar", "footer", "breadcrumb", "pagination", "navbar", "nav_", "_nav")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select", "option"})
_DOC_EXT_RE = re.compile(
    r"\.(?:jpe?g|png|gif|bmp|webp|svg|ico|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|mp[34]|avi|mov|wmv|"
    r"flv|txt|xml|rss|css|js|json)$",
    re.IGNORECASE,
)


def _classes(el) -> str:
    cls, id_ = el.get("class"), el.get("id")
    if not (cls or id_):  # most elements: no string to build
        return ""
    return f"{cls or ''} {id_ or ''}".strip()


def is_boilerplate(el, cache: dict | None = None) -> bool:
    """True when the element itself is a nav/menu/header/footer/sidebar/pager/related block."""
    if cache is not None and el in cache:
        return cache[el]
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    result = tag in _BOILER_TAGS
    own_part = tag in ("header", "footer")
    if not result:
        cls = _classes(el)
        if cls:
            low = cls.lower()
            result = bool(_BOILER_RE.search(cls)) or any(s in low for s in _BOILER_SUBSTR)
            own_part = result and bool(_HEADER_FOOTER_RE.search(low)) and not _BOILER_RE.search(_HEADER_FOOTER_RE.sub("", low))
    if result and own_part:  # an article's own header/footer ("entry-footer") is not the page's
        result = not any(isinstance(a.tag, str) and a.tag.lower() == "article" for a in el.iterancestors())
    if cache is not None:
        cache[el] = result
    return result


def in_boilerplate(el, cache: dict | None = None, stop=None) -> bool:
    """True when el or an ancestor (up to, not including, `stop`) is boilerplate; the page's
    `<main>` (role=main) and what wraps it are not."""
    node = el
    while node is not None and node is not stop:
        if isinstance(node.tag, str) and (node.tag.lower() in ("body", "html", "main") or node.get("role") == "main"):
            return False
        if is_boilerplate(node, cache):
            return True
        node = node.getparent()
    return False


def base_url(root, url: str) -> str:
    """The page URL, or its `<base href>` when present."""
    for b in root.iter("base"):
        href = (b.get("href") or "").strip()
        if href:
            return urljoin(url, href)
        break
    return url


def _host(netloc: str) -> str:
    h = netloc.lower().split("@")[-1].split(":")[0]
    return h[4:] if h.startswith("www.") else h


def usable_link(href: str | None, base: str, page_host: str) -> str | None:
    """Absolute, fragment-less URL of an on-site, non-document, non-javascript link, else None."""
    return _usable_link(href, base, page_host) if href else None


@lru_cache(maxsize=8192)
def _usable_link(href: str, base: str, page_host: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    low = href[:11].lower()
    if low.startswith(("javascript:", "mailto:", "tel:", "data:", "sms:", "callto:")):
        return None
    absu = absolute_url(base, href)
    parts = urlsplit(absu)
    if parts.scheme not in ("http", "https", "file"):
        return None
    if page_host and _host(parts.netloc) != page_host:
        return None
    if _DOC_EXT_RE.search(parts.path):
        return None
    return absu


_HIDDEN_RE = re.compile(
    r"(?:^|\s)(?:visually-hidden|sr-only|screen-reader-text|hide-accessible|element-invisible|hidden-accessible|"
    r"show-for-sr|assistive-text|u-visually-hidden)(?:$|\s)"
)


def _hidden(el) -> bool:
    cls = el.get("class")
    return bool(cls) and bool(_HIDDEN_RE.search(cls))


def hidden_text(el) -> str:
    """Text of the screen-reader-only parts of an element ("Trang tiếp theo" in a `››` link)."""
    if len(el) == 0:
        return ""
    return " ".join(t for t in (element_text(d) for d in el.iterdescendants() if isinstance(d.tag, str) and _hidden(d)) if t)


def visible_text(el) -> str:
    """An element's text without its screen-reader-only parts (`visually-hidden`, `sr-only` …)."""
    if len(el) == 0 or not any(isinstance(d.tag, str) and _hidden(d) for d in el.iterdescendants()):
        return element_text(el)
    parts: list[str] = []

    def walk(e) -> None:
        if e.text:
            parts.append(e.text)
        for c in e:
            if isinstance(c.tag, str) and c.tag.lower() not in SKIP_TAGS and not _hidden(c):
                walk(c)
            if c.tail:
                parts.append(c.tail)

    walk(el)
    return clean_text("".join(parts))


def describe(el) -> str:
    """Short CSS-like name of an element for provenance, e.g. "div.asset-abstract"."""
    tag = el.tag if isinstance(el.tag, str) else "?"
    cls = (el.get("class") or "").split()
    return tag + ("." + cls[0] if cls else "")


def _is_descendant(el, ancestor) -> bool:
    for anc in el.iterancestors():
        if anc is ancestor:
            return True
    return False


_MAIN_XPATH = etree.XPath(
    "descendant::main | descendant::*[@role='main'] | descendant::*[@id][@id='content' or @id='main'"
    " or @id='main-content' or @id='maincontent' or @id='primary' or @id='content-main' or @id='noidung'"
    " or @id='noi-dung']"
)
# blocks beside the list: "Tin mới", "Đọc nhiều", "Tin nổi bật", "Recent posts" …
_SIDE_TITLES = frozenset({
    "tin moi", "tin moi nhat", "bai moi", "bai viet moi", "bai viet moi nhat", "tin tuc moi", "tin tuc moi nhat",
    "doc nhieu", "tin doc nhieu", "doc nhieu nhat", "xem nhieu", "tin xem nhieu", "xem nhieu nhat",
    "tin noi bat", "noi bat", "tin lien quan", "bai viet lien quan", "tin khac", "cac tin khac",
    "tin cung chuyen muc", "recent posts", "latest posts", "latest news", "popular posts", "most read",
    "most viewed", "related posts", "related articles", "tin hot", "tin tieu diem", "tieu diem",
})
_SIDE_CLASS_RE = re.compile(
    r"tin-?moi|moi-?nhat|doc-?nhieu|xem-?nhieu|noi-?bat|tieu-?diem|latest|recent|hot-?news|most-?read|popular",
    re.IGNORECASE,
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def main_region(root):
    """The page's main content element (`<main>`, role=main, #content …), or None."""
    found = _MAIN_XPATH(root)
    for el in found:
        if el.tag == "main" or el.get("role") == "main":
            return el
    inner = [el for el in found if not any(o is not el and _is_descendant(o, el) for o in found)]
    return inner[0] if inner else None


def side_block(parent) -> bool:
    """Is this list inside a block titled or classed like a "Tin mới"/"Đọc nhiều" box?"""
    node = parent
    for _ in range(3):
        if node is None or not isinstance(node.tag, str) or node.tag in ("body", "html", "main"):
            return False
        cls = node.get("class") or node.get("id")
        if cls and _SIDE_CLASS_RE.search(cls):
            return True
        prev = node.getprevious()
        while prev is not None and not isinstance(prev.tag, str):
            prev = prev.getprevious()
        heads = [prev] if prev is not None else []
        first = next((c for c in node if isinstance(c.tag, str)), None)
        if first is not None and first is not parent:
            heads.append(first)
        for h in heads:
            if h.tag not in _HEADINGS and "title" not in (h.get("class") or "").lower():
                h = next(h.iter(*_HEADINGS), None)  # <div class="box-header"><h3>Tin mới</h3></div>
            if h is not None and " ".join(fold(element_text(h)).split()).strip(" :-") in _SIDE_TITLES:
                return True
        node = node.getparent()
    return False


__all__ = [
    "base_url",
    "describe",
    "hidden_text",
    "visible_text",
    "in_boilerplate",
    "is_boilerplate",
    "main_region",
    "side_block",
    "usable_link",
]
