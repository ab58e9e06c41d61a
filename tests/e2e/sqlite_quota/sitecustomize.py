"""A full disk for a crawl child, without root: a process whose PYTHONPATH starts with this folder
(see tests/e2e/test_storage_failures.py::quota_env) may grow the database named by
PORTALWATCH_TEST_QUOTA_DB by at most PORTALWATCH_TEST_QUOTA_PAGES pages per connection (PRAGMA
max_page_count). Past that SQLite itself answers SQLITE_FULL, "database or disk is full": the
error a full disk gives, on the same code path."""

import os
import sqlite3
from urllib.parse import unquote

_connect = sqlite3.connect


def _connect_with_quota(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    target = os.environ.get("PORTALWATCH_TEST_QUOTA_DB")
    database = str(args[0] if args else kwargs.get("database", ""))
    if target and os.path.realpath(target) in os.path.realpath(unquote(database.removeprefix("file:").split("?")[0])):
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        extra = int(os.environ.get("PORTALWATCH_TEST_QUOTA_PAGES", "0"))
        conn.execute(f"PRAGMA max_page_count = {pages + extra}")
    return conn


sqlite3.connect = _connect_with_quota
