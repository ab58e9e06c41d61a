"""Is a path usable as the portalwatch database, and what is wrong when SQLite says it is not?
One sentence naming the file and the true cause: a full disk, a read-only file, folder or mount
and a permission are told apart from a damaged file (only that one is told to restore backups)."""

from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import closing
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
NOT_DAMAGED = "The database itself is not damaged"


class StorageError(sqlite3.OperationalError):
    """Writing to (or opening) the database failed for a reason outside the SQL: the message
    starts with the cause ("disk full: …", "database is read-only: …", "permission denied: …")."""


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
        try:
            if parent.exists():
                if not parent.is_dir():
                    return f"--db {p}: {parent} is a file, not a folder"
                break
        except PermissionError:
            continue  # a folder above that may not be entered: said below
    try:
        if not p.exists():
            return None
    except PermissionError:
        return f"{_no_entry(p)}. {NOT_DAMAGED}: {_fix()}."
    if p.is_dir():
        return f"--db {p}: is a folder; give the database file's path"
    try:
        with p.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except PermissionError:
        return f"permission denied: {p}: {_user()} may not read the file. {NOT_DAMAGED}: {_fix()}."
    except OSError as e:
        return f"--db {p}: cannot be read ({e.strerror or e})"
    if head and head != SQLITE_HEADER:
        return damaged_message(p, "file is not a database")
    return None


def is_damaged(e: BaseException) -> bool:
    """Whether a sqlite3 error means the file itself is bad (not the SQL): corrupt or not a database."""
    return _code(e) in (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


def _code(e: BaseException) -> int:
    """The primary SQLite result code of an error (0: none)."""
    return (getattr(e, "sqlite_errorcode", None) or 0) & 0xFF


# primary result codes of a storage failure (sqlite3 errors carry the extended code): PERM, BUSY,
# LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB
_STORAGE = {3, 5, 6, 7, 8, 10, 11, 13, 14, 26}


def is_storage_error(e: BaseException) -> bool:
    """Whether an error is about where the database lives (disk, file, permissions, locks), not
    about one value or statement: then no retry of the same write can succeed, and it must be told."""
    if isinstance(e, StorageError):
        return True
    if isinstance(e, OSError):
        return True
    return isinstance(e, sqlite3.Error) and _code(e) in _STORAGE


def explain(path: str | os.PathLike, e: BaseException) -> str:
    """One line for an error opening, reading or writing the database at `path`: the cause
    first ("disk full: …"), what SQLite said, and what to do. Checked against the file system,
    since SQLite reports a full disk while creating pw.db-shm as a "disk I/O error" and a
    read-only mount as "unable to open database file"."""
    if isinstance(e, StorageError):
        return str(e)
    p = Path(path)
    folder = p.parent.resolve()
    said = _said(e)
    code = _code(e)
    err = getattr(e, "errno", None)
    if code in (11, 26):
        return damaged_message(p, str(e))
    if code == 13 or err in (errno.ENOSPC, errno.EDQUOT) or (code == 10 and _free(folder) == 0):
        return (f"disk full: {p}: {said}; {_size(_free(folder))} free on the file system of {folder}. "
                f"{NOT_DAMAGED}: free some space, then run the command again.")
    if code in (3, 8, 10, 14) or isinstance(e, PermissionError) or err == errno.EROFS:
        cause = _files_cause(p, folder)
        if cause:
            return f"{cause} ({said}). {NOT_DAMAGED}: {_fix(cause)}."
    if code in (5, 6):
        return (f"database is locked: {p}: another process kept it busy too long ({said}). {NOT_DAMAGED}: "
                "run the command again once the other writer (a crawl, the service) has finished.")
    if code == 10:
        return (f"disk I/O error: {p}: {said}. The disk or file system failed: check it (dmesg) and run "
                f"`sqlite3 {p} \"PRAGMA quick_check\"` before restoring anything.")
    if code in (3, 8):
        return f"database is read-only: {p}: {said}. {NOT_DAMAGED}."
    if code == 14:
        return f"cannot open {p}: {said}."
    if isinstance(e, OSError):
        return f"{e.filename or p}: {e.strerror or e}"
    return damaged_message(p, str(e))


def _said(e: BaseException) -> str:
    """What the error itself says: "SQLite: database or disk is full (SQLITE_FULL)"."""
    if isinstance(e, sqlite3.Error):
        name = getattr(e, "sqlite_errorname", None)
        return f"SQLite: {e}" + (f" ({name})" if name else "")
    if isinstance(e, OSError):
        return str(e.strerror or e)
    return str(e)


def _files_cause(p: Path, folder: Path) -> str | None:
    """Why SQLite may not open or write `p` (read-only mount, file, folder, -wal/-shm; permission)."""
    try:
        readonly_mount = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        readonly_mount = False
    if readonly_mount:
        return f"database is read-only: {p}: {folder} is on a read-only file system (mounted read-only)"
    if not all(os.access(d, os.X_OK) for d in (folder, *folder.parents)):
        return _no_entry(p)
    if p.exists() and not os.access(p, os.R_OK):
        return f"permission denied: {p}: {_user()} may not read the file"
    if p.exists() and not os.access(p, os.W_OK):
        return f"database is read-only: {p}: the file is not writable by {_user()}"
    for extra in (Path(f"{p}-wal"), Path(f"{p}-shm")):
        if extra.exists() and not os.access(extra, os.R_OK | os.W_OK):
            return f"permission denied: {p}: {_user()} may not read and write {extra.name}, which SQLite needs"
    if not os.access(folder, os.W_OK):
        return (f"database is read-only: {p}: the folder {folder} is not writable by {_user()}, and SQLite "
                f"needs to create {p.name}-wal and {p.name}-shm next to the database (WAL mode)")
    return None


def _no_entry(p: Path) -> str:
    """The folder on the way to `p` this user may not enter."""
    folder = Path(os.path.abspath(p)).parent
    blocked = next((d for d in (*reversed(folder.parents), folder) if not os.access(d, os.X_OK)), folder)
    return f"permission denied: {p}: {_user()} may not enter the folder {blocked}"


def _fix(cause: str = "") -> str:
    if "read-only file system" in cause:
        return "remount it read-write, or point --db at a copy on a writable disk"
    return "give this user access (chmod/chown), or run portalwatch as the database's owner"


def _user() -> str:
    uid = os.geteuid()
    try:
        import pwd

        return f"this user ({pwd.getpwuid(uid).pw_name}, uid {uid})"
    except (ImportError, KeyError):
        return f"this user (uid {uid})"


def _free(folder: Path) -> int | None:
    try:
        st = os.statvfs(folder)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def _size(n: int | None) -> str:
    if n is None:
        return "unknown space"
    return f"{n // 1024} KB" if n < 10 * 1024 * 1024 else f"{n // (1024 * 1024)} MB"


def probe(path: str | os.PathLike) -> None:
    """Read the schema once, read-only; sqlite3.DatabaseError when the file is damaged."""
    from urllib.parse import quote

    with closing(sqlite3.connect("file:" + quote(str(Path(path).resolve())) + "?mode=ro", uri=True)) as conn:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
