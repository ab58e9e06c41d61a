"""`portalwatch query` on a terminal: the rows as an aligned table when it fits, else one record
per row (as `psql \\x`): a column is never squeezed below its header or a few characters."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from monitor.cli.render.fit import vertical
from monitor.terminal import term as escape  # crawled text: controls shown, markup escaped

MIN_WIDTH = 10  # a column is never narrower than this (or its header, or its widest value if less)


def _min_widths(cols: list[str], rows: Sequence[tuple]) -> list[int]:
    out = []
    for i, c in enumerate(cols):
        natural = max([Text(c).cell_len] + [Text(line).cell_len for r in rows
                                            for line in ("" if r[i] is None else str(r[i])).split("\n")])
        out.append(min(natural, max(Text(c).cell_len, MIN_WIDTH)))
    return out


def fits(cols: list[str], rows: Sequence[tuple], width: int) -> bool:
    """Whether the table shows every column at least at its minimum width (3 = padding and rule)."""
    return sum(w + 3 for w in _min_widths(cols, rows)) + 1 <= width


def query_output(console: Console, cols: list[str], rows: Sequence[tuple], layout: str = "auto") -> RenderableType:
    """The rows as a table, or as records when `layout` is "vertical" (or "auto" and the table does
    not fit the terminal)."""
    if layout == "vertical" or (layout == "auto" and not fits(cols, rows, console.width)):
        return vertical([escape(c) for c in cols], [["" if v is None else escape(str(v)) for v in r] for r in rows])
    return rich_table(cols, rows)


def rich_table(cols: list[str], rows: Sequence[tuple], title: str | None = None) -> Table:
    """An aligned rich Table; cell text is escaped (never read as markup or terminal codes); no
    column narrower than its minimum (its header, MIN_WIDTH or its widest value)."""
    table = Table(title=title, show_lines=False)
    materialized = list(rows)
    for i, (c, w) in enumerate(zip(cols, _min_widths(cols, materialized), strict=True)):
        numeric = bool(materialized) and all(
            isinstance(r[i], int | float) or r[i] is None for r in materialized
        )
        table.add_column(escape(c), justify="right" if numeric else "left", overflow="fold", min_width=w)
    for r in materialized:
        table.add_row(*("" if v is None else escape(str(v)) for v in r))
    return table
