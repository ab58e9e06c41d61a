"""View-count rules used by `auto` and as every profile's fallback: labels in text, counts in
attributes (`data-views="905"`, `title="Lượt xem"`) and numbers after an eye icon."""

from __future__ import annotations

import json
import re

from ..numbers import VIEW_LABELS, ViewCountMatch, check_count, match_view_count
from ..text import element_text, fold, folding_to
from .rules_dates import compile_axis
from .rules_items import short_blocks
from .rules_regions import _SKIP_TAGS, in_boilerplate, is_boilerplate

_COUNT_ATTRS = (
    "data-views", "data-view", "data-view-count", "data-viewcount", "data-views-count",
    "data-luot-xem", "data-luotxem", "data-hits",
)
_EYE_RE = re.compile(r"(?:^|[-_\s])(?:fa-eye|eye|icon-eye|bi-eye|glyphicon-eye-open|icon-view|ico-view)(?:$|[-_\s])", re.I)
_LABEL_SET = {" ".join(lbl.split()) for lbl in VIEW_LABELS}


_COUNT_ATTR_SET = frozenset(_COUNT_ATTRS)
# an element whose class names it a view count: its bare number is the count
_COUNT_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:post-?views?|nr-?views|views?-?count|view-?counts?|count-?views?|luot-?xem|luotxem|"
    r"so-?luot-?xem|hits|post-?hits)(?:$|[-_\s\d])", re.IGNORECASE)
_NOT_COUNT_CLASS_RE = re.compile(r"views-(?:row|field|element|label)|view-content|views-view", re.IGNORECASE)
_TITLE_ATTRS = ("title", "aria-label", "data-original-title")
_ICON_TAGS = frozenset(("i", "span", "em", "img", "svg"))
_GATE_ATTRS = _COUNT_ATTR_SET | frozenset(_TITLE_ATTRS)  # attributes _attr_count reads, bar class


def _attr_count(el) -> tuple[ViewCountMatch | None, str]:
    keys = el.keys()
    for name in keys:
        if name in _COUNT_ATTR_SET:
            cm = check_count(el.get(name))
            if cm:
                cm.label = name
                return cm, f"auto: attribute {name}"
    for name in keys:
        if name not in _TITLE_ATTRS:
            continue
        v = el.get(name)
        vm = match_view_count(v)
        if vm:
            return vm, f"auto: label '{vm.label}' in {name} attribute"
        if fold(v).strip(" :：").replace("  ", " ") in _LABEL_SET:
            cm = check_count(element_text(el))
            if cm:
                cm.label = v.strip(" :：")
                return cm, f"auto: number in element titled '{cm.label}'"
    cls = el.get("class")
    if cls and _COUNT_CLASS_RE.search(cls) and not _NOT_COUNT_CLASS_RE.search(cls):
        cm = check_count(element_text(el))  # <span class="post-views-count">1.234</span>
        if cm:
            cm.label = cls.split()[0]
            return cm, f"auto: number in element classed '{cm.label}'"
    if cls and "eye" in cls.lower() or cls and "view" in cls.lower():
        if el.tag in _ICON_TAGS and _EYE_RE.search(cls):
            cm = check_count(el.tail)
            if cm is None and el.getparent() is not None:
                cm = check_count(element_text(el.getparent()))
            if cm:
                cm.label = "eye icon"
                return cm, "auto: number after an eye icon"
    return None, ""


def attr_view_count(elements, keep=None) -> tuple[ViewCountMatch | None, str]:
    """A count printed in an attribute or after an eye icon, in the first element that has one
    (and passes `keep`, when given)."""
    for el in elements:
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            continue
        keys = el.keys()
        if not keys:
            continue
        if _GATE_ATTRS.isdisjoint(keys):  # then only an eye/view/hits class can hold a count
            cls = el.get("class")
            if not cls or ("eye" not in (low := cls.lower()) and "view" not in low and "hits" not in low and "xem" not in low):
                continue
        m, rule = _attr_count(el)
        if m and (keep is None or keep(el)):
            return m, rule
    return None, ""


_LABEL_HINT_RE = re.compile(r"(?<![a-z])(?:luot\s*(?:xem|doc|view)|lan\s*(?:xem|doc)|view\s*count|views?)(?![a-z])")


def _spelled(word: str) -> str:
    """A regex for lowercased text whose fold() holds `word`: each letter as any character that
    folds to it, with room for the combining marks fold() drops (all non-ASCII) in between."""
    return "[^\\x00-\\x7f]*".join(f"[{re.escape(folding_to(c))}]" for c in word)


# every label word holds "luot", "lan" or "view": text without them needs no fold()
_LABEL_WORDS_RE = re.compile(f"{_spelled('luot')}|{_spelled('lan')}|{_spelled('view')}")


def _may_hold_label(elements) -> bool:
    """Cheap gate: does any text node of these elements contain a view-label word?"""
    own = " ".join(
        t for e in elements if e.tag not in _SKIP_TAGS for t in (e.text, e.tail) if t and not t.isspace()
    )
    if not _LABEL_WORDS_RE.search(own.lower()):
        return False
    return bool(_LABEL_HINT_RE.search(fold(own)))


def item_views(container, link_els=(), blocks: list[str] | None = None) -> tuple[ViewCountMatch | None, str]:
    """View count in a list item: a label in its short texts (never inside the title link), then
    attributes and eye icons."""
    if blocks is None:
        blocks = short_blocks(container, link_els)
    m = match_view_count(" | ".join(blocks))
    if m and not _SITE_COUNTER_RE.search(fold(" | ".join(blocks))):
        return m, f"auto: label '{m.label}' in item text"
    excl = set(link_els)
    m, rule = attr_view_count(e for e in container.iter() if e not in excl)
    if m:
        return m, rule
    for el in container.iter("meta"):
        if el.get("itemprop") == "interactionCount":
            cm = _interaction_count(el.get("content"))
            if cm:
                return cm, "auto: schema.org interactionCount in item"
    return None, ""


# a site's visitor counter, never an article's count
_SITE_COUNTER_RE = re.compile(
    r"dang\s*(?:truy\s*cap|online|xem)|tong\s*(?:so\s*)?(?:luot\s*)?truy\s*cap|online|truc\s*tuyen|hom\s*nay|"
    r"thong\s*ke\s*truy\s*cap|luot\s*truy\s*cap\s*(?:website|trang)|tong\s*luot\s*xem"
)


def _article_count(text: str, info_line: bool) -> ViewCountMatch | None:
    """A labelled count in a short text of the article; "Lượt truy cập" only in its info line,
    never a visitor counter ("Đang truy cập", "Tổng truy cập", "Đang online")."""
    m = match_view_count(text)
    if m is None:
        return None
    folded = fold(text)
    if _SITE_COUNTER_RE.search(folded) or ("truy" in fold(m.label) and not info_line):
        return None
    return m


def _info_line(date_el, limit: int = 400):
    """The block around the date that holds the article's info line (author, date, count …)."""
    node, block = date_el, None
    for _ in range(3):
        node = node.getparent() if node is not None else None
        if node is None or not isinstance(node.tag, str) or node.tag in ("body", "html"):
            break
        if len(" ".join(node.itertext())) > limit:
            break
        block = node
    return block


def find_views_near(
    root, title_el, date_el=None, elements=(), body_el=None
) -> tuple[ViewCountMatch | None, str, object | None]:
    """View count of an article page, with its rule and element: a label in the date line, in
    the info line around it, in short texts near the title (no visitor counter), attributes and
    eye icons there; then schema.org interaction counts; then an info line after the body."""
    if date_el is not None:
        m = match_view_count(element_text(date_el))
        if m:
            return m, f"auto: label '{m.label}' in the date line", date_el
        block = _info_line(date_el)
        if block is not None:
            for el in block.iter():
                if el is date_el or not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
                    continue
                text = element_text(el)
                m = _article_count(text, info_line=True) if text and len(text) <= 160 else None
                if m:
                    return m, f"auto: label '{m.label}' in the info line", el
    cache: dict = {}
    for el in elements if _may_hold_label(elements) else ():
        if el.tag in _SKIP_TAGS:
            continue
        text = element_text(el)
        if not text or len(text) > 160:
            continue
        m = _article_count(text, info_line=False)
        if m and not in_boilerplate(el, cache):
            return m, f"auto: label '{m.label}' near the title", el
    scope = list(date_el.iter()) if date_el is not None else []
    m, rule = attr_view_count([*scope, *elements], keep=lambda e: not in_boilerplate(e, cache))
    if m:
        return m, rule, None
    m, rule = schema_views(root)
    if m:
        return m, rule, None
    if body_el is not None:
        return views_after_body(body_el, cache)
    return None, "", None


def views_after_body(body_el, cache: dict | None = None, after: int = 40) -> tuple[ViewCountMatch | None, str, object | None]:
    """A labelled count in the article's info line after its text: the last short blocks of the
    body, then the elements after it up to the next section (a heading, a list of links, a
    sidebar or footer)."""
    cache = {} if cache is None else cache
    tail = [e for e in body_el.iterdescendants() if isinstance(e.tag, str)][-12:]
    following = compile_axis("following", after)(body_el)
    for el in [*reversed(tail), *following]:
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            continue
        if el in following and (tag in ("h1", "h2", "h3", "h4", "aside", "nav") or is_boilerplate(el, cache)):
            break
        if el in following and sum(1 for _ in el.iter("a")) >= 3:
            break
        text = element_text(el)
        if not text or len(text) > 160:
            continue
        m = _article_count(text, info_line=False)
        if m and not in_boilerplate(el, cache):
            return m, f"auto: label '{m.label}' after the body", el
    return None, "", None


_INTERACTION_RE = re.compile(r'"(?:interactionStatistic|interactionCount)"')
_READ_TYPES = ("read", "view", "watch")


def schema_views(root) -> tuple[ViewCountMatch | None, str]:
    """schema.org counts: microdata `itemprop="interactionCount"` ("UserPageVisits:312") or an
    `interactionStatistic` with `userInteractionCount`, and the same in JSON-LD."""
    for el in root.iter("meta", "span", "div", "link"):
        prop = el.get("itemprop")
        if not prop:
            continue
        if prop == "interactionCount":
            cm = _interaction_count(el.get("content") or element_text(el))
            if cm:
                return cm, "auto: schema.org interactionCount"
        elif prop == "interactionStatistic":
            kind = " ".join(str(x.get("content") or x.get("href") or "") for x in el.iter() if x.get("itemprop") == "interactionType")
            if kind and not any(t in kind.lower() for t in _READ_TYPES):
                continue
            for x in el.iter():
                if x.get("itemprop") == "userInteractionCount":
                    cm = check_count(x.get("content") or element_text(x))
                    if cm and cm.value is not None:
                        cm.label = "userInteractionCount"
                        return cm, "auto: schema.org interactionStatistic"
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        if not _INTERACTION_RE.search(script.text):
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        cm = _json_ld_count(data, 0)
        if cm:
            return cm, "auto: JSON-LD interactionStatistic"
    return None, ""


def _interaction_count(value: str | None) -> ViewCountMatch | None:
    """ "UserPageVisits:312", "UserViews:5" or "312"; other interactions (comments, likes) are no views."""
    text = (value or "").strip()
    kind, _, num = text.rpartition(":")
    if kind and not any(t in kind.lower() for t in ("visit", "view", "read", "hit")):
        return None
    cm = check_count(num)
    if cm is None or cm.value is None:
        return None
    cm.label = "interactionCount"
    return cm


def _json_ld_count(data, depth: int) -> ViewCountMatch | None:
    if depth > 6:
        return None
    if isinstance(data, list):
        for x in data:
            cm = _json_ld_count(x, depth + 1)
            if cm:
                return cm
        return None
    if not isinstance(data, dict):
        return None
    stats = data.get("interactionStatistic")
    for stat in stats if isinstance(stats, list) else [stats]:
        if isinstance(stat, dict):
            kind = json.dumps(stat.get("interactionType", "")).lower()
            if kind.strip('"') and not any(t in kind for t in _READ_TYPES):
                continue
            cm = check_count(str(stat.get("userInteractionCount", "")))
            if cm and cm.value is not None:
                cm.label = "userInteractionCount"
                return cm
    count = data.get("interactionCount")
    if isinstance(count, str | int):
        cm = _interaction_count(str(count))
        if cm:
            return cm
    for key in ("@graph", "mainEntity", "mainEntityOfPage"):
        if key in data:
            cm = _json_ld_count(data[key], depth + 1)
            if cm:
                return cm
    return None
