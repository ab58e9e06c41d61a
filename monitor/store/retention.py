"""Thinning old view-count readings (`[portalwatch] view_retention`, monitor/config/retention.py),
run by housekeeping.

A reading older than a tier's age goes unless it is one of those kept at that tier's resolution:
- the first and the last reading of its article on each Vietnam-local day (so the article's first
  reading ever, and its latest, which the articles row repeats);
- `hourly`: also the last reading at or before each o'clock (a digest window, which includes its
  end, from one hour mark to another keeps its numbers);
- the last reading at or before each digest window boundary recorded in `digests` (a digest of
  such a window is rebuilt with the same numbers), and each `views_anomaly` reading with the
  one before it.
`views_daily` is kept by an INSERT trigger and never reads old rows back, so the daily gains, and
every view built on them (site_daily_views, article_gains_7d, top_articles_7d …), do not change.

Whether a reading is kept depends only on its neighbours, and a kept reading stays kept when others
go, so thinning can run in any order, in pieces: each piece is one time slice of one tier, in its
own short transaction that also records how far that tier got (`retention_state`). A run killed at
any point resumes where the last committed piece ended; a changed policy starts over.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawler import clock
from monitor.config.retention import ViewRetention
from monitor.store.dbutil import transaction

TARGET_SECONDS = 0.5  # a piece holds the write lock about this long (crawls wait up to 30 s)
MIN_SLICE = timedelta(minutes=5)
MAX_SLICE = timedelta(days=7)
VN = timedelta(hours=7)

# v: a reading in the slice; n: the next reading of its article (NULL: v is the latest).
_DOOMED_SQL = """
SELECT v.id FROM view_counts v
LEFT JOIN view_counts n ON n.id = (
    SELECT x.id FROM view_counts x WHERE x.article_id = v.article_id AND x.observed_at >= v.observed_at
        AND (x.observed_at > v.observed_at OR x.id > v.id) ORDER BY x.observed_at, x.id LIMIT 1)
WHERE v.observed_at >= :a AND v.observed_at < :b
  AND n.id IS NOT NULL
  AND date(n.observed_at, '+7 hours') = date(v.observed_at, '+7 hours')
  AND (:hourly = 0 OR strftime('%Y%m%d%H', n.observed_at, '-1 seconds')
                    = strftime('%Y%m%d%H', v.observed_at, '-1 seconds'))
  AND EXISTS (SELECT 1 FROM view_counts p WHERE p.article_id = v.article_id
        AND p.observed_at >= strftime('%Y-%m-%dT%H:%M:%SZ', date(v.observed_at, '+7 hours'), '-7 hours')
        AND p.observed_at <= v.observed_at AND (p.observed_at < v.observed_at OR p.id < v.id))
  AND NOT EXISTS (SELECT 1 FROM temp.retention_boundaries b WHERE b.at >= v.observed_at AND b.at < n.observed_at)
  AND v.id NOT IN (SELECT id FROM temp.retention_keep) AND n.id NOT IN (SELECT id FROM temp.retention_keep)
"""


@dataclass
class ThinResult:
    deleted: int = 0
    pieces: int = 0
    seconds: float = 0.0
    longest: float = 0.0  # the longest piece (write lock held), seconds
    done: bool = True  # False: stopped by max_seconds, the next run goes on
    tiers: dict = field(default_factory=dict)  # resolution -> readings deleted


def cutoffs(policy: ViewRetention, now: datetime) -> list[tuple[str, str]]:
    """(resolution, UTC time) per tier: readings before that time are thinned to that
    resolution. Each time is a Vietnam-local midnight, so days are thinned whole."""
    out = []
    for days, resolution in policy.tiers():
        local = (now + VN - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
        out.append((resolution, clock.iso(local - VN)))
    return out


def thin_view_counts(conn: sqlite3.Connection, policy: ViewRetention, now: datetime, *,
                     max_seconds: float | None = None, max_slice: timedelta = MAX_SLICE) -> ThinResult:
    """Apply the policy to the readings older than its first tier, in pieces (see the module)."""
    result = ThinResult()
    started = time.monotonic()
    if policy.keep_all:
        return result
    _prepare(conn, policy)
    tiers = cutoffs(policy, now)
    for i in reversed(range(len(tiers))):  # the oldest (coarsest) first
        resolution, cutoff = tiers[i]
        floor = tiers[i + 1][1] if i + 1 < len(tiers) else ""  # older: the next tier's pass
        name = f"view_counts:{resolution}"
        row = conn.execute("SELECT value FROM retention_state WHERE name = ?", (name,)).fetchone()
        start = max(row[0] if row else "", floor)
        deleted = _pass(conn, name, resolution == "hourly", start, cutoff, result, started, max_seconds, max_slice)
        result.tiers[resolution] = result.tiers.get(resolution, 0) + deleted
        if not result.done:
            break
    result.seconds = time.monotonic() - started
    return result


def _prepare(conn: sqlite3.Connection, policy: ViewRetention) -> None:
    """The readings every tier keeps (temp tables), and a fresh start when the policy changed."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS retention_boundaries (at TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS retention_keep (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.retention_boundaries")
    conn.execute("DELETE FROM temp.retention_keep")
    conn.execute("INSERT OR IGNORE INTO temp.retention_boundaries SELECT window_start FROM digests"
                 " UNION SELECT window_end FROM digests")
    # a views_anomaly event names its reading (anomaly:ID); the reading before it is kept too
    conn.execute("INSERT OR IGNORE INTO temp.retention_keep SELECT CAST(substr(dedupe_key, 9) AS INTEGER)"
                 " FROM events WHERE kind = 'views_anomaly' AND dedupe_key LIKE 'anomaly:%'")
    conn.execute("INSERT OR IGNORE INTO temp.retention_keep SELECT x FROM (SELECT (SELECT p.id FROM view_counts p"
                 " WHERE p.article_id = v.article_id AND p.observed_at <= v.observed_at AND p.id <> v.id"
                 " AND (p.observed_at < v.observed_at OR p.id < v.id) ORDER BY p.observed_at DESC, p.id DESC"
                 " LIMIT 1) AS x FROM view_counts v WHERE v.id IN (SELECT id FROM temp.retention_keep))"
                 " WHERE x IS NOT NULL")
    with transaction(conn):
        row = conn.execute("SELECT value FROM retention_state WHERE name = 'view_counts:policy'").fetchone()
        if row is None or row[0] != policy.text:
            conn.execute("DELETE FROM retention_state WHERE name LIKE 'view_counts:%'")
            conn.execute("INSERT INTO retention_state (name, value) VALUES ('view_counts:policy', ?)", (policy.text,))


def _pass(conn, name: str, hourly: bool, start: str, end: str, result: ThinResult, started: float,
          max_seconds: float | None, max_slice: timedelta) -> int:
    """Thin [start, end) slice by slice; each slice one transaction that moves the tier's mark."""
    deleted = 0
    step = timedelta(hours=1)
    a = start
    while a < end:
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            result.done = False
            break
        first = conn.execute("SELECT min(observed_at) FROM view_counts WHERE observed_at >= ? AND observed_at < ?",
                             (a, end)).fetchone()[0]
        if first is None:  # nothing left in the pass: only the mark moves
            b = end
        else:
            a = max(a, first)
            b = min(clock.iso(clock.parse_iso(a) + step), end)
        t = time.monotonic()
        with transaction(conn):
            n = 0
            if first is not None:
                n = conn.execute(f"DELETE FROM view_counts WHERE id IN ({_DOOMED_SQL})",
                                 {"a": a, "b": b, "hourly": int(hourly)}).rowcount
            conn.execute("INSERT INTO retention_state (name, value) VALUES (?, ?)"
                         " ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, b))
        took = time.monotonic() - t
        deleted += n
        result.deleted += n
        result.pieces += 1
        result.longest = max(result.longest, took)
        if took < TARGET_SECONDS / 2:
            step = min(step * 2, max_slice)
        elif took > TARGET_SECONDS:
            step = max(step / 2, MIN_SLICE)
        step = min(step, max_slice)
        a = b
    return deleted


CRAWL_PIECE = 20000  # crawl ids examined per transaction


def prune_crawls(conn: sqlite3.Connection, cutoff: str) -> int:
    """Delete the `crawls` rows started before `cutoff` (and their `fetch_errors`), except, per
    site, its newest crawl, its newest good one (ok or partial) and the first failed crawl after
    that (the start of a failure streak: digests' "failing since", detect's site_unreachable),
    and running ones. In pieces of CRAWL_PIECE ids, one transaction each; `retention_state`
    'crawls:below' marks the ids below which only kept rows are left. Returns rows deleted."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS retention_crawls (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.retention_crawls")
    for newest in ("SELECT MAX(c.id) FROM crawls c WHERE c.site_id = s.id",
                   "SELECT MAX(c.id) FROM crawls c WHERE c.site_id = s.id AND c.outcome IN ('ok', 'partial')",
                   "SELECT MIN(c.id) FROM crawls c WHERE c.site_id = s.id AND c.outcome = 'failed' AND c.id >"
                   " COALESCE((SELECT MAX(g.id) FROM crawls g WHERE g.site_id = s.id AND g.outcome IN ('ok', 'partial')), 0)"):
        conn.execute(f"INSERT OR IGNORE INTO temp.retention_crawls SELECT x FROM (SELECT ({newest}) AS x FROM sites s)"
                     " WHERE x IS NOT NULL")
    row = conn.execute("SELECT value FROM retention_state WHERE name = 'crawls:below'").fetchone()
    lo = int(row[0]) if row else 0
    top = conn.execute("SELECT COALESCE(MAX(id), 0) FROM crawls").fetchone()[0]
    deleted, settled = 0, True  # settled: every piece so far holds only kept rows now
    while lo <= top:
        hi = lo + CRAWL_PIECE
        with transaction(conn):
            doomed = ("SELECT id FROM crawls WHERE id >= :lo AND id < :hi AND started_at < :cutoff"
                      " AND outcome <> 'running' AND id NOT IN (SELECT id FROM temp.retention_crawls)")
            args = {"lo": lo, "hi": hi, "cutoff": cutoff}
            conn.execute(f"DELETE FROM fetch_errors WHERE crawl_id IN ({doomed})", args)
            deleted += conn.execute(f"DELETE FROM crawls WHERE id IN ({doomed})", args).rowcount
            settled = settled and not conn.execute(
                "SELECT 1 FROM crawls WHERE id >= :lo AND id < :hi AND (started_at >= :cutoff OR outcome = 'running')"
                " LIMIT 1", args).fetchone()
            if settled:
                conn.execute("INSERT INTO retention_state (name, value) VALUES ('crawls:below', ?)"
                             " ON CONFLICT (name) DO UPDATE SET value = excluded.value", (str(hi),))
        lo = hi
    return deleted
