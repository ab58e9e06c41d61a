"""Small checks the spider applies to what it downloaded (plain functions, no Scrapy)."""

from __future__ import annotations

import re

# U+FFFD (what a failed decode leaves), C0 controls except tab/newlines/form feed, DEL, C1 controls
_GARBAGE = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
GARBAGE_SHARE = 0.01  # more than this share of such characters: the page is not text
GARBAGE_MIN = 10  # … and at least this many of them (a stray one is not evidence)


def undecodable(text: str) -> str | None:
    """Why `text` does not look like a decoded page (binary served as text/html), or None."""
    if not text:
        return None
    bad = len(_GARBAGE.findall(text))
    if bad >= GARBAGE_MIN and bad / len(text) > GARBAGE_SHARE:
        return f"page does not decode as text ({bad / len(text):.0%} replacement or control characters)"
    return None
