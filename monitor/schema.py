"""The database schema, as numbered migrations. `PRAGMA user_version` says which have run.

Append new migrations at the end of MIGRATIONS; never edit one that has shipped. Each runs in a
transaction together with the version bump, so an interrupted upgrade leaves the old version.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: the crawl pipeline
    """
    CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        level TEXT,
        parent TEXT,
        profile TEXT,
        host TEXT,
        start_urls TEXT,          -- JSON list
        aliases TEXT,             -- JSON list of former ids
        merged_from TEXT,         -- JSON list of ids merged into this unit
        enabled INTEGER NOT NULL DEFAULT 1,
        config TEXT,              -- JSON of the [[site]] table as configured
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        key TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT,
        list_title TEXT,
        category TEXT,
        published_at TEXT,
        published_text TEXT,
        summary TEXT,
        body TEXT,
        author TEXT,
        content_hash TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        last_fetched_at TEXT,
        views INTEGER,
        views_observed_at TEXT,
        views_checked_at TEXT,
        status TEXT NOT NULL DEFAULT 'live',
        removed_at TEXT,
        gone_checks INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        last_modified TEXT,
        UNIQUE (site_id, key)
    );
    CREATE INDEX idx_articles_site_published ON articles(site_id, published_at);
    CREATE INDEX idx_articles_first_seen ON articles(first_seen_at);
    CREATE TABLE view_counts (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        observed_at TEXT NOT NULL,
        views INTEGER NOT NULL,
        source TEXT NOT NULL,     -- 'list' or 'article'
        crawl_id INTEGER
    );
    CREATE INDEX idx_view_counts_article_time ON view_counts(article_id, observed_at);
    CREATE INDEX idx_view_counts_time ON view_counts(observed_at);
    CREATE TABLE article_revisions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        observed_at TEXT NOT NULL,
        field TEXT NOT NULL,      -- 'title' or 'body'
        old_value TEXT,
        new_value TEXT,
        crawl_id INTEGER
    );
    CREATE INDEX idx_revisions_time ON article_revisions(observed_at);
    CREATE TABLE crawls (
        id INTEGER PRIMARY KEY,
        site_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT NOT NULL DEFAULT 'running',
        pages_fetched INTEGER NOT NULL DEFAULT 0,
        list_pages INTEGER NOT NULL DEFAULT 0,
        article_pages INTEGER NOT NULL DEFAULT 0,
        not_modified INTEGER NOT NULL DEFAULT 0,
        articles_seen INTEGER NOT NULL DEFAULT 0,
        articles_new INTEGER NOT NULL DEFAULT 0,
        articles_updated INTEGER NOT NULL DEFAULT 0,
        views_changed INTEGER NOT NULL DEFAULT 0,
        missing_date INTEGER NOT NULL DEFAULT 0,
        missing_views INTEGER NOT NULL DEFAULT 0,
        missing_title INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        error_summary TEXT,
        pid INTEGER
    );
    CREATE INDEX idx_crawls_site ON crawls(site_id, started_at);
    CREATE TABLE fetch_errors (
        id INTEGER PRIMARY KEY,
        crawl_id INTEGER,
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        status INTEGER,
        error TEXT NOT NULL,
        observed_at TEXT NOT NULL
    );
    CREATE INDEX idx_fetch_errors_crawl ON fetch_errors(crawl_id);
    CREATE TABLE html_samples (
        id INTEGER PRIMARY KEY,
        site_id TEXT NOT NULL,
        url TEXT NOT NULL,
        kind TEXT NOT NULL,       -- 'list' or 'article'
        reason TEXT NOT NULL,
        html TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        crawl_id INTEGER
    );
    """,
    # 2: change detection, digests and their deliveries (monitor/detect.py, monitor/notify/ledger.py)
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,       -- baseline, new_article, views_changed, article_edited, article_removed,
                                  -- views_anomaly, site_unreachable, extraction_broken
        site_id TEXT NOT NULL,
        article_id INTEGER,
        observed_at TEXT NOT NULL, -- when the crawl saw the change (UTC); digests select on this
        detected_at TEXT NOT NULL, -- when detect recorded it (UTC)
        dedupe_key TEXT NOT NULL UNIQUE, -- what makes a second detect run a no-op
        details TEXT NOT NULL     -- JSON
    );
    CREATE INDEX idx_events_site_time ON events(site_id, observed_at);
    CREATE INDEX idx_events_kind_time ON events(kind, observed_at);
    CREATE TABLE detect_state (
        name TEXT PRIMARY KEY,    -- a watermark: 'view_counts', 'article_revisions', 'crawls'
        value INTEGER NOT NULL    -- highest row id already examined
    );
    CREATE TABLE detect_sites (
        site_id TEXT PRIMARY KEY,
        baseline_at TEXT NOT NULL,      -- when the first crawl's articles were recorded
        baseline_articles INTEGER NOT NULL,
        last_article_id INTEGER NOT NULL -- articles above this id are new
    );
    CREATE INDEX idx_articles_removed ON articles(removed_at) WHERE status = 'removed';
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        recipient_id TEXT NOT NULL,
        window_start TEXT NOT NULL,     -- UTC, inclusive
        window_end TEXT NOT NULL,       -- UTC, exclusive; the next digest starts here
        created_at TEXT NOT NULL,
        data TEXT NOT NULL,             -- JSON: the numbers; every channel renders from this
        UNIQUE (recipient_id, window_start, window_end)
    );
    CREATE INDEX idx_digests_recipient_end ON digests(recipient_id, window_end);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        digest_id INTEGER NOT NULL REFERENCES digests(id),
        recipient_id TEXT NOT NULL,
        channel TEXT NOT NULL,          -- stable channel key, e.g. 'email:office@example.vn'
        channel_type TEXT NOT NULL,
        window_start TEXT NOT NULL,
        window_end TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', -- pending, sending, delivered, failed (will retry),
                                                -- gave_up, uncertain (process died while sending)
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        claimed_pid INTEGER,
        claimed_at TEXT,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (recipient_id, channel, window_start, window_end)
    );
    CREATE INDEX idx_deliveries_status ON deliveries(status, next_attempt_at);
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to the newest schema; return the version now in force."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {current} is newer than this portalwatch knows "
            f"({len(MIGRATIONS)}): upgrade portalwatch"
        )
    for version in range(current + 1, len(MIGRATIONS) + 1):
        script = MIGRATIONS[version - 1]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= version:
                conn.execute("ROLLBACK")
                continue  # another process got there first
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows about triggers)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
