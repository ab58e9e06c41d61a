"""List-page rules: URL path shapes, grouping repeated links into items, same-structure items, item title and summary."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from ..dates import find_datetime
from ..numbers import match_view_count
from ..text import clean_text, element_text, fold, normalize_ws, raw_text
from ..types import ListHint
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
    visible_text,
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


def find_list_items(
    root, page_url: str, base: str | None = None, hint: ListHint | None = None
) -> tuple[list[ListItem], str, ListHint | None]:
    """The list's items, their rule and the hint for the site's next list page: by `hint` (the
    item containers found on an earlier page of the site) when it finds items here, else the
    largest group of repeated same-shape article links, preferring the main content region."""
    base = base or base_url(root, page_url)
    if hint is not None:
        items = _items_by_hint(root, page_url, base, hint)
        if items:
            return items, f"auto: {len(items)} items of the site's list ({hint.item[:80]})", hint
    items, rule, shape = _find_items(root, page_url, base)
    new_hint = make_hint(root, items, shape) if items else None
    return items, rule, new_hint


def _find_items(root, page_url: str, base: str) -> tuple[list[ListItem], str, tuple]:
    """Largest group of repeated same-shape article links in the main content, with containers."""
    page_host = _host(urlsplit(page_url).netloc)
    page_canon = canonical_url(page_url)
    body = root.find(".//body")
    scope = body if body is not None else root
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for a in scope.iter("a"):
        u = usable_link(a.get("href"), base, page_host)
        if not u or canonical_url(u) == page_canon:
            continue
        groups[path_shape(u)].append((a, u))
    anc_cache: list[dict] = []

    def page_anc() -> dict:  # element -> on-site URLs linked below it; built when first needed
        if not anc_cache:
            found: dict = defaultdict(set)
            for links in groups.values():
                for a, u in links:
                    for anc in a.iterancestors():
                        found[anc].add(u)
            anc_cache.append(found)
        return anc_cache[0]

    boiler_cache: dict = {}
    found: list[tuple] = []
    main_found: list = []

    def main():  # looked up only when two blocks compete
        if not main_found:
            main_found.append(main_region(root))
        return main_found[0]

    for shape, links in groups.items():
        if len({u for _, u in links}) == 1 and not _title_like(_best_link_text([a for a, _ in links])):
            continue  # one link that reads like a menu entry, not an article
        items = _group_items(links, boiler_cache, page_anc)
        if not items:
            continue
        titled = dated = viewed = 0
        for it in items:
            if _title_like(_best_link_text(it.links)):
                titled += 1
            text = it.text()
            if _has_date(text):
                dated += 1
            if match_view_count(text):
                viewed += 1
        if titled == 0 and dated == 0:
            continue
        # dates are the strongest sign of a news list; then counts; then title-like link texts
        found.append((3 * dated + viewed + titled, shape, items))
    if not found:
        return [], "auto: no repeated article links found", ()
    if len(found) > 1:  # items outside the main content region (a "Tin mới" box beside it) count for less
        found = [(score * _region_weight(items, main()), shape, items) for score, shape, items in found]
    _, shape, items = max(found, key=lambda f: f[0])
    items = _main_cluster(_align_containers(items), main)
    items = list({it.url: it for it in reversed(items)}.values())[::-1]  # a URL once: its first item
    extra = _same_structure_items(items, groups, shape, base)
    cont = ", ".join(sorted({describe(it.container) for it in items}))
    rule = f"auto: {len(items)} repeated links {_shape_label(shape)} in containers {cont}"
    if extra:
        order = {el: i for i, el in enumerate(scope.iter())}
        items = sorted(items + extra, key=lambda it: order.get(it.container, 0))
        rule += f" (+{len(extra)} of other URL shapes in the same item structure)"
    return items, rule, shape


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


def _align_containers(items: list[ListItem]) -> list[ListItem]:
    """Items whose container is a wrapper around the element the other items use (Joomla's
    leading item: `div.items-leading > div.blog-item`): that element becomes their container."""
    counts: dict = defaultdict(int)
    for it in items:
        counts[_signature(it.container)] += 1
    if len(counts) < 2:
        return items
    usual = max(counts, key=lambda k: counts[k])
    for it in items:
        if _signature(it.container) == usual:
            continue
        node = it.links[0].getparent() if it.links else None
        while node is not None and node is not it.container:
            if _signature(node) == usual:
                it.container = node
                break
            node = node.getparent()
    return items


def _main_cluster(items: list[ListItem], main_of=lambda: None) -> list[ListItem]:
    """Drop items that sit in another block (e.g. a "most read" box using the same URL shape):
    keep the best-scoring sibling cluster plus clusters of the same container type or region.
    `main_of()` gives the page's main region."""
    clusters: dict = defaultdict(list)  # container parent -> items
    for it in items:
        clusters[it.container.getparent()].append(it)
    if len(clusters) <= 1:
        return items
    main = main_of()

    def score(cl):
        return sum(3 * _has_date(raw_text(it.container)) + 1 for it in cl) * _region_weight(cl, main)

    best_parent, best = max(clusters.items(), key=lambda kv: score(kv[1]))
    sigs = {_signature(it.container) for it in best}
    region = best_parent.getparent() if best_parent is not None else None
    best_weight = _region_weight(best, main)
    keep: set[int] = set()
    for parent, cl in clusters.items():
        same_region = parent is best_parent or (
            region is not None and parent is not None and parent.getparent() is region
        )
        if same_region or (any(_signature(it.container) in sigs for it in cl) and _region_weight(cl, main) >= best_weight):
            keep.update(id(it) for it in cl)
    return [it for it in items if id(it) in keep]


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


def _side_block(parent) -> bool:
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


def _region_weight(items: list[ListItem], main) -> float:
    """1 for items in the main region (or a page without one), less for a side block."""
    if not items:
        return 1.0
    parent = items[0].container.getparent()
    weight = 1.0
    if main is not None and not any(_is_descendant(it.container, main) for it in items):
        weight *= 0.2
    if parent is not None and _side_block(parent):
        weight *= 0.2
    return weight


# ------------------------------------------------------------------ the site's list, remembered
@lru_cache(maxsize=256)
def _xpath(expr: str) -> etree.XPath:
    return etree.XPath(expr)


_POSITION_CLASS_RE = re.compile(r"\d|(?:^|[-_])(?:odd|even|first|last|active|current|selected|leading|new|hot)$")
_IDENT_RE = re.compile(r"[A-Za-z_][\w-]*")


def _step(tag: str, classes: set[str], id_: str | None) -> str:
    preds = "".join(f"[contains(concat(' ', normalize-space(@class), ' '), ' {c} ')]" for c in sorted(classes))
    if id_:
        preds += f"[@id='{id_}']"
    return tag + preds


def _stable_classes(el) -> set[str]:
    """Class words that name a kind of element, not its position ("views-row-3", "odd", "first")."""
    return {c for c in (el.get("class") or "").split() if _IDENT_RE.fullmatch(c) and not _POSITION_CLASS_RE.search(c)}


def make_hint(root, items: list[ListItem], shape: tuple) -> ListHint | None:
    """An XPath that selects exactly these item containers on this page: per shape of their
    paths (tags from two to six levels up), each level's tag and the classes all of them share;
    None when no such XPath does."""
    conts = [it.container for it in items]
    want = set(conts)
    for depth in range(2, 7):
        chains: dict[tuple, list[list]] = defaultdict(list)  # the tags of a path -> its elements
        for el in conts:
            chain, node = [], el
            for _ in range(depth):
                if node is None or not isinstance(node.tag, str) or node.tag in ("html", "body"):
                    break
                chain.append(node)
                node = node.getparent()
            chains[tuple(e.tag for e in chain)].append(chain)
        if len(chains) > 3:
            return None
        levels: list[list] = []  # per path: per level [tag, classes, id]
        for tags, members in chains.items():
            steps = []
            for level, tag in enumerate(tags):
                els = [m[level] for m in members]
                classes = set.intersection(*(_stable_classes(e) for e in els))
                ids = {e.get("id") for e in els}
                id_ = ids.pop() if len(ids) == 1 else None
                steps.append([tag, classes, id_ if id_ and _IDENT_RE.fullmatch(id_) and not re.search(r"\d", id_) else None])
            levels.append(steps)
        found = _select(root, levels)
        if found is None or not want <= found:
            return None
        if found == want:
            _fewest_classes(root, levels, want)  # classes all items here happen to share may not be on the next page
            return ListHint(_expr(levels), shape, trailing=any(it.extra for it in items))
    return None


def _expr(levels: list[list]) -> str:
    return " | ".join(sorted("//" + "/".join(_step(*st) for st in reversed(steps)) for steps in levels))


def _select(root, levels: list[list]) -> set | None:
    try:
        return set(_xpath(_expr(levels))(root))
    except etree.XPathError:
        return None


def _fewest_classes(root, levels: list[list], want: set) -> None:
    """Drop the class words (items' own level first) the XPath does not need to select `want`."""
    for steps in levels:
        for step in steps:
            for c in sorted(step[1]):
                step[1] = step[1] - {c}
                if _select(root, levels) != want:
                    step[1] = step[1] | {c}


def _items_by_hint(root, page_url: str, base: str, hint: ListHint) -> list[ListItem]:
    """The item containers the hint selects, each with its article link (the hint's URL shape
    first, else the longest link text), in document order."""
    page_host = _host(urlsplit(page_url).netloc)
    try:
        conts = _xpath(hint.item)(root)
    except etree.XPathError:
        return []
    per: list[tuple] = []
    group_anchors: set = set()
    for c in conts:
        anchors = [(a, u) for a in c.iter("a") if (u := usable_link(a.get("href"), base, page_host))]
        if not anchors:
            continue
        # the link of the hint's URL shape (another list of the site: the longest link text)
        shaped = [(a, u) for a, u in anchors if path_shape(u) == hint.link_shape]
        a, u = max(shaped or anchors, key=lambda au: len(element_text(au[0])))
        per.append((c, u, [x for x, v in anchors if v == u]))
        group_anchors.update(x for x, _ in anchors)
    # items beside the selected ones that the hint misses (a class some items lack): not this hint
    chosen = {c for c, _, _ in per}
    tags = {c.tag for c in chosen}
    for parent in {c.getparent() for c in chosen} - {None}:
        for sib in parent:
            if sib in chosen or sib.tag not in tags:
                continue
            if any((u := usable_link(a.get("href"), base, page_host)) and path_shape(u) == hint.link_shape for a in sib.iter("a")):
                return []
    items, seen = [], set()
    for c, u, own in per:
        if u in seen:
            continue
        seen.add(u)
        items.append(ListItem(c, u, own, _trailing_siblings(c, group_anchors) if hint.trailing else ()))
    return items


def _title_like(text: str) -> bool:
    return len(text.split()) >= 3 or len(text) >= 20


def _group_items(links: list[tuple], boiler_cache: dict, page_anc) -> list[ListItem]:
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
        anc_urls = page_anc()
    group_anchors = {a for a, _ in links}
    items = []

    def climb(anchor):
        container = anchor
        for anc in anchor.iterancestors():
            tag = anc.tag.lower() if isinstance(anc.tag, str) else ""
            if tag in ("body", "html") or len(anc_urls.get(anc, ())) > 1:
                break
            container = anc
        return container

    for u, anchors in by_url.items():
        # the same URL in two places (the list and a "Tin mới" box): one item in each
        by_cont: dict = {}
        for a in anchors:
            by_cont.setdefault(climb(a), []).append(a)
        for container, own in by_cont.items():
            if any(other is not container and _is_descendant(container, other) for other in by_cont):
                continue
            parent = container.getparent()
            if parent is not None and in_boilerplate(parent, boiler_cache):
                continue
            if container not in own and is_boilerplate(container, boiler_cache):
                continue
            own = [a for a in anchors if a is container or _is_descendant(a, container)] or own
            items.append(ListItem(container, u, own, _trailing_siblings(container, group_anchors)))
    # keep document order
    order = {id(a): i for i, (a, _) in enumerate(links)}
    items.sort(key=lambda it: min(order[id(a)] for a in it.links))
    return items


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
    "find_list_items",
    "item_summary",
    "item_title",
    "path_shape",
    "short_blocks",
]
