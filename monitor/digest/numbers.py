"""A digest's numbers per site, read from the database for one window (since, until]: detect's
events, views gained per article (with rate), the fastest rising, new posts, per-site counts.

Everything belonging to one site is computed once per window (`site_level`, through a cache
shared by all the recipients of one run); titles are made one clean line here.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import sqlite_utils

from crawler import clock
from monitor.digest.text import one_line
from monitor.kinds import read_kinds

TOP_N = 5
RISING_MIN_VIEWS = 20  # "fastest rising" needs at least this many views gained …
RISING_MIN_HOURS = 2.0  # … over at least this many hours …
RISING_MIN_READINGS = 2  # … seen in this many real readings (the one before the window counts)


def site_level(db, site_ids: list[str], since: str, until: str, cache: dict | None):
    """Events, per-article gains and per-site counts of these sites, through the cache."""
    store = cache.setdefault((since, until), {}) if cache is not None else {}
    missing = [sid for sid in site_ids if sid not in store]
    if missing:
        q = Query(db, missing, since, until)
        events = q.events()
        drops: dict[int, int] = defaultdict(int)
        for e in events:
            if e["kind"] == "views_anomaly" and e["details"].get("reason") == "decrease":
                drops[e["article_id"]] += e["details"]["old"] - e["details"]["new"]
        gains = q.gains({e["article_id"] for e in events if e["kind"] == "new_article"}, drops)
        stats = q.site_stats()
        for sid in missing:
            store[sid] = {"events": [], "gains": [], "stats": stats.get(sid, {})}
        for e in events:
            store[e["site_id"]]["events"].append(e)
        for g in gains.values():
            store[g["site_id"]]["gains"].append(g)
    events = sorted((e for sid in site_ids for e in store[sid]["events"]), key=lambda e: (e["observed_at"], e["id"]))
    gains = {g["article_id"]: g for sid in site_ids for g in store[sid]["gains"]}
    return events, gains, {sid: dict(store[sid]["stats"]) for sid in site_ids}


# The articles row holds the latest reading (views, views_observed_at): when it is inside the
# window it is the window's last reading, found without a seek. The reading before the window
# is one index seek. The rest (_READING_SQL) is only for windows that end in the past, and for
# articles with no reading before the window (their first reading inside it is the baseline).
_GAINS_SQL = """
SELECT a.id, a.site_id, a.views_observed_at, a.views, julianday(a.views_observed_at),
       b.views, julianday(b.observed_at), julianday(a.published_at)
FROM articles a
LEFT JOIN view_counts b ON b.id = (SELECT id FROM view_counts WHERE article_id = a.id
    AND observed_at <= :since ORDER BY observed_at DESC, id DESC LIMIT 1)
WHERE a.site_id IN (SELECT value FROM json_each(:sites)) AND a.views_observed_at > :since
"""
_READING_SQL = """
SELECT x.value, r.views, julianday(r.observed_at), r.observed_at
FROM json_each(:ids) x JOIN view_counts r ON r.id = (SELECT id FROM view_counts WHERE article_id = x.value
    AND observed_at > :since AND observed_at <= :until ORDER BY observed_at {order}, id {order} LIMIT 1)
"""


def _julian_iso(j: float) -> str:
    """A julianday() value as UTC ISO, to the second."""
    return clock.iso(datetime.fromtimestamp(round((j - 2440587.5) * 86400), UTC))


class Query:
    """The SQL, scoped to a list of sites (passed as one JSON parameter) and a window."""

    def __init__(self, db: sqlite_utils.Database, site_ids: list[str], since: str, until: str):
        self.conn, self.sites, self.since, self.until = db.conn, json.dumps(site_ids), since, until

    def events(self) -> list[dict]:
        """The window's events, but for the kinds only ever summed (views_changed: kinds.unlisted):
        one range of idx_events_site_kind_time per site and kind read."""
        kinds = read_kinds()
        rows = self.conn.execute(
            "SELECT e.id, e.kind, e.site_id, e.article_id, e.observed_at, e.details, a.title, a.url"
            " FROM events e LEFT JOIN articles a ON a.id = e.article_id"
            " WHERE e.site_id IN (SELECT value FROM json_each(?)) AND e.observed_at > ? AND e.observed_at <= ?"
            f" AND e.kind IN ({', '.join('?' * len(kinds))}) ORDER BY e.observed_at, e.id",
            (self.sites, self.since, self.until, *kinds))
        keys = ("id", "kind", "site_id", "article_id", "observed_at", "details", "title", "url")
        return [{**dict(zip(keys, r, strict=True)), "details": json.loads(r[5])} for r in rows]

    def gains(self, new_ids: set[int], drops: dict[int, int]) -> dict[int, dict]:
        """Views gained per article with a reading in the window: its last reading minus the
        starting point (the last reading before the window; 0 for a new post; else its first
        reading), plus what the counter lost in resets (detect's views_anomaly 'decrease'
        events), so a reset is an anomaly, never a negative gain. `rate` is views per hour
        since the starting point (for a new post: since publication). About one index seek per
        article read in the window; the readings themselves are never scanned."""
        args = {"sites": self.sites, "since": self.since, "until": self.until}
        rows = self.conn.execute(_GAINS_SQL, args).fetchall()
        late = [r[0] for r in rows if r[2] > self.until]  # latest reading after the window's end
        lasts = self._readings(late, "DESC")
        firsts = self._readings([r[0] for r in rows if r[5] is None], "ASC")
        out = {}
        for aid, sid, last_t, last_v, last_j, before_v, before_j, published_j in rows:
            if last_t > self.until:
                if aid not in lasts:
                    continue  # no reading inside the window
                last_v, last_j = lasts[aid]
            if before_v is not None:
                base_v, base_j = before_v, before_j
            elif aid in new_ids:
                base_v, base_j = 0, published_j if published_j and published_j < last_j else firsts[aid][1]
            else:
                base_v, base_j = firsts[aid]
            gained = max(0, last_v - base_v + drops.get(aid, 0))
            hours = (last_j - base_j) * 24
            rate = round(gained / hours, 2) if hours >= 1 / 60 else None
            out[aid] = {"article_id": aid, "site_id": sid, "gained": gained, "views": last_v,
                        "rate": rate, "hours": round(hours, 1), "new": aid in new_ids, "base": base_v,
                        "before": before_v is not None, "span_j": (base_j, last_j)}
        return out

    def _readings(self, ids: list[int], order: str) -> dict[int, tuple[int, float]]:
        """The first (ASC) or last (DESC) reading inside the window of each article."""
        if not ids:
            return {}
        sql = _READING_SQL.format(order=order)
        return {aid: (v, j) for aid, v, j, _ in self.conn.execute(
            sql, {"ids": json.dumps(ids), "since": self.since, "until": self.until})}

    def identity(self, article_id: int) -> tuple | int:
        """What makes two stored articles the same post cross-posted under two URLs: the same site,
        the same title (case and spacing aside) and the same publication time; an article without a
        title or a time is only itself."""
        sid, title, published = self.conn.execute(
            "SELECT site_id, COALESCE(title, list_title), published_at FROM articles WHERE id = ?",
            (article_id,)).fetchone()
        norm = " ".join(unicodedata.normalize("NFC", title or "").casefold().split()).strip(" .:;!?…")
        return (sid, norm, published) if norm and published else article_id

    def most_read(self, gains) -> list[dict]:
        """The TOP_N largest gains, a post cross-posted under several URLs once (its largest gain)."""
        out, seen = [], set()
        for g in sorted((g for g in gains if g["gained"] > 0), key=lambda g: (-g["gained"], g["article_id"])):
            key = self.identity(g["article_id"])
            if key not in seen:
                seen.add(key)
                out.append(g)
                if len(out) == TOP_N:
                    break
        return out

    def rising(self, gains, shown: set | None = None) -> tuple[list[dict], list[int]]:
        """Fastest rising: views per hour, among articles with enough views, hours and readings
        for the rate to mean something (RISING_MIN_*); a post cross-posted under several URLs once.
        Articles whose identity is in `shown` (listed under most read) are left out: their ids are
        returned too, those that ranked among the fastest."""
        out: list[dict] = []
        left_out: list[int] = []
        seen = set(shown or ())
        for g in sorted((g for g in gains if g["rate"] and g["gained"] >= RISING_MIN_VIEWS
                         and g["hours"] >= RISING_MIN_HOURS), key=lambda g: (-g["rate"], g["article_id"])):
            n = self.conn.execute("SELECT COUNT(*) FROM view_counts WHERE article_id = ? AND observed_at > ?"
                                  " AND observed_at <= ?", (g["article_id"], self.since, self.until)).fetchone()[0]
            if n + g["before"] < RISING_MIN_READINGS:
                continue
            key = self.identity(g["article_id"])
            if shown and key in shown:
                left_out.append(g["article_id"])
            elif key not in seen:
                seen.add(key)
                out.append({**g, "readings": n + g["before"]})
                if len(out) == TOP_N:
                    break
        return out, left_out

    def describe(self, items: list[dict], names: dict) -> None:
        """Title, link and the window's readings as views gained so far, for the few articles shown
        with a chart: [time, gain] pairs from the starting point (the window's start when there is a
        reading before it, the publication of a new post, else the first reading) to the last reading;
        `span`: the starting point and the last reading the gain and rate are measured over (it starts
        before the window when the reading before the window does)."""
        for g in items:
            title, url, published = self.conn.execute(
                "SELECT COALESCE(title, list_title), url, published_at FROM articles WHERE id = ?",
                (g["article_id"],)).fetchone()
            g.update(title=one_line(title), url=url, published_at=published,
                     site_name=names.get(g["site_id"], g["site_id"]), span=[_julian_iso(j) for j in g["span_j"]])
            pts = self.conn.execute(
                "SELECT observed_at, views FROM view_counts WHERE article_id = ? AND observed_at > ?"
                " AND observed_at <= ? ORDER BY observed_at, id", (g["article_id"], self.since, self.until)).fetchall()
            start = self.since if g["before"] else max(published, self.since) if g["new"] and published else None
            if start and pts and start >= pts[0][0]:
                start = None
            g["series"] = ([[start, 0]] if start else []) + [[t, max(0, v - g["base"])] for t, v in pts]
            g.setdefault("readings", len(pts) + g["before"])

    def new_posts(self, events: list[dict], names: dict) -> dict:
        ids = json.dumps([e["article_id"] for e in events])
        rows = self.conn.execute(
            "SELECT a.id, a.site_id, COALESCE(a.title, a.list_title), a.url, a.published_at, a.first_seen_at,"
            " a.views, a.status FROM articles a WHERE a.id IN (SELECT value FROM json_each(?))"
            " ORDER BY a.published_at IS NULL, a.published_at DESC, a.first_seen_at DESC, a.id DESC", (ids,))
        keys = ("article_id", "site_id", "title", "url", "published_at", "first_seen_at", "views", "status")
        out = []
        for r in rows:
            d = dict(zip(keys, r, strict=True))
            d.update(title=one_line(d["title"]), site_name=names.get(d["site_id"], d["site_id"]))
            out.append(d)
        return {"all": out}

    def site_stats(self) -> dict[str, dict]:
        """Per site: posts in the 7 days to the window's end, the last post, crawls in the window,
        the last crawl (and since when it fails). A few index seeks per site, whatever the
        length of the history: never a scan of a site's articles or crawls."""
        until = clock.parse_iso(self.until)
        week = clock.iso(until - timedelta(days=7))
        out: dict[str, dict] = defaultdict(dict)
        for sid, n7, last in self.conn.execute(
            "SELECT s.value, (SELECT COUNT(*) FROM articles WHERE site_id = s.value AND published_at > :week"
            "  AND published_at <= :until AND status = 'live'),"
            " (SELECT published_at FROM articles WHERE site_id = s.value AND published_at <= :until"
            "  AND status = 'live' ORDER BY published_at DESC LIMIT 1)"
            " FROM json_each(:sites) s", {"week": week, "until": self.until, "sites": self.sites}):
            if last is None:
                continue
            days = (until - clock.parse_iso(last)).days
            out[sid].update(posts_7d=n7 or 0, last_post_at=last, silent_days=days)
        for sid, n in self.conn.execute(
            "SELECT site_id, COUNT(*) FROM crawls WHERE site_id IN (SELECT value FROM json_each(?))"
            " AND started_at > ? AND started_at <= ? GROUP BY site_id", (self.sites, self.since, self.until)):
            out[sid]["crawls"] = n
        for sid, outcome, err, started in self.conn.execute(
            "SELECT s.value, c.outcome, c.error_summary, c.started_at FROM json_each(?) s"
            " JOIN crawls c ON c.id = (SELECT id FROM crawls WHERE site_id = s.value AND started_at <= ?"
            "  AND outcome IN ('ok', 'partial', 'failed') ORDER BY started_at DESC, id DESC LIMIT 1)",
            (self.sites, self.until)):
            out[sid].update(ever_crawled=True, last_outcome=outcome, last_error=err, last_crawl_at=started)
            if outcome == "failed":
                out[sid]["failing_since"] = self.conn.execute(
                    "SELECT MIN(started_at) FROM crawls WHERE site_id = :s AND outcome = 'failed' AND started_at >"
                    " COALESCE((SELECT started_at FROM crawls WHERE site_id = :s AND outcome IN ('ok', 'partial')"
                    "  ORDER BY started_at DESC, id DESC LIMIT 1), '')", {"s": sid}).fetchone()[0]
        for sid in list(out):
            st = out[sid]
            if st.get("last_post_at"):
                st["ever_crawled"] = True
        return out
