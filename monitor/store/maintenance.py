"""The store's own upkeep: retention and optimisation (housekeeping), and consistent backups.

The service schedules these (monitor.service.jobs); they need only the database path and the
settings, so they can be run and tested on their own.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from crawler import clock
from monitor.config import Config, ServiceSettings
from monitor.config.retention import parse_view_retention
from monitor.kinds import EVENT_KINDS
from monitor.store.connect import open_db
from monitor.store.dbutil import transaction
from monitor.store.retention import prune_crawls, thin_view_counts


def housekeeping(db_path, settings: ServiceSettings, now: datetime | None = None, *,
                 max_seconds: float | None = None) -> dict:
    """Retention: html_samples, the events of `pruned` kinds (kinds.py: the per-reading
    views_changed; the readings themselves stay in view_counts), old view_counts readings thinned
    by `view_retention` and old crawl rows (monitor/store/retention.py), each in short
    transactions; then ANALYZE (first time) or PRAGMA optimize, and a WAL checkpoint.
    `max_seconds` stops the thinning early (the next run resumes it)."""
    now = now or clock.now()
    cutoff = clock.iso(now - timedelta(days=settings.sample_retention_days))
    events_cutoff = clock.iso(now - timedelta(days=settings.event_retention_days))
    db = open_db(db_path)
    conn = db.conn
    try:
        deleted = _delete_in_pieces(conn, "html_samples", "saved_at < ?", (cutoff,))
        pruned = [k.name for k in EVENT_KINDS.values() if k.pruned]
        events_deleted = _delete_in_pieces(
            conn, "events", f"kind IN ({', '.join('?' * len(pruned)) or 'NULL'}) AND observed_at < ?",
            (*pruned, events_cutoff))
        thinned = thin_view_counts(conn, parse_view_retention(settings.view_retention), now,
                                   max_seconds=max_seconds)
        crawls_deleted = prune_crawls(conn, clock.iso(now - timedelta(days=settings.crawl_retention_days)))
        analyzed = not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        if analyzed:
            conn.execute("ANALYZE")
        else:
            conn.execute("PRAGMA analysis_limit = 1000")
            conn.execute("PRAGMA optimize")
        busy, wal_pages, moved = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    return {"samples_deleted": deleted, "events_deleted": events_deleted,
            "readings_deleted": thinned.deleted, "crawls_deleted": crawls_deleted, "readings_done": thinned.done,
            "retention_seconds": round(thinned.seconds, 1), "retention_longest_tx": round(thinned.longest, 2),
            "analyze": "ANALYZE" if analyzed else "PRAGMA optimize", "wal_pages": wal_pages, "checkpointed": moved}


PIECE_ROWS = 20000  # rows deleted per transaction (the write lock is held a fraction of a second)


def _delete_in_pieces(conn: sqlite3.Connection, table: str, where: str, args: tuple) -> int:
    """DELETE … WHERE `where`, PIECE_ROWS rows per transaction; the number deleted."""
    total = 0
    while True:
        with transaction(conn):
            n = conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {where}"
                             f" LIMIT {PIECE_ROWS})", args).rowcount
        total += n
        if n < PIECE_ROWS:
            return total


def backup_dir(config: Config, db_path: str | os.PathLike) -> Path:
    """Where backups go: `[portalwatch] backup_dir` (relative: to the config file), else
    `backups/` next to the database."""
    if config.service.backup_dir:
        p = Path(config.service.backup_dir).expanduser()
        return p if p.is_absolute() else Path(config.path).resolve().parent / p
    return Path(db_path).resolve().parent / "backups"


# files that belong to a database and live beside it, `<database><suffix>` (portalwatch web's users
# and its session key): backed up with it, owner-only, as `<backup><suffix>`
COMPANIONS = (".web-users", ".web-secret")


def backup(db_path, dest_dir, keep: int = 7, now: datetime | None = None) -> Path:
    """A consistent copy of the database with SQLite's online backup API (one step, so it is a
    snapshot even while a crawl writes), checked with quick_check, written atomically; with it
    its companions (COMPANIONS, when they exist); only the `keep` newest backups stay."""
    src_path = Path(db_path)
    if not src_path.exists():
        raise FileNotFoundError(f"{src_path}: no database to back up")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(clock.VN_TZ)).astimezone(clock.VN_TZ).strftime("%Y%m%d-%H%M%S")
    target = dest_dir / f"{src_path.stem}-{stamp}.db"
    tmp = target.with_name(target.name + ".tmp")
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(str(tmp))
    try:
        src.backup(dst)  # pages=-1: the whole database in one step
        dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"backup {tmp} failed its quick_check: {check}")
    finally:
        dst.close()
        src.close()
    os.replace(tmp, target)
    for suffix in COMPANIONS:
        companion = src_path.with_name(src_path.name + suffix)
        if companion.exists():
            _copy_companion(companion, target.with_name(target.name + suffix))
    olds = sorted(dest_dir.glob(f"{src_path.stem}-*.db"))
    for old in olds[:-keep] if keep else []:
        for path in (old, *(old.with_name(old.name + suffix) for suffix in COMPANIONS)):
            path.unlink(missing_ok=True)
    return target


def _copy_companion(src: Path, target: Path) -> None:
    """`src` copied to `target` atomically, readable by its owner only (an SQLite file through
    the backup API, so a write meanwhile cannot tear it)."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY, 0o600))
    with open(src, "rb") as f:
        is_sqlite = f.read(16) == b"SQLite format 3\x00"
    if is_sqlite:
        a, b = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=60), sqlite3.connect(str(tmp))
        try:
            a.backup(b)
        finally:
            b.close()
            a.close()
    else:
        tmp.write_bytes(src.read_bytes())
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
