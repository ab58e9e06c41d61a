"""Untrusted page text (titles, names, errors) as one clean line: done once, when a digest is built."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def one_line(text: str | None, limit: int = 300) -> str:
    """Untrusted text as a single line: control characters (CR, LF, tabs …) become spaces."""
    text = " ".join(_CONTROL.sub(" ", text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
