"""Writing the modelled year (benchmarks/_year_model.py) into a database, two ways that give the
same rows (tests/store/test_year_bulk.py compares every table on a slice):

* `items(t, crawls)`: the crawler items a real crawl of that cycle yields, for Store.apply, then
  monitor.detect.detect as the service runs it after each crawl;
* `BulkWriter`: the same rows with executemany in one transaction per batch of cycles (a day),
  the events detect would record computed alongside: about 50 times faster.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from benchmarks._year_model import CRAWL_PID, Art, SiteCrawl, YearModel
from crawler.clock import iso
from crawler.items import (
    ArticleItem,
    CrawlFinishedItem,
    CrawlStartedItem,
    FetchErrorItem,
    ListPageItem,
)
from monitor.store.connect import open_db
from monitor.store.dbutil import transaction


def items(t: int, crawls: list[SiteCrawl]) -> list:
    """The items of one cycle, site after site, in the order a crawl yields them."""
    stamp = iso(datetime.fromtimestamp(t, UTC))
    out: list = []
    for sc in crawls:
        m = sc.site
        out.append(CrawlStartedItem(m.id, stamp, pid=CRAWL_PID, list_walk=sc.walk))
        if sc.error:
            out.append(FetchErrorItem(m.id, m.url, sc.error, stamp, status=503))
            out.append(CrawlFinishedItem(m.id, stamp, "failed"))
            continue
        for n, page in enumerate(sc.pages):
            entries = [ArticleItem(m.id, a.key, a.url, "list", stamp, title=a.title, published_at=a.published_at,
                                   published_text=a.published_text, views=shown, summary=a.summary,
                                   missing=[] if shown is not None else ["views"])
                       for a, shown, _ in page]
            if entries:
                out.append(ListPageItem(m.id, f"{m.url}?page={n + 1}", entries))
        for a, shown in sc.fetched:
            out.append(ArticleItem(m.id, a.key, a.url, "article", stamp, title=a.title, published_at=a.published_at,
                                   published_text=a.published_text, views=shown, summary=a.summary, body=a.body,
                                   category=a.category, author=a.author, last_modified=a.last_modified,
                                   missing=[] if shown is not None else ["views"]))
        out.append(CrawlFinishedItem(m.id, stamp, "ok", list_pages=len(sc.pages), article_pages=len(sc.fetched)))
    return out


_ART_COLS = ("id, site_id, key, url, title, list_title, category, published_at, published_text, summary, body,"
             " author, content_hash, first_seen_at, last_seen_at, last_fetched_at, views, views_observed_at,"
             " views_checked_at, last_modified")
_CRAWL_COLS = ("id, site_id, started_at, finished_at, outcome, pages_fetched, list_pages, article_pages,"
               " articles_seen, articles_new, views_changed, missing_views, errors, error_summary, pid, list_walk")


class BulkWriter:
    """The model's cycles as rows, a batch (one transaction) at a time; detect's events with them."""

    def __init__(self, path, model: YearModel, unreachable_after: int = 3):
        self.db = open_db(path)
        self.conn = self.db.conn
        self.model, self.unreachable_after = model, unreachable_after
        self.events_from = 0  # views_changed events of readings before this time (epoch) are not written
        self.conn.execute("PRAGMA cache_size = -262144")
        self.trigger = self.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'view_counts_daily'").fetchone()[0]
        self.baselined = {r[0] for r in self.conn.execute("SELECT site_id FROM detect_sites")}
        self.failed = dict(self.conn.execute(
            "SELECT site_id, COUNT(*) FROM crawls WHERE outcome = 'failed' GROUP BY site_id").fetchall())
        self._reset()

    def _reset(self) -> None:
        self.new: list[Art] = []
        self.touched: dict[int, Art] = {}
        self.readings: list[tuple] = []
        self.crawls: list[tuple] = []
        self.errors: list[tuple] = []
        self.events: list[tuple] = []
        self.baselines: list[tuple] = []
        self.daily: dict[tuple[int, str], list] = {}

    def close(self) -> None:
        self.conn.close()

    def add(self, t: int, crawls: list[SiteCrawl]) -> None:
        """One cycle, and the detect run after it (the service's detect_after)."""
        stamp = iso(datetime.fromtimestamp(t, UTC))
        day = (datetime.fromtimestamp(t, UTC) + timedelta(hours=7)).strftime("%Y-%m-%d")
        first_seen: dict[str, list[Art]] = defaultdict(list)
        for sc in crawls:
            m = sc.site
            if sc.error:
                self.crawls.append((sc.crawl_id, m.id, stamp, stamp, "failed", 0, 0, 0, 0, 0, 0, 0, 1, sc.error,
                                    CRAWL_PID, sc.walk))
                self.errors.append((sc.crawl_id, m.id, m.url, 503, sc.error, stamp))
                self._unreachable(m.id, sc, stamp)
                continue
            # missing_views counts articles (monitor/store/gaps.py): a list entry without a count is
            # excused when the article's stored count came from its page, then missing only if a
            # page read in this crawl lacks it too; an article page with a count settles it
            prev_of = {a.id: prev for _, a, _, _, prev, _ in sc.readings}
            lack: set[int] = set()
            excused: set[int] = set()
            seen = 0
            for page in sc.pages:
                for a, shown, _ in page:
                    seen += 1
                    if shown is None:
                        before = prev_of[a.id] if a.id in prev_of else a.views
                        (excused if before is not None else lack).add(a.id)
                    self.touched[a.id] = a
            for a, shown in sc.fetched:
                if shown is not None:
                    lack.discard(a.id)
                    excused.discard(a.id)
                elif a.id in excused:
                    excused.discard(a.id)
                    lack.add(a.id)
            missing = len(lack)
            self.new += sc.new
            first_seen[m.id] += sc.new
            pages = len(sc.pages) + len(sc.fetched)
            self.crawls.append((sc.crawl_id, m.id, stamp, stamp, "ok", pages, len(sc.pages), len(sc.fetched), seen,
                                len(sc.new), len(sc.readings), missing, 0, None, CRAWL_PID, sc.walk))
            for rid, a, views, source, prev, prev_at in sc.readings:
                self.readings.append((rid, a.id, stamp, views, source, sc.crawl_id))
                gain = views - prev if prev is not None else 0
                d = self.daily.get((a.id, day))
                if d is None:
                    self.daily[(a.id, day)] = [gain, views, 1, stamp]
                else:
                    d[0] += gain
                    d[1], d[2], d[3] = views, d[2] + 1, stamp
                if prev is None or t < self.events_from:
                    continue
                if views < prev:  # the curves only grow; detect's jump rules need a gain far above the
                    raise AssertionError(f"reading {rid}: {prev} -> {views}: a decrease")  # rate before
                self.events.append(("views_changed", m.id, a.id, stamp, stamp, f"views:{rid}",  # json.dumps' text
                                    f'{{"old": {prev}, "new": {views}, "since": "{prev_at}", "gained": {views - prev}}}'))
        for sid, arts in first_seen.items():
            if sid not in self.baselined:
                self.baselined.add(sid)
                details = ({"articles": len(arts), "first_seen_from": stamp, "first_seen_to": stamp} if arts
                           else {"articles": 0})
                self.events.append(("baseline", sid, None, stamp, stamp, f"baseline:{sid}",
                                    json.dumps(details, ensure_ascii=False)))
                self.baselines.append((sid, stamp, len(arts), arts[-1].id if arts else 0))
                continue
            for a in arts:
                self.events.append(("new_article", sid, a.id, stamp, stamp, f"new:{a.id}", json.dumps(
                    {"title": a.title, "url": a.url, "published_at": a.published_at}, ensure_ascii=False)))

    def _unreachable(self, sid: str, sc: SiteCrawl, stamp: str) -> None:
        n = self.failed[sid] = self.failed.get(sid, 0) + 1
        if n == self.unreachable_after:
            first = sc.crawl_id - (n - 1) * len(self.model.sites)  # the outage's first failed crawl
            since = iso(datetime.fromtimestamp(self.model.time(self.model.cycle - n), UTC))
            self.events.append(("site_unreachable", sid, None, stamp, stamp, f"unreachable:{sid}:{first}", json.dumps(
                {"failed_runs": n, "since": since, "crawl_id": sc.crawl_id, "last_error": sc.error},
                ensure_ascii=False)))

    def flush(self) -> int:
        """Write the batch in one transaction; the rows written."""
        c = self.conn
        with transaction(c):
            c.execute("DROP TRIGGER view_counts_daily")  # views_daily is written below, as it would compute
            c.executemany(f"INSERT INTO articles ({_ART_COLS}) VALUES ({', '.join('?' * 20)})", [
                (a.id, a.site_id, a.key, a.url, a.title, a.title, a.category, a.published_at, a.published_text,
                 a.summary, a.body, a.author, hashlib.sha1(a.body.encode()).hexdigest(), a.first_seen, a.last_seen,
                 a.last_fetched, a.views, a.views_observed, a.views_checked, a.last_modified) for a in self.new])
            fresh = {a.id for a in self.new}
            c.executemany("UPDATE articles SET last_seen_at = ?, last_fetched_at = ?, views = ?, views_observed_at = ?,"
                          " views_checked_at = ?, last_modified = ? WHERE id = ?",
                          [(a.last_seen, a.last_fetched, a.views, a.views_observed, a.views_checked, a.last_modified,
                            a.id) for a in self.touched.values() if a.id not in fresh])
            c.executemany(f"INSERT INTO crawls ({_CRAWL_COLS}) VALUES ({', '.join('?' * 16)})", self.crawls)
            c.executemany("INSERT INTO fetch_errors (crawl_id, site_id, url, status, error, observed_at)"
                          " VALUES (?,?,?,?,?,?)", self.errors)
            c.executemany("INSERT INTO view_counts (id, article_id, observed_at, views, source, crawl_id)"
                          " VALUES (?,?,?,?,?,?)", self.readings)
            c.executemany(
                "INSERT INTO views_daily (article_id, day, views_gained, views, readings, last_observed_at)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT (article_id, day) DO UPDATE SET"
                " views_gained = views_gained + excluded.views_gained, readings = readings + excluded.readings,"
                " views = excluded.views, last_observed_at = excluded.last_observed_at",
                [(aid, day, *v) for (aid, day), v in self.daily.items()])
            c.execute(self.trigger)
            c.executemany("INSERT INTO events (kind, site_id, article_id, observed_at, detected_at, dedupe_key, details)"
                          " VALUES (?,?,?,?,?,?,?)", self.events)
            c.executemany("INSERT INTO detect_sites (site_id, baseline_at, baseline_articles, last_article_id)"
                          " VALUES (?,?,?,?)", self.baselines)
            last = {}
            for a in self.new:
                last[a.site_id] = a.id
            c.executemany("UPDATE detect_sites SET last_article_id = max(last_article_id, ?) WHERE site_id = ?",
                          [(aid, sid) for sid, aid in last.items()])
            for name, value in (("view_counts", self.model.next_reading - 1), ("crawls", self.model.next_crawl - 1)):
                if value:
                    c.execute("INSERT INTO detect_state (name, value) VALUES (?, ?)"
                              " ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))
        n = (len(self.new) + len(self.readings) + len(self.crawls) + len(self.errors) + len(self.events)
             + len(self.daily))
        self._reset()
        return n
