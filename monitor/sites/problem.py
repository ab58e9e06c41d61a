"""A problem `sites check` / `sites add` found: its English line (what the CLI prints and JSON
carries: it is a `str`) with a code and the values in it, so the web console can say it in
Vietnamese (monitor/web/labels.py, `p_<code>`)."""

from __future__ import annotations

from typing import Any


class Problem(str):
    """`str` of the English line; `.code` and `.params` for another language."""

    code: str
    params: dict[str, Any]

    def __new__(cls, english: str, code: str, **params: Any) -> Problem:
        self = super().__new__(cls, english)
        self.code, self.params = code, params
        return self
