"""Opening the database: WAL mode and migrations for writers, a query-only connection for readers."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import sqlite_utils

from monitor.store.schema import migrate

BUSY_SECONDS = 30.0


def open_db(path: str | os.PathLike, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating and migrating when needed) the database in WAL mode."""
    path = Path(path)
    if readonly:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such database (run `portalwatch crawl` first)")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, isolation_level=None)
        conn.execute("PRAGMA query_only = 1")
        return sqlite_utils.Database(conn)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    _wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn)
    return sqlite_utils.Database(conn)


def _wal(conn: sqlite3.Connection) -> None:
    """WAL mode. Switching a new file to it needs the file alone, and SQLite answers "database is
    locked" at once, without waiting, while another connection is opening it too (two crawls
    starting together on a new database): wait for it here, as the busy timeout would."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
