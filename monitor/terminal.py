"""Crawled text made safe for a terminal: control characters and bidi overrides become visible
escapes (an ESC in a title must not recolour, move or clear the operator's terminal), and rich
markup is escaped."""

from __future__ import annotations

import re

from rich.markup import escape

# C0 and C1 controls, DEL, and the bidi marks/overrides/isolates that reorder what follows
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(value: object, keep: str = "\t\n") -> str:
    """`value` as text with every unsafe character (except those in `keep`) shown as \\xNN / \\uNNNN."""
    text = "" if value is None else str(value)

    def visible(m: re.Match) -> str:
        ch = m.group()
        if ch in keep:
            return ch
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _UNSAFE.sub(visible, text)


def term(value: object, keep: str = "\t\n") -> str:
    """printable(), then rich markup escaped: ready for console.print."""
    return escape(printable(value, keep))


def safe(value: object, limit: int | None = None) -> str:
    """Page text as one printable line (controls become spaces), cut to `limit`, rich markup escaped."""
    s = " ".join("".join(ch if ch.isprintable() else " " for ch in str(value if value is not None else "")).split())
    if limit and len(s) > limit:
        s = s[: limit - 1] + "…"
    return escape(s)
