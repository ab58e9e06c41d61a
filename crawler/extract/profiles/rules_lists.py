"""List-page rules: URL path shapes, grouping repeated links into items, same-structure items, item title and summary."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from ..dates import find_datetime
from ..numbers import match_view_count
from ..text import clean_text, element_text, normalize_ws, raw_text
from ..urls import absolute_url, canonical_url
from .rules_regions import (
    _SKIP_TAGS,
    _host,
    _is_descendant,
    base_url,
    describe,
    in_boilerplate,
    is_boilerplate,
    usable_link,
)

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


def _shape_label(shape: tuple) -> str:
    path = "/" + "/".join(shape[0])
    if shape[1]:
        path += "?" + "&".join(f"{k}=…" for k in shape[1])
    return path


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


def find_list_items(root, page_url: str, base: str | None = None) -> tuple[list[ListItem], str]:
    """Largest group of repeated same-shape article links in the main content, with containers."""
    base = base or base_url(root, page_url)
    page_host = _host(urlsplit(page_url).netloc)
    page_canon = canonical_url(page_url)
    body = root.find(".//body")
    scope = body if body is not None else root
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    page_anc: dict = defaultdict(set)  # element -> on-site URLs linked below it
    for a in scope.iter("a"):
        u = usable_link(a.get("href"), base, page_host)
        if not u or canonical_url(u) == page_canon:
            continue
        groups[path_shape(u)].append((a, u))
        for anc in a.iterancestors():
            page_anc[anc].add(u)

    boiler_cache: dict = {}
    best: tuple | None = None
    for shape, links in groups.items():
        items = _group_items(links, boiler_cache, page_anc)
        if not items:
            continue
        titled = dated = viewed = 0
        for it in items:
            title = _best_link_text(it.links)
            if len(title.split()) >= 3 or len(title) >= 20:
                titled += 1
            text = it.text()
            if find_datetime(text):
                dated += 1
            if match_view_count(text):
                viewed += 1
        if titled == 0 and dated == 0:
            continue
        # dates are the strongest sign of a news list; then counts; then title-like link texts
        score = 3 * dated + viewed + titled
        if best is None or score > best[0]:
            best = (score, shape, items)
    if best is None:
        return [], "auto: no repeated article links found"
    _, shape, items = best
    items = _main_cluster(items)
    extra = _same_structure_items(items, groups, shape, base)
    cont = ", ".join(sorted({describe(it.container) for it in items}))
    rule = f"auto: {len(items)} repeated links {_shape_label(shape)} in containers {cont}"
    if extra:
        order = {el: i for i, el in enumerate(scope.iter())}
        items = sorted(items + extra, key=lambda it: order.get(it.container, 0))
        rule += f" (+{len(extra)} of other URL shapes in the same item structure)"
    return items, rule


def _same_structure_items(items: list[ListItem], groups: dict, shape: tuple, base: str) -> list[ListItem]:
    """Items of the list whose URL has another shape (a truncated slug, another suffix): links
    inside an element with the same tag/classes and parent as the list's item containers."""
    parents = {it.container.getparent(): None for it in items}
    parents.pop(None, None)
    sigs = {_signature(it.container) for it in items}
    taken = {it.container: None for it in items}
    have = {it.url for it in items}
    out: list[ListItem] = []
    for other, links in groups.items():
        if other == shape:
            continue
        for a, u in links:
            if u in have:
                continue
            for anc in a.iterancestors():
                if anc in parents:
                    break
                if anc.getparent() in parents and _signature(anc) in sigs:
                    if anc not in taken:
                        taken[anc] = None
                        have.add(u)
                        own = [x for x in anc.iter("a") if x.get("href") and absolute_url(base, x.get("href").strip()) == u]
                        out.append(ListItem(anc, u, own or [a]))
                    break
    return out


def _signature(el) -> tuple:
    return (el.tag, tuple(sorted((el.get("class") or "").split())))


def _main_cluster(items: list[ListItem]) -> list[ListItem]:
    """Drop items that sit in another block (e.g. a "most read" box using the same URL shape):
    keep the best-scoring sibling cluster plus clusters of the same container type or region."""
    clusters: dict = defaultdict(list)  # container parent -> items
    for it in items:
        clusters[it.container.getparent()].append(it)
    if len(clusters) <= 1:
        return items

    def score(cl):
        return sum(3 * bool(find_datetime(raw_text(it.container))) + 1 for it in cl)

    best_parent, best = max(clusters.items(), key=lambda kv: score(kv[1]))
    sigs = {_signature(it.container) for it in best}
    region = best_parent.getparent() if best_parent is not None else None
    keep: set[int] = set()
    for parent, cl in clusters.items():
        same_region = parent is best_parent or (
            region is not None and parent is not None and parent.getparent() is region
        )
        if same_region or any(_signature(it.container) in sigs for it in cl):
            keep.update(id(it) for it in cl)
    return [it for it in items if id(it) in keep]


def _group_items(links: list[tuple], boiler_cache: dict, page_anc: dict) -> list[ListItem]:
    """One item per URL; its container is the highest ancestor holding no other URL of the group
    (for a lone URL: no other link at all)."""
    by_url: dict[str, list] = defaultdict(list)
    for a, u in links:
        by_url[u].append(a)
    if len(by_url) > 1:
        anc_urls: dict = defaultdict(set)  # keyed by element: keeps lxml proxies alive
        for a, u in links:
            for anc in a.iterancestors():
                anc_urls[anc].add(u)
    else:
        anc_urls = page_anc
    group_anchors = {a for a, _ in links}
    items = []
    for u, anchors in by_url.items():
        anchor = max(anchors, key=lambda a: len(element_text(a)))
        container = anchor
        for anc in anchor.iterancestors():
            tag = anc.tag.lower() if isinstance(anc.tag, str) else ""
            if tag in ("body", "html") or len(anc_urls.get(anc, ())) > 1:
                break
            container = anc
        parent = container.getparent()
        if parent is not None and in_boilerplate(parent, boiler_cache):
            continue
        if container is not anchor and is_boilerplate(container, boiler_cache):
            continue
        own = [a for a in anchors if a is container or _is_descendant(a, container)]
        items.append(ListItem(container, u, own or [anchor], _trailing_siblings(container, group_anchors)))
    # keep document order
    order = {id(a): i for i, (a, _) in enumerate(links)}
    items.sort(key=lambda it: min(order[id(a)] for a in it.links))
    return items


def _trailing_siblings(container, group_anchors: set, limit: int = 3) -> list:
    """Siblings after a container that has no date of its own, up to the next item's link."""
    if find_datetime(raw_text(container)):
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


def _best_link_text(anchors) -> str:
    best = ""
    for a in anchors:
        t = element_text(a) or clean_text(a.get("title")) or ""
        if not t:
            for img in a.iter("img"):
                t = clean_text(img.get("alt") or img.get("title"))
                break
        if len(t) > len(best):
            best = t
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
    "find_list_items",
    "item_summary",
    "item_title",
    "path_shape",
    "short_blocks",
]
