"""Is a path usable as the portalwatch database? One sentence naming the file when it is not."""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def damaged_message(path: str | os.PathLike, detail: str = "") -> str:
    """What to tell an operator whose database file cannot be read as SQLite."""
    p = Path(path)
    backups = p.parent / "backups"
    return (f"{p}: not a portalwatch database, or it is damaged{f' ({detail})' if detail else ''}. "
            f"Restore the newest copy from {backups}/ (the service's backups), or salvage what is left with "
            f"`sqlite3 {p} .recover | sqlite3 recovered.db`; or point --db at another file.")


def problem(path: str | os.PathLike) -> str | None:
    """None when `path` is a SQLite file or may become one; else a one-line explanation."""
    p = Path(path)
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"--db {p}: {parent} is a file, not a folder"
            break
    if not p.exists():
        return None
    if p.is_dir():
        return f"--db {p}: is a folder; give the database file's path"
    try:
        with p.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        return f"--db {p}: cannot be read ({e.strerror or e})"
    if head and head != SQLITE_HEADER:
        return damaged_message(p, "file is not a database")
    return None


def is_damaged(e: BaseException) -> bool:
    """Whether a sqlite3 error means the file itself is bad (not the SQL): corrupt or not a database."""
    return getattr(e, "sqlite_errorcode", None) in (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


def probe(path: str | os.PathLike) -> None:
    """Read the schema once, read-only; sqlite3.DatabaseError when the file is damaged."""
    import sqlite3
    from urllib.parse import quote

    with closing(sqlite3.connect("file:" + quote(str(Path(path).resolve())) + "?mode=ro", uri=True)) as conn:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
