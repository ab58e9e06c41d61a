"""What year_bench measures at a checkpoint: the database's size by part, digest builds, the
analyst views and search (read-only, as analysts open it), housekeeping and a backup."""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

from crawler import clock

# table or index -> the part of the database it is counted in
PARTS = (("articles_fts", "search"), ("articles", "articles"), ("view_counts", "readings"),
         ("views_daily", "daily"), ("events", "events"), ("crawls", "crawls"), ("fetch_errors", "crawls"))


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def sizes(path: Path) -> dict[str, float]:
    """MB per part (PARTS; the rest is "other"), read from dbstat, and "free" pages."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
        out: dict[str, float] = {}
        for name, size in conn.execute("SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE"):
            table = tables.get(name, name)
            part = next((p for prefix, p in PARTS if table.startswith(prefix)), "other")
            out[part] = out.get(part, 0.0) + size / 1e6
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        out["free"] = conn.execute("PRAGMA freelist_count").fetchone()[0] * page / 1e6
        return out
    finally:
        conn.close()


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("articles", "view_counts", "views_daily", "events", "crawls")}
    finally:
        conn.close()


def timed(fn, repeat: int = 2) -> tuple[float, object]:
    """(the slowest of `repeat` runs, seconds; the result): the first run reads from disk."""
    worst, result = 0.0, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        worst = max(worst, time.perf_counter() - t)
    return worst, result


def digests(path: Path, config, recipients: list, until: datetime) -> dict[str, float]:
    """Seconds to build each recipient's digest for the 24 hours before `until` (a fresh
    connection each, no shared cache: one recipient's cost)."""
    from monitor.digest import build
    from monitor.store.connect import open_db

    since = clock.iso(until - timedelta(hours=24))
    out = {}
    for r in recipients:
        db = open_db(path)
        try:
            out[r.id], _ = timed(lambda r=r, db=db: build(db, config, r, since, clock.iso(until),
                                                          generated_at=clock.iso(until)), repeat=1)
        finally:
            db.conn.close()
    return out


def analyst_queries(site: str, parent: str, day: str) -> dict[str, tuple[str, dict]]:
    """A typical question per analyst view (docs/analysts.md), with its parameters."""
    return {
        "top_articles_7d": ("SELECT * FROM top_articles_7d", {}),
        "article_gains_7d": ("SELECT * FROM article_gains_7d LIMIT 100", {}),
        "site_daily_views/site": ("SELECT * FROM site_daily_views WHERE site_id = :s ORDER BY day", {"s": site}),
        "site_daily_views/7d": ("SELECT * FROM site_daily_views WHERE day >= date(:d, '-6 days')", {"d": day}),
        "article_daily_views": ("SELECT * FROM article_daily_views WHERE site_id = :s AND day >= date(:d, '-6 days')",
                                {"s": site, "d": day}),
        "article_views_latest": ("SELECT site_name, title, views FROM article_views_latest WHERE parent = :p"
                                 " ORDER BY views DESC LIMIT 10", {"p": parent}),
        "site_weekly_posts": ("SELECT * FROM site_weekly_posts WHERE week >= date(:d, '-28 days')", {"d": day}),
        "site_monthly_posts": ("SELECT * FROM site_monthly_posts WHERE month = substr(:d, 1, 7)", {"d": day}),
        "site_activity": ("SELECT * FROM site_activity", {}),
        "silent_sites": ("SELECT * FROM silent_sites", {}),
        "unit_articles": ("SELECT COUNT(*) FROM unit_articles WHERE unit_id = :s", {"s": site}),
    }


def analysts(path: Path, site: str, parent: str, day: str) -> dict[str, float]:
    """Seconds per analyst question and search, on the read-only connection `portalwatch query` uses."""
    from monitor.analyst.query import connect
    from monitor.analyst.search import search

    conn = connect(path)
    try:
        out = {}
        for name, (sql, params) in analyst_queries(site, parent, day).items():
            out[name], _ = timed(lambda sql=sql, params=params: conn.execute(sql, params).fetchall())
        for words in ("hoi nghi", "chuyen doi so"):
            out[f"search '{words}'"], _ = timed(lambda words=words: search(conn, words, limit=20))
        return out
    finally:
        conn.close()


def detect(path: Path, config, now: datetime) -> float:
    """Seconds for a detect run with nothing new to find (the bulk writer recorded the events):
    what each run costs on a database this size before the cycle's own work."""
    from monitor.detect.events import detect as run
    from monitor.store.connect import open_db

    db = open_db(path)
    try:
        seconds, created = timed(lambda: run(db, config, now=now), repeat=1)
    finally:
        db.conn.close()
    assert not created, f"detect found {len(created)} events the bulk writer did not record"
    return seconds


def housekeeping(path: Path, settings, now: datetime) -> tuple[float, dict]:
    from monitor.store import maintenance

    t = time.perf_counter()
    out = maintenance.housekeeping(path, settings, now=now)
    return time.perf_counter() - t, out


def backup(path: Path, dest: Path, now: datetime) -> tuple[float, Path]:
    """A backup as the service makes it (online backup API, quick_check); seconds and the file."""
    from monitor.store import maintenance

    t = time.perf_counter()
    made = maintenance.backup(path, dest, keep=1, now=now)
    return time.perf_counter() - t, made


def median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else 0.0


def disk_free_gb(path: Path) -> float:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / 1e9
