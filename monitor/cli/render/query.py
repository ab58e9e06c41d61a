"""`portalwatch query` on a terminal: the rows of a query as an aligned table."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table

from monitor.terminal import term as escape  # crawled text: controls shown, markup escaped


def rich_table(cols: list[str], rows: Iterable[tuple], title: str | None = None) -> Table:
    """An aligned rich Table; cell text is escaped (never read as markup or terminal codes)."""
    table = Table(title=title, show_lines=False)
    materialized = list(rows)
    for i, c in enumerate(cols):
        numeric = bool(materialized) and all(
            isinstance(r[i], int | float) or r[i] is None for r in materialized
        )
        table.add_column(escape(c), justify="right" if numeric else "left", overflow="fold")
    for r in materialized:
        table.add_row(*("" if v is None else escape(str(v)) for v in r))
    return table
