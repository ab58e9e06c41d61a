"""Opening the database: WAL mode and migrations for writers, a query-only connection for readers."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from monitor.store.schema import migrate


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
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn)
    return sqlite_utils.Database(conn)
