"""A digest's comparisons: new posts and views gained in the window just before this one and in
the same window a week earlier, summed from detect's events per site (cached across recipients)."""

from __future__ import annotations

import json
from datetime import timedelta

from crawler import clock


def compare(db, site_ids: list[str], since: str, until: str, cache: dict | None) -> dict:
    """New posts and views gained in the window just before this one (same length) and in the
    same window a week earlier; the counts are None when no crawl ran then (nothing to compare).
    Read from detect's events (views_changed gains, plus the first count of each new post: the
    same sum as the window's own gains), per site and through the cache: cheap for past windows."""
    out = {}
    for name, (a, b) in compare_windows(since, until):
        a_iso, b_iso = clock.iso(a), clock.iso(b)
        store = cache.setdefault(("compare", a_iso, b_iso), {}) if cache is not None else {}
        missing = [sid for sid in site_ids if sid not in store]
        if missing:
            store.update(dict.fromkeys(missing, (0, 0, 0)))
            for sid, crawls, posts, views in db.conn.execute(_COMPARE_SQL, {"sites": json.dumps(missing),
                                                                            "a": a_iso, "b": b_iso}):
                store[sid] = (crawls, posts or 0, views or 0)
        crawls, posts, views = (sum(col) for col in zip(*(store[sid] for sid in site_ids), strict=True)) \
            if site_ids else (0, 0, 0)
        known = bool(crawls) and a < b
        out[name] = {"since": a_iso, "until": b_iso, "crawls": crawls,
                     "new_posts": posts if known else None, "views_gained": views if known else None}
    return out


def compare_windows(since: str, until: str) -> tuple:
    """(name, (start, end)) of the window just before (same length) and of the same window a week earlier."""
    s, u = clock.parse_iso(since), clock.parse_iso(until)
    return ("previous", (s - (u - s), s)), ("week_before", (s - timedelta(days=7), u - timedelta(days=7)))


_COMPARE_SQL = """
SELECT s.value,
  (SELECT COUNT(*) FROM crawls c WHERE c.site_id = s.value AND c.started_at > :a AND c.started_at <= :b),
  (SELECT COUNT(*) FROM events e WHERE e.site_id = s.value AND e.observed_at > :a AND e.observed_at <= :b
     AND e.kind = 'new_article'),
  (SELECT SUM(CASE e.kind WHEN 'views_changed' THEN json_extract(e.details, '$.gained')
     ELSE (SELECT v.views FROM view_counts v WHERE v.article_id = e.article_id AND v.observed_at <= :b
           ORDER BY v.observed_at, v.id LIMIT 1) END)
   FROM events e WHERE e.site_id = s.value AND e.observed_at > :a AND e.observed_at <= :b
     AND e.kind IN ('views_changed', 'new_article'))
FROM json_each(:sites) s
"""
