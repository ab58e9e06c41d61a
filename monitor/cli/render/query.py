"""`portalwatch query` on a terminal: the rows as an aligned table when it fits, else one record
per row (as `psql \\x`). Fitting means: a column of single words (ids, URLs, times, numbers) at
its full width, never folded; a column of text with spaces at least WRAP_WIDTH wide (it wraps
between words); every header whole."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from monitor.cli.render.fit import vertical
from monitor.terminal import term as escape  # crawled text: controls shown, markup escaped

WRAP_WIDTH = 20  # a column of text with spaces is never narrower than this (or its header, or its widest value)


def _widths(cols: list[str], rows: Sequence[tuple]) -> list[tuple[int, int, bool]]:
    """Per column: (narrowest, natural width, wraps): a column of single words is never narrower
    than its widest value; one of text with spaces not narrower than WRAP_WIDTH or its longest word."""
    out = []
    for i, c in enumerate(cols):
        values = ["" if r[i] is None else Text.from_markup(escape(str(r[i]))).plain for r in rows]  # as printed
        natural = max([Text(c).cell_len] + [Text(line).cell_len for v in values for line in v.split("\n")])
        longest_word = max([Text(w).cell_len for v in values for w in v.split()], default=0)
        wraps = any(len(v.split()) > 1 for v in values)
        out.append((min(natural, max(Text(c).cell_len, WRAP_WIDTH, longest_word)) if wraps else natural, natural, wraps))
    return out


def fits(cols: list[str], rows: Sequence[tuple], width: int) -> bool:
    """Whether the table shows every column at least at its minimum width (3 = padding and rule):
    single-word values whole, text with spaces wrapped between words."""
    return sum(w + 3 for w, _, _ in _widths(cols, rows)) + 1 <= width


def query_output(console: Console, cols: list[str], rows: Sequence[tuple], layout: str = "auto") -> RenderableType:
    """The rows as a table, or as records when `layout` is "vertical" (or "auto" and the table does
    not fit the terminal)."""
    if layout == "vertical" or (layout == "auto" and not fits(cols, rows, console.width)):
        return vertical([escape(c) for c in cols], [["" if v is None else escape(str(v)) for v in r] for r in rows])
    return rich_table(cols, rows, width=console.width)


def rich_table(cols: list[str], rows: Sequence[tuple], title: str | None = None, width: int | None = None) -> Table:
    """An aligned rich Table; cell text is escaped (never read as markup or terminal codes); no
    column narrower than its minimum (see `fits`)."""
    table = Table(title=title, show_lines=False)
    materialized = list(rows)
    widths = _widths(cols, materialized)
    spare = None if width is None else width - (sum(w + 3 for w, _, _ in widths) + 1)
    for i, (c, (w, natural, wraps)) in enumerate(zip(cols, widths, strict=True)):
        numeric = bool(materialized) and all(
            isinstance(r[i], int | float) or r[i] is None for r in materialized
        )
        if spare is not None and spare > 0 and wraps:  # exact widths: rich never has to squeeze one
            more = min(spare, natural - w)
            w, spare = w + more, spare - more
        table.add_column(escape(c), justify="right" if numeric else "left", overflow="fold", min_width=w,
                         width=w if spare is not None and spare >= 0 else None, no_wrap=not wraps)
    for r in materialized:
        table.add_row(*("" if v is None else escape(str(v)) for v in r))
    return table
