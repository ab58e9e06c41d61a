"""Small checks the spider applies to what it downloaded (plain functions, no Scrapy)."""

from __future__ import annotations

import re

# U+FFFD (what a failed decode leaves), C0 controls except tab/newlines/form feed, DEL, C1 controls
_GARBAGE = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
GARBAGE_SHARE = 0.01  # more than this share of such characters: the page is not text
GARBAGE_MIN = 10  # … and at least this many of them (a stray one is not evidence)
_SLICES, _SLICE = 8, 1024  # a long page is judged on 8 slices of 1024 characters spread over it


def undecodable(text: str) -> str | None:
    """Why `text` does not look like a decoded page (binary served as text/html), or None.

    U+FFFD is counted over the whole text (str.count is cheap); the controls on a sample,
    since a regular expression over every character would cost a tenth of the parse."""
    n = len(text)
    if not n:
        return None
    if n > _SLICES * _SLICE * 2:
        sample = "".join(text[i * n // _SLICES:i * n // _SLICES + _SLICE] for i in range(_SLICES))
    else:
        sample = text
    in_sample = len(_GARBAGE.findall(sample))
    replaced = text.count("\ufffd")
    share = max(in_sample / len(sample), replaced / n)
    if max(in_sample, replaced) >= GARBAGE_MIN and share > GARBAGE_SHARE:
        return f"page does not decode as text ({share:.0%} replacement or control characters)"
    return None
