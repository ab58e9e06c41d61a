"""Tables that fit the terminal with nothing cut: no cell ends in "…", ids and headers stay whole.

`fit_table` lays the rows out in the first of these that fits the width:

1. a table, every column as wide as its widest cell (free-text columns, `wrap=True`, take the
   rest of the width and wrap between words);
2. the same without the `optional` columns (a line under it names them);
3. stacked: the key cell (an id) on a line of its own, the other columns aligned under it, the
   free text on the lines after; then the same without the optional columns;
4. records: the key, then "name value" pairs packed into lines, free text on its own lines
   (every column: this layout always fits).

`vertical` is `query`'s record layout (as `psql \\x`): one "name  value" line per column.
Cells and titles are rich markup (page text escaped by the caller); cells are measured as printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box as boxes
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

GAP = "  "  # between aligned columns of the stacked layout
INDENT = "  "  # of everything under a key
WRAP_MIN = 24  # a free-text column narrower than this makes the table a worse layout than stacking


@dataclass(frozen=True)
class Col:
    name: str
    justify: str = "left"  # "right" for counts
    optional: bool = False  # left out, and said so, before the layout changes
    wrap: bool = False  # free text (errors, details): wrapped between words, never cut


def fit_table(console: Console, cols: Sequence[Col], rows: Sequence[Sequence[str]], title: str | None = None,
              key: int = 0, box: boxes.Box | None = boxes.SIMPLE_HEAD, hint: str = "") -> RenderableType:
    """The rows in the first layout that fits `console.width` (see the module's docstring). `key` is
    the column that heads each record when the table does not fit; `hint` follows the line naming
    the columns left out (e.g. "or with --json")."""
    width = console.width
    cells = [[_text(c) for c in row] for row in rows]
    everything = list(range(len(cols)))
    kept = [i for i in everything if not cols[i].optional]
    choices = [everything, kept] if len(kept) < len(everything) else [everything]
    for layout in (_table, _stacked):
        for shown in choices:
            out = layout(console, cols, cells, shown, key, title, box, width)
            if out is None:
                continue
            left_out = [cols[i].name for i in everything if i not in shown]
            if not left_out:
                return out
            note = f"{', '.join(left_out)}: in a wider terminal{' ' + hint if hint else ''}"
            return Group(out, Text(note, style="dim"))
    return _records(cols, cells, key, title, width)


def vertical(cols: Sequence[str], rows: Sequence[Sequence[str]]) -> RenderableType:
    """One block per row: a "[ n ]" rule, then each column's name and value (long values wrap under
    the value column)."""
    blocks: list[RenderableType] = []
    for n, row in enumerate(rows, 1):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for name, value in zip(cols, row, strict=True):
            grid.add_row(_text(name), _text(value))
        blocks += [Text(f"-[ {n} ]" + "-" * 12, style="dim"), grid]
    return Group(*blocks)


def _text(cell: str | Text) -> Text:
    return cell if isinstance(cell, Text) else Text.from_markup(cell)


def _width(t: Text) -> int:
    return max((Text(line).cell_len for line in t.plain.split("\n")), default=0)


def _longest_word(cells: list[list[Text]], i: int) -> int:
    """The widest word of column `i`: a free-text column narrower than it would fold an id."""
    return max((Text(w).cell_len for row in cells for w in row[i].plain.split()), default=0)


def _natural(cols: Sequence[Col], cells: list[list[Text]], i: int) -> int:
    return max([Text(cols[i].name).cell_len] + [_width(row[i]) for row in cells])


def _table(console: Console, cols: Sequence[Col], cells: list[list[Text]], shown: list[int], key: int,
           title: str | None, box: boxes.Box | None, width: int) -> Table | None:
    """A rich Table of the `shown` columns when it fits `width`, else None."""
    natural = {i: _natural(cols, cells, i) for i in shown}
    need = {i: max(Text(cols[i].name).cell_len, _longest_word(cells, i), min(natural[i], WRAP_MIN))
            if cols[i].wrap else natural[i] for i in shown}

    def build(widths: dict[int, int]) -> Table:
        edged = box not in (None, boxes.SIMPLE_HEAD)  # a simple table needs no blank edge columns
        t = Table(title=title, box=box, pad_edge=edged, show_edge=edged, expand=False)
        for i in shown:
            c = cols[i]
            t.add_column(c.name, justify=c.justify, width=widths[i], no_wrap=not c.wrap,  # type: ignore[arg-type]
                         overflow="fold" if c.wrap else "ellipsis")  # exact widths: nothing is cut
        for row in cells:
            t.add_row(*(row[i] for i in shown))
        return t

    used = console.measure(build(need), options=console.options.update_width(10_000)).maximum
    if used > width:
        return None
    spare = width - used
    widths = dict(need)
    for i in shown:  # free text gets what is left, up to its natural width
        if cols[i].wrap and spare > 0:
            more = min(spare, natural[i] - need[i])
            widths[i] += more
            spare -= more
    return build(widths)


def _heading(title: str | None) -> list[RenderableType]:
    return [Text.from_markup(title, style="table.title")] if title else []


def _free_text(cols: Sequence[Col], row: list[Text], shown: list[int], width: int) -> list[RenderableType]:
    """The free-text cells of a record, "name: text", wrapped under the record."""
    out: list[RenderableType] = []
    for i in shown:
        c = cols[i]
        if c.wrap and row[i].plain.strip():
            out.append(_wrapped(Text(f"{c.name}: ", style="dim") + row[i], width))
    return out


def _wrapped(line: Text, width: int) -> Text:
    """`line` under a record: indented, wrapped between words at `width` (a word longer than a
    whole line is folded), continuation lines indented twice."""
    lines = line.wrap(Console(width=width), width - 2 * len(INDENT), overflow="fold")
    out = Text()
    for n, part in enumerate(lines):
        part.rstrip()
        out.append_text(Text("\n" + INDENT * 2 if n else INDENT))
        out.append_text(part)
    return out


def _stacked(console: Console, cols: Sequence[Col], cells: list[list[Text]], shown: list[int], key: int,
             title: str | None, box: boxes.Box | None, width: int) -> RenderableType | None:
    """Each record's key on a line of its own, the other columns aligned under it, free text after."""
    aligned = [i for i in shown if i != key and not cols[i].wrap]
    widths = {i: _natural(cols, cells, i) for i in aligned}
    line_width = len(INDENT) + sum(widths.values()) + len(GAP) * max(len(aligned) - 1, 0)
    if line_width > width or any(_width(row[key]) > width for row in cells) or not aligned:
        return None

    def line(parts: list[Text]) -> Text:
        out = Text(INDENT)
        for n, (i, part) in enumerate(zip(aligned, parts, strict=True)):
            part = part.copy()
            part.align(cols[i].justify, widths[i])  # type: ignore[arg-type]
            out.append_text(part)
            if n < len(aligned) - 1:
                out.append(GAP)
        out.rstrip()
        return out

    out: list[RenderableType] = _heading(title)
    out += [Text(cols[key].name, style="bold"), line([Text(cols[i].name, style="bold") for i in aligned]),
            Text("─" * line_width, style="dim")]
    for row in cells:
        out += [row[key], line([row[i] for i in aligned]), *_free_text(cols, row, shown, width)]
    return Group(*out)


def _records(cols: Sequence[Col], cells: list[list[Text]], key: int, title: str | None,
             width: int) -> RenderableType:
    """Each record's key, then its "name value" pairs packed into lines; free text on its own lines."""
    out: list[RenderableType] = _heading(title)
    room = width - 2 * len(INDENT)
    for row in cells:
        out.append(row[key])
        lines: list[Text] = []
        current = Text()
        for i, c in enumerate(cols):
            if i == key or c.wrap or not row[i].plain.strip():
                continue
            pair = Text(f"{c.name} ", style="dim") + row[i]
            if current.plain and current.cell_len + 3 + pair.cell_len <= room:
                current.append(" · ", style="dim")
                current.append_text(pair)
                continue
            if current.plain:
                lines.append(current)
            current = pair
        if current.plain:
            lines.append(current)
        out += [_wrapped(part, width) for part in lines]
        out += _free_text(cols, row, list(range(len(cols))), width)
    return Group(*out)
