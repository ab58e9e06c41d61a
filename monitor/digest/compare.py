"""A digest's comparisons: new posts and views gained in the window just before this one and in
the same window a week earlier, summed from detect's events per site (cached across recipients).

A window compared with is *fully measured* when every site of the recipient that was crawled by the
end of the digest's own window had finished its first crawl (ok or partial) by the start of that
window: a window with a site's first crawl inside it counts only what happened after that crawl
(its baseline), so its figures are not given ("kỳ trước chưa đo đủ")."""

from __future__ import annotations

import json
from datetime import timedelta

from crawler import clock


def compare(db, site_ids: list[str], since: str, until: str, cache: dict | None) -> dict:
    """New posts and views gained in the window just before this one (same length) and in the
    same window a week earlier; the counts are None when no crawl ran then (nothing to compare).
    Read from detect's events (views_changed gains, plus the first count of each new post: the
    same sum as the window's own gains), per site and through the cache: cheap for past windows.
    `complete` is False (and the counts None) when the window was not fully measured; `measured_from`
    is then when the last of the sites was first crawled."""
    out = {}
    first = first_crawls(db, site_ids, until, cache)
    for name, (a, b) in compare_windows(since, until):
        a_iso, b_iso = clock.iso(a), clock.iso(b)
        store = cache.setdefault(("compare", a_iso, b_iso), {}) if cache is not None else {}
        missing = [sid for sid in site_ids if sid not in store]
        if missing:
            store.update(dict.fromkeys(missing, (0, 0, 0)))
            for sid, crawls, posts, changed, first_counts in db.conn.execute(
                    _COMPARE_SQL, {"sites": json.dumps(missing), "a": a_iso, "b": b_iso}):
                store[sid] = (crawls, posts or 0, (changed or 0) + (first_counts or 0))
        crawls, posts, views = (sum(col) for col in zip(*(store[sid] for sid in site_ids), strict=True)) \
            if site_ids else (0, 0, 0)
        late = max((t for t in first.values() if t > a_iso), default=None)  # a first crawl inside or after it
        known = bool(crawls) and a < b and late is None
        out[name] = {"since": a_iso, "until": b_iso, "crawls": crawls,
                     "new_posts": posts if known else None, "views_gained": views if known else None,
                     "complete": late is None, "measured_from": late}
    return out


def first_crawls(db, site_ids: list[str], until: str, cache: dict | None) -> dict[str, str]:
    """When each site's first crawl that stored its articles (ok or partial) finished, for the sites
    crawled by `until`; sites never crawled by then are left out (they count in no window)."""
    store = cache.setdefault(("first_crawl",), {}) if cache is not None else {}
    missing = [sid for sid in site_ids if sid not in store]
    if missing:
        store.update(dict.fromkeys(missing))
        for sid, t in db.conn.execute(  # one entry of idx_crawls_site_good_finish per site (migration 22)
                "SELECT s.value, (SELECT MIN(c.finished_at) FROM crawls c WHERE c.site_id = s.value"
                " AND c.outcome IN ('ok', 'partial') AND c.finished_at IS NOT NULL) FROM json_each(?) s",
                (json.dumps(missing),)):
            store[sid] = t
    return {sid: store[sid] for sid in site_ids if store[sid] is not None and store[sid] <= until}


def compare_windows(since: str, until: str) -> tuple:
    """(name, (start, end)) of the window just before (same length) and of the same window a week earlier."""
    s, u = clock.parse_iso(since), clock.parse_iso(until)
    return ("previous", (s - (u - s), s)), ("week_before", (s - timedelta(days=7), u - timedelta(days=7)))


_COMPARE_SQL = """
SELECT s.value,
  (SELECT COUNT(*) FROM crawls c WHERE c.site_id = s.value AND c.started_at > :a AND c.started_at <= :b),
  (SELECT COUNT(*) FROM events e WHERE e.site_id = s.value AND e.observed_at > :a AND e.observed_at <= :b
     AND e.kind = 'new_article'),
  (SELECT SUM(e.gained) FROM events e WHERE e.site_id = s.value AND e.kind = 'views_changed'
     AND e.observed_at > :a AND e.observed_at <= :b),
  (SELECT SUM((SELECT v.views FROM view_counts v WHERE v.article_id = e.article_id AND v.observed_at <= :b
               ORDER BY v.observed_at, v.id LIMIT 1))
   FROM events e WHERE e.site_id = s.value AND e.kind = 'new_article' AND e.observed_at > :a AND e.observed_at <= :b)
FROM json_each(:sites) s
"""  # each sum reads one range of idx_events_site_kind_time (migration 21): its kind's rows only
