"""Per-site health from the crawl tables: last success, failure streak, and the share of articles
missing a date / views / title in the last crawl compared with the site's usual share.

    from monitor.detect.site_status import site_health
    for h in site_health(db, config):          # one SiteHealth per configured site
        if h.status != "ok": print(h.site_id, h.status, h.detail, h.sample_id)

Statuses, worst first: unreachable (≥ `unreachable_after` failed crawls in a row, pages not
fetched), extraction_broken (list pages fetched but no articles read, or most articles of the last
crawl lost a field the site usually has, "usually" meaning its healthy crawls — the rule and
thresholds of detect/rules.py, as for the events), failing (the last
crawl failed), never_crawled, partial (last crawl had errors), ok. Read-only; crawls of a site's
`aliases` (former ids) count as its own. `health_rows(db_path, config, ids, problems)` gives the
rows `portalwatch sites health` shows (from a database file, or none yet).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crawler.items import INCOMPLETE
from crawler.sites import Site
from monitor.config import Config
from monitor.detect.rules import FIELDS, DetectOptions, FieldShare, broken_fields, history_usual

STATUS_ORDER = ("unreachable", "extraction_broken", "failing", "never_crawled", "partial", "ok")
_EXTRACTION_REASONS = ("no articles found", "extraction failed")


@dataclass
class SiteHealth:
    site_id: str
    name: str
    enabled: bool
    status: str
    detail: str
    last_crawl_at: str | None = None
    last_outcome: str | None = None
    last_success_at: str | None = None
    failure_streak: int = 0
    articles_seen: int | None = None  # in the last good (ok/partial) crawl
    missing: dict[str, FieldShare] = field(default_factory=dict)  # "date", "views", "title"
    sample_id: int | None = None  # latest html_samples row of the site (kept failing page)
    sample_url: str | None = None
    sample_reason: str | None = None
    last_error: str | None = None
    # the last crawl probably missed articles: why, in words, one per list ("pager shows page 12
    # but the walk stopped at page 6: next link not found (http://…/tin-tuc?page=6)")
    incomplete: list[str] = field(default_factory=list)
    running: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _ids(site: Site) -> list[str]:
    return [site.id, *site.aliases]


def site_health(db, config: Config, options=None) -> list[SiteHealth]:
    """One SiteHealth per configured site (config order). `db`: sqlite_utils.Database or sqlite3
    connection; `options`: detect.DetectOptions (default: from the config)."""
    conn = getattr(db, "conn", db)
    opts = options or DetectOptions.from_config(config)
    return [_one(conn, s, opts) for s in config.sites]


def _one(conn: sqlite3.Connection, site: Site, opts) -> SiteHealth:
    ids = _ids(site)
    marks = ",".join("?" * len(ids))
    crawls = conn.execute(
        "SELECT id, started_at, finished_at, outcome, articles_seen, missing_date, missing_views,"
        f" missing_title, error_summary FROM crawls WHERE site_id IN ({marks}) ORDER BY id DESC LIMIT 200",
        ids).fetchall()
    h = SiteHealth(site.id, site.name, site.enabled, "never_crawled", "no crawl recorded yet")
    sample = conn.execute(
        f"SELECT id, url, reason, crawl_id FROM html_samples WHERE site_id IN ({marks}) ORDER BY id DESC LIMIT 1",
        ids).fetchone()
    if sample:
        h.sample_id, h.sample_url, h.sample_reason = sample[0], sample[1], sample[2]
    h.running = bool(crawls) and crawls[0][3] == "running"
    done = [c for c in crawls if c[3] not in ("running", "aborted")]
    if not done:
        return h
    last = done[0]
    h.last_crawl_at, h.last_outcome, h.last_error = last[2] or last[1], last[3], last[8]
    for c in done:
        if c[3] != "failed":
            break
        h.failure_streak += 1
    good = next((c for c in done if c[3] in ("ok", "partial")), None)
    if good:
        h.last_success_at = good[2] or good[1]
        h.articles_seen = good[4]
        usual = history_usual(conn, ids, good[0], opts)
        h.missing = broken_fields(good[4], dict(zip(FIELDS, good[5:8], strict=True)), usual, opts)
    h.status, h.detail = _verdict(conn, h, last, good, opts)
    return h


def _verdict(conn, h: SiteHealth, last, good, opts) -> tuple[str, str]:
    if last[3] == "failed":
        kept = conn.execute(
            "SELECT reason FROM html_samples WHERE crawl_id = ? AND kind = 'list' ORDER BY id DESC LIMIT 1",
            (last[0],)).fetchone()
        if kept and kept[0].startswith(_EXTRACTION_REASONS):
            was = f" (the last good crawl saw {good[4]})" if good else ""
            return "extraction_broken", f"list pages fetched but no articles read: {kept[0]}{was}"
        if h.failure_streak >= opts.unreachable_after:
            return "unreachable", f"{h.failure_streak} failed crawls in a row: {_one_line(last[8])}"
        return "failing", f"last crawl failed ({h.failure_streak} in a row): {_one_line(last[8])}"
    # broken implies a usual share (broken_fields)
    broken = [(n, f.share, f.usual) for n, f in h.missing.items() if f.broken and f.usual is not None]
    if broken and good is last:
        parts = [f"{round(share * 100)}% of articles lack {n} (usually {round(usual * 100)}%)"
                 for n, share, usual in broken]
        return "extraction_broken", "; ".join(parts)
    if last[3] == "partial":
        h.incomplete = incomplete_lists(conn, last[0])
        if h.incomplete:
            more = f" (and {len(h.incomplete) - 1} more)" if len(h.incomplete) > 1 else ""
            return "partial", f"the last crawl may have missed articles: {_one_line(h.incomplete[0], 240)}{more}"
        return "partial", f"last crawl had errors: {_one_line(last[8])}"
    return "ok", f"{good[4]} articles in the last crawl" if good else "ok"


def incomplete_lists(conn, crawl_id: int) -> list[str]:
    """Why the lists of this crawl were probably not walked completely, in words, with the page
    where each walk stopped."""
    rows = conn.execute(
        "SELECT error, url FROM fetch_errors WHERE crawl_id = ? AND substr(error, 1, ?) = ? ORDER BY id",
        (crawl_id, len(INCOMPLETE), INCOMPLETE)).fetchall()
    return [f"{err[len(INCOMPLETE):]} ({url})" for err, url in rows]


def _one_line(text: str | None, n: int = 1000) -> str:
    s = " ".join((text or "no error recorded").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def worst_first(rows: list[SiteHealth]) -> list[SiteHealth]:
    return sorted(rows, key=lambda r: (STATUS_ORDER.index(r.status), r.site_id))


def health_rows(db_path: str | Path, config: Config, site_ids: Iterable[str] = (),
                problems: bool = False) -> list[SiteHealth]:
    """What `sites health` shows: each configured site's health in the file's order, read from the
    database (or an empty one before the first crawl); only `site_ids` (ids or former ids, an
    unknown one is a ConfigError) when given, only the sites that are not ok with `problems`."""
    wanted = {config.site(i).id for i in site_ids}
    with closing(_connect(db_path)) as conn:
        rows = site_health(conn, config)
    return [r for r in rows if (not wanted or r.site_id in wanted) and (not problems or r.status != "ok")]


def usual_reads(db_path: str | Path, config: Config, site_id: str) -> dict | None:
    """What a site's crawls usually read, for `sites check` to compare a page with: the share of its
    articles missing each field in its healthy crawls (`missing`, None per field without history)
    and the share of its recent articles whose count a list page carried (`list_views`); None
    without a database."""
    if not Path(db_path).exists():
        return None
    from monitor.store.reads import Reader

    site = config.site(site_id)
    h = health_rows(db_path, config, [site.id])[0]
    reader = Reader(db_path)
    try:
        shares = [reader.list_views_share(i) for i in _ids(site)]
    finally:
        reader.close()
    known = [x for x in shares if x is not None]
    return {"missing": {name: (f.usual if f.usual is not None else None) for name, f in h.missing.items()},
            "list_views": max(known) if known else None}


def _connect(db_path: str | Path) -> sqlite3.Connection:
    """The database, or an empty in-memory one when nothing was crawled yet."""
    from monitor.store.connect import open_db
    from monitor.store.schema import migrate

    if Path(db_path).exists():
        return open_db(db_path).conn
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    return conn
