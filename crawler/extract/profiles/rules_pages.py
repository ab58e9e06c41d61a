"""Pagination rules: a list URL's position in its list, the pager of a list page (its next link,
this page's number, the highest page it shows, "Hiển thị 1 - 20 of 29"-style totals).

Pagers differ by platform: page numbers in the query (`?page=2`, `_101_cur=2`, `?PageIndex=2`,
zero-based Drupal `?page=1`) or the path (`/page/2/`, `/trang-2.htm`), item offsets (`?start=20`,
`limitstart=`, `offset=`), numbered pagers with ellipses, `rel="next"`, next links that are
only an icon with a `title`/`aria-label`. The printed page numbers are the reference: the next
page is the link numbered one more than this page, whatever its URL says, and a link (a
profile's selector or a rule) that points to another numbered page is never taken as next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..text import element_text, fold, raw_text
from ..types import PagerFacts
from ..urls import canonical_url
from .rules_regions import _host, base_url, hidden_text, usable_link, visible_text
from .rules_totals import read_counts

_PAGE_KEY_RE = re.compile(
    r"^(?:page|p|pg|paged|pageindex|page_index|pagenum|pagenumber|pageno|page_no|trang|"
    r"currentpage|current_page|cur|start_page)$|_cur$|cur$",
    re.IGNORECASE,
)
_OFFSET_KEY_RE = re.compile(r"^(?:start|limitstart|offset|skip|startrow|start_row|begin)$", re.IGNORECASE)
_PAGE_PATH_RE = re.compile(r"/(?:trang|page|p|pages?)[-/_](\d{1,5})(?:\.\w+)?/?$", re.IGNORECASE)
_NEXT_WORDS = {
    "tiep", "tiep theo", "trang sau", "trang tiep", "trang tiep theo", "trang ke tiep", "sau", "next",
    "next page", "go to next page", "xem tiep", "ke tiep", "older posts", "older entries", "older", "bai cu hon",
    "tin cu hon", "cu hon", "cu hon bai viet", "bai viet cu hon", "trang ke", "toi", "next-page", "trang sau »",
}
_LAST_WORDS = {"cuoi", "cuoi cung", "trang cuoi", "last", "end", "last page", "go to last page", "trang cuoi cung"}
_PREV_WORDS = {
    "truoc", "trang truoc", "prev", "previous", "previous page", "go to previous page", "newer posts",
    "newer entries", "newer", "moi hon", "moi hon bai viet", "bai viet moi hon", "dau", "dau tien", "trang dau",
    "first", "start", "go to first page", "lui", "bat dau", "prev-page",
}
_PAGER_WORDS = _NEXT_WORDS | _LAST_WORDS | _PREV_WORDS
_ARROWS = "<>»«›‹→←-|.:()[] "
_NEXT_ARROWS = "»›>→⟩❯"
_PREV_ARROWS = "«‹<←⟨❮"
_NEXT_CLASS_RE = re.compile(r"(?:^|[-_\s])next(?:$|[-_\s])|nextpostslink|(?:^|\s)(?:tiep|sau)(?:$|\s)", re.IGNORECASE)
_LAST_CLASS_RE = re.compile(r"(?:^|[-_\s])last(?:$|[-_\s])|lastpostslink", re.IGNORECASE)
_CURRENT_CLASS_RE = re.compile(r"(?:^|[-_\s])(?:active|current|currentpage|selected|is-active|on)(?:$|[-_\s])", re.I)
_DISABLED_RE = re.compile(r"(?:^|[-_\s])disabled?(?:$|[-_\s])", re.IGNORECASE)
_SKIP_REGION_RE = re.compile(r"calendar|widget|sidebar|archive", re.IGNORECASE)
_WRAPPERS = frozenset(("li", "span", "strong", "b", "em", "font", "small"))
@lru_cache(maxsize=8192)
def page_number(url: str) -> tuple[str, int] | None:
    """(pager key, value) of a list URL: its page number or item offset, e.g. ("_101_cur", 2),
    ("start", 20), ("<path>", 3); None (the list's first page, or not a list URL)."""
    parts = urlsplit(url)
    found = None
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if v.isdigit() and (_PAGE_KEY_RE.search(k) or _OFFSET_KEY_RE.match(k)):
            found = k.lower(), int(v)
            if _PAGE_KEY_RE.search(k):
                return found
    if found:
        return found
    m = _PAGE_PATH_RE.search(parts.path)
    if m:
        return "<path>", int(m.group(1))
    return None


def is_offset_key(key: str) -> bool:
    return bool(_OFFSET_KEY_RE.match(key))


def _ahead(target: tuple[str, int] | None, here: tuple[str, int] | None) -> bool | None:
    """Is a link's position after this page's? None when the positions say nothing."""
    if target is None:
        return False if here is not None else None  # from page N, a URL without position is page 1
    if here is None:  # the first page: position 0 is this page, 1 this page or the next (0-based)
        if target[1] == 0:
            return False
        return None if target[1] == 1 and not is_offset_key(target[0]) else True
    if target[0] != here[0]:
        return None
    return target[1] > here[1]


_NUMBER_RE = re.compile(r"^(?:trang|page|tr\.?)?\s*(\d{1,5})$", re.IGNORECASE)


def _number(text: str) -> int | None:
    """The page number a pager link prints: "3", "Trang 3", "Page 3"."""
    t = text.strip()
    if t.isdigit():
        n = int(t) if len(t) <= 5 else 0
    else:
        m = _NUMBER_RE.match(fold(t)) if len(t) <= 12 else None
        n = int(m.group(1)) if m else 0
    return n if n > 0 else None


def _classes_near(a) -> str:
    """Class/id words of a link and its wrapper (the `li` of a pager)."""
    parts = [a.get("class") or "", a.get("id") or ""]
    parent = a.getparent()
    if parent is not None and isinstance(parent.tag, str) and parent.tag in _WRAPPERS:
        parts += [parent.get("class") or "", parent.get("id") or ""]
    return " ".join(p for p in parts if p)


def _disabled(a) -> bool:
    if a.get("aria-disabled") == "true":
        return True
    return bool(_DISABLED_RE.search(_classes_near(a)))


def _container(a):
    c = a.getparent()
    while c is not None and isinstance(c.tag, str) and c.tag in _WRAPPERS:
        c = c.getparent()
    return c


def _in_skipped_region(el) -> bool:
    for anc in el.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in ("body", "html", "main") or anc.get("role") == "main":
            return False
        if tag in ("aside", "footer"):
            return True
        cls = anc.get("class") or anc.get("id")
        if cls and _SKIP_REGION_RE.search(cls):
            return True
    return False


_PAGE_TEXT_RE = re.compile(r"^(?:trang|page)\s*\d{1,5}$")
_PAGE_CLASS_RE = re.compile(r"next|prev|last|first|pag|trang", re.IGNORECASE)


def _pagerish(a, text: str, attr: str) -> bool:
    """Could this link be part of a pager: rel=next/prev, a pager word or arrow in its text,
    title, aria-label or screen-reader text, "Trang 3", or a next/prev/last/page class?"""
    core = text.strip(_ARROWS)
    if a.get("rel") or core in _PAGER_WORDS or attr in _PAGER_WORDS or _PAGE_TEXT_RE.match(core):
        return True
    if not core and text.strip():  # arrows only: "»", "›", ">>"
        return True
    cls = _classes_near(a)
    return bool(cls) and bool(_PAGE_CLASS_RE.search(cls))


_GO_TO_RE = re.compile(r"^(?:go to|di toi|di den|den|toi|chuyen den|xem)\s+")


def _words(a, text_raw: str) -> tuple[str, str]:
    """(visible link text folded, its title/aria-label/screen-reader text folded, stripped of
    arrows and of "Go to"/"Đi tới")."""
    text = fold(text_raw)
    attr = fold(" ".join(filter(None, (a.get("title"), a.get("aria-label"), hidden_text(a))))).strip(_ARROWS)
    return text, _GO_TO_RE.sub("", attr)


@dataclass
class _Link:
    a: Any  # the lxml <a> element
    url: str
    text: str  # folded link text
    core: str  # without arrows
    attr: str  # folded title / aria-label
    pos: tuple[str, int] | None
    number: int | None


@dataclass
class Pager:
    """What a list page's pager says: the next page's URL and the facts about the walk."""

    next_url: str | None = None
    rule: str = ""
    facts: PagerFacts = field(default_factory=PagerFacts)
    numbered: dict[str, int] = field(default_factory=dict)  # canonical URL -> printed page number

    def accepts(self, url: str, here: tuple[str, int] | None, page_canon: str) -> bool:
        """Can `url` (e.g. a profile selector's next link) be the next page? Not this page, not
        behind it, and not a numbered page other than the one after this one."""
        canon = canonical_url(url)
        if canon == page_canon:
            return False
        n = self.numbered.get(canon)
        cur = self.facts.current
        if n is not None and cur is not None and n != cur + 1:
            return False
        return _ahead(page_number(url), here) is not False


def read_pager(root, page_url: str, base: str | None = None) -> Pager:
    """The pager of a list page: the next page by rel=next, a next word/icon (text, title,
    aria-label, class), the page numbered one more than this one, or the next position in the
    URL; plus this page's number, the highest page shown and the printed totals."""
    base = base or base_url(root, page_url)
    page_host = _host(urlsplit(page_url).netloc)
    page_canon = canonical_url(page_url)
    here = page_number(page_url)
    pager = Pager()
    links: list[_Link] = []
    markers: dict = {}  # container -> printed numbers of non-link elements (the current page)
    containers: dict = {}  # container -> its numbered links
    for a in root.iter("a"):
        href = a.get("href")
        if not href or len(raw_text(a)) > 160:  # a title, not a pager link
            continue
        text_raw = visible_text(a)
        if len(text_raw) > 40:
            continue
        n = _number(text_raw)
        if n is None:  # only pager-like links are read further (menus, titles are not)
            text, attr = _words(a, text_raw)
            if not _pagerish(a, text, attr):
                continue
        u = usable_link(href, base, page_host)
        if u is None:
            if n is not None and not _disabled(a):  # <a href="javascript:;">3</a>: the current page
                markers.setdefault(_container(a), set()).add(n)
            continue
        if n is not None:
            text, attr = _words(a, text_raw)
        link = _Link(a, u, text, text.strip(_ARROWS), attr, page_number(u), n)
        links.append(link)
        if n is not None and not _in_skipped_region(a):
            containers.setdefault(_container(a), []).append(link)
    pager.numbered, current, highest, pager_root, mapping = _numbered(containers, markers, page_canon, here)
    pager.facts.current, pager.facts.highest = current, highest
    pager.next_url, pager.rule = _next_link(root, links, pager, here, page_canon, base, page_host)
    last = _last_page(links, pager, mapping)
    if last is not None and (highest is None or last > highest):
        pager.facts.highest = last
    scopes = [pager_root] if pager_root is not None else []
    for lk in links:  # the next link, else any first/previous/last link
        if lk.url == pager.next_url or lk.core in _PAGER_WORDS or lk.attr in _PAGER_WORDS:
            scopes.append(lk.a)
            break
    read_counts(pager.facts, scopes)
    return pager


def _numbered(containers: dict, markers: dict, page_canon: str, here) -> tuple:
    """The numbered pager: its links (canonical URL -> number), this page's number, the highest
    number shown, its container element and the mapping of URL positions to page numbers."""
    best = None
    for cont, found in containers.items():
        numbers = {lk.number for lk in found}
        marks = markers.get(cont, set())
        for i, sub in enumerate(cont.iter()):  # <span class="current">2</span>, <b>2</b>, <li class="active"><span>2</span>
            if i > 300:
                break
            if sub is cont or not isinstance(sub.tag, str) or sub.tag == "a" or len(sub):
                continue
            n = _number(sub.text or "")
            if n is not None and not (sub.tail or "").strip().isdigit():
                marks = marks | {n}
        if len(numbers | marks) < 2 or not any(lk.pos is not None for lk in found):
            continue  # one number alone, or numbers that are not page positions (footnotes, articles)
        if best is None or len(numbers | marks) > len(best[1] | best[2]):
            best = (cont, numbers, marks, found)
    if best is None:
        return {}, None, None, None, None
    cont, numbers, marks, found = best
    numbered = {canonical_url(lk.url): lk.number for lk in found}
    current = None
    for lk in found:  # a link marked as the current page
        a = lk.a
        if a.get("aria-current") or _CURRENT_CLASS_RE.search(_classes_near(a)) or canonical_url(lk.url) == page_canon:
            current = lk.number
            break
    if current is None and len(marks) == 1:
        current = next(iter(marks))
    mapping = _mapping(found)
    if current is None:
        current = _page_of(here, mapping)
        if current is None and here is None and min(numbers) >= 2:
            current = 1  # the first page, not linked to itself
    highest = max(numbers | marks | ({current} if current else set()))
    return numbered, current, highest, cont, mapping


def _mapping(found: list[_Link]) -> tuple[str, int, int] | None:
    """(key, value of page 1, step) when the numbered links' positions follow value = first +
    step·(n - 1): 1-based pages (1, 1), zero-based (0, 1), offsets (0, page size)."""
    by_key: dict[str, set] = {}
    for lk in found:
        if lk.pos is not None:
            by_key.setdefault(lk.pos[0], set()).add((lk.number, lk.pos[1]))
    for key, pts in sorted(by_key.items(), key=lambda kv: -len(kv[1])):
        ordered = sorted(pts)
        if len(ordered) < 2:
            continue
        (n1, v1), (n2, v2) = ordered[0], ordered[-1]
        if n1 == n2 or (v2 - v1) % (n2 - n1):
            continue
        step = (v2 - v1) // (n2 - n1)
        first = v1 - step * (n1 - 1)
        if step > 0 and first >= 0 and all(v == first + step * (n - 1) for n, v in ordered):
            return key, first, step
    return None


def _page_of(pos: tuple[str, int] | None, mapping) -> int | None:
    """The page number of a URL position by the pager's mapping."""
    if mapping is None:
        return None
    key, first, step = mapping
    if pos is None:
        return 1
    if pos[0] != key:
        return None
    n, rest = divmod(pos[1] - first, step)
    return n + 1 if rest == 0 and n >= 0 else None


def _next_link(root, links: list[_Link], pager: Pager, here, page_canon: str, base: str, page_host: str) -> tuple[str | None, str]:
    for link in root.iter("link"):  # <link rel="next"> in the head
        if "next" in (link.get("rel") or "").lower().split():
            u = usable_link(link.get("href"), base, page_host)
            if u and pager.accepts(u, here, page_canon):
                return u, "auto: <link rel=next>"
    cur = pager.facts.current
    best: tuple[float, str, str] | None = None
    for lk in links:
        a = lk.a
        if _disabled(a) or not pager.accepts(lk.url, here, page_canon):
            continue
        rel = (a.get("rel") or "").lower().split()
        score, rule = 0.0, ""
        ahead = _ahead(lk.pos, here)
        if "next" in rel:
            score, rule = 10, "auto: a[rel=next]"
        elif lk.core in _NEXT_WORDS or lk.attr in _NEXT_WORDS:
            score, rule = 9, f"auto: link text '{element_text(a) or a.get('title') or a.get('aria-label')}'"
        elif lk.core in _LAST_WORDS or lk.attr in _LAST_WORDS or lk.core in _PREV_WORDS or lk.attr in _PREV_WORDS:
            continue
        elif cur is not None and lk.number == cur + 1 and pager.numbered.get(canonical_url(lk.url)) == lk.number:
            score, rule = 8, f"auto: page {cur + 1} in the numbered pager"
        elif len(lk.core) <= 20 and lk.number is None and _NEXT_CLASS_RE.search(_classes_near(a)) and not _LAST_CLASS_RE.search(_classes_near(a)):
            score, rule = 7, "auto: link with class 'next'"
        elif lk.pos and here and lk.pos[0] == here[0] and lk.pos[1] == here[1] + 1 and not is_offset_key(here[0]) and (
            lk.number is None or lk.number == lk.pos[1]
        ):
            score, rule = 6 if lk.core == str(here[1] + 1) else 5, f"auto: page {here[1] + 1} via '{here[0]}'"
        elif here is None and cur is None and lk.pos and lk.pos[1] == 2 and not is_offset_key(lk.pos[0]) and lk.number in (None, 2):
            score, rule = 5, f"auto: page 2 via '{lk.pos[0]}'"
        elif cur is None and lk.number is not None and lk.number == (here[1] + 1 if here else 2) and lk.pos is not None:
            score, rule = 4, f"auto: link text '{lk.number}' in pager"
        elif not lk.core and lk.text and any(c in lk.text for c in _NEXT_ARROWS) and not any(c in lk.text for c in _PREV_ARROWS):
            if ahead is False:
                continue
            jump = pager.numbered.get(canonical_url(lk.url))
            far = (jump is not None and cur is not None and jump > cur + 1) or (
                lk.pos and here and lk.pos[0] == here[0] and not is_offset_key(here[0]) and lk.pos[1] > here[1] + 1
            ) or (lk.pos and here is None and not is_offset_key(lk.pos[0]) and lk.pos[1] > 2)
            score, rule = (1 if far else 3), f"auto: arrow link '{lk.text.strip()}'"
        if score and (best is None or score > best[0]):
            best = (score, lk.url, rule)
    if best is None:
        return None, ""
    return best[1], best[2]


def _last_page(links: list[_Link], pager: Pager, mapping) -> int | None:
    """The page number a "Cuối"/"Last" link leads to, when the pager's numbers map its URL."""
    for lk in links:
        if not (lk.core in _LAST_WORDS or lk.attr in _LAST_WORDS or _LAST_CLASS_RE.search(_classes_near(lk.a))):
            continue
        n = pager.numbered.get(canonical_url(lk.url))
        if n is None and lk.pos is not None:
            n = _page_of(lk.pos, mapping)
        if n is not None:
            return n
        if lk.pos is not None and not is_offset_key(lk.pos[0]) and lk.pos[0] != "page":
            return lk.pos[1]  # 1-based page keys (_cur, PageIndex, paged, /page/N); `page` may be 0-based
    return None


def find_next_page(root, page_url: str, base: str | None = None) -> tuple[str | None, str]:
    """URL of the next list page and the rule that found it (see read_pager)."""
    pager = read_pager(root, page_url, base)
    return pager.next_url, pager.rule


__all__ = [
    "Pager",
    "find_next_page",
    "is_offset_key",
    "page_number",
    "read_pager",
]
