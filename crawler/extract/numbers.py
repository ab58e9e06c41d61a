"""View counts as printed: "1.234", "1,234", "1 234", behind labels such as "Lượt xem:".

A count belongs to its label: the number right after it ("Lượt xem: 905", "Số lượt xem (905)")
or right before it ("905 lượt xem"), as a token of its own. A number that is part of a date, a
time or a longer token is never a count. Values above MAX_VIEWS are refused with a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import decode_entities, fold

MAX_VIEWS = 1_000_000_000  # a ward/commune post never has more views than this

# thousands: "1.234", "1,234", "1 234" (space, NBSP, thin space, narrow NBSP)
_GROUPED = r"\d{1,3}(?:(?P<g>[.,  \u2009])\d{3})(?:(?P=g)\d{3})*"
_NUMBER_RE = re.compile(rf"(?:{_GROUPED}|\d+)")
_FULL_NUMBER_RE = re.compile(rf"^\(?\s*(?:{_GROUPED}|\d+)\s*\)?$")
# what may follow a count: end, space, separator, closing bracket, or a sentence full stop
_END = r"(?=$|[\s|)\]};,<>]|[.:](?!\d))"

# Labels, matched on diacritic-folded lowercase text. Longest first.
VIEW_LABELS = (
    "so luot xem",
    "so luot doc",
    "so lan xem",
    "so lan doc",
    "luot truy cap",
    "luot views",
    "luot view",
    "luot xem",
    "luot doc",
    "view count",
    "views",
    "view",
)
_LABELS = r"so\s+(?:luot|lan)\s+(?:xem|doc)|luot\s+truy\s+cap|luot\s+views?|luot\s+xem|luot\s+doc|view\s*count|views|view"
# label, optional ":" / "=" / "(", then the token printed there (checked by _read_token)
_LABEL_RE = re.compile(
    rf"(?<![a-z])(?P<label>{_LABELS})(?![a-z])[ \t]*(?:[:：=][ \t]*)?(?P<paren>\([ \t]*)?"
    r"(?P<tok>[^\s|()\[\]<>]*)"
)
_TOKEN_NUM_RE = re.compile(rf"(?:{_GROUPED}|\d+)" + _END)
# "1.234 lượt xem", "129 views" (number first, in its own token)
_NUM_FIRST_RE = re.compile(
    r"(?<![\w.,:/\-+])(?P<num>"
    + _GROUPED.replace("(?P<g>", "(?P<g2>").replace("(?P=g)", "(?P=g2)")
    + r"|\d+)(?![\d.,:/\-]?\d)\s*(?P<label>luot\s+xem|luot\s+doc|luot\s+views?|lan\s+xem|luot\s+truy\s+cap|views|view)(?![a-z])"
)


@dataclass
class ViewCountMatch:
    value: int | None  # None when the printed value was refused (see `rejected`)
    label: str  # the label as printed, e.g. "View count", "Lượt xem"
    rejected: str | None = None  # e.g. "views '-5' is not a plausible count"


def rejection(token: str, value: int | None = None) -> str:
    """The sentence recorded for a refused count."""
    shown = token if len(token) <= 40 else token[:40] + "…"
    if value is not None:
        return f"views '{shown}' is not a plausible count (over {MAX_VIEWS:,})"
    return f"views '{shown}' is not a plausible count"


def _normalise(text: str) -> str:
    if "&" in text:
        text = decode_entities(text)
    return text.replace("\xa0", " ").replace("\u202f", " ").replace("\u2009", " ")


def parse_count(text: str | None) -> int | None:
    """'1.234' / '1,234' / '1 234' / '(905)' / '129' -> int; anything else (or > MAX_VIEWS) -> None."""
    if text is None:
        return None
    t = _normalise(str(text)).strip()
    if not _FULL_NUMBER_RE.match(t):
        return None
    n = int(re.sub(r"\D", "", t))
    return n if n <= MAX_VIEWS else None


def check_count(text: str | None) -> ViewCountMatch | None:
    """A bare printed count (a selector's whole text): valid, refused with a sentence, or None
    when the text holds no number at all (an empty, JS-filled counter)."""
    t = _normalise(text or "").strip()
    if not t or not any(c.isdigit() for c in t):
        return None
    if _FULL_NUMBER_RE.match(t):
        n = int(re.sub(r"\D", "", t))
        if n <= MAX_VIEWS:
            return ViewCountMatch(n, "")
        return ViewCountMatch(None, "", rejection(t, n))
    if len(t.split()) == 1:
        return ViewCountMatch(None, "", rejection(t))
    return None


def match_view_count(text: str | None) -> ViewCountMatch | None:
    """The view count behind a label anywhere in text, with the label found; None if absent.
    A label followed by an implausible number gives a match with value None and `rejected`."""
    if not text:
        return None
    found = _match_view_count(text)
    return ViewCountMatch(*found) if found else None


@lru_cache(maxsize=8192)
def _match_view_count(text: str) -> tuple[int | None, str, str | None] | None:
    """(value, label, rejected) for match_view_count; cached like dates._find_datetime."""
    text = _normalise(text)
    folded = fold(text)
    for m in _LABEL_RE.finditer(folded):
        tok = m["tok"]
        if not tok:
            continue  # "Lượt đọc:" with nothing after it: an empty counter
        label = _label_as_printed(text, folded, m.start("label"), m.end("label"))
        num = _TOKEN_NUM_RE.match(folded, m.start("tok"))
        if num and not (m["paren"] and not folded[num.end():num.end() + 2].lstrip().startswith(")")):
            value = int(re.sub(r"\D", "", num.group(0)))
            if value > MAX_VIEWS:
                return None, label, rejection(_printed(text, folded, num.start(), num.end()), value)
            return value, label, None
        if num is None and (tok[0].isdigit() or tok[0] in "+-−"):
            # a number-like token that is no count: "-5", "1e9", "12abc", "20-11-2026"
            return None, label, rejection(_printed(text, folded, m.start("tok"), m.end("tok")))
        if m["paren"] and num is not None:  # "(905" without ")": refuse
            return None, label, rejection(_printed(text, folded, m.start("tok"), m.end("tok")))
    first = _NUM_FIRST_RE.search(folded)
    if not first:
        return None
    value = int(re.sub(r"\D", "", first["num"]))
    label = _label_as_printed(text, folded, first.start("label"), first.end("label"))
    if value > MAX_VIEWS:
        return None, label, rejection(_printed(text, folded, first.start("num"), first.end("num")), value)
    return value, label, None


def _printed(text: str, folded: str, start: int, end: int) -> str:
    return text[start:end] if len(folded) == len(text) else folded[start:end]


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
