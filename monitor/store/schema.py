"""The database schema, as numbered migrations. `PRAGMA user_version` says which have run.

Append new migrations at the end of MIGRATIONS; never edit one that has shipped. Each runs in a
transaction together with the version bump, so an interrupted upgrade leaves the old version.
"""

from __future__ import annotations

import re
import sqlite3

TOTALS_FILL = """
    DELETE FROM site_month_totals;
    DELETE FROM site_week_totals;
    INSERT INTO site_month_totals (site_id, month, posts, undated, removed, views_gained, articles_read)
        SELECT site_id, month, SUM(posts), SUM(undated), SUM(removed), SUM(views_gained), SUM(articles_read)
        FROM (SELECT site_id, COALESCE(strftime('%Y-%m', COALESCE(published_at, first_seen_at), '+7 hours'), '') AS month,
                     COUNT(*) AS posts, SUM(published_at IS NULL) AS undated, SUM(status = 'removed') AS removed,
                     0 AS views_gained, 0 AS articles_read
              FROM articles GROUP BY 1, 2
              UNION ALL
              SELECT a.site_id, substr(d.day, 1, 7), 0, 0, 0, SUM(d.views_gained), COUNT(DISTINCT d.article_id)
              FROM views_daily d JOIN articles a ON a.id = d.article_id GROUP BY 1, 2)
        GROUP BY site_id, month;
    INSERT INTO site_week_totals (site_id, week, posts, undated, removed)
        SELECT site_id, COALESCE(date(COALESCE(published_at, first_seen_at), '+7 hours', 'weekday 0', '-6 days'), ''),
               COUNT(*), SUM(published_at IS NULL), SUM(status = 'removed')
        FROM articles GROUP BY 1, 2;
"""

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
    # 2: change detection, digests and their deliveries (monitor/detect/events.py, monitor/notify/ledger.py)
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
    # 3: analysts (monitor/analyst/search.py; README "Querying the data"): diacritic-insensitive full-text search,
    # the daily view-gain rollup and the views analysts query. FTS folding: the tokenizer's
    # remove_diacritics 2 folds every Vietnamese mark except đ/Đ (a letter of its own), so the
    # *_ascii columns index a copy with đ/Đ (and the look-alike ð/Ð) replaced by d/D. The content
    # view shows the original text in every column: tokens line up, so snippets keep diacritics.
    # Never run the FTS5 'rebuild' command on articles_fts: it would index *_ascii unfolded;
    # `portalwatch search --rebuild` re-feeds it correctly.
    """
    CREATE VIEW articles_fts_content AS
        SELECT id, title, body, title AS title_ascii, body AS body_ascii FROM articles;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, title_ascii, body_ascii,
        content = 'articles_fts_content', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 10.0, 1.0)');
    INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii)
        SELECT id, title, body,
               replace(replace(replace(replace(title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
               replace(replace(replace(replace(body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D')
        FROM articles;
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii) VALUES (
            new.id, new.title, new.body,
            replace(replace(replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(new.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'));
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body, title_ascii, body_ascii) VALUES (
            'delete', old.id, old.title, old.body,
            replace(replace(replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(old.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'));
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles
    WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body, title_ascii, body_ascii) VALUES (
            'delete', old.id, old.title, old.body,
            replace(replace(replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(old.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'));
        INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii) VALUES (
            new.id, new.title, new.body,
            replace(replace(replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(new.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'));
    END;

    -- views_daily: one row per article and Vietnam-local day (UTC+7) on which a reading was
    -- stored. A reading's gain is its count minus the article's previous reading (0 for the
    -- first reading ever), so growth between two crawls lands on the day of the later reading
    -- and the gains of any span of days add up to the counter's change over it.
    CREATE TABLE views_daily (
        article_id INTEGER NOT NULL,
        day TEXT NOT NULL,               -- Vietnam-local date, YYYY-MM-DD
        views_gained INTEGER NOT NULL,   -- sum of the gains of that day's readings
        views INTEGER NOT NULL,          -- the count at the day's last reading
        readings INTEGER NOT NULL,
        last_observed_at TEXT NOT NULL,  -- UTC time of the day's last reading
        PRIMARY KEY (article_id, day)
    ) WITHOUT ROWID;
    CREATE INDEX idx_views_daily_day ON views_daily(day, article_id, views_gained);
    INSERT INTO views_daily (article_id, day, views_gained, views, readings, last_observed_at)
        SELECT article_id, day, SUM(gain), views, COUNT(*), MAX(observed_at) FROM (
            SELECT article_id, date(observed_at, '+7 hours') AS day, observed_at, views,
                   views - COALESCE(LAG(views) OVER (PARTITION BY article_id ORDER BY observed_at, id), views) AS gain
            FROM view_counts)
        GROUP BY article_id, day;
    CREATE TRIGGER view_counts_daily AFTER INSERT ON view_counts BEGIN
        INSERT INTO views_daily (article_id, day, views_gained, views, readings, last_observed_at)
        VALUES (
            new.article_id, date(new.observed_at, '+7 hours'),
            new.views - COALESCE((SELECT p.views FROM view_counts p WHERE p.article_id = new.article_id
                AND (p.observed_at < new.observed_at OR (p.observed_at = new.observed_at AND p.id < new.id))
                ORDER BY p.observed_at DESC, p.id DESC LIMIT 1), new.views),
            new.views, 1, new.observed_at)
        ON CONFLICT (article_id, day) DO UPDATE SET
            views_gained = views_gained + excluded.views_gained,
            readings = readings + 1,
            views = CASE WHEN excluded.last_observed_at >= last_observed_at THEN excluded.views ELSE views END,
            last_observed_at = max(last_observed_at, excluded.last_observed_at);
        -- a backfilled reading older than a stored one: the next reading now gains from it
        UPDATE views_daily SET views_gained = views_gained + COALESCE(
                (SELECT p.views FROM view_counts p WHERE p.article_id = new.article_id
                    AND (p.observed_at < new.observed_at OR (p.observed_at = new.observed_at AND p.id < new.id))
                    ORDER BY p.observed_at DESC, p.id DESC LIMIT 1),
                (SELECT n.views FROM view_counts n WHERE n.article_id = new.article_id
                    AND (n.observed_at > new.observed_at OR (n.observed_at = new.observed_at AND n.id > new.id))
                    ORDER BY n.observed_at, n.id LIMIT 1)) - new.views
        WHERE article_id = new.article_id AND day = (
            SELECT date(n.observed_at, '+7 hours') FROM view_counts n WHERE n.article_id = new.article_id
                AND (n.observed_at > new.observed_at OR (n.observed_at = new.observed_at AND n.id > new.id))
                ORDER BY n.observed_at, n.id LIMIT 1);
    END;

    CREATE VIEW article_views_latest AS
        SELECT a.id AS article_id, a.site_id, s.name AS site_name, s.parent, a.title, a.url,
               a.published_at, a.views, a.views_observed_at, a.views_checked_at, a.status
        FROM articles a LEFT JOIN sites s ON s.id = a.site_id;
    CREATE VIEW article_daily_views AS
        SELECT d.article_id, a.site_id, d.day, d.views_gained, d.views, d.readings, a.title, a.url
        FROM views_daily d JOIN articles a ON a.id = d.article_id;
    CREATE VIEW site_daily_views AS
        SELECT a.site_id, d.day, SUM(d.views_gained) AS views_gained,
               COUNT(*) AS articles_changed, SUM(d.readings) AS readings
        FROM views_daily d JOIN articles a ON a.id = d.article_id
        GROUP BY a.site_id, d.day;
    CREATE VIEW article_gains_7d AS
        SELECT g.article_id, a.site_id, a.title, a.url, a.views, g.views_gained
        FROM (SELECT article_id, SUM(views_gained) AS views_gained FROM views_daily
              WHERE day >= date('now', '+7 hours', '-6 days') GROUP BY article_id) g
        JOIN articles a ON a.id = g.article_id
        ORDER BY g.views_gained DESC, g.article_id;
    CREATE VIEW site_weekly_posts AS
        SELECT site_id,
               date(COALESCE(published_at, first_seen_at), '+7 hours', 'weekday 0', '-6 days') AS week,
               COUNT(*) AS posts, SUM(published_at IS NULL) AS undated, SUM(status = 'removed') AS removed
        FROM articles GROUP BY 1, 2;
    CREATE VIEW site_activity AS
        SELECT x.*, CAST(julianday(x.last_checked_at) - julianday(x.last_post_at) AS INTEGER) AS days_silent,
               CAST(julianday('now') - julianday(x.last_post_at) AS INTEGER) AS days_since_post
        FROM (SELECT s.id AS site_id, s.name, s.level, s.parent, s.enabled,
                     (SELECT COUNT(*) FROM articles a WHERE a.site_id = s.id) AS articles,
                     (SELECT MAX(a.published_at) FROM articles a WHERE a.site_id = s.id) AS last_post_at,
                     (SELECT MAX(a.last_seen_at) FROM articles a WHERE a.site_id = s.id) AS last_checked_at
              FROM sites s) x;
    CREATE VIEW silent_sites AS
        SELECT * FROM site_activity
        WHERE enabled AND (last_post_at IS NULL OR days_silent >= 7)
        ORDER BY last_post_at IS NOT NULL, days_silent DESC, site_id;
    """,
    # 4: the service (monitor/service/jobs.py): how far a scheduled crawl walked the site's lists.
    """
    ALTER TABLE crawls ADD COLUMN list_walk TEXT;  -- NULL or 'full': every list to max_pages;
                                                   -- 'shallow': only the first revisit.list_pages
    """,
    # 5: analysts: a site's newest post also counts undated articles (by when first seen), so a
    # portal that prints no dates is not reported silent (README "Views").
    """
    DROP VIEW silent_sites;
    DROP VIEW site_activity;
    CREATE VIEW site_activity AS
        SELECT x.site_id, x.name, x.level, x.parent, x.enabled, x.articles,
               max(COALESCE(x.dated, x.undated), COALESCE(x.undated, x.dated)) AS last_post_at,
               x.last_checked_at,
               CAST(julianday(x.last_checked_at)
                    - julianday(max(COALESCE(x.dated, x.undated), COALESCE(x.undated, x.dated))) AS INTEGER) AS days_silent,
               CAST(julianday('now')
                    - julianday(max(COALESCE(x.dated, x.undated), COALESCE(x.undated, x.dated))) AS INTEGER) AS days_since_post
        FROM (SELECT s.id AS site_id, s.name, s.level, s.parent, s.enabled,
                     (SELECT COUNT(*) FROM articles a WHERE a.site_id = s.id) AS articles,
                     (SELECT MAX(a.published_at) FROM articles a WHERE a.site_id = s.id) AS dated,
                     (SELECT MAX(a.first_seen_at) FROM articles a
                      WHERE a.site_id = s.id AND a.published_at IS NULL) AS undated,
                     (SELECT MAX(a.last_seen_at) FROM articles a WHERE a.site_id = s.id) AS last_checked_at
              FROM sites s) x;
    CREATE VIEW silent_sites AS
        SELECT * FROM site_activity
        WHERE enabled AND (last_post_at IS NULL OR days_silent >= 7)
        ORDER BY last_post_at IS NOT NULL, days_silent DESC, site_id;
    """,
    # 6: renames and mergers (README "Renames and mergers"): every stored site id mapped to the unit it now
    # belongs to, from the sites' `aliases` (former ids) and `merged_from` (units merged into it),
    # followed transitively (a ward merged into a ward that was merged again). Each site maps to
    # itself too, so `WHERE unit_id = ?` on unit_articles gives a unit's whole history.
    """
    CREATE VIEW site_lineage AS
        WITH RECURSIVE edge(old_id, new_id, relation) AS (
            SELECT j.value, s.id, 'alias' FROM sites s, json_each(COALESCE(s.aliases, '[]')) j
            UNION
            SELECT j.value, s.id, 'merged' FROM sites s, json_each(COALESCE(s.merged_from, '[]')) j
        ),
        walk(site_id, unit_id, relation, depth) AS (
            SELECT id, id, 'self', 0 FROM sites
            UNION
            SELECT old_id, old_id, 'self', 0 FROM edge WHERE old_id NOT IN (SELECT id FROM sites)
            UNION
            SELECT w.site_id, e.new_id, CASE WHEN w.relation = 'merged' THEN 'merged' ELSE e.relation END,
                   w.depth + 1
            FROM walk w JOIN edge e ON e.old_id = w.unit_id
            WHERE w.depth < 8 AND e.new_id <> w.site_id
        )
        SELECT site_id,                 -- the id articles and crawls are stored under
               unit_id,                 -- the unit that id belongs to now (itself included)
               MIN(relation) AS relation, -- 'self', 'alias' (renamed) or 'merged' (min: 'alias' < 'merged')
               MIN(depth) AS hops
        FROM walk GROUP BY site_id, unit_id;
    CREATE VIEW unit_articles AS
        SELECT l.unit_id, l.relation, a.*
        FROM site_lineage l JOIN articles a ON a.site_id = l.site_id;
    """,
    # 7: analysts: "top articles by views gained in the last 7 days" fast on large databases. The
    # planner otherwise walks views_daily's whole primary key to avoid sorting for GROUP BY;
    # `+article_id` makes it read only the period's rows from idx_views_daily_day.
    """
    DROP VIEW article_gains_7d;
    CREATE VIEW article_gains_7d AS
        SELECT g.article_id, a.site_id, a.title, a.url, a.views, g.views_gained
        FROM (SELECT article_id, SUM(views_gained) AS views_gained FROM views_daily
              WHERE day >= date('now', '+7 hours', '-6 days') GROUP BY +article_id) g
        JOIN articles a ON a.id = g.article_id
        ORDER BY g.views_gained DESC, g.article_id;
    CREATE VIEW top_articles_7d AS
        SELECT g.article_id, a.site_id, a.title, a.url, a.views, g.views_gained
        FROM (SELECT article_id, SUM(views_gained) AS views_gained FROM views_daily
              WHERE day >= date('now', '+7 hours', '-6 days') GROUP BY +article_id
              ORDER BY views_gained DESC, article_id LIMIT 100) g
        JOIN articles a ON a.id = g.article_id
        ORDER BY g.views_gained DESC, g.article_id;
    """,
    # 8: analysts: "the last 7 days" end at the newest reading, not the wall clock, so a database
    # whose crawls stopped (or the demo's simulated clock) still shows its last week. max(day) is
    # read from idx_views_daily_day (one index probe).
    """
    DROP VIEW article_gains_7d;
    DROP VIEW top_articles_7d;
    CREATE VIEW article_gains_7d AS
        SELECT g.article_id, a.site_id, a.title, a.url, a.views, g.views_gained
        FROM (SELECT article_id, SUM(views_gained) AS views_gained FROM views_daily
              WHERE day >= date((SELECT max(day) FROM views_daily), '-6 days') GROUP BY +article_id) g
        JOIN articles a ON a.id = g.article_id
        ORDER BY g.views_gained DESC, g.article_id;
    CREATE VIEW top_articles_7d AS
        SELECT g.article_id, a.site_id, a.title, a.url, a.views, g.views_gained
        FROM (SELECT article_id, SUM(views_gained) AS views_gained FROM views_daily
              WHERE day >= date((SELECT max(day) FROM views_daily), '-6 days') GROUP BY +article_id
              ORDER BY views_gained DESC, article_id LIMIT 100) g
        JOIN articles a ON a.id = g.article_id
        ORDER BY g.views_gained DESC, g.article_id;
    """,
    # 9: crawling on Scrapyd nodes (monitor/cluster): the jobs a coordinator dispatched, and how far
    # each job's feed has been ingested. `ingest_marks` is written in the same transaction as the
    # items it covers (Store.apply(..., ingest_mark=)), so a coordinator killed mid-ingest resumes
    # exactly after the last committed line.
    """
    CREATE TABLE cluster_jobs (
        job_id TEXT PRIMARY KEY,  -- the Scrapyd job id (chosen by the coordinator)
        cycle TEXT NOT NULL,      -- one crawl cycle: every job it dispatched
        node TEXT NOT NULL,       -- the Scrapyd URL
        sites TEXT NOT NULL,      -- JSON list of site ids
        crawl_ids TEXT NOT NULL,  -- JSON {site_id: crawls.id}
        attempt INTEGER NOT NULL DEFAULT 1,
        tried TEXT NOT NULL DEFAULT '[]',  -- JSON list of the nodes these sites were sent to before
        state TEXT NOT NULL,      -- 'dispatched', 'ingested', 'moved' (its sites went to another node), 'failed'
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX idx_cluster_jobs_state ON cluster_jobs(state);
    CREATE TABLE ingest_marks (
        job_id TEXT PRIMARY KEY,  -- a feed's job id
        seq INTEGER NOT NULL,     -- the last line (1-based) of the feed stored
        updated_at TEXT NOT NULL
    );
    """,
    # 10: per-site crawl leases (monitor/store/lease.py): a process crawls a site only while it
    # holds the site's row; taken and released in BEGIN IMMEDIATE transactions, renewed by a
    # heartbeat, taken over once expired (or at once when its pid is dead on the same host).
    # Lease times are the real wall clock (UTC), never PORTALWATCH_NOW: liveness is about processes.
    """
    CREATE TABLE crawl_leases (
        site_id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,     -- a token unique to one crawl run
        pid INTEGER NOT NULL,     -- the process that took it
        hostname TEXT NOT NULL,   -- the machine that process runs on
        taken_at TEXT NOT NULL,
        renewed_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX idx_crawl_leases_holder ON crawl_leases(holder);
    """,
    # 11: analysts: posts and views gained per site and calendar month (Vietnam time); a site's
    # newest post, as digests count it, is a live one published by its last check (a removed post,
    # or one dated after the last check, no longer hides a silent site).
    """
    CREATE VIEW site_monthly_posts AS
        SELECT m.site_id, s.name, s.level, s.parent, m.month,
               SUM(m.posts) AS posts, SUM(m.undated) AS undated, SUM(m.removed) AS removed,
               SUM(m.views_gained) AS views_gained, SUM(m.articles_read) AS articles_read
        FROM (SELECT site_id, strftime('%Y-%m', COALESCE(published_at, first_seen_at), '+7 hours') AS month,
                     COUNT(*) AS posts, SUM(published_at IS NULL) AS undated, SUM(status = 'removed') AS removed,
                     0 AS views_gained, 0 AS articles_read
              FROM articles GROUP BY 1, 2
              UNION ALL
              SELECT a.site_id, substr(d.day, 1, 7), 0, 0, 0, SUM(d.views_gained), COUNT(DISTINCT d.article_id)
              FROM views_daily d JOIN articles a ON a.id = d.article_id GROUP BY 1, 2) m
        LEFT JOIN sites s ON s.id = m.site_id
        GROUP BY m.site_id, m.month;
    DROP VIEW silent_sites;
    DROP VIEW site_activity;
    CREATE VIEW site_activity AS
        SELECT x.site_id, x.name, x.level, x.parent, x.enabled, x.articles,
               max(COALESCE(x.dated, x.undated), COALESCE(x.undated, x.dated)) AS last_post_at,
               x.last_checked_at,
               CAST(julianday(x.last_checked_at)
                    - julianday(max(COALESCE(x.dated, x.undated), COALESCE(x.undated, x.dated))) AS INTEGER) AS days_silent,
               CAST(julianday('now')
                    - julianday(max(COALESCE(x.dated, x.undated), COALESCE(x.undated, x.dated))) AS INTEGER) AS days_since_post
        FROM (SELECT y.*,
                     (SELECT MAX(a.published_at) FROM articles a WHERE a.site_id = y.site_id AND a.status = 'live'
                      AND a.published_at <= y.last_checked_at) AS dated,
                     (SELECT MAX(a.first_seen_at) FROM articles a
                      WHERE a.site_id = y.site_id AND a.published_at IS NULL AND a.status = 'live') AS undated
              FROM (SELECT s.id AS site_id, s.name, s.level, s.parent, s.enabled,
                           (SELECT COUNT(*) FROM articles a WHERE a.site_id = s.id) AS articles,
                           (SELECT MAX(a.last_seen_at) FROM articles a WHERE a.site_id = s.id) AS last_checked_at
                    FROM sites s) y) x;
    CREATE VIEW silent_sites AS
        SELECT * FROM site_activity
        WHERE enabled AND (last_post_at IS NULL OR days_silent >= 7)
        ORDER BY last_post_at IS NOT NULL, days_silent DESC, site_id;
    """,
    # 12: messages other than the daily digest through the same ledger (monitor/notify/): `kind` is
    # 'daily', 'alert', 'weekly' or 'monthly'; a window is unique per recipient AND kind, so a weekly
    # report and a daily digest never share a row. The tables are rebuilt (SQLite cannot change a
    # UNIQUE constraint in place): renamed away (their foreign key follows), copied, dropped.
    # `alerted` remembers which event went into which alert of a recipient: never the same one twice.
    """
    ALTER TABLE deliveries RENAME TO deliveries_v10;
    ALTER TABLE digests RENAME TO digests_v10;
    DROP INDEX idx_digests_recipient_end;
    DROP INDEX idx_deliveries_status;
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        recipient_id TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'daily', -- daily, alert, weekly, monthly
        window_start TEXT NOT NULL,     -- UTC, exclusive
        window_end TEXT NOT NULL,       -- UTC, inclusive; the next message of this kind starts here
        created_at TEXT NOT NULL,
        data TEXT NOT NULL,             -- JSON: the numbers; every channel renders from this
        UNIQUE (recipient_id, kind, window_start, window_end)
    );
    INSERT INTO digests (id, recipient_id, kind, window_start, window_end, created_at, data)
        SELECT id, recipient_id, 'daily', window_start, window_end, created_at, data FROM digests_v10;
    CREATE INDEX idx_digests_recipient_end ON digests(recipient_id, kind, window_end);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        digest_id INTEGER NOT NULL REFERENCES digests(id),
        recipient_id TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'daily', -- the digest's kind
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
        UNIQUE (recipient_id, kind, channel, window_start, window_end)
    );
    INSERT INTO deliveries (id, digest_id, recipient_id, kind, channel, channel_type, window_start, window_end,
                            status, attempts, next_attempt_at, last_error, claimed_pid, claimed_at, created_at,
                            delivered_at)
        SELECT id, digest_id, recipient_id, 'daily', channel, channel_type, window_start, window_end, status,
               attempts, next_attempt_at, last_error, claimed_pid, claimed_at, created_at, delivered_at
        FROM deliveries_v10;
    CREATE INDEX idx_deliveries_status ON deliveries(status, next_attempt_at);
    DROP TABLE deliveries_v10;
    DROP TABLE digests_v10;
    CREATE TABLE alerted (
        recipient_id TEXT NOT NULL,
        event_id INTEGER NOT NULL,      -- events.id
        digest_id INTEGER NOT NULL REFERENCES digests(id), -- the alert (kind 'alert') it went into
        PRIMARY KEY (recipient_id, event_id)
    ) WITHOUT ROWID;
    """,
    # 13: the indexes of `portalwatch web`'s reads: an article's edits and anomalies, a site's
    # kept pages, a site's latest crawls (both also `sites health`), a site's articles read since
    # a time (a digest's gains).
    """
    CREATE INDEX IF NOT EXISTS idx_articles_site_read ON articles(site_id, views_observed_at);
    CREATE INDEX IF NOT EXISTS idx_crawls_site_id ON crawls(site_id, id);
    CREATE INDEX IF NOT EXISTS idx_revisions_article ON article_revisions(article_id, observed_at);
    CREATE INDEX IF NOT EXISTS idx_events_article ON events(article_id, observed_at) WHERE kind = 'views_anomaly';
    CREATE INDEX IF NOT EXISTS idx_html_samples_site ON html_samples(site_id, id);
    """,
    # 14: no secret in deliveries.channel: a webhook key used to be the URL itself, token and all
    # (https://hooks.slack.com/services/T…/B…/X…); it becomes the masked URL plus a hash of the URL,
    # the key channel_key() gives that channel now (monitor/channels/masking.py), so a delivery
    # planned or sent before the upgrade is still that channel's: nothing is sent twice or lost.
    """
    UPDATE deliveries SET channel = portalwatch_rekey_channel(channel)
        WHERE channel_type = 'webhook' AND channel LIKE 'webhook:%';
    """,
    # 15: a cluster job moved off a node that could not be told to cancel it (down, paused,
    # answering garbage) may still be crawling there: cancel.json is owed once the node answers.
    """
    ALTER TABLE cluster_jobs ADD COLUMN cancel_owed INTEGER NOT NULL DEFAULT 0;
    """,
    # 16: retention (monitor/store/retention.py): how far housekeeping has thinned old view-count
    # readings, per tier, and pruned old crawl rows, so a run that was stopped or killed resumes
    # where it stopped.
    """
    CREATE TABLE retention_state (
        name TEXT PRIMARY KEY,    -- 'view_counts:hourly', 'view_counts:daily': readings observed before
                                  -- `value` (UTC) are thinned to that resolution; 'view_counts:policy':
                                  -- the view_retention setting they were thinned by (a new one starts over);
                                  -- 'crawls:below': crawl ids below `value` are pruned
        value TEXT NOT NULL
    );
    """,
    # 17: a year of history (benchmarks/year_bench.py): what runs every cycle or every digest reads
    # a site's newest rows through an index instead of scanning every crawl or article.
    """
    -- a site's crawls / articles in id order (an index on site_id holds the rowid; the crawls' is
    -- idx_crawls_site_id of migration 13): its newest
    -- crawl, its last N (detect's usual share of missing fields, `sites health`), its articles
    -- after detect's mark are a few index steps however long the history (idx_crawls_site
    -- orders by started_at, the articles' indexes by published_at and key)
    CREATE INDEX idx_articles_site_id ON articles(site_id);
    -- each site's last finished full list walk (monitor/crawl/planner.py, every crawl): one entry a
    -- day per site instead of a scan of every crawl
    CREATE INDEX idx_crawls_full_walks ON crawls(site_id, started_at)
        WHERE outcome IN ('ok', 'partial') AND COALESCE(list_walk, 'full') = 'full';
    -- site_activity / silent_sites: each site's last check from the index, not from every row
    CREATE INDEX idx_articles_site_seen ON articles(site_id, last_seen_at);
    -- every crawl's start: a site's newest articles (does its list print counts?)
    CREATE INDEX idx_articles_site_first_seen ON articles(site_id, first_seen_at);
    -- every crawl's start: crawls left running by a dead process (a handful of rows, not all)
    CREATE INDEX idx_crawls_running ON crawls(pid) WHERE outcome = 'running';
    """,
    # 18: site_activity's newest undated post: a small index of the undated articles (with
    # idx_articles_site_first_seen the planner read every article of every site to find none)
    """
    CREATE INDEX idx_articles_undated ON articles(site_id, first_seen_at) WHERE published_at IS NULL;
    """,
    # 19: each site's list as its last crawl found it (crawler ListHint): the next crawl reads its
    # first list page as fast as the later ones
    """
    CREATE TABLE list_hints (
        site_id    TEXT PRIMARY KEY,
        hint       TEXT NOT NULL,
        learned_at TEXT NOT NULL
    );
    """,
    # 20: the whole-country aggregates kept by triggers, as views_daily is: site_monthly_posts and
    # site_weekly_posts read one row per site and month (week) instead of every article and every
    # daily row (28 s and 6 s of CPU on a million articles; milliseconds now). The service never
    # moves an article to another site nor deletes one or its daily rows; an analyst's SQL may.
    """
    CREATE TABLE site_month_totals (
        site_id TEXT NOT NULL,
        month TEXT NOT NULL,                      -- Vietnam-local YYYY-MM ('' for a date SQLite cannot read)
        posts INTEGER NOT NULL DEFAULT 0,         -- articles published (first seen, if undated) in it
        undated INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0,
        views_gained INTEGER NOT NULL DEFAULT 0,  -- views_daily's gains of its days
        articles_read INTEGER NOT NULL DEFAULT 0, -- articles with a reading in it
        PRIMARY KEY (site_id, month)
    ) WITHOUT ROWID;
    CREATE TABLE site_week_totals (
        site_id TEXT NOT NULL,
        week TEXT NOT NULL,                       -- its Monday, Vietnam-local YYYY-MM-DD
        posts INTEGER NOT NULL DEFAULT 0,
        undated INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (site_id, week)
    ) WITHOUT ROWID;
    """ + TOTALS_FILL + """
    CREATE TRIGGER articles_totals_insert AFTER INSERT ON articles BEGIN
        INSERT INTO site_month_totals (site_id, month, posts, undated, removed)
        VALUES (new.site_id, COALESCE(strftime('%Y-%m', COALESCE(new.published_at, new.first_seen_at), '+7 hours'), ''), 1,
                new.published_at IS NULL, new.status = 'removed')
        ON CONFLICT (site_id, month) DO UPDATE SET posts = posts + 1, undated = undated + excluded.undated,
            removed = removed + excluded.removed;
        INSERT INTO site_week_totals (site_id, week, posts, undated, removed)
        VALUES (new.site_id, COALESCE(date(COALESCE(new.published_at, new.first_seen_at), '+7 hours', 'weekday 0', '-6 days'), ''), 1,
                new.published_at IS NULL, new.status = 'removed')
        ON CONFLICT (site_id, week) DO UPDATE SET posts = posts + 1, undated = undated + excluded.undated,
            removed = removed + excluded.removed;
    END;
    CREATE TRIGGER articles_totals_delete AFTER DELETE ON articles BEGIN
        UPDATE site_month_totals SET
            views_gained = views_gained - (SELECT SUM(d.views_gained) FROM views_daily d WHERE d.article_id = old.id
                                           AND substr(d.day, 1, 7) = site_month_totals.month),
            articles_read = articles_read - 1
        WHERE site_id = old.site_id AND month IN (SELECT substr(day, 1, 7) FROM views_daily WHERE article_id = old.id);
        UPDATE site_month_totals SET posts = posts - 1, undated = undated - (old.published_at IS NULL),
            removed = removed - (old.status = 'removed')
        WHERE site_id = old.site_id AND month = COALESCE(strftime('%Y-%m', COALESCE(old.published_at, old.first_seen_at), '+7 hours'), '');
        UPDATE site_week_totals SET posts = posts - 1, undated = undated - (old.published_at IS NULL),
            removed = removed - (old.status = 'removed')
        WHERE site_id = old.site_id
          AND week = COALESCE(date(COALESCE(old.published_at, old.first_seen_at), '+7 hours', 'weekday 0', '-6 days'), '');
    END;
    CREATE TRIGGER articles_totals_update AFTER UPDATE OF site_id, published_at, first_seen_at, status ON articles
    WHEN old.site_id IS NOT new.site_id OR old.published_at IS NOT new.published_at
         OR old.first_seen_at IS NOT new.first_seen_at OR old.status IS NOT new.status BEGIN
        UPDATE site_month_totals SET posts = posts - 1, undated = undated - (old.published_at IS NULL),
            removed = removed - (old.status = 'removed')
        WHERE site_id = old.site_id AND month = COALESCE(strftime('%Y-%m', COALESCE(old.published_at, old.first_seen_at), '+7 hours'), '');
        UPDATE site_week_totals SET posts = posts - 1, undated = undated - (old.published_at IS NULL),
            removed = removed - (old.status = 'removed')
        WHERE site_id = old.site_id
          AND week = COALESCE(date(COALESCE(old.published_at, old.first_seen_at), '+7 hours', 'weekday 0', '-6 days'), '');
        INSERT INTO site_month_totals (site_id, month, posts, undated, removed)
        VALUES (new.site_id, COALESCE(strftime('%Y-%m', COALESCE(new.published_at, new.first_seen_at), '+7 hours'), ''), 1,
                new.published_at IS NULL, new.status = 'removed')
        ON CONFLICT (site_id, month) DO UPDATE SET posts = posts + 1, undated = undated + excluded.undated,
            removed = removed + excluded.removed;
        INSERT INTO site_week_totals (site_id, week, posts, undated, removed)
        VALUES (new.site_id, COALESCE(date(COALESCE(new.published_at, new.first_seen_at), '+7 hours', 'weekday 0', '-6 days'), ''), 1,
                new.published_at IS NULL, new.status = 'removed')
        ON CONFLICT (site_id, week) DO UPDATE SET posts = posts + 1, undated = undated + excluded.undated,
            removed = removed + excluded.removed;
        UPDATE site_month_totals SET
            views_gained = views_gained - (SELECT SUM(d.views_gained) FROM views_daily d WHERE d.article_id = old.id
                                           AND substr(d.day, 1, 7) = site_month_totals.month),
            articles_read = articles_read - 1
        WHERE site_id = old.site_id AND month IN (SELECT substr(day, 1, 7) FROM views_daily WHERE article_id = old.id)
          AND old.site_id IS NOT new.site_id;
        INSERT INTO site_month_totals (site_id, month, views_gained, articles_read)
            SELECT new.site_id, substr(day, 1, 7), SUM(views_gained), 1 FROM views_daily
            WHERE article_id = new.id AND old.site_id IS NOT new.site_id GROUP BY article_id, substr(day, 1, 7)
        ON CONFLICT (site_id, month) DO UPDATE SET views_gained = views_gained + excluded.views_gained,
            articles_read = articles_read + excluded.articles_read;
    END;
    CREATE TRIGGER views_daily_totals_insert AFTER INSERT ON views_daily BEGIN
        INSERT INTO site_month_totals (site_id, month, views_gained, articles_read)
        SELECT a.site_id, substr(new.day, 1, 7), new.views_gained,
               NOT EXISTS (SELECT 1 FROM views_daily d WHERE d.article_id = new.article_id
                           AND d.day >= substr(new.day, 1, 7) || '-01' AND d.day <= substr(new.day, 1, 7) || '-31'
                           AND d.day <> new.day)
        FROM articles a WHERE a.id = new.article_id
        ON CONFLICT (site_id, month) DO UPDATE SET views_gained = views_gained + excluded.views_gained,
            articles_read = articles_read + excluded.articles_read;
    END;
    CREATE TRIGGER views_daily_totals_update AFTER UPDATE OF views_gained ON views_daily
    WHEN old.views_gained <> new.views_gained BEGIN
        UPDATE site_month_totals SET views_gained = views_gained + new.views_gained - old.views_gained
        WHERE site_id = (SELECT site_id FROM articles WHERE id = new.article_id) AND month = substr(new.day, 1, 7);
    END;
    CREATE TRIGGER views_daily_totals_delete AFTER DELETE ON views_daily BEGIN
        UPDATE site_month_totals SET views_gained = views_gained - old.views_gained,
            articles_read = articles_read - NOT EXISTS (
                SELECT 1 FROM views_daily d WHERE d.article_id = old.article_id
                AND d.day >= substr(old.day, 1, 7) || '-01' AND d.day <= substr(old.day, 1, 7) || '-31')
        WHERE site_id = (SELECT site_id FROM articles WHERE id = old.article_id) AND month = substr(old.day, 1, 7);
    END;
    DROP VIEW site_monthly_posts;
    CREATE VIEW site_monthly_posts AS
        SELECT t.site_id, s.name, s.level, s.parent, NULLIF(t.month, '') AS month, t.posts, t.undated, t.removed,
               t.views_gained, t.articles_read
        FROM site_month_totals t LEFT JOIN sites s ON s.id = t.site_id
        WHERE t.posts > 0 OR t.articles_read > 0;
    DROP VIEW site_weekly_posts;
    CREATE VIEW site_weekly_posts AS
        SELECT site_id, NULLIF(week, '') AS week, posts, undated, removed FROM site_week_totals WHERE posts > 0;
    """,
    # 21: a window's events of one site and kind from one index range: the digest reads the kinds it
    # lists without stepping over the site's views_changed rows (97 % of events), and the previous
    # windows' views gained without stepping over the others (`gained`: the JSON's, not stored)
    """
    ALTER TABLE events ADD COLUMN gained INTEGER GENERATED ALWAYS AS (
        CASE WHEN kind = 'views_changed' AND json_valid(details) THEN json_extract(details, '$.gained') END) VIRTUAL;
    CREATE INDEX idx_events_site_kind_time ON events(site_id, kind, observed_at, gained);
    """,
    # 22: each site's first good crawl (the digest's "measured since", every unit page) is one index
    # entry instead of a scan of the site's year of crawls; a window's articles read (the digest's
    # gains) come with their count and publication time from the index, not from their rows
    """
    CREATE INDEX idx_crawls_site_good_finish ON crawls(site_id, finished_at) WHERE outcome IN ('ok', 'partial');
    DROP INDEX IF EXISTS idx_articles_site_read;
    CREATE INDEX idx_articles_site_read ON articles(site_id, views_observed_at, views, published_at);
    """,
    # 23: search within some sites (an office's units, `search --site`) without walking the whole
    # country's matches: the search index gains `site_key`, the article's site id in hex (one
    # token, never a word), so FTS5 intersects the words with those sites' articles
    # ('{site_key} : ("..." OR ...) AND ...'). The index is rebuilt (about a minute per
    # million articles); it follows an article moved to another site.
    """
    DROP TRIGGER articles_fts_insert;
    DROP TRIGGER articles_fts_delete;
    DROP TRIGGER articles_fts_update;
    DROP TABLE articles_fts;
    DROP VIEW articles_fts_content;
    CREATE VIEW articles_fts_content AS
        SELECT id, title, body, title AS title_ascii, body AS body_ascii, hex(site_id) AS site_key FROM articles;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, title_ascii, body_ascii, site_key,
        content = 'articles_fts_content', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 10.0, 1.0, 0.0)');
    INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii, site_key)
        SELECT id, title, body,
               replace(replace(replace(replace(title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
               replace(replace(replace(replace(body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), hex(site_id)
        FROM articles;
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii, site_key) VALUES (
            new.id, new.title, new.body,
            replace(replace(replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(new.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), hex(new.site_id));
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body, title_ascii, body_ascii, site_key) VALUES (
            'delete', old.id, old.title, old.body,
            replace(replace(replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(old.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), hex(old.site_id));
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body, site_id ON articles
    WHEN old.title IS NOT new.title OR old.body IS NOT new.body OR old.site_id IS NOT new.site_id BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body, title_ascii, body_ascii, site_key) VALUES (
            'delete', old.id, old.title, old.body,
            replace(replace(replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(old.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), hex(old.site_id));
        INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii, site_key) VALUES (
            new.id, new.title, new.body,
            replace(replace(replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'),
            replace(replace(replace(replace(new.body, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D'), hex(new.site_id));
    END;
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
    if current < len(MIGRATIONS):
        from monitor.channels.masking import rekey

        conn.create_function("portalwatch_rekey_channel", 1, rekey, deterministic=True)
    for version in range(current + 1, len(MIGRATIONS) + 1):
        script = MIGRATIONS[version - 1]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= version:
                conn.execute("ROLLBACK")
                continue  # another process got there first
            for statement in _statements(script):
                conn.execute(statement)
            _analyze_new_indexes(conn, script)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def _analyze_new_indexes(conn: sqlite3.Connection, script: str) -> None:
    """A database with statistics (housekeeping's ANALYZE) gets those of the indexes a migration
    creates at once: without them the planner may prefer a new index it knows nothing of (a
    migration-22 database read a year of articles for `site_activity`: 0.3 s → 50 s)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        return
    for name in re.findall(r"CREATE\s+INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", script, re.IGNORECASE):
        conn.execute(f'ANALYZE "{name}"')


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


def fill_totals(conn: sqlite3.Connection) -> None:
    """Recompute site_month_totals and site_week_totals from the articles and views_daily (what
    migration 20 did; for a bulk load that ran without the triggers). Inside the caller's transaction."""
    for statement in _statements(TOTALS_FILL):
        conn.execute(statement)
