"""List-page rules: grouping repeated same-shape links into items, the main cluster, items of
other URL shapes in the same structure; the site's list found on an earlier page first."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from ..numbers import match_view_count
from ..text import raw_text
from ..types import ListHint
from ..urls import absolute_url, canonical_url
from .rules_hint import items_by_hint, make_hint
from .rules_items import (
    ListItem,
    _best_link_text,
    _has_date,
    _title_like,
    _trailing_siblings,
    item_summary,
    item_title,
    path_shape,
    short_blocks,
)
from .rules_regions import (
    _host,
    _is_descendant,
    base_url,
    describe,
    in_boilerplate,
    is_boilerplate,
    main_region,
    side_block,
    usable_link,
)


def _shape_label(shape: tuple) -> str:
    path = "/" + "/".join(shape[0])
    if shape[1]:
        path += "?" + "&".join(f"{k}=…" for k in shape[1])
    return path


def find_list_items(
    root, page_url: str, base: str | None = None, hint: ListHint | None = None
) -> tuple[list[ListItem], str, ListHint | None]:
    """The list's items, their rule and the hint for the site's next list page: by `hint` (the
    item containers found on an earlier page of the site) when it finds items here, else the
    largest group of repeated same-shape article links, preferring the main content region."""
    base = base or base_url(root, page_url)
    if hint is not None:
        items = items_by_hint(root, page_url, base, hint)
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


def _region_weight(items: list[ListItem], main) -> float:
    """1 for items in the main region (or a page without one), less for a side block."""
    if not items:
        return 1.0
    parent = items[0].container.getparent()
    weight = 1.0
    if main is not None and not any(_is_descendant(it.container, main) for it in items):
        weight *= 0.2
    if parent is not None and side_block(parent):
        weight *= 0.2
    return weight


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


__all__ = [
    "ListItem",
    "find_list_items",
    "item_summary",
    "item_title",
    "path_shape",
    "short_blocks",
]
