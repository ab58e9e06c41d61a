"""View-count rules used by `auto` and as every profile's fallback: labels in text, counts in
attributes (`data-views="905"`, `title="Lượt xem"`) and numbers after an eye icon."""

from __future__ import annotations

import re

from ..numbers import VIEW_LABELS, ViewCountMatch, check_count, match_view_count
from ..text import element_text, fold, folding_to
from .rules_lists import short_blocks
from .rules_regions import _SKIP_TAGS, in_boilerplate

_COUNT_ATTRS = (
    "data-views", "data-view", "data-view-count", "data-viewcount", "data-views-count",
    "data-luot-xem", "data-luotxem", "data-hits",
)
_EYE_RE = re.compile(r"(?:^|[-_\s])(?:fa-eye|eye|icon-eye|bi-eye|glyphicon-eye-open|icon-view|ico-view)(?:$|[-_\s])", re.I)
_LABEL_SET = {" ".join(lbl.split()) for lbl in VIEW_LABELS}


_COUNT_ATTR_SET = frozenset(_COUNT_ATTRS)
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
        if _GATE_ATTRS.isdisjoint(keys):  # then only an eye/view class can hold a count
            cls = el.get("class")
            if not cls or ("eye" not in (low := cls.lower()) and "view" not in low):
                continue
        m, rule = _attr_count(el)
        if m and (keep is None or keep(el)):
            return m, rule
    return None, ""


_LABEL_HINT_RE = re.compile(r"(?<![a-z])(?:luot\s*(?:xem|doc|view)|view\s*count|views?)(?![a-z])")


def _spelled(word: str) -> str:
    """A regex for lowercased text whose fold() holds `word`: each letter as any character that
    folds to it, with room for the combining marks fold() drops (all non-ASCII) in between."""
    return "[^\\x00-\\x7f]*".join(f"[{re.escape(folding_to(c))}]" for c in word)


# every label word holds "luot" or "view": text without either needs no fold()
_LABEL_WORDS_RE = re.compile(f"{_spelled('luot')}|{_spelled('view')}")


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
    if m:
        return m, f"auto: label '{m.label}' in item text"
    excl = set(link_els)
    return attr_view_count(e for e in container.iter() if e not in excl)


def find_views_near(root, title_el, date_el=None, elements=()) -> tuple[ViewCountMatch | None, str]:
    """View count in the article header: a label in the date line, then in short texts near the
    title (not a site visitor counter), then attributes and eye icons."""
    if date_el is not None:
        m = match_view_count(element_text(date_el))
        if m:
            return m, f"auto: label '{m.label}' in the date line"
    cache: dict = {}
    for el in elements if _may_hold_label(elements) else ():
        if el.tag in _SKIP_TAGS:
            continue
        text = element_text(el)
        if not text or len(text) > 160:
            continue
        m = match_view_count(text)
        # "Lượt truy cập" away from the date line is usually the site's visitor counter
        if m and "truy" not in fold(m.label) and not in_boilerplate(el, cache):
            return m, f"auto: label '{m.label}' near the title"
    scope = list(date_el.iter()) if date_el is not None else []
    return attr_view_count([*scope, *elements], keep=lambda e: not in_boilerplate(e, cache))
