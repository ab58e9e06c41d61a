"""A year of national history without fetching a page: what the service's 15-minute crawls of
the national simulator store, cycle by cycle, computed from the simulator's own timelines
(simulator.national.site: each site's posting rhythm) and view curves (Article.views_at).

The crawl modelled is benchmarks/national_bench.py's: every cycle walks the first list page of
every site (all `max_pages` once a day, `deep_every_hours = 24`), entries older than
`max_age_days` are skipped, a list that prints counts gives a reading of each entry, article pages
are fetched when new and when crawler.revisit.RevisitPolicy.should_fetch (the spider's own rule)
says so; a down site fails every crawl with one fetch error. All rows of a cycle carry the
cycle's time, as with PORTALWATCH_NOW pinned.

The model keeps what is stored about each article its crawls still see (`Art`, the mirror of the
`articles` row, with the ids the store gives) and reports each cycle as `SiteCrawl`s: the list
sightings, the pages fetched, the readings stored. Two writers take it from there (_year_write):
crawler items through Store.apply (tests prove the equality on a slice) and a bulk SQL path.

Not modelled: robots.txt, retries of flaky servers (their crawls succeed), 304 answers
(a revisit is a full page), edits and removals (the national simulator makes none).
"""

from __future__ import annotations

import bisect
import email.utils
import math
from datetime import UTC, datetime

from crawler.clock import iso
from crawler.extract.urls import article_key
from crawler.plan import Known
from crawler.revisit import RevisitPolicy, velocity
from simulator.formats import detail_date, flavour
from simulator.model import PAGE_SIZE, START_TS
from simulator.national.articles import _make_article
from simulator.national.site import _timeline

CYCLE_S = 900  # the service's schedule, "every 15m"
DAY_S = 86400
CRAWL_PID = 4242  # the crawl child's pid in the crawls rows (any constant)
DOWN_ERROR = "HTTP 503 Service Unavailable on the list page (Retry-After 3600 s)"


class Art:
    """One stored article: the columns the crawl changes, the ids the store gave it, its curve."""

    __slots__ = ("id", "site_id", "key", "url", "title", "published", "published_at", "published_text",
                 "summary", "body", "author", "category", "V", "tau", "r", "detail_views", "first_seen",
                 "last_seen", "last_fetched", "views", "views_observed", "views_checked", "prev_views",
                 "prev_observed", "last_modified", "next_check")

    def views_at(self, t: int) -> int:
        """simulator.model.Article.views_at, the count a page shows at time t."""
        age_h = (t - self.published) / 3600.0
        if age_h <= 0:
            return 0
        return int(self.V * (1.0 - math.exp(-age_h / self.tau)) + self.r * age_h / 24.0)

    def known(self) -> Known:
        """What the spider reads about it (monitor.store.reads): RevisitPolicy's input."""
        return Known(self.id, self.url, self.title, self.title, self.published_at, self.views,
                     self.views_checked, self.views_observed, self.first_seen, self.last_fetched, None,
                     self.last_modified, "live", True, self.prev_views, self.prev_observed)


class SiteModel:
    __slots__ = ("id", "site", "times", "size", "list_views", "down", "url", "flav", "arts", "name")


class SiteCrawl:
    """One site's crawl in one cycle. `pages`: per list page fetched, the sightings
    [(art, views shown, new?)]; `fetched`: [(art, views shown on its page)]; `readings`: the
    view_counts rows stored, (id, article, views, source, previous views, previous time)."""

    __slots__ = ("site", "crawl_id", "walk", "pages", "fetched", "readings", "new", "error")

    def __init__(self, site: SiteModel, crawl_id: int, walk: str):
        self.site, self.crawl_id, self.walk = site, crawl_id, walk
        self.pages: list[list[tuple[Art, int | None, bool]]] = []
        self.fetched: list[tuple[Art, int | None]] = []
        self.readings: list[tuple[int, Art, int, str, int | None, str | None]] = []
        self.new: list[Art] = []
        self.error: str | None = None


class YearModel:
    """The national world's sites (`site_ids`), crawled every 15 minutes from the simulator's start."""

    def __init__(self, world, site_ids: list[str], port: int, *, max_age_days: int = 3, max_pages: int = 3,
                 list_pages: int = 1, horizon_days: int = 400):
        self.world, self.port, self.seed = world, port, world.seed
        self.max_age_s, self.max_pages, self.list_pages = max_age_days * DAY_S, max_pages, list_pages
        self.policy = RevisitPolicy.from_config({"list_pages": list_pages, "deep_every_hours": 24})
        self.deep_every = round(self.policy.deep_every_hours * 3600 / CYCLE_S)
        self.cycle = 0  # the next cycle to run
        self.next_article = self.next_reading = self.next_crawl = self.next_error = 1
        horizon = START_TS + horizon_days * DAY_S
        self.sites: list[SiteModel] = []
        for sid in site_ids:
            s = world.sites[sid]
            m = SiteModel()
            m.id, m.site, m.name = sid, s, s.name
            m.times = _timeline(self.seed, s, horizon)
            m.size = PAGE_SIZE[s.template]
            m.list_views = s.template != "plain"
            m.down = s.kind() == "down"
            m.url = f"http://{s.host}:{port}{s.list_paths[0]}"
            m.flav = flavour(s, s.template)
            m.arts = {}
            self.sites.append(m)

    @staticmethod
    def time_of(cycle: int) -> int:
        """The clock (epoch seconds) of a cycle: the simulator's start + 15 minutes a cycle."""
        return START_TS + cycle * CYCLE_S

    def time(self, cycle: int) -> int:
        return self.time_of(cycle)

    def run_cycle(self) -> tuple[int, list[SiteCrawl]]:
        """The next cycle: (its time, one SiteCrawl per site)."""
        t = self.time(self.cycle)
        deep = self.cycle % self.deep_every == 0
        self.cycle += 1
        stamp = iso(datetime.fromtimestamp(t, UTC))
        now = datetime.fromtimestamp(t, UTC)
        crawls = []
        for m in self.sites:
            sc = SiteCrawl(m, self.next_crawl, "full" if deep else "shallow")
            self.next_crawl += 1
            crawls.append(sc)
            if m.down:
                sc.error = DOWN_ERROR
                self.next_error += 1
                continue
            self._walk(m, sc, t, stamp, now, self.max_pages if deep else self.list_pages)
        return t, crawls

    def _walk(self, m: SiteModel, sc: SiteCrawl, t: int, stamp: str, now: datetime, pages: int) -> None:
        """The spider's list walk (crawler/spiders/portal.py _parse_list) and its article pages."""
        times, size = m.times, m.size
        visible = bisect.bisect_right(times, t)
        fresh_from = bisect.bisect_left(times, t - self.max_age_s)  # older entries are skipped
        for idx in [i for i in m.arts if i < fresh_from]:
            del m.arts[idx]  # never seen again
        fetch: list[Art] = []
        for page in range(pages):
            hi = visible - page * size
            lo = max(hi - size, 0)
            seen: list[tuple[Art, int | None, bool]] = []
            for idx in range(hi - 1, max(lo, fresh_from) - 1, -1):
                art = m.arts.get(idx)
                new = art is None
                if art is None:
                    art = m.arts[idx] = self._new_art(m, idx, stamp)
                    sc.new.append(art)
                shown = art.views_at(t) if m.list_views else None
                if new or self._due(art, now, shown):  # decided on what was stored before this page
                    fetch.append(art)
                seen.append((art, shown, new))
                art.last_seen = stamp
                if shown is not None:
                    self._read(sc, art, shown, "list", stamp)
            sc.pages.append(seen)
            if lo <= 0 or hi - 1 < fresh_from:  # no next page, or every entry too old: stop
                break
        for art in fetch:
            shown = art.views_at(t) if art.detail_views else None
            sc.fetched.append((art, shown))
            art.last_fetched = stamp
            changed = max(art.published, self._changed_at(art, t)) if art.detail_views else art.published
            art.last_modified = email.utils.formatdate(changed, usegmt=True)
            if shown is not None:
                self._read(sc, art, shown, "article", stamp)
            art.next_check = self._next_check(art, now, m.list_views)

    def _new_art(self, m: SiteModel, idx: int, stamp: str) -> Art:
        a = _make_article(self.seed, m.site, idx, m.times[idx])
        art = Art()
        art.id = self.next_article
        self.next_article += 1
        art.site_id = m.id
        art.url = f"http://{m.site.host}:{self.port}{a.path}"
        art.key = article_key(art.url)
        art.title, art.summary, art.body = a.title, a.summary, a.body
        art.author = a.author if m.site.template != "plain" else None
        art.category = m.site.categories[0].name
        art.published = a.published
        art.published_at = iso(datetime.fromtimestamp(a.published, UTC))
        art.published_text = detail_date(m.site, m.flav, a.published)
        art.V, art.tau, art.r, art.detail_views = a.V, a.tau, a.r, a.detail_views
        art.first_seen = art.last_seen = stamp
        art.last_fetched = art.views = art.views_observed = art.views_checked = None
        art.prev_views = art.prev_observed = art.last_modified = None
        art.next_check = 0.0
        return art

    def _read(self, sc: SiteCrawl, art: Art, views: int, source: str, stamp: str) -> None:
        """A count shown: stored as a reading when it differs from the stored one (Store._reading)."""
        art.views_checked = stamp
        if views == art.views:
            return
        rid = self.next_reading
        self.next_reading += 1
        sc.readings.append((rid, art, views, source, art.views, art.views_observed))
        if art.views_observed is not None and art.views_observed < stamp:
            art.prev_views, art.prev_observed = art.views, art.views_observed
        art.views, art.views_observed = views, stamp

    def _due(self, art: Art, now: datetime, shown: int | None) -> bool:
        """RevisitPolicy.should_fetch, asked only once the revisit can be due: its interval grows
        with the article's age, and the count's velocity (plain lists: known from article pages
        only) changes only when the page is fetched, so the interval at any time is a lower bound
        for every later one."""
        t = now.timestamp()
        if t < art.next_check:
            return False
        fetch, _ = self.policy.should_fetch(art.known(), now, list_title=art.title, list_views=shown)
        if not fetch:
            art.next_check = self._next_check(art, now, shown is not None)
        return fetch

    def _next_check(self, art: Art, now: datetime, list_views: bool) -> float:
        """The time should_fetch's interval (crawler/revisit.py, with its spread) ends."""
        known = art.known()
        born = datetime.fromisoformat((known.published_at or known.first_seen_at).replace("Z", "+00:00"))
        age = max((now - born).total_seconds() / 3600, 0.0)
        due = self.policy.interval_hours(age, list_views, velocity(known, now))
        if due > 2:
            due *= 0.8 + 0.4 * ((known.id * 2654435761) % 1000) / 1000
        fetched = datetime.fromisoformat(art.last_fetched.replace("Z", "+00:00")).timestamp()
        return max(fetched + due * 3600 - 180, now.timestamp() + 1)

    @staticmethod
    def _changed_at(art: Art, t: int) -> int:
        """The second the count shown at t first appeared (simulator: Last-Modified)."""
        target = art.views_at(t)
        lo, hi = art.published, t
        while lo < hi:
            mid = (lo + hi) // 2
            if art.views_at(mid) >= target:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def active(self) -> list[Art]:
        """Every article a crawl still sees (stored state may still change)."""
        return [a for m in self.sites for a in m.arts.values()]
