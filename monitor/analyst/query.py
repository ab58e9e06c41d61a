"""Read-only SQL for analysts: a connection that cannot write, and result writers.

The connection is opened with `mode=ro`, `PRAGMA query_only = 1`, and an authorizer that denies
every action except reading (no INSERT/UPDATE/DELETE, DDL, ATTACH/DETACH, writing pragmas or
load_extension), so refusal does not depend on parsing the SQL text.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import quote

# Pragmas that only report (any argument names a table, index or schema).
_INFO_PRAGMAS = {
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check", "database_list",
    "collation_list", "function_list", "module_list", "pragma_list", "compile_options",
}
# Pragmas that set a value when given an argument: allowed only without one.
_READ_PRAGMAS = {
    "user_version", "schema_version", "application_id", "journal_mode", "page_size",
    "page_count", "freelist_count", "encoding", "foreign_keys", "data_version", "query_only",
    "max_page_count", "auto_vacuum", "cache_size", "busy_timeout",
}
_ALLOWED = {
    sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE,
    sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT,
}


class ReadOnlyError(sqlite3.DatabaseError):
    """The statement tried to change something."""


def _authorizer(action: int, arg1, arg2, dbname, source) -> int:
    if action in _ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 in ("sqlite_master", "sqlite_schema"):
        # SQLite asks this while connecting a virtual table (FTS5, pragma functions); a user
        # UPDATE of the schema table still fails: writable_schema is refused, the file is ro.
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if (arg2 or "").lower() == "load_extension" else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in _INFO_PRAGMAS or (name in _READ_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def connect(path: str | os.PathLike) -> sqlite3.Connection:
    """Open the database so that no statement run on it can write or attach another file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such database (run `portalwatch crawl` first)")
    uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    conn.set_authorizer(_authorizer)
    return conn


def run(conn: sqlite3.Connection, sql: str, params: dict | None = None) -> sqlite3.Cursor:
    """Execute one statement; refusals raise ReadOnlyError with a plain message."""
    try:
        return conn.execute(sql, params or {})
    except sqlite3.DatabaseError as e:
        msg = str(e)
        # a write refused by this connection (query_only, mode=ro: plain SQLITE_READONLY, or the
        # authorizer); not a read-only folder or mount (SQLITE_READONLY_DIRECTORY …: a storage problem)
        code = getattr(e, "sqlite_errorcode", None) or 0
        storage = code != sqlite3.SQLITE_READONLY and code & 0xFF in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
                                                                      sqlite3.SQLITE_CANTOPEN)
        if not storage and any(k in msg for k in ("not authorized", "authorization denied", "readonly", "read-only")):
            raise ReadOnlyError(f"refused: this connection is read-only ({e})") from None
        raise


def columns(cur: sqlite3.Cursor) -> list[str]:
    return [d[0] for d in cur.description or []]


def _jsonable(v):
    return base64.b64encode(v).decode() if isinstance(v, bytes) else v


def write_csv(cur: sqlite3.Cursor, out: IO[str], local: set[str] | frozenset[str] = frozenset()) -> int:
    """Rows as CSV with a header; NULL becomes an empty field; the columns named in `local` (UTC ISO
    times) in Vietnam time with the offset, 2026-12-01T14:00:00+07:00. Streams; returns the row count."""
    w = csv.writer(out, lineterminator="\n")
    cols = columns(cur)
    w.writerow(cols)
    times = [i for i, c in enumerate(cols) if c in local]
    n = 0
    for row in _rows(cur):
        values = [v.hex() if isinstance(v, bytes) else v for v in row]
        for i in times:
            if isinstance(values[i], str) and values[i]:
                values[i] = _vn(values[i])
        w.writerow(values)
        n += 1
    return n


def _vn(value: str) -> str:
    """A stored UTC ISO time in Vietnam time with its offset (as stored when it is not one)."""
    from datetime import timedelta, timezone

    from crawler import clock

    try:  # a fixed +07:00 (zoneinfo gives dates around 1900 a local mean time offset)
        return clock.parse_iso(value).astimezone(timezone(timedelta(hours=7))).isoformat()
    except ValueError:
        return value


def write_jsonl(cur: sqlite3.Cursor, out: IO[str]) -> int:
    """One JSON object per row (UTF-8, not escaped). Streams; returns the row count."""
    cols, n = columns(cur), 0
    for row in _rows(cur):
        out.write(json.dumps(dict(zip(cols, map(_jsonable, row), strict=True)), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_json(cur: sqlite3.Cursor, out: IO[str]) -> int:
    """A JSON array of objects, written row by row (constant memory)."""
    cols, n = columns(cur), 0
    out.write("[")
    for row in _rows(cur):
        obj = dict(zip(cols, map(_jsonable, row), strict=True))
        out.write(("," if n else "") + "\n  " + json.dumps(obj, ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def _rows(cur: sqlite3.Cursor, size: int = 1000) -> Iterator[tuple]:
    while batch := cur.fetchmany(size):
        yield from batch
