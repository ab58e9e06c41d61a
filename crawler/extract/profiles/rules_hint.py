"""The site's list, remembered: an XPath that selects exactly the item containers found on one
list page (with the classes all of them share), tried first on the site's next list pages."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from ..text import element_text
from ..types import ListHint
from .rules_items import ListItem, _trailing_siblings, path_shape
from .rules_regions import _host, in_boilerplate, side_block, usable_link


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


def items_by_hint(root, page_url: str, base: str, hint: ListHint) -> list[ListItem]:
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
    # items beside the selected ones that the hint misses (a class some items lack), or items in
    # a box beside the list ("Tin mới", a sidebar): not this hint
    chosen = {c for c, _, _ in per}
    tags = {c.tag for c in chosen}
    cache: dict = {}
    for parent in {c.getparent() for c in chosen} - {None}:
        if in_boilerplate(parent, cache) or side_block(parent):
            return []
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


__all__ = ["make_hint", "items_by_hint"]
