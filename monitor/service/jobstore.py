"""The job store's files: where it lives, who holds it (its pid file), what it holds (the
stored jobs, the last run of each kind of job). Shared by the service, `status` and `reload`."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from crawler import clock
from monitor.config import Config
from monitor.service.triggers import TZ

RUNS_TABLE = "portalwatch_job_runs"
log = logging.getLogger("portalwatch.service")


def default_jobstore(db_path: str | os.PathLike) -> Path:
    """`<database>.jobs.sqlite`, next to the database."""
    db = Path(db_path).resolve()
    return db.with_name(db.name + ".jobs.sqlite")


def jobstore_path(config: Config, db_path: str | os.PathLike) -> Path:
    """The job store file: `[portalwatch] jobstore` (relative: to the config file), else
    `<database>.jobs.sqlite`."""
    if config.service.jobstore:
        p = Path(config.service.jobstore).expanduser()
        return p if p.is_absolute() else Path(config.path).resolve().parent / p
    return default_jobstore(db_path)


# -- who holds it ---------------------------------------------------------------------------------------
def pidfile_path(jobstore: Path) -> Path:
    return jobstore.with_name(jobstore.name + ".pid")


def read_pid(jobstore: Path) -> int | None:
    """The pid of the service holding this job store, or None when none runs."""
    path = pidfile_path(jobstore)
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:  # locked: a service holds it
            text = Path(path).read_text(encoding="utf-8").strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(f, fcntl.LOCK_UN)
    return None


# -- what it holds --------------------------------------------------------------------------------------
def wall() -> str:
    return clock.iso(datetime.now(UTC))


def init_runs_table(jobstore: Path) -> None:
    with sqlite3.connect(jobstore, timeout=30) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (job TEXT PRIMARY KEY, at TEXT NOT NULL,"
            " outcome TEXT NOT NULL, detail TEXT)"
        )


def record(jobstore: Path, job: str, outcome: str, detail: str | None) -> None:
    """The last run of each kind of job (shown by `portalwatch status`)."""
    try:
        with sqlite3.connect(jobstore, timeout=30) as conn:
            conn.execute(f"INSERT OR REPLACE INTO {RUNS_TABLE} (job, at, outcome, detail) VALUES (?, ?, ?, ?)",
                         (job, wall(), outcome, detail))
        conn.close()
    except sqlite3.Error:
        log.exception("could not record the run of %s", job)


def last_runs(store_path: Path) -> list[dict]:
    """The recorded last runs, by job name (empty if none yet)."""
    if not store_path.exists():
        return []
    out: list[dict] = []
    with sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=10) as conn:
        try:
            out = [dict(zip(("job", "at", "outcome", "detail"), r, strict=True)) for r in
                   conn.execute(f"SELECT job, at, outcome, detail FROM {RUNS_TABLE} ORDER BY job")]
        except sqlite3.Error:
            pass
    conn.close()
    return out


def stored_jobs(store_path: Path) -> list:
    """The jobs in the job store, read without a running scheduler (empty if none yet)."""
    if not store_path.exists():
        return []
    with sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=10) as conn:
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'apscheduler_jobs'").fetchone()
    conn.close()
    if not has:
        return []
    store = SQLAlchemyJobStore(url=f"sqlite:///{store_path}")
    store.start(BackgroundScheduler(timezone=TZ), "default")
    try:
        return sorted(store.get_all_jobs(), key=lambda j: j.id)
    finally:
        store.shutdown()
