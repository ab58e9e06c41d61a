"""What the service's jobs do, as plain functions (tests and benchmarks call them directly), plus
the thin entry points the job store refers to by name.

Job entry points take plain data only (site ids, a recipient id): the job store pickles them.
They act through the running `monitor.service.scheduler.Service`, which sets `_service`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from monitor import clock
from monitor.config import Config, Settings, load_config
from monitor.crawl.runner import CrawlResult, crawl
from monitor.store.db import open_db

log = logging.getLogger("portalwatch.jobs")
_service = None  # the running monitor.service.scheduler.Service


# -- paths ------------------------------------------------------------------------------------------
def _resolve(config: Config, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else Path(config.path).resolve().parent / p


def jobstore_path(config: Config, db_path: str | os.PathLike) -> Path:
    """The job store file: `[portalwatch] jobstore`, else `<database>.jobs.sqlite`."""
    if config.settings.jobstore:
        return _resolve(config, config.settings.jobstore)
    db = Path(db_path).resolve()
    return db.with_name(db.name + ".jobs.sqlite")


def backup_dir(config: Config, db_path: str | os.PathLike) -> Path:
    if config.settings.backup_dir:
        return _resolve(config, config.settings.backup_dir)
    return Path(db_path).resolve().parent / "backups"


# -- crawling -----------------------------------------------------------------------------------------
@dataclass
class CrawlRun:
    """One child crawl of several sites, with how deep each site's lists were walked."""

    result: CrawlResult
    walks: dict[str, str] = field(default_factory=dict)  # site id -> 'full' | 'shallow'
    sites: list[str] = field(default_factory=list)


def last_full_walks(db_path: str | os.PathLike, site_ids: list[str]) -> dict[str, str]:
    """Clock time of each site's last finished full list walk (manual crawls are full walks)."""
    if not Path(db_path).exists():
        return {}
    db = open_db(db_path)
    try:
        rows = db.conn.execute(
            "SELECT site_id, MAX(started_at) FROM crawls WHERE outcome IN ('ok', 'partial')"
            " AND COALESCE(list_walk, 'full') = 'full' GROUP BY site_id"
        ).fetchall()
    finally:
        db.conn.close()
    wanted = set(site_ids)
    return {s: t for s, t in rows if s in wanted}


def plan_walks(config: Config, db_path, site_ids: list[str], now: datetime) -> dict[str, int | None]:
    """Pages per list for each site this run: None = the site's own max_pages (a full walk)."""
    from crawler.revisit import RevisitPolicy

    last = last_full_walks(db_path, site_ids)
    out: dict[str, int | None] = {}
    for sid in site_ids:
        site = config.site(sid)
        pages, full = RevisitPolicy.from_config(site.revisit).list_depth(site.max_pages, last.get(sid), now)
        out[sid] = None if full else pages
    return out


def run_crawl(
    config_path: str | os.PathLike,
    db_path: str | os.PathLike,
    site_ids: list[str],
    *,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> CrawlRun:
    """Crawl these sites in ONE child process, each walking its lists as deep as its revisit
    policy says for this run (shallow runs use a temporary copy of the config with a smaller
    max_pages). The crawl rows get `list_walk`."""
    config = load_config(config_path)
    pinned = (env or {}).get("PORTALWATCH_NOW") or os.environ.get("PORTALWATCH_NOW")
    now = clock.parse_iso(pinned) if pinned else clock.now()
    plan = plan_walks(config, db_path, site_ids, now)
    shallow = {sid: pages for sid, pages in plan.items() if pages is not None}
    tmp = None
    run_config: str | os.PathLike = config_path
    if shallow:
        tmp = _shallow_config(config_path, shallow)
        run_config = tmp
    try:
        result = crawl(run_config, db_path, site_ids, timeout=timeout, env=env)
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
    walks = {sid: "shallow" if sid in shallow else "full" for sid in site_ids}
    if result.crawls:
        db = open_db(db_path)
        try:
            with db.conn:
                db.conn.executemany(
                    "UPDATE crawls SET list_walk = ? WHERE id = ?",
                    [(walks.get(c["site_id"], "full"), c["id"]) for c in result.crawls],
                )
        finally:
            db.conn.close()
        for c in result.crawls:
            c["list_walk"] = walks.get(c["site_id"], "full")
    return CrawlRun(result, walks, list(site_ids))


def _shallow_config(config_path, pages: dict[str, int]) -> str:
    """A temporary copy of the TOML file with `max_pages` lowered for the given sites."""
    import tomlkit

    doc = tomlkit.parse(Path(config_path).read_text(encoding="utf-8"))
    for table in doc.get("site", []):
        if table.get("id") in pages:
            table["max_pages"] = pages[table["id"]]
    fd, name = tempfile.mkstemp(prefix="portalwatch-run-", suffix=".toml")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(tomlkit.dumps(doc))
    return name


def detect_after(config: Config, db_path) -> int:
    """Change detection after a crawl (when configured); returns the number of new events."""
    if not config.settings.detect_after_crawl:
        return 0
    from monitor.detect import events as detect

    db = open_db(db_path)
    try:
        return len(detect.detect(db, config))
    finally:
        db.conn.close()


# -- digests ----------------------------------------------------------------------------------------
def send_digests(config: Config, db_path, recipient_id: str | None = None, now: datetime | None = None) -> list:
    """Plan the recipient's digest if due (once per send time, however often this runs) and send
    every pending delivery: monitor.notify.ledger.run, the exactly-once ledger of issue 3."""
    from monitor.notify import ledger

    db = open_db(db_path)
    try:
        if config.settings.detect_after_crawl:
            from monitor.detect import events as detect

            detect.detect(db, config)
        return ledger.run(db, config, now, recipient_ids=[recipient_id] if recipient_id else None)
    finally:
        db.conn.close()


def retry_deliveries(config: Config, db_path, now: datetime | None = None) -> list:
    """Send deliveries that are pending or failed and due for their retry (no new digests)."""
    from monitor.notify import ledger

    db = open_db(db_path)
    try:
        ledger.recover_stale(db, now)
        return ledger.send_pending(db, config, now)
    finally:
        db.conn.close()


# -- housekeeping -----------------------------------------------------------------------------------
def housekeeping(db_path, settings: Settings, now: datetime | None = None) -> dict:
    """Retention of html_samples and of per-reading `views_changed` events (the readings
    themselves stay in view_counts), ANALYZE (first time) or PRAGMA optimize, WAL checkpoint."""
    now = now or clock.now()
    cutoff = clock.iso(now - timedelta(days=settings.sample_retention_days))
    events_cutoff = clock.iso(now - timedelta(days=settings.event_retention_days))
    db = open_db(db_path)
    conn = db.conn
    try:
        deleted = conn.execute("DELETE FROM html_samples WHERE saved_at < ?", (cutoff,)).rowcount
        events_deleted = conn.execute(
            "DELETE FROM events WHERE kind = 'views_changed' AND observed_at < ?", (events_cutoff,)
        ).rowcount
        analyzed = not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        if analyzed:
            conn.execute("ANALYZE")
        else:
            conn.execute("PRAGMA analysis_limit = 1000")
            conn.execute("PRAGMA optimize")
        busy, wal_pages, moved = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()
    return {"samples_deleted": deleted, "events_deleted": events_deleted, "analyze": "ANALYZE" if analyzed else "PRAGMA optimize",
            "wal_pages": wal_pages, "checkpointed": moved}


def backup(db_path, dest_dir, keep: int = 7, now: datetime | None = None) -> Path:
    """A consistent copy of the database with SQLite's online backup API (one step, so it is a
    snapshot even while a crawl writes), checked with quick_check, written atomically; only the
    `keep` newest backups stay."""
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
    olds = sorted(dest_dir.glob(f"{src_path.stem}-*.db"))
    for old in olds[:-keep] if keep else []:
        old.unlink(missing_ok=True)
    return target


# -- job entry points (referenced by name in the job store) --------------------------------------------
def _svc():
    if _service is None:
        raise RuntimeError("no portalwatch service is running in this process")
    return _service


def crawl_job(sites: list[str]) -> None:
    """Crawl these sites (one schedule group); batched with any other group due now."""
    _svc().crawl(sites)


def digest_job(recipient: str) -> None:
    """A recipient's send time: plan and deliver its digest (exactly once)."""
    _svc().digest(recipient)


def deliveries_job() -> None:
    _svc().retry_deliveries()


def housekeeping_job() -> None:
    _svc().housekeeping()


def backup_job() -> None:
    _svc().backup()
