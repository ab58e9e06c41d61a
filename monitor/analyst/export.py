"""Streaming export of articles, view readings and daily gains to CSV, JSON Lines or Excel.

Rows go from the SQLite cursor to the file in batches, so memory stays flat on any size of
database. Filters: sites, parent units (every site below them, recursively: monitor/config/tree.py, over
the database's `sites` mirror), a date range in
Vietnam-local dates (`since` inclusive, `until` inclusive).

Times: JSON Lines keep the stored UTC ISO (`2026-12-01T07:00:00Z`); CSV writes them in Vietnam
time with the offset (`2026-12-01T14:00:00+07:00`: the same instant, what a person in Vietnam
reads, and no tool can mistake its zone); Excel gets real date-time cells in Vietnam time, with
Vietnamese headers, the site's name beside its id, and a sheet of the sites.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from typing import IO

from crawler import clock
from monitor.analyst.query import columns, write_csv, write_jsonl
from monitor.analyst.xlsx import Column, Workbook
from monitor.config.tree import UnitTree, stored_tree

ARTICLE_COLUMNS = (
    "id", "site_id", "key", "url", "title", "category", "published_at", "published_text",
    "author", "summary", "views", "views_observed_at", "status", "removed_at", "first_seen_at",
    "last_seen_at",
)
KINDS = {
    # kind: (select list, from clause, time column used by --since/--until, order)
    "articles": (
        ", ".join(f"a.{c}" for c in ARTICLE_COLUMNS), "articles a", "a.published_at", "a.id",
    ),
    "views": (
        "v.article_id, a.site_id, v.observed_at, v.views, v.source, v.crawl_id",
        "view_counts v JOIN articles a ON a.id = v.article_id", "v.observed_at", "v.id",
    ),
    "daily": (
        "d.article_id, a.site_id, d.day, d.views_gained, d.views, d.readings",
        "views_daily d JOIN articles a ON a.id = d.article_id", None, "d.article_id, d.day",
    ),
}


def local_day_start(day: str) -> str:
    """A Vietnam-local date → the UTC ISO instant its day begins."""
    d = date.fromisoformat(day)
    return clock.iso(datetime(d.year, d.month, d.day, tzinfo=clock.VN_TZ))


def build_query(
    kind: str, *, sites=(), parents=(), since: str | None = None, until: str | None = None,
    body: bool = False, tree: UnitTree | None = None,
) -> tuple[str, dict]:
    """The SELECT for an export, with every filter as a bound parameter. `parents` are looked up
    in `tree` (the database's, stored_tree) — needed when parents are given."""
    if kind not in KINDS:
        raise ValueError(f"unknown export {kind!r} (choose from {', '.join(KINDS)})")
    cols, source, tcol, order = KINDS[kind]
    if kind == "articles" and body:
        cols += ", a.body"
    where: list[str] = []
    params: dict[str, object] = {}
    scope = []
    if sites:
        scope.append("a.site_id IN (" + _names("s", sites, params) + ")")
    if parents:
        if tree is None:
            raise ValueError("an export by --parent needs the unit tree (stored_tree)")
        scope.append("a.site_id IN (SELECT value FROM json_each(:under))")
        params["under"] = json.dumps(tree.below(parents))
    if scope:
        where.append("(" + " OR ".join(scope) + ")")
    for bound, op, day in (("since", ">=", since), ("until", "<", until)):
        if not day:
            continue
        d = day if bound == "since" else (date.fromisoformat(day) + timedelta(days=1)).isoformat()
        if tcol is None:  # daily rows carry a local day already
            where.append(f"d.day {op} :{bound}")
            params[bound] = d
        else:
            where.append(f"{tcol} {op} :{bound}")
            params[bound] = local_day_start(d)
    sql = f"SELECT {cols} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql + f" ORDER BY {order}", params


def _names(prefix: str, values, params: dict) -> str:
    names = []
    for i, v in enumerate(values):
        params[f"{prefix}{i}"] = v
        names.append(f":{prefix}{i}")
    return ", ".join(names)


FORMATS = {"csv": ".csv", "jsonl": ".jsonl", "xlsx": ".xlsx"}  # format → its file name ending
TIME_COLUMNS = {"published_at", "views_observed_at", "removed_at", "first_seen_at", "last_seen_at", "observed_at"}
# column → (Vietnamese header, width, cell kind) for Excel
HEADERS: dict[str, tuple[str, float, str]] = {
    "id": ("Mã bài", 9, "int"), "article_id": ("Mã bài", 9, "int"), "site_id": ("Mã đơn vị", 16, "text"),
    "site_name": ("Đơn vị", 26, "text"), "key": ("Khóa", 14, "text"), "url": ("Địa chỉ", 40, "url"),
    "title": ("Tiêu đề", 60, "text"), "category": ("Chuyên mục", 18, "text"),
    "published_at": ("Ngày đăng (giờ VN)", 17, "time"), "published_text": ("Ngày đăng (như trên trang)", 22, "text"),
    "author": ("Tác giả", 16, "text"), "summary": ("Tóm tắt", 40, "text"), "views": ("Lượt xem", 10, "int"),
    "views_observed_at": ("Đọc lượt xem lúc (giờ VN)", 17, "time"), "status": ("Trạng thái", 10, "text"),
    "removed_at": ("Bị gỡ lúc (giờ VN)", 17, "time"), "first_seen_at": ("Thấy lần đầu (giờ VN)", 17, "time"),
    "last_seen_at": ("Thấy lần cuối (giờ VN)", 17, "time"), "body": ("Nội dung", 60, "text"),
    "observed_at": ("Thời điểm đọc (giờ VN)", 17, "time"), "source": ("Nguồn", 9, "text"),
    "crawl_id": ("Lượt thu thập", 10, "int"), "day": ("Ngày", 11, "date"), "views_gained": ("Lượt xem tăng", 12, "int"),
    "readings": ("Số lần đọc", 10, "int"),
}
SHEETS = {"articles": "Bài viết", "views": "Lượt xem", "daily": "Lượt xem theo ngày"}


def format_for(out: str, fmt: str | None) -> str:
    """The format of an export to `out`: --format, else the file name's ending, else csv. A name
    whose ending says another format is a ValueError (never a silent CSV in an .xlsx file)."""
    by_name = next((f for f, ext in FORMATS.items() if out.lower().endswith(ext)), None)
    if out.lower().endswith(".ndjson"):
        by_name = "jsonl"
    if fmt and by_name and fmt != by_name:
        raise ValueError(f"{out}: the file name says {by_name} but --format is {fmt}: use a {FORMATS[fmt]} name "
                         f"or --format {by_name}")
    chosen = fmt or by_name or "csv"
    if chosen == "xlsx" and out == "-":
        raise ValueError("an Excel workbook goes to a file: give -o NAME.xlsx")
    return chosen


def export(conn: sqlite3.Connection, kind: str, out: IO[str], fmt: str = "csv", **filters) -> int:
    """Write one CSV or JSON Lines export to `out`; returns the number of rows written."""
    tree = stored_tree(conn) if filters.get("parents") else None
    sql, params = build_query(kind, tree=tree, **filters)
    cur = conn.execute(sql, params)
    cur.arraysize = 1000
    if fmt == "csv":
        return write_csv(cur, out, local=TIME_COLUMNS)
    if fmt == "jsonl":
        return write_jsonl(cur, out)
    raise ValueError(f"unknown format {fmt!r} (csv, jsonl or xlsx)")


def export_xlsx(conn: sqlite3.Connection, kind: str, path: str, **filters) -> int:
    """Write one export as an Excel workbook: the table's sheet (with each site's name) and a sheet
    of the sites it names; returns the rows of the table."""
    tree = stored_tree(conn) if filters.get("parents") else None
    sql, params = build_query(kind, tree=tree, **filters)
    names = dict(conn.execute("SELECT id, name FROM sites").fetchall())
    cur = conn.execute(sql, params)
    cur.arraysize = 1000
    cols = columns(cur)
    at = cols.index("site_id")
    shown = cols[: at + 1] + ["site_name"] + cols[at + 1:]
    seen: set[str] = set()

    def rows():
        while batch := cur.fetchmany():
            for r in batch:
                seen.add(r[at])
                yield (*r[: at + 1], names.get(r[at]), *r[at + 1:])

    with Workbook(path) as wb:
        n = wb.sheet(SHEETS[kind], [Column(*HEADERS.get(c, (c, 14, "text"))) for c in shown], rows())
        sites = conn.execute("SELECT id, name, level, parent FROM sites ORDER BY id").fetchall()
        wb.sheet("Đơn vị", [Column("Mã đơn vị", 16), Column("Tên", 30), Column("Cấp", 10), Column("Thuộc", 16)],
                 [s for s in sites if s[0] in seen])
    return n
