"""Change detection: typed events from what the store holds.

Reads the crawl's tables (articles, view_counts, article_revisions, crawls, html_samples) and
writes only its own: `events`, plus the watermarks `detect_state` and `detect_sites`. Every event
has a `dedupe_key`, so running detect twice (or after a crash) never duplicates an event; the
watermarks only make a run cheap. The whole run is one transaction.

Every kind, its dedupe key and where a digest shows it: kinds.py (one record per kind; `emit`
refuses any other name).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta

import sqlite_utils

from crawler import clock
from monitor.config import Config
from monitor.detect.rules import FIELDS, DetectOptions, broken_fields, usual_missing
from monitor.kinds import event_kind
from monitor.store.dbutil import transaction


def detect(db: sqlite_utils.Database, config: Config | None = None, now: datetime | None = None,
           options: DetectOptions | None = None) -> list[dict]:
    """Record new events; return them (an empty list when nothing new happened)."""
    run = _Run(db.conn, clock.iso(now or clock.now()), options or DetectOptions.from_config(config))
    with transaction(db.conn):
        run.articles()
        run.readings()
        run.revisions()
        run.removals()
        run.crawls()
    return run.created


class _Run:
    def __init__(self, conn: sqlite3.Connection, detected_at: str, opts: DetectOptions):
        self.conn, self.detected_at, self.opts = conn, detected_at, opts
        self.created: list[dict] = []

    # -- helpers ---------------------------------------------------------------------------
    def emit(self, kind: str, site_id: str, article_id: int | None, observed_at: str, details: dict,
             **parts: object) -> None:
        """Record one event unless its dedupe key (kinds.py: from site, article and `parts`) is taken."""
        key = event_kind(kind).dedupe_key(site=site_id, article=article_id, **parts)
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO events (kind, site_id, article_id, observed_at, detected_at,"
            " dedupe_key, details) VALUES (?,?,?,?,?,?,?)",
            (kind, site_id, article_id, observed_at, self.detected_at, key,
             json.dumps(details, ensure_ascii=False)),
        )
        if cur.rowcount:
            self.created.append(dict(id=cur.lastrowid, kind=kind, site_id=site_id, article_id=article_id,
                                     observed_at=observed_at, detected_at=self.detected_at,
                                     dedupe_key=key, details=details))

    def mark(self, name: str) -> int:
        row = self.conn.execute("SELECT value FROM detect_state WHERE name = ?", (name,)).fetchone()
        return row[0] if row else 0

    def set_mark(self, name: str, value: int) -> None:
        self.conn.execute(
            "INSERT INTO detect_state (name, value) VALUES (?, ?)"
            " ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))

    # -- baseline and new articles ------------------------------------------------------------
    def articles(self) -> None:
        self.empty_baselines()
        # per site, from its mark on (idx_articles_site_id): never a scan of every article
        rows = self.conn.execute(
            "SELECT a.site_id, a.id, a.first_seen_at, a.title, a.url, a.published_at, d.site_id"
            " FROM sites s LEFT JOIN detect_sites d ON d.site_id = s.id"
            " JOIN articles a ON a.site_id = s.id AND a.id > COALESCE(d.last_article_id, 0) ORDER BY a.id"
        ).fetchall()
        by_site: dict[str, list] = defaultdict(list)
        for r in rows:
            by_site[r[0]].append(r)
        for site_id, arts in by_site.items():
            if arts[0][6] is None:  # no baseline yet
                if self._baseline_ready(site_id):
                    seen = [a[2] for a in arts]
                    self.emit("baseline", site_id, None, max(seen),
                              {"articles": len(arts), "first_seen_from": min(seen), "first_seen_to": max(seen)})
                    self.conn.execute(
                        "INSERT INTO detect_sites (site_id, baseline_at, baseline_articles, last_article_id)"
                        " VALUES (?,?,?,?)", (site_id, max(seen), len(arts), arts[-1][1]))
                continue
            for _, aid, first_seen, title, url, published, _ in arts:
                self.emit("new_article", site_id, aid, first_seen, {"title": title, "url": url, "published_at": published})
            self.conn.execute("UPDATE detect_sites SET last_article_id = ? WHERE site_id = ?",
                              (arts[-1][1], site_id))

    def empty_baselines(self) -> None:
        """A site whose first finished crawl stored no article (nothing within max_age_days) gets
        its baseline now, so its first post later is a new_article, not the baseline."""
        rows = self.conn.execute(  # sites first: the crawls of the few without a baseline, not every crawl
            "SELECT s.id, (SELECT MAX(c.started_at) FROM crawls c WHERE c.site_id = s.id"
            " AND c.outcome IN ('ok', 'partial')) FROM sites s"
            " WHERE NOT EXISTS (SELECT 1 FROM detect_sites d WHERE d.site_id = s.id)"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.site_id = s.id)"
        ).fetchall()
        for site_id, at in rows:
            if at is None:
                continue  # no finished crawl yet
            if self._baseline_ready(site_id):
                self.emit("baseline", site_id, None, at, {"articles": 0})
                self.conn.execute("INSERT INTO detect_sites (site_id, baseline_at, baseline_articles,"
                                  " last_article_id) VALUES (?, ?, 0, 0)", (site_id, at))

    def _baseline_ready(self, site_id: str) -> bool:
        """The first crawl of a site is the baseline once it has finished (ok or partial)."""
        done = self.conn.execute(
            "SELECT MAX(id) FROM crawls WHERE site_id = ? AND outcome IN ('ok', 'partial')", (site_id,)
        ).fetchone()[0]
        if done is None:
            return False
        running = self.conn.execute(
            "SELECT 1 FROM crawls WHERE site_id = ? AND outcome = 'running' AND id > ?", (site_id, done)
        ).fetchone()
        return running is None

    # -- view counts --------------------------------------------------------------------------
    def readings(self) -> None:
        mark = self.mark("view_counts")
        new = self.conn.execute(
            "SELECT v.id, v.article_id, a.site_id FROM view_counts v JOIN articles a ON a.id = v.article_id"
            " WHERE v.id > ? ORDER BY v.id", (mark,)
        ).fetchall()
        if not new:
            return
        sites = {aid: sid for _, aid, sid in new}
        for aid, site_id in sites.items():
            series = self.conn.execute(
                "SELECT id, observed_at, views FROM view_counts WHERE article_id = ? ORDER BY observed_at, id",
                (aid,)).fetchall()
            for i in range(1, len(series)):
                if series[i][0] > mark:
                    self._reading(site_id, aid, series, i)
        self.set_mark("view_counts", new[-1][0])

    def _reading(self, site_id: str, aid: int, series: list, i: int) -> None:
        rid, t, views = series[i]
        _, pt, prev = series[i - 1]
        delta = views - prev
        base = {"old": prev, "new": views, "since": pt}
        if delta > 0:
            self.emit("views_changed", site_id, aid, t, {**base, "gained": delta}, reading=rid)
        if delta < 0:
            self.emit("views_anomaly", site_id, aid, t, {**base, "reason": "decrease"}, reading=rid)
            return
        # a gain of many times everything the article had gathered before (and far above the
        # floor) is not readership, whatever its history: e.g. "1.234.567.890.123" read as a count
        own_limit = self.opts.jump_factor * max(prev, self.opts.jump_min)
        if delta > own_limit:
            self.emit("views_anomaly", site_id, aid, t,
                      {**base, "reason": "jump", "gained": delta, "limit": int(own_limit),
                       "rule": f"gain above {self.opts.jump_factor:g}× the count before (at least {self.opts.jump_min})"},
                      reading=rid)
            return
        recent = self._recent_rate(series, i - 1)
        hours = max(_hours(pt, t), 1 / 60)
        if (recent is not None and delta >= self.opts.jump_min
                and delta / hours > self.opts.jump_factor * max(recent, 1.0)):
            self.emit("views_anomaly", site_id, aid, t,
                      {**base, "reason": "jump", "rate_per_hour": round(delta / hours, 1),
                       "recent_rate_per_hour": round(recent, 2)}, reading=rid)

    def _recent_rate(self, series: list, j: int) -> float | None:
        """Views per hour over the window before reading j (None without two readings ≥1 h apart)."""
        end_t, end_v = series[j][1], series[j][2]
        start = clock.iso(clock.parse_iso(end_t) - timedelta(days=self.opts.jump_window_days))
        first = next((r for r in series[:j] if r[1] >= start), None)
        if first is None or _hours(first[1], end_t) < 1:
            return None
        return max(0.0, (end_v - first[2]) / _hours(first[1], end_t))

    # -- edits and removals ---------------------------------------------------------------------
    def revisions(self) -> None:
        mark = self.mark("article_revisions")
        rows = self.conn.execute(
            "SELECT r.id, r.article_id, r.observed_at, r.field, r.old_value, r.new_value, r.crawl_id,"
            " a.site_id, a.title, a.url FROM article_revisions r JOIN articles a ON a.id = r.article_id"
            " WHERE r.id > ? ORDER BY r.id", (mark,)).fetchall()
        groups: dict[tuple, list] = defaultdict(list)
        for r in rows:
            group = "body" if r[3] == "body" else "title"
            groups[(r[1], r[6] if r[6] is not None else f"r{r[0]}", group)].append(r)
        for (aid, crawl, group), revs in groups.items():
            pick = next((r for r in revs if r[3] == "title"), revs[0])
            _, _, observed, field, old, new, _, site_id, title, url = pick
            if group == "title":
                details = {"field": "title", "old_title": old, "new_title": new, "url": url}
            else:
                details = {"field": "body", "title": title, "url": url,
                           "old_length": len(old or ""), "new_length": len(new or "")}
            self.emit("article_edited", site_id, aid, observed, details, crawl=crawl, part=group)
        if rows:
            self.set_mark("article_revisions", rows[-1][0])

    def removals(self) -> None:
        for aid, site_id, removed_at, title, url, published in self.conn.execute(
            "SELECT id, site_id, removed_at, title, url, published_at FROM articles"
            " WHERE status = 'removed' AND removed_at IS NOT NULL"
        ).fetchall():
            self.emit("article_removed", site_id, aid, removed_at,
                      {"title": title, "url": url, "published_at": published}, at=removed_at)

    # -- crawl health ---------------------------------------------------------------------------
    def crawls(self) -> None:
        mark = self.mark("crawls")
        rows = self.conn.execute(
            "SELECT id, site_id, outcome, started_at, finished_at, articles_seen, missing_date,"
            " missing_views, missing_title, error_summary FROM crawls WHERE id > ? ORDER BY id", (mark,)
        ).fetchall()
        running = [r[0] for r in rows if r[2] == "running"]
        for r in rows:
            if r[2] == "failed":
                self._unreachable(r)
            elif r[2] in ("ok", "partial"):
                self._broken(r)
        if rows:
            self.set_mark("crawls", (min(running) - 1) if running else rows[-1][0])

    def _unreachable(self, c) -> None:
        cid, site_id = c[0], c[1]
        last_good = self.conn.execute(
            "SELECT COALESCE(MAX(id), 0) FROM crawls WHERE site_id = ? AND id < ? AND outcome IN ('ok', 'partial')",
            (site_id, cid)).fetchone()[0]
        streak = self.conn.execute(
            "SELECT id, started_at FROM crawls WHERE site_id = ? AND id > ? AND id <= ? AND outcome = 'failed'"
            " ORDER BY id", (site_id, last_good, cid)).fetchall()
        if len(streak) < self.opts.unreachable_after:
            return
        self.emit("site_unreachable", site_id, None, c[4] or c[3],
                  {"failed_runs": len(streak), "since": streak[0][1], "crawl_id": cid,
                   "last_error": c[9]}, first_crawl=streak[0][0])

    def _broken(self, c) -> None:
        cid, site_id, seen = c[0], c[1], c[5]
        if seen < self.opts.broken_min_articles:
            return
        usual = usual_missing(self.conn, [site_id], cid, self.opts.broken_history)
        if usual is None:
            return  # the first crawl has nothing to compare with
        shares = broken_fields(seen, dict(zip(FIELDS, c[6:9], strict=True)), usual, self.opts)
        for name, f in shares.items():
            if not f.broken:
                continue
            sample = self.conn.execute(
                "SELECT id, url, reason FROM html_samples WHERE crawl_id = ? ORDER BY id DESC LIMIT 1", (cid,)
            ).fetchone() or self.conn.execute(
                "SELECT id, url, reason FROM html_samples WHERE site_id = ? ORDER BY id DESC LIMIT 1", (site_id,)
            ).fetchone()
            self.emit("extraction_broken", site_id, None, c[4] or c[3],
                      {"field": FIELDS[name], "share": f.share, "usual": f.usual,
                       "articles_seen": seen, "crawl_id": cid,
                       "sample_id": sample[0] if sample else None, "sample_url": sample[1] if sample else None,
                       "sample_reason": sample[2] if sample else None}, crawl=cid, field=name)


def _hours(a: str, b: str) -> float:
    return (clock.parse_iso(b) - clock.parse_iso(a)).total_seconds() / 3600
