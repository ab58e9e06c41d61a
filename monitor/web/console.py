"""What the operator console reads: every site's health (monitor/detect/site_status.py, the same as
`sites health`), one site's configuration, crawl history, fetch errors and kept pages, and a
kept page's HTML (shown as escaped source, never rendered). Read-only."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
import unicodedata

from crawler.sites import Site
from monitor.config import Config
from monitor.detect.site_status import STATUS_ORDER, SiteHealth, site_health, worst_first
from monitor.digest.text import one_line

PER_PAGE = 100
_CRAWL_COLS = ("id", "site_id", "started_at", "finished_at", "outcome", "pages_fetched", "list_pages",
               "article_pages", "articles_seen", "articles_new", "views_changed", "errors", "error_summary",
               "list_walk")


def fold(text: str) -> str:
    """Lowercase without Vietnamese marks (đ → d): 'vinh hung' finds 'Phường Vĩnh Hưng'."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


class HealthCache:
    """Every configured site's health, kept between requests and brought up to date from what
    changed since the last look: the sites with crawls or kept pages newer than the newest seen
    (two primary-key ranges), the sites that were being crawled, and the sites whose [[site]]
    table changed. A year of crawls of 3,355 sites is read once, not on every page."""

    def __init__(self) -> None:
        self._rows: dict[str, SiteHealth] = {}
        self._sites: dict[str, Site] = {}
        self._marks = (0, 0)
        self._settings: object = None
        self._lock = threading.Lock()

    def rows(self, conn: sqlite3.Connection, config: Config) -> list[SiteHealth]:
        with self._lock:
            crawl_mark, sample_mark = (conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0]
                                       for t in ("crawls", "html_samples"))
            if self._settings != config.service or (crawl_mark, sample_mark) < self._marks:  # a restored copy
                self._marks = (0, 0)
            if self._settings != config.service or not any(self._marks):
                self._rows, self._settings = {}, config.service
            stale = {s.id for s in config.sites if self._sites.get(s.id) != s or s.id not in self._rows}
            stale |= {sid for sid, h in self._rows.items() if h.running}
            owner = {old: s.id for s in config.sites for old in (s.id, *s.aliases)}
            for table, mark, seen in (("crawls", crawl_mark, self._marks[0]), ("html_samples", sample_mark, self._marks[1])):
                if mark > seen:
                    stale |= {owner[sid] for (sid,) in conn.execute(
                        f"SELECT DISTINCT site_id FROM {table} WHERE id > ?", (seen,)) if sid in owner}
            if stale:
                fresh = site_health(conn, dataclasses.replace(config, sites=[s for s in config.sites if s.id in stale]))
                self._rows.update({h.site_id: h for h in fresh})
            self._sites = {s.id: s for s in config.sites}
            self._marks = (crawl_mark, sample_mark)
            return [self._rows[s.id] for s in config.sites]


def sites_overview(conn: sqlite3.Connection, config: Config, *, problems: bool = False, q: str = "",
                   page: int = 1, per_page: int = PER_PAGE, cache: HealthCache | None = None) -> dict:
    """Every site's health, worst first, filtered by words in the id or name and to the sites
    that are not ok; a page of them, and the count of each status."""
    rows = (cache or HealthCache()).rows(conn, config)
    counts = {s: 0 for s in STATUS_ORDER}
    for r in rows:
        counts[r.status] += 1
    words = fold(q).split()
    if words:
        rows = [r for r in rows if all(w in fold(f"{r.site_id} {r.name}") for w in words)]
    if problems:
        rows = [r for r in rows if r.status != "ok"]
    rows = worst_first(rows)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    return {"rows": rows[(page - 1) * per_page: page * per_page], "matching": len(rows), "total": sum(counts.values()),
            "counts": counts, "page": page, "pages": pages}


def _ids(site: Site) -> list[str]:
    return [site.id, *site.aliases]


def site_detail(conn: sqlite3.Connection, config: Config, site: Site, *, crawls: int = 50) -> dict:
    """One site: its health, its [[site]] table as configured, its last crawls with their fetch
    errors, and its kept pages."""
    ids = _ids(site)
    marks = ",".join("?" * len(ids))
    health: SiteHealth = site_health(conn, dataclasses.replace(config, sites=[site]))[0]
    cols = {r[1] for r in conn.execute("PRAGMA table_info(crawls)")}
    select = ", ".join(c if c in cols else f"NULL AS {c}" for c in _CRAWL_COLS)
    history = [dict(zip(_CRAWL_COLS, r, strict=True)) for r in conn.execute(
        f"SELECT {select} FROM crawls WHERE site_id IN ({marks}) ORDER BY id DESC LIMIT ?", (*ids, crawls))]
    recent = [c["id"] for c in history[:20]]
    errors = [dict(zip(("crawl_id", "url", "status", "error", "observed_at"), r, strict=True)) for r in conn.execute(
        "SELECT crawl_id, url, status, error, observed_at FROM fetch_errors WHERE crawl_id IN"
        " (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT 100", (json.dumps(recent),))]
    samples = [dict(zip(("id", "url", "kind", "reason", "saved_at", "size"), r, strict=True)) for r in conn.execute(
        f"SELECT id, url, kind, reason, saved_at, length(html) FROM html_samples WHERE site_id IN ({marks})"
        " ORDER BY id DESC LIMIT 20", ids)]
    for e in errors:
        e["error"] = one_line(e["error"], 500)
    return {"site": site, "health": health, "table": configured_table(config, site.id), "crawls": history,
            "errors": errors, "samples": samples}


def configured_table(config: Config, site_id: str) -> dict:
    """The [[site]] table as written in the file."""
    return next((t for t in config.raw.get("site", []) if t.get("id") == site_id), {})


def sample(conn: sqlite3.Connection, sample_id: int) -> dict | None:
    row = conn.execute("SELECT id, site_id, url, kind, reason, saved_at, html FROM html_samples WHERE id = ?",
                       (sample_id,)).fetchone()
    return dict(zip(("id", "site_id", "url", "kind", "reason", "saved_at", "html"), row, strict=True)) if row else None
