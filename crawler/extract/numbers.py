"""View counts as printed: "1.234", "1,234", "1 234", behind labels such as "Lượt xem:"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import decode_entities, fold

_GROUPED = r"\d{1,3}(?:(?P<g>[.,  ])\d{3})(?:(?P=g)\d{3})*"
_NUMBER_RE = re.compile(rf"(?:{_GROUPED}|\d+)")
_FULL_NUMBER_RE = re.compile(rf"^(?:{_GROUPED}|\d+)$")

# Labels, matched on diacritic-folded lowercase text. Longest first.
VIEW_LABELS = (
    "so luot xem",
    "luot truy cap",
    "luot views",
    "luot view",
    "luot xem",
    "luot doc",
    "view count",
    "views",
    "view",
)
_LABEL_RE = re.compile(
    r"(?<![a-z])(?P<label>so\s+luot\s+xem|luot\s+truy\s+cap|luot\s+views?|luot\s+xem|luot\s+doc"
    r"|view\s*count|views|view)(?![a-z])\s*(?:\(\s*\w*\s*\))?\s*[:：=]?\s*(?P<num>"
    + _GROUPED.replace("(?P<g>", "(?P<g1>").replace("(?P=g)", "(?P=g1)")
    + r"|\d+)(?![\d.,]\d)"
)
# "1.234 lượt xem", "129 views" (number first)
_NUM_FIRST_RE = re.compile(
    r"(?<![\d.,])(?P<num>"
    + _GROUPED.replace("(?P<g>", "(?P<g2>").replace("(?P=g)", "(?P=g2)")
    + r"|\d+)\s*(?P<label>luot\s+xem|luot\s+doc|luot\s+views?|views|view)(?![a-z])"
)


@dataclass
class ViewCountMatch:
    value: int
    label: str  # the label as printed, e.g. "View count", "Lượt xem"


def parse_count(text: str | None) -> int | None:
    """'1.234' / '1,234' / '1 234' / '129' -> int; anything that is not one number -> None."""
    if text is None:
        return None
    t = decode_entities(str(text)).replace("\xa0", " ").replace("\u202f", " ").strip()
    if not _FULL_NUMBER_RE.match(t):
        return None
    return int(re.sub(r"\D", "", t))


def match_view_count(text: str | None) -> ViewCountMatch | None:
    """The view count behind a label anywhere in text, with the label found; None if absent."""
    if not text:
        return None
    found = _match_view_count(text)
    return ViewCountMatch(*found) if found else None


@lru_cache(maxsize=8192)
def _match_view_count(text: str) -> tuple[int, str] | None:
    """(value, label) for match_view_count; cached like dates._find_datetime."""
    if "&" in text:
        text = decode_entities(text)
    folded = fold(text.replace("\xa0", " ").replace("\u202f", " "))
    m = _LABEL_RE.search(folded) or _NUM_FIRST_RE.search(folded)
    if not m:
        return None
    value = int(re.sub(r"\D", "", m["num"]))
    return value, _label_as_printed(text, folded, m.start("label"), m.end("label"))


def _label_as_printed(text: str, folded: str, start: int, end: int) -> str:
    # fold() keeps one character per input character for Vietnamese text (NFD + drop marks
    # shrinks back), so map by position when the lengths agree.
    if len(folded) == len(text):
        return " ".join(text[start:end].split())
    return " ".join(folded[start:end].split())


def find_view_count(text: str | None) -> int | None:
    """The number after a view label ("View count", "Lượt xem", ...) in text; None if absent."""
    m = match_view_count(text)
    return m.value if m else None
