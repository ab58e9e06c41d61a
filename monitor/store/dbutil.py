"""Small SQLite and process helpers shared by the writers (store, detect, deliveries)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager


@contextmanager
def transaction(conn: sqlite3.Connection):
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error); a no-op inside an open transaction.

    IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout instead of
    failing halfway through a transaction.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        rollback(conn)
        raise
    conn.execute("COMMIT")


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back after a failed write, never hiding its error: SQLite may already have rolled the
    transaction back itself (a full disk, an I/O error), and a ROLLBACK then fails with "cannot
    rollback - no transaction is active"."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the original error is the one to report


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The rowid an INSERT just made (typeshed has `int | None`: None only before any insert)."""
    rowid = cur.lastrowid
    if rowid is None:
        raise RuntimeError("no row was inserted")
    return rowid
