"""Storing checked values on a result: dates and counts refused with a sentence, fields bounded."""

from __future__ import annotations

from datetime import datetime

from ..dates import check_published
from ..numbers import ViewCountMatch, check_count, match_view_count
from ..text import safe_field, strip_unsafe

ENTRY_FIELDS = ("title", "published_text", "summary")
ARTICLE_FIELDS = ("title", "published_text", "body", "category", "lead", "author")


def count_in(text: str) -> ViewCountMatch | None:
    """The count in a views element's text: behind a label, else the whole text as a number."""
    return match_view_count(text) or check_count(text)


def set_date(obj, m, now: datetime) -> bool:
    """Store a DateMatch on a ListEntry/ArticlePage unless implausible (then record why)."""
    why = check_published(m.value, now, m.text)
    if why:
        obj.rejected.append(why)
        return False
    obj.published_at, obj.published_text = m.value, m.text
    return True


def set_views(obj, vm: ViewCountMatch) -> bool:
    """Store a count unless it was refused (then record why)."""
    if vm.value is None:
        if vm.rejected:
            obj.rejected.append(vm.rejected)
        return False
    obj.views = vm.value
    return True


def views_rule(vm: ViewCountMatch, css: str) -> str:
    """Provenance of a count read by a selector: the label it stood behind, if any."""
    return f"label '{vm.label}' in {css}" if vm.label else css


def no_digits(text: str) -> bool:
    return not any(c.isdigit() for c in text)


def finish(obj, names: tuple[str, ...]) -> None:
    """Strip unsafe characters from and bound every text field."""
    for name in names:
        setattr(obj, name, safe_field(getattr(obj, name), name))
    obj.url = strip_unsafe(obj.url)
    obj.rejected = [safe_field(r, "summary") for r in obj.rejected]
