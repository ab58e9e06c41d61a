"""List items: the shape of a list URL, an item (container, URL, links, trailing siblings),
its title, its short texts and its summary."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from ..dates import find_datetime
from ..numbers import match_view_count
from ..text import clean_text, element_text, fold, normalize_ws, raw_text
from .rules_regions import _SKIP_TAGS, visible_text

_EXT_RE = re.compile(r"\.(s?html?|aspx?|php\d?|jsp|cfm|do)$", re.IGNORECASE)


@lru_cache(maxsize=8192)
def path_shape(url: str) -> tuple:
    """Abstract shape of a URL: literal directories, numeric parts abstracted, query keys."""
    parts = urlsplit(url)
    segs = [s for s in parts.path.split("/") if s]
    shape: list[str] = []
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        m = _EXT_RE.search(seg)
        ext = m.group(0).lower() if m else ""
        name = seg[: m.start()] if m else seg
        if name.isdigit():
            tok = "<n>"
        elif last:
            tok = "<name>" + ext
        elif re.search(r"\d", name):
            tok = "<x>" + ext
        else:
            tok = seg.lower()
        shape.append(tok)
    keys = tuple(sorted({k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return (tuple(shape), keys)


_ITEM_TEXT = 1500  # a list item prints its date within this many characters


def _has_date(text: str) -> bool:
    """Does an item's text hold a date (read in its first characters: a block much longer than
    a list item is looked at only as far as an item would reach)?"""
    return find_datetime(text[:_ITEM_TEXT]) is not None


class ListItem:
    """A list entry found by the heuristics: its container element, URL and link elements."""

    __slots__ = ("container", "url", "links", "extra")

    def __init__(self, container, url, links, extra=()):
        self.container = container
        self.url = url
        self.links = links
        # following siblings that belong to the item (e.g. <h3><a/></h3><p>date</p> with no wrapper)
        self.extra = list(extra)

    def text(self) -> str:
        parts = [raw_text(self.container)]
        parts.extend(raw_text(e) for e in self.extra)
        return " | ".join(parts)

    def blocks(self) -> list[str]:
        out = short_blocks(self.container, self.links)
        for e in self.extra:
            out.extend(short_blocks(e))
        return out


def _title_like(text: str) -> bool:
    return len(text.split()) >= 3 or len(text) >= 20


def _trailing_siblings(container, group_anchors: set, limit: int = 3) -> list:
    """Siblings after a container that has no date of its own, up to the next item's link."""
    if _has_date(raw_text(container)):
        return []
    out: list = []
    sib = container.getnext()
    while sib is not None and len(out) < limit:
        if isinstance(sib.tag, str) and sib.tag.lower() not in _SKIP_TAGS:
            if sib in group_anchors or any(a in group_anchors for a in sib.iter("a")):
                break
            out.append(sib)
        sib = sib.getnext()
    return out


_READ_MORE = ("xem them", "doc them", "xem chi tiet", "chi tiet", "xem tiep", "doc tiep", "read more", "more")


def _best_link_text(anchors) -> str:
    """The longest visible text of the links ("Xem thêm" links last; screen-reader text left out)."""
    best, best_key = "", (False, 0)
    for a in anchors:
        t = visible_text(a) or clean_text(a.get("title")) or ""
        if not t:
            for img in a.iter("img"):
                t = clean_text(img.get("alt") or img.get("title"))
                break
        key = (not fold(t).startswith(_READ_MORE), len(t))
        if key > best_key:
            best, best_key = t, key
    return best


def item_title(item: ListItem) -> str | None:
    return _best_link_text(item.links) or None


def short_blocks(container, link_els=(), limit: int = 160) -> list[str]:
    """Texts of the maximal descendants with short text (document order), link elements excluded."""
    excl = set(link_els)
    has_excl: set = set()
    for a in link_els:
        for anc in a.iterancestors():
            has_excl.add(anc)
            if anc is container:
                break
    out: list[str] = []

    def walk(el):
        if el not in has_excl:
            raw = raw_text(el)
            if len(raw) <= limit or len(normalize_ws(raw)) <= limit:
                out.append(element_text(el))
                return
        if el.text:
            out.append(el.text)
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag.lower() not in _SKIP_TAGS and child not in excl:
                walk(child)
            if child.tail:
                out.append(child.tail)

    if isinstance(container.tag, str):
        walk(container)
    return [t for t in (clean_text(x) for x in out) if t]


def item_summary(container, link_els=(), date_text: str | None = None, blocks: list[str] | None = None) -> str | None:
    """The longest text of the item that is not the title, the date line or the count."""
    if blocks is None:
        blocks = short_blocks(container, link_els, limit=1000)
    best = ""
    for text in blocks:
        if date_text and date_text in text and len(text) < len(date_text) + 40:
            continue
        if len(text) < 80 and match_view_count(text):
            continue
        if len(text) > len(best):
            best = text
    return best if len(best) >= 30 else None


__all__ = [
    "ListItem",
    "item_summary",
    "item_title",
    "path_shape",
    "short_blocks",
]
