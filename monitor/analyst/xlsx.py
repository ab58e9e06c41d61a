"""Excel workbooks (XlsxWriter, write-only, constant memory): a sheet per table, Vietnamese headers,
column widths set, times as real Excel dates in Vietnam time (UTC+7), a frozen header row with a
filter. Used by `export --format xlsx` and the weekly and monthly reports' attachment."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from crawler import clock

MAX_ROWS = 1_048_575  # an Excel sheet's rows, less the header; more go on a next sheet "name (2)"
TIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
VN = timezone(timedelta(hours=7))  # fixed: zoneinfo gives dates around 1900 a local mean time offset


@dataclass(frozen=True)
class Column:
    header: str  # Vietnamese first
    width: float = 14
    kind: str = "text"  # text, int, time (a UTC ISO string → a local Excel date-time), date (YYYY-MM-DD), percent, url


def local_time(value: str | None) -> datetime | None:
    """A stored UTC ISO time as the naive Vietnam-local datetime Excel shows."""
    if not value:
        return None
    return clock.parse_iso(value).astimezone(VN).replace(tzinfo=None)


class Workbook:
    """`with Workbook(path_or_None) as wb: wb.sheet(name, columns, rows)`; `wb.data()` is the bytes
    of an in-memory workbook (path None)."""

    def __init__(self, path: str | None = None):
        import xlsxwriter

        self._buffer = io.BytesIO() if path is None else None
        self.book = xlsxwriter.Workbook(path or self._buffer, {"constant_memory": True, "strings_to_urls": False,
                                                               "strings_to_numbers": False})
        self.fmt = {
            "head": self.book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True, "valign": "top",
                                          "border": 1}),
            "time": self.book.add_format({"num_format": TIME_FORMAT}),
            "date": self.book.add_format({"num_format": DATE_FORMAT}),
            "int": self.book.add_format({"num_format": "#,##0"}),
            "percent": self.book.add_format({"num_format": "0.0%"}),
        }
        self._urls = 0  # Excel takes 65,530 links a sheet; past that a URL is plain text

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.book.close()

    def data(self) -> bytes:
        self.book.close()
        assert self._buffer is not None
        return self._buffer.getvalue()

    def sheet(self, name: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
        """Write one table (more sheets past Excel's row limit); return the rows written."""
        n, part, ws = 0, 1, self._new(name, columns)
        row = 0
        for values in rows:
            if row >= MAX_ROWS:
                part += 1
                ws, row = self._new(f"{name} ({part})", columns), 0
            row += 1
            for col, (c, v) in enumerate(zip(columns, values, strict=True)):
                self._cell(ws, row, col, c, v)
            n += 1
        ws.autofilter(0, 0, max(row, 1), len(columns) - 1)
        return n

    def _new(self, name: str, columns: Sequence[Column]):
        title = name[:31]
        for bad in "[]:*?/\\":
            title = title.replace(bad, " ")
        ws = self.book.add_worksheet(title)
        self._urls = 0
        ws.freeze_panes(1, 0)
        ws.set_row(0, 30)
        for col, c in enumerate(columns):
            ws.set_column(col, col, c.width)
            ws.write_string(0, col, c.header, self.fmt["head"])
        return ws

    def _cell(self, ws, row: int, col: int, c: Column, v: Any) -> None:
        if v is None or v == "":
            return
        if c.kind == "time":
            t = local_time(v) if isinstance(v, str) else v
            if t is not None:
                ws.write_datetime(row, col, t, self.fmt["time"])
        elif c.kind == "date":
            ws.write_datetime(row, col, date.fromisoformat(v) if isinstance(v, str) else v, self.fmt["date"])
        elif c.kind in ("int", "percent") and isinstance(v, int | float) and not isinstance(v, bool):
            ws.write_number(row, col, v, self.fmt[c.kind])
        elif (c.kind == "url" and isinstance(v, str) and v.startswith(("http://", "https://")) and len(v) < 2000
              and self._urls < 65_000):
            self._urls += 1
            ws.write_url(row, col, v, string=v)
        else:
            ws.write_string(row, col, v.hex() if isinstance(v, bytes) else str(v))
