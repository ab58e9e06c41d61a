"""The one spider: walks the list pages of the sites of its crawl plan (crawler.plan), fetches
the article pages the revisit policy asks for, checks articles that vanished from their lists,
and reports everything as typed items — its crawl's start and end included.

Arguments: `plan` (a CrawlPlan, its JSON, `CrawlPlan.encode()`'s text or `@/path/plan.json`)
and optionally `stored` (a crawler.stored.KnownLookup: the stored articles, looked up a list
page at a time; the local crawl passes the monitor's Reader). Without it the plan's `known`
articles are the state, or none (every article is new).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse

from crawler import clock
from crawler.extract.dates import to_utc_iso
from crawler.extract.profiles import Profile, detect_profile, get_profile
from crawler.extract.types import ListHint
from crawler.extract.urls import article_key
from crawler.faults import undecodable
from crawler.items import (
    ArticleItem,
    CrawlFinishedItem,
    CrawlStartedItem,
    FetchErrorItem,
    GoneItem,
    IncompleteListItem,
    ListPageItem,
    NotModifiedItem,
    SampleItem,
)
from crawler.plan import CrawlPlan, Known
from crawler.revisit import RevisitPolicy
from crawler.sites import Site
from crawler.stored import KnownLookup, PlanState
from crawler.walks import (
    AGE,
    END,
    LOOP,
    MAX_PAGES,
    OFF_SITE,
    ListWalk,
    inside_lists,
    unlisted_reason,
    walk_horizon,
)


class SiteState:
    """What the spider tracks about one site during one crawl (never its stored history: that
    is looked up a list page at a time)."""

    def __init__(self, site: Site, max_pages: int | None = None, list_walk: str = "full"):
        self.site = site
        self.max_pages = site.max_pages if max_pages is None else max_pages
        self.list_walk = list_walk
        self.profile: Profile | None = None if site.profile == "auto" else get_profile(site.profile)
        self.policy = RevisitPolicy.from_config(site.revisit)
        self.hosts = {urlsplit(u).netloc for u in site.start_urls}  # the crawl stays on these
        self.seen: set[str] = set()
        self.pending_lists = 0
        self.list_failed = False
        # per list (its start URL): the oldest publication seen, and whether the walk stopped
        # early (max_pages, max_age_days) — then only newer articles are expected on it
        self.list_oldest: dict[str, str | None] = {}
        self.list_truncated: set[str] = set()
        self.walks: dict[str, ListWalk] = {}  # per list: what its walk saw (crawler/walks.py)
        self.newest: str | None = None  # the newest publication any list showed
        self.hint: ListHint | None = None  # the site's list as found on an earlier list page
        self.unlisted: list[str] = []  # live articles inside the lists' dates that no list showed
        self.stats: Counter = Counter()
        self.list_views_usual: float | None = None  # share of recent articles whose list showed views
        self.dates_usual = False  # the newest stored articles all have a date
        self.outstanding = 0  # requests asked for and not answered yet (0 again: the site is done)
        self.started = time.monotonic()
        self.seconds: float | None = None  # from the start to the last answer, once done
        self.reported = False  # its CrawlFinishedItem was emitted
        self.dropped = False  # given up mid-crawl (`PortalSpider.drop`): nothing more is fetched

    def asked(self) -> None:
        self.outstanding += 1

    def answered(self) -> None:
        """One request answered (its callback or errback ran, or it was dropped as a duplicate)."""
        self.outstanding -= 1
        if self.outstanding == 0 and self.seconds is None:
            self.seconds = time.monotonic() - self.started

    def outcome(self) -> str:
        """ok, partial (some pages failed) or failed (no list page read)."""
        if self.stats.get("list_pages", 0) == 0 or (self.list_failed and not self.seen):
            return "failed"
        return "partial" if self.stats.get("errors", 0) else "ok"


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, plan: str | CrawlPlan | None = None, stored: KnownLookup | None = None, **kw):
        super().__init__(**kw)
        if isinstance(plan, CrawlPlan):
            self.plan = plan
        elif plan:
            self.plan = CrawlPlan.load(plan)
        else:
            raise ValueError("the portal spider needs a crawl plan (plan=JSON, encoded, or @file)")
        self.sites = self.plan.sites
        self.now = clock.now()
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for s in self.sites for u in s.start_urls} - {""})
        self.state: dict[str, SiteState] = {}
        # the stored articles, looked up per list page
        self.stored: KnownLookup = stored if stored is not None else PlanState(self.plan)
        self.reported = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    def _dropped(self, request, spider=None):
        """A request the scheduler refused (a duplicate) is answered: it never reaches a callback."""
        st = self.state.get(request.meta.get("site_id", ""))
        if st is not None and request.meta.get("kind") in ("list", "article"):
            st.answered()

    async def start(self):
        for site in self.sites:
            st = self.state[site.id] = SiteState(site, self.plan.max_pages(site), self.plan.walk(site.id))
            st.list_views_usual = self.stored.list_views_share(site.id)
            st.hint = ListHint.from_json(self.stored.list_hint(site.id))  # the list as the last crawl found it
            st.dates_usual = self.stored.dates_usual(site.id)
            yield CrawlStartedItem(site.id, clock.now_iso(), os.getpid(), st.list_walk)
        for site in self.sites:
            st = self.state[site.id]
            # all of a site's start requests are counted before the first is handed out, so its
            # first answer cannot find it with nothing outstanding (and report it finished)
            st.pending_lists += len(site.start_urls)
            for request in [self._list_request(site.id, url, 1, first=True) for url in site.start_urls]:
                yield request

    # -- the end of a site's crawl: one CrawlFinishedItem per site ------------------------------------
    # A site is reported finished as soon as every request it asked for is answered (so a crawl
    # stopped later, at its timeout, leaves that site's outcome as it was); the rest when the
    # spider is idle, or as 'aborted' when the crawl is stopped.
    def _answered(self, st: SiteState, out: list) -> list:
        """A request of this site was answered: when it was the last, the site's end follows its items."""
        st.answered()
        if st.outstanding == 0 and not st.reported:
            out += self._site_end(st)
        return out

    def _site_end(self, st: SiteState) -> list:
        """A finished site's last items: why its lists were probably incomplete (live articles
        dated inside their range that no list page showed), then its CrawlFinishedItem."""
        st.reported = True
        out: list = []
        if st.unlisted:
            out.append(self._incomplete(st.site.id, st.unlisted[0], unlisted_reason(st.unlisted)))
        out.append(self._finished(st, "finished"))
        return out

    def _idle(self, spider=None):
        """Everything is fetched: report the end of the sites not reported yet as items (through a
        data: request, so the items pass the pipeline and any feed export like every other item)."""
        if self.reported or not any(not st.reported for st in self.state.values()):
            return
        self.reported = True
        self.crawler.engine.crawl(scrapy.Request(
            "data:,", callback=self._report, errback=self._report, dont_filter=True,
            meta={"kind": "report", "allow_offsite": True}))
        raise DontCloseSpider

    def _report(self, _response=None) -> list:
        out = []
        for st in self.state.values():
            if not st.reported:
                out += self._site_end(st)
        return out

    def finished_items(self, reason: str) -> list[CrawlFinishedItem]:
        """Each site's CrawlFinishedItem (`reason`: Scrapy's finish reason; other than
        "finished", the crawls of the sites not finished yet are 'aborted')."""
        return [self._finished(st, "finished" if st.reported else reason) for st in self.state.values()]

    def _finished(self, st: SiteState, reason: str) -> CrawlFinishedItem:
        stats = st.stats
        outcome = st.outcome() if reason == "finished" else "aborted"
        mw = getattr(self.crawler, "retry_after", None) if hasattr(self, "crawler") else None
        guard = getattr(self.crawler, "host_guard", None) if hasattr(self, "crawler") else None
        notes = []
        if mw is not None:
            notes += [f"{h} asked to wait (Retry-After), waited {mw.waited[h]:.0f} s"
                      for h in sorted(st.hosts) if h in mw.waited]
        if guard is not None:  # robots.txt redirected off its host: not followed
            notes += [guard.robots_refused[h] for h in sorted(st.hosts) if h in guard.robots_refused]
        waits = "; ".join(notes) or None
        return CrawlFinishedItem(
            st.site.id, clock.now_iso(), outcome, list_pages=stats.get("list_pages", 0),
            article_pages=stats.get("article_pages", 0), not_modified_pages=stats.get("not_modified_pages", 0),
            errors=stats.get("errors", 0), error_summary=waits,
            list_hint=st.hint.to_json() if st.hint and reason == "finished" else None,
        )

    def _closed(self, spider=None, reason=None):
        self.stored.close()
        self.stored = PlanState()

    # -- list pages ---------------------------------------------------------------------------
    def _list_request(self, site_id: str, url: str, page: int, first: bool = False, list_id: str | None = None):
        self.state[site_id].asked()
        return scrapy.Request(
            url, callback=self.parse_list, errback=self.on_error, dont_filter=first,
            priority=10,  # walk pagination ahead of article pages: keeps every slot busy
            meta={"site_id": site_id, "page": page, "kind": "list", "list": list_id or url},
        )

    # Callbacks return lists, not generators: Scrapy re-inspects the source of generator
    # callbacks (looking for `return value`) on every response, which costs more than parsing.
    def parse_list(self, response: Response) -> list:
        out = list(self._parse_list(response))  # the requests it asks for are counted first
        return self._answered(self.state[response.meta["site_id"]], out)

    def parse_article(self, response: Response) -> list:
        out = list(self._parse_article(response))
        return self._answered(self.state[response.meta["site_id"]], out)

    def on_error(self, failure) -> list:
        out = list(self._on_error(failure))
        return self._answered(self.state[failure.request.meta["site_id"]], out)

    def _parse_list(self, response: Response):
        st = self.state[response.meta["site_id"]]
        site, page = st.site, response.meta["page"]
        st.stats["list_pages"] += 1
        try:
            if not isinstance(response, TextResponse):
                raise ValueError(f"expected an HTML list page, got {response.headers.get('Content-Type')!r}")
            if response.status >= 400:
                raise ValueError(f"HTTP {response.status} on a list page")
            if garbage := undecodable(response.text):
                raise ValueError(garbage)
            if st.profile is None:
                st.profile = detect_profile(response.text, response.url)
                self.logger.info("site %s: detected profile %s", site.id, st.profile.name)
            cap = site.max_links_per_page or self.plan.settings.max_links_per_page
            listing = st.profile.parse_list(response.text, response.url, site.selectors or None, hint=st.hint,
                                            limit=cap)
        except Exception as e:  # noqa: BLE001 - one broken page must not stop the crawl
            st.list_failed = True
            yield self._error(site.id, response.url, f"list page: {e}", response.status)
            yield self._sample(site.id, response, "list", f"extraction failed: {e}")
            yield from self._list_done(st)
            return

        observed = clock.now_iso()
        st.hint = listing.hint or st.hint
        lid = response.meta["list"]
        walk = st.walks.setdefault(lid, ListWalk(lid))
        walk.saw(response.url, listing)
        entries = [e for e in listing.entries if urlsplit(e.url).netloc in st.hosts]
        if listing.items > cap:  # only the first `cap` were read (a page of 100,000 links)
            yield self._error(site.id, response.url, f"list page {response.url} has {listing.items} links; followed the"
                              f" first {cap} (max_links_per_page)", response.status)
        if not entries:
            st.list_failed = True
            yield self._error(
                site.id, response.url,
                f"no article links found on list page (profile {st.profile.name!r}, expected items "
                f"matching {listing.provenance.get('list_item') or listing.provenance.get('item_link') or 'the profile'})",
                response.status,
            )
            yield self._sample(site.id, response, "list", "no articles found")
        cutoff = clock.iso(self.now - timedelta(days=site.max_age_days)) if site.max_age_days else None
        # the stored state of this page's articles: one query, kept only for the decisions below
        known_here = self.stored.known_for(site.id, [article_key(e.url) for e in entries]) if entries else {}
        all_old = bool(entries)
        inside_limit = False  # an article of this page is newer than max_age_days
        sightings: list[ArticleItem] = []
        requests = []
        for entry in entries:
            key = article_key(entry.url)
            published = to_utc_iso(entry.published_at) if entry.published_at else None
            oldest = st.list_oldest.get(lid)
            if published and (oldest is None or published < oldest):
                st.list_oldest[lid] = published
            if published and (st.newest is None or published > st.newest):
                st.newest = published
            if cutoff is None or published is None or published >= cutoff:
                all_old = False
                inside_limit = inside_limit or cutoff is not None
            elif published < cutoff:
                st.seen.add(key)  # listed, so not gone: too old to fetch, and to check for removal
                continue
            if key in st.seen:
                continue
            st.seen.add(key)
            for why in entry.rejected:
                yield self._error(site.id, entry.url, f"list page {response.url}: {why}", response.status)
            missing = [f for f, v in (("title", entry.title), ("published_at", published), ("views", entry.views)) if v is None]
            sightings.append(ArticleItem(
                site_id=site.id, key=key, url=entry.url, source="list", observed_at=observed,
                title=entry.title, published_at=published, published_text=entry.published_text,
                views=entry.views, summary=entry.summary, missing=missing,
            ))
            known = known_here.get(key)
            fetch, _why = st.policy.should_fetch(known, self.now, list_title=entry.title, list_views=entry.views)
            if fetch:
                requests.append(self._article_request(site.id, key, entry.url, known))
        if sightings:
            yield ListPageItem(site.id, response.url, sightings)
            reason = self._lost_fields(st, sightings) if page == 1 else None
            if reason:
                yield self._sample(site.id, response, "list", reason)
        yield from requests

        next_url = listing.next_url if listing.next_url and urlsplit(listing.next_url).netloc in st.hosts else None
        stop = None
        if listing.next_url and next_url is None:
            stop = OFF_SITE
        elif next_url and walk.seen(next_url):
            stop = LOOP
        elif next_url and (page >= st.max_pages or all_old):
            st.list_truncated.add(lid)
            stop = MAX_PAGES if page >= st.max_pages else AGE
        elif next_url:
            st.pending_lists += 1
            yield self._list_request(site.id, next_url, page + 1, list_id=lid)
        else:
            stop = END
        if stop is not None:
            for reason in walk.missed(stop, max_pages=st.max_pages, max_age_days=site.max_age_days,
                                      full=st.list_walk == "full", newer_than_limit=inside_limit,
                                      next_url=listing.next_url):
                yield self._incomplete(site.id, response.url, reason, walk)
        yield from self._list_done(st)

    @staticmethod
    def _lost_fields(st: SiteState, sightings: list[ArticleItem]) -> str | None:
        """Views (or dates) that this site's list pages usually print are missing from most of
        this one: the template may have changed. The page is kept for `sites check --sample`."""
        if len(sightings) < 3:
            return None
        lost = []
        no_views = sum(1 for s in sightings if "views" in s.missing) / len(sightings)
        if st.list_views_usual is not None and st.list_views_usual >= 0.8 and no_views >= 0.5:
            lost.append(f"view counts missing on {no_views:.0%} of items (recent articles had them on the list)")
        no_dates = sum(1 for s in sightings if "published_at" in s.missing) / len(sightings)
        if st.dates_usual and no_dates == 1.0:
            lost.append("no dates on any item (stored articles all have one)")
        return "fields lost on the list page: " + "; ".join(lost) if lost else None

    def _list_done(self, st: SiteState):
        """Called once per finished list request; after the last one, check vanished articles."""
        st.pending_lists -= 1
        if st.pending_lists > 0 or st.list_failed:
            return
        horizon = walk_horizon(st.list_truncated, st.list_oldest)
        if horizon is None:
            return  # a shortened list showed no dates: nothing can be said
        # live articles inside the horizon that no list showed this crawl (older ones: no evidence)
        for key, url in self.stored.live_since(st.site.id, horizon):
            if key not in st.seen:
                yield self._article_request(st.site.id, key, url, None, check_gone=True)

    # -- article pages --------------------------------------------------------------------------
    def _article_request(self, site_id: str, key: str, url: str, known: Known | None, check_gone=False):
        headers = {}
        if known is not None and known.has_body and not check_gone:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        self.state[site_id].asked()
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.on_error, headers=headers,
            meta={"site_id": site_id, "key": key, "kind": "article", "check_gone": check_gone},
        )

    def _parse_article(self, response: Response):
        st = self.state[response.meta["site_id"]]
        site, key = st.site, response.meta["key"]
        observed = clock.now_iso()
        if response.status in (404, 410):
            st.stats["article_pages"] += 1
            yield GoneItem(site.id, key, response.url, response.status, observed)
            return
        if response.status == 304:
            st.stats["not_modified_pages"] += 1
            yield NotModifiedItem(site.id, key, observed)
            return
        st.stats["article_pages"] += 1
        try:
            if not isinstance(response, TextResponse):
                raise ValueError(f"expected an HTML article page, got {response.headers.get('Content-Type')!r}")
            if garbage := undecodable(response.text):
                raise ValueError(garbage)
            if st.profile is None:
                st.profile = detect_profile(response.text, response.url)
            art = st.profile.parse_article(response.text, response.url, site.selectors or None)
        except Exception as e:  # noqa: BLE001
            yield self._error(site.id, response.url, f"article page: {e}", response.status)
            yield self._sample(site.id, response, "article", f"extraction failed: {e}")
            return
        for why in art.rejected:
            yield self._error(site.id, response.url, f"article page: {why}", response.status)
        published = to_utc_iso(art.published_at) if art.published_at else None
        if response.meta.get("check_gone") and published and inside_lists(st.list_oldest, st.newest, published):
            st.unlisted.append(response.request.url if response.request is not None else response.url)
        missing = [f for f, v in (("title", art.title), ("published_at", published), ("views", art.views)) if v is None]
        yield ArticleItem(
            site_id=site.id, key=key,
            url=response.request.url if response.request is not None and response.meta.get("check_gone") else response.url,
            source="article", observed_at=observed, title=art.title, published_at=published,
            published_text=art.published_text, views=art.views, body=art.body, category=art.category,
            author=art.author, summary=art.lead or None,
            etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"),
            missing=missing,
        )

    # -- errors -----------------------------------------------------------------------------------
    def drop(self, site_ids) -> None:
        """Fetch nothing more of these sites: their crawl lease went to another run, which crawls
        them now, and nothing of theirs would be stored (crawler.middlewares.DroppedSites ignores
        their queued requests; the site still ends when its last request is answered)."""
        for sid in site_ids:
            st = self.state.get(sid)
            if st is not None and not st.dropped:
                st.dropped = True
                self.logger.warning("site %s: its crawl lease went to another run; not fetched any further", sid)

    def _on_error(self, failure):
        request = failure.request
        meta = request.meta
        st = self.state[meta["site_id"]]
        if st.dropped and failure.check(IgnoreRequest):
            return  # not an error of the site: this crawl gave it up
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        reason = f"HTTP {status}" if status else self._reason(failure)
        what = "list page" if meta["kind"] == "list" else "article page"
        url = (meta.get("redirect_urls") or [request.url])[0]  # the URL the spider asked for
        yield self._error(st.site.id, url, f"{what}: {reason}", status)
        if meta["kind"] == "list":
            st.list_failed = True
            yield from self._list_done(st)

    def _reason(self, failure) -> str:
        """A failed download in words (the middlewares' IgnoreRequest messages already are)."""
        message = failure.getErrorMessage().strip()
        if failure.check(IgnoreRequest) and message:
            return message
        if failure.type.__name__ == "DownloadCancelledError" and not message:
            limit = failure.request.meta.get("download_maxsize") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            return f"page larger than the {limit // 1024} KB limit (max_response_kb), download cancelled"
        return f"{failure.type.__name__}: {message or 'no details given'}"

    def _error(self, site_id, url, message, status=None):
        self.state[site_id].stats["errors"] += 1
        self.logger.warning("site %s: %s: %s", site_id, url, message)
        return FetchErrorItem(site_id=site_id, url=url, error=message, observed_at=clock.now_iso(), status=status)

    def _incomplete(self, site_id: str, url: str, reason: str, walk: ListWalk | None = None) -> IncompleteListItem:
        """A list walk that probably missed articles: counted as an error (the crawl is 'partial')."""
        self.state[site_id].stats["errors"] += 1
        self.logger.warning("site %s: list %s may be incomplete: %s", site_id, walk.start_url if walk else url, reason)
        return IncompleteListItem(site_id=site_id, url=url, reason=reason, observed_at=clock.now_iso(),
                                  list_url=walk.start_url if walk else None, pages_read=walk.pages if walk else 0)

    def _sample(self, site_id, response, kind, reason):
        html = response.text if isinstance(response, TextResponse) else repr(response.body[:2000])
        return SampleItem(site_id, response.url, kind, reason, html, clock.now_iso())


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
