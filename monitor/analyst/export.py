"""Streaming export of articles, view readings and daily gains to CSV or JSON Lines.

Rows go from the SQLite cursor to the file in batches, so memory stays flat on any size of
database. Filters: sites, parent units (every site below them, recursively: monitor/config/tree.py, over
the database's `sites` mirror), a date range in
Vietnam-local dates (`since` inclusive, `until` inclusive).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from typing import IO

from crawler import clock
from monitor.analyst.query import write_csv, write_jsonl
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


def export(conn: sqlite3.Connection, kind: str, out: IO[str], fmt: str = "csv", **filters) -> int:
    """Write one export to `out`; returns the number of rows written."""
    tree = stored_tree(conn) if filters.get("parents") else None
    sql, params = build_query(kind, tree=tree, **filters)
    cur = conn.execute(sql, params)
    cur.arraysize = 1000
    if fmt == "csv":
        return write_csv(cur, out)
    if fmt == "jsonl":
        return write_jsonl(cur, out)
    raise ValueError(f"unknown format {fmt!r} (csv or jsonl)")
