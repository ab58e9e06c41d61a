"""PortalSpider's callbacks on saved responses (the city-scrapers way), clock pinned.

The spider is built as a crawl builds it (monitor.crawl.child: crawl settings, from_crawler, stored=Reader, start()),
each callback gets a `scrapy.http.HtmlResponse` over a saved page, and the test reads what it
yields: typed items (crawler/items.py) and follow-up requests. The end-to-end crawls over HTTP
are in tests/e2e.

Fixtures: the real Hanoi Liferay pages (see tests/extract/test_liferay_samples.py) and two pages
of the portal simulator saved as files: `Simulator(seed=5, articles_per_site=25)` at its start
(2026-11-20 08:00 Hanoi), base URL http://sim.test, site xa-quang-phu (tandan): the list
`/thanhhoa/xa-quang-phu/portal/Pages/tin-tuc.aspx` and its first article.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import scrapy
import tomlkit
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import clock
from crawler.items import (
    ArticleItem,
    CrawlFinishedItem,
    CrawlStartedItem,
    FetchErrorItem,
    GoneItem,
    ListPageItem,
    NotModifiedItem,
)
from crawler.run_settings import crawl_settings
from crawler.spiders.portal import PortalSpider
from monitor.config import load_config
from monitor.crawl.planner import build_plan
from monitor.store.db import Store
from monitor.store.reads import Reader

FIX = Path(__file__).resolve().parent.parent / "fixtures"
NOW = "2018-06-20T03:00:00Z"  # a week after the newest item on the PCTN list
PCTN_URL = "https://sotttt.hanoi.gov.vn/pctn"
PCTN_NEXT = (
    "https://sotttt.hanoi.gov.vn/pctn511b.html?p_p_id=101&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
    "&p_p_col_id=column-1&p_p_col_pos=1&p_p_col_count=2&_101_delta=20&_101_keywords=&_101_advancedSearch=false"
    "&_101_andOperator=true&p_r_p_564233524_resetCur=false&_101_cur=2"
)
PCTN_FIRST = (
    "https://sotttt.hanoi.gov.vn/pctn/-/view_content/"
    "2606828--ha-noi-2018-hop-tac-dau-tu-va-phat-trien-gan-ket-chinh-quyen-voi-nha-dau--1.html"
)
# (id, Hanoi time, views) of the 20 items of liferay-list-pctn.vi.html, top to bottom (read off the page)
PCTN = [
    (2606828, (2018, 6, 14, 11, 22), 1108), (1662601, (2017, 4, 27, 9, 7), 5915),
    (929136, (2016, 3, 23, 15, 45), 935), (926626, (2016, 3, 22, 7, 49), 905),
    (744243, (2015, 11, 17), 562), (744234, (2015, 11, 6), 614), (744225, (2015, 9, 26), 527),
    (744216, (2015, 8, 25), 478), (705495, (2015, 4, 21), 610), (706971, (2014, 9, 29), 492),
    (706962, (2014, 9, 29), 460), (705486, (2014, 9, 12), 704), (705414, (2014, 5, 9), 830),
    (705450, (2014, 5, 9), 611), (705468, (2014, 5, 9), 664), (705459, (2014, 5, 9), 544),
    (705477, (2014, 5, 9), 547), (705405, (2014, 5, 9), 500), (705387, (2014, 5, 6), 571),
    (705396, (2014, 5, 6), 554),
]
SIM_NOW = "2026-11-20T01:00:00Z"
SIM_LIST = "http://sim.test/thanhhoa/xa-quang-phu/portal/Pages/tin-tuc.aspx"
SIM_FIRST = ("http://sim.test/thanhhoa/xa-quang-phu/portal/Pages/2026-11-17/"
             "Hoi-nghi-danh-gia-ket-qua-thuc-hien-de-an-trat-tu-do-thi-giai-doan-2026-2031-9JsHzk6T.aspx")
SIM_KEYS_VIEWS = [
    ("9JsHzk6T", 475), ("iLhBERVU", 18), ("cUwggy0y", 70), ("8UGXHkbu", 1283), ("wh0tGTUX", 118),
    ("qBFuu8HP", 61), ("tm4w5BYe", 195), ("KSPwmkar", 104), ("mDvKvS6v", 217), ("rMknyonM", 88),
    ("VAetEiym", 172), ("xWjfaUZV", 265), ("CzjFbSKZ", 205), ("pLAZ71rR", 162), ("zjSPPfAD", 311),
]


def utc(y, mo, d, h=0, mi=0) -> str:
    """A Hanoi wall-clock time as the stored UTC string."""
    return clock.iso(datetime(y, mo, d, h, mi, tzinfo=clock.VN_TZ).astimezone(UTC))


def saved(name: str, request: scrapy.Request, *, status: int = 200, headers=None) -> HtmlResponse:
    """The saved page `name` as the answer to `request`."""
    return HtmlResponse(url=request.url, status=status, body=(FIX / name).read_bytes(), request=request,
                        headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})})


class Run:
    """A spider over one site, built like monitor.crawl.child builds it; `start` holds its first requests."""

    def __init__(self, tmp_path: Path, site: dict, known: list[ArticleItem] = ()):
        doc = tomlkit.document()
        doc["portalwatch"] = {"contact_url": "https://example.org/contact", "delay": 0}
        doc["site"] = tomlkit.aot()
        doc["site"].append(tomlkit.item({"name": "Sở TT&TT Hà Nội", "level": "district", **site}))
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.config, self.db = tmp_path / "sites.toml", tmp_path / "portalwatch.db"
        self.config.write_text(tomlkit.dumps(doc), encoding="utf-8")
        cfg = load_config(self.config)
        store = Store(self.db)
        store.sync_sites(cfg.sites)
        store.apply(list(known))
        store.close()
        plan = build_plan(cfg, self.db, [site["id"]], walks=False)
        settings = crawl_settings(plan)  # the project's and the run's, not Scrapy's defaults
        crawler = get_crawler(PortalSpider, {k: v for k, v in settings.items() if settings.getpriority(k)})
        self.spider = PortalSpider.from_crawler(crawler, plan=plan.to_json(), stored=Reader(self.db))
        first = asyncio.run(self._start())
        self.started = [r for r in first if not isinstance(r, scrapy.Request)]  # CrawlStartedItem per site
        self.start = [r for r in first if isinstance(r, scrapy.Request)]

    async def _start(self):
        return [r async for r in self.spider.start()]

    def list_page(self, name: str, request: scrapy.Request, **kw) -> list:
        return self.spider.parse_list(saved(name, request, **kw))

    def article(self, name: str, request: scrapy.Request, **kw) -> list:
        return self.spider.parse_article(saved(name, request, **kw))


def of(results: list, kind) -> list:
    return [r for r in results if isinstance(r, kind)]


def requests(results: list, callback) -> list[scrapy.Request]:
    return [r for r in results if isinstance(r, scrapy.Request) and r.callback == callback]


@pytest.fixture
def pinned(monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", NOW)


def pctn_site(**kw) -> dict:
    return {"id": "sotttt", "start_urls": [PCTN_URL], "profile": "liferay", **kw}


@pytest.mark.parametrize("profile", ["liferay", "auto"])
def test_list_page_yields_sightings_article_requests_and_the_next_page(tmp_path, pinned, profile):
    run = Run(tmp_path, pctn_site(profile=profile))
    assert [r.url for r in run.start] == [PCTN_URL]
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    assert not of(out, FetchErrorItem)

    (page,) = of(out, ListPageItem)
    assert page.site_id == "sotttt" and page.url == PCTN_URL
    got = [(e.key, e.published_at, e.views) for e in page.entries]
    assert got == [(f"lr:{i}", utc(*t), v) for i, t, v in PCTN]
    first = page.entries[0]
    assert first == ArticleItem(
        site_id="sotttt", key="lr:2606828", url=PCTN_FIRST, source="list", observed_at=NOW,
        title="“Hà Nội 2018 - Hợp tác Đầu tư và Phát triển”: Gắn kết chính quyền với nhà đầu tư",
        published_at="2018-06-14T04:22:00Z", published_text="14/06/2018 | 11:22 AM", views=1108,
        summary=first.summary, missing=[],
    )
    assert first.summary.startswith("Thực hiện chỉ đạo của UBND Thành phố, chiều ngày 12/6/2018")
    assert all(e.source == "list" and e.observed_at == NOW and e.body is None for e in page.entries)

    articles = requests(out, run.spider.parse_article)
    assert [r.url for r in articles] == [e.url for e in page.entries]  # every new article, in list order
    assert all(r.meta["key"] == e.key and r.errback == run.spider.on_error for r, e in zip(articles, page.entries, strict=True))
    assert not any(h in r.headers for r in articles for h in (b"If-None-Match", b"If-Modified-Since"))

    (nxt,) = requests(out, run.spider.parse_list)
    assert nxt.url == PCTN_NEXT and nxt.meta["page"] == 2
    assert nxt.priority > max(r.priority for r in articles)  # pagination walks ahead of articles


def test_second_page_repeating_entries_yields_nothing_new_and_stops_at_max_pages(tmp_path, pinned):
    run = Run(tmp_path, pctn_site(max_pages=2))
    first = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    (nxt,) = requests(first, run.spider.parse_list)
    again = run.list_page("liferay-list-pctn.vi.html", nxt)  # a portal repeating page 1 as page 2
    assert not of(again, ListPageItem) and not requests(again, run.spider.parse_article)
    assert not requests(again, run.spider.parse_list)  # page 2 of max_pages = 2


def test_max_age_days_drops_old_entries_and_stops_the_walk(tmp_path, pinned):
    run = Run(tmp_path, pctn_site(max_age_days=30))
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    (page,) = of(out, ListPageItem)
    assert [e.key for e in page.entries] == ["lr:2606828"]  # the one item of the last 30 days
    assert [r.url for r in requests(out, run.spider.parse_article)] == [PCTN_FIRST]

    run = Run(tmp_path / "older", pctn_site(max_age_days=3))
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    # nothing recent enough, and no next page: all of it is older; the site's crawl is done
    assert [(type(x).__name__, x.outcome) for x in out] == [("CrawlFinishedItem", "ok")]


def known_article(key: str, url: str, *, published_at: str, observed_at: str = "2018-06-20T02:00:00Z"):
    return ArticleItem(site_id="sotttt", key=key, url=url, source="article", observed_at=observed_at,
                       title="Bài đã lưu", published_at=published_at, views=10, body="Nội dung đã lưu.",
                       etag='"v1"', last_modified="Wed, 20 Jun 2018 02:00:00 GMT")


def test_listed_entries_too_old_to_fetch_are_not_checked_for_removal(tmp_path, pinned):
    """max_age_days: a stored article the list still shows, older than the limit, is neither
    fetched nor checked for removal (it is listed: not gone), in every crawl of a long-running
    service; one the list no longer shows, inside the list's dates, is checked."""
    listed = known_article("lr:1662601", "https://sotttt.hanoi.gov.vn/pctn/-/view_content/1662601-bai.html",
                           published_at=utc(2017, 4, 27, 9, 7))
    vanished = known_article("lr:999001", "https://sotttt.hanoi.gov.vn/pctn/-/view_content/999001-bai-da-go.html",
                             published_at="2017-06-18T01:00:00Z")
    run = Run(tmp_path, pctn_site(max_pages=1, max_age_days=30), known=[listed, vanished])
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    by_key = {r.meta["key"]: r for r in requests(out, run.spider.parse_article)}
    assert [e.key for e in of(out, ListPageItem)[0].entries] == ["lr:2606828"]
    assert set(by_key) == {"lr:2606828", "lr:999001"} and by_key["lr:999001"].meta["check_gone"]


def test_known_articles_revisit_conditionally_and_missing_ones_are_checked(tmp_path, pinned):
    fetched = known_article("lr:2606828", PCTN_FIRST, published_at="2018-06-14T04:22:00Z")
    vanished = known_article("lr:999001", "https://sotttt.hanoi.gov.vn/pctn/-/view_content/999001-bai-da-go.html",
                             published_at="2018-06-18T01:00:00Z")
    run = Run(tmp_path, pctn_site(max_pages=1), known=[fetched, vanished])
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    articles = requests(out, run.spider.parse_article)
    by_key = {r.meta["key"]: r for r in articles}
    assert "lr:2606828" not in by_key  # fetched an hour ago: not due under the default policy
    assert len(of(out, ListPageItem)[0].entries) == 20  # …but its list sighting is still recorded
    # max_pages = 1 stops the walk; an unseen article newer than the page's oldest has vanished
    gone_check = by_key["lr:999001"]
    assert gone_check.meta["check_gone"] is True and gone_check.url == vanished.url
    assert b"If-None-Match" not in gone_check.headers  # a check wants the real page, not a 304
    assert not requests(out, run.spider.parse_list)

    (gone,) = run.article("liferay-list-pctn.vi.html", gone_check, status=404)
    assert gone == GoneItem(site_id="sotttt", key="lr:999001", url=vanished.url, status=404, observed_at=NOW)

    run = Run(tmp_path / "always", pctn_site(revisit={"mode": "always"}), known=[fetched])
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    (again,) = [r for r in requests(out, run.spider.parse_article) if r.meta["key"] == "lr:2606828"]
    assert again.headers[b"If-None-Match"] == b'"v1"'
    assert again.headers[b"If-Modified-Since"] == b"Wed, 20 Jun 2018 02:00:00 GMT"
    assert run.article("liferay-list-pctn.vi.html", again, status=304) == [
        NotModifiedItem(site_id="sotttt", key="lr:2606828", observed_at=NOW)]


def test_failed_list_page_yields_an_error_and_no_gone_checks(tmp_path, pinned):
    vanished = known_article("lr:999001", "https://sotttt.hanoi.gov.vn/pctn/-/view_content/999001-bai-da-go.html",
                             published_at="2018-06-18T01:00:00Z")
    run = Run(tmp_path, pctn_site(), known=[vanished])
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0], status=404)
    (err,) = of(out, FetchErrorItem)
    assert err.url == PCTN_URL and err.status == 404 and err.observed_at == NOW
    assert not of(out, ListPageItem) and not [r for r in out if isinstance(r, scrapy.Request)]


def first_article_request(run: Run) -> scrapy.Request:
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    return requests(out, run.spider.parse_article)[0]


def test_article_page_with_views(tmp_path, pinned):
    run = Run(tmp_path, pctn_site())
    req = first_article_request(run)
    headers = {"ETag": '"abc"', "Last-Modified": "Thu, 24 Aug 2017 08:42:00 GMT"}
    (art,) = run.article("liferay-detail-1917416.with-views.html", req, headers=headers)
    assert isinstance(art, ArticleItem)
    assert (art.site_id, art.key, art.url, art.source, art.observed_at) == ("sotttt", "lr:2606828", req.url, "article", NOW)
    assert art.title == "Danh sách các trò chơi G1 đã được phê duyệt nội dung kịch bản (cập nhật đến ngày 29/8/2018)"
    assert (art.published_at, art.published_text, art.views) == ("2017-08-24T08:42:00Z", "24/08/2017 | 3:42 PM", 3945)
    assert art.body.startswith("Danh sách trò chơi G1 được phê duyệt nội dung kịch bản.")
    assert (art.category, art.author) == ("Danh sách trò chơi điện tử ngừng cung cấp dịch vụ", "Pho Ban bien tap")
    assert (art.etag, art.last_modified) == ('"abc"', "Thu, 24 Aug 2017 08:42:00 GMT")
    assert art.missing == []


def test_article_page_without_views(tmp_path, pinned):
    run = Run(tmp_path, pctn_site())
    (art,) = run.article("liferay-detail-1712928.no-views.html", first_article_request(run))
    assert art.title == "Xử phạt doanh nghiệp vi phạm trong hoạt động gửi, phát tán tin nhắn"
    assert art.published_at == "2017-05-17T07:48:00Z" and art.views is None
    assert art.missing == ["views"] and art.etag is None and art.last_modified is None


def test_simulator_tandan_list_and_article(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", SIM_NOW)
    run = Run(tmp_path, {"id": "xa-quang-phu", "name": "Xã Quảng Phú", "level": "commune",
                         "start_urls": [SIM_LIST], "profile": "auto"})
    out = run.list_page("sim-tandan-list.xa-quang-phu.html", run.start[0])
    (page,) = of(out, ListPageItem)
    assert [(e.key, e.views) for e in page.entries] == [(f"td:{k}", v) for k, v in SIM_KEYS_VIEWS]
    first = page.entries[0]
    assert first.url == SIM_FIRST and first.published_text == "17 - 11 - 2026"
    assert first.title == "Hội nghị đánh giá kết quả thực hiện đề án trật tự đô thị giai đoạn 2026-2031"
    assert first.published_at == utc(2026, 11, 17) and first.missing == []
    assert [r.url for r in requests(out, run.spider.parse_article)] == [e.url for e in page.entries]
    (nxt,) = requests(out, run.spider.parse_list)
    assert nxt.url == SIM_LIST + "?PageIndex=2" and nxt.meta["page"] == 2

    req = requests(out, run.spider.parse_article)[0]
    (art,) = run.article("sim-tandan-article.xa-quang-phu.html", req)
    assert (art.key, art.source, art.observed_at, art.url) == ("td:9JsHzk6T", "article", SIM_NOW, SIM_FIRST)
    assert art.title == first.title and art.views == 475
    assert (art.published_at, art.published_text) == (utc(2026, 11, 17, 7, 45), "17 - 11 - 2026 | 07:45")
    assert (art.category, art.author) == ("Tin tức - Sự kiện", "BBT")
    assert art.summary == "Ngày 17/11/2026, UBND xã Quảng Phú đã tổ chức Hội nghị tổng kết công tác đảm bảo an ninh trật tự năm 2026."
    assert art.body.startswith("Đây là hoạt động thiết thực nhằm nâng cao nhận thức")
    assert art.missing == []


def add_history(db: Path, site_id: str, n: int, *, published_at: str = "2010-01-01T00:00:00Z") -> None:
    """`n` old stored articles of the site (one INSERT … SELECT: a long history, quickly)."""
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA cache_size = -262144")
    with conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO articles (site_id, key, url, title, published_at, first_seen_at, last_seen_at, body)"
            " SELECT ?, printf('old:%07d', i), printf('https://sotttt.hanoi.gov.vn/pctn/-/view_content/%d-cu.html', i),"
            " 'cũ', ?, ?, ?, 'x' FROM n", (n - 1, site_id, published_at, published_at, published_at))
    conn.close()


def test_a_long_history_is_looked_up_a_list_page_at_a_time(tmp_path, pinned):
    """200k stored articles: the spider asks for the keys of each list page (one query) and,
    at the end of the walk, for the live articles inside the list's horizon; nothing else."""
    fetched = known_article("lr:2606828", PCTN_FIRST, published_at="2018-06-14T04:22:00Z")
    vanished = known_article("lr:999001", "https://sotttt.hanoi.gov.vn/pctn/-/view_content/999001-bai-da-go.html",
                             published_at="2018-06-18T01:00:00Z")
    run = Run(tmp_path, pctn_site(max_pages=1), known=[fetched, vanished])
    add_history(run.db, "sotttt", 200_000)
    lookups = []
    known_for = run.spider.stored.known_for
    run.spider.stored.known_for = lambda site, keys: lookups.append((site, list(keys))) or known_for(site, keys)
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    assert lookups == [("sotttt", [f"lr:{i}" for i, _, _ in PCTN])]  # the page's 20 keys, one query
    assert not hasattr(run.spider.state["sotttt"], "known")  # no history held in memory
    by_key = {r.meta["key"]: r for r in requests(out, run.spider.parse_article)}
    assert "lr:2606828" not in by_key  # known (fetched an hour ago): not due
    assert len(by_key) == 20 and by_key["lr:999001"].meta["check_gone"]  # 19 new + the vanished one
    assert [k for k in by_key if k.startswith("old:")] == []  # older than the horizon: no evidence


def test_without_a_database_the_plan_carries_the_known_articles(tmp_path, pinned):
    """A crawl node without a database: the same decisions from the plan's `known` state, and
    from no state at all every article is new."""
    fetched = known_article("lr:2606828", PCTN_FIRST, published_at="2018-06-14T04:22:00Z")
    vanished = known_article("lr:999001", "https://sotttt.hanoi.gov.vn/pctn/-/view_content/999001-bai-da-go.html",
                             published_at="2018-06-18T01:00:00Z")
    run = Run(tmp_path, pctn_site(max_pages=1), known=[fetched, vanished])
    cfg = load_config(run.config)
    for with_known, expect in ((True, 20), (False, 20)):
        plan = build_plan(cfg, run.db, ["sotttt"], walks=False, with_known=with_known)
        crawler = get_crawler(PortalSpider, {})
        spider = PortalSpider.from_crawler(crawler, plan=plan.to_json())  # no stored= lookups: the plan's known articles, or none
        first = asyncio.run(_collect(spider.start()))
        out = spider.parse_list(saved("liferay-list-pctn.vi.html", [r for r in first if isinstance(r, scrapy.Request)][0]))
        keys = {r.meta["key"] for r in requests(out, spider.parse_article)}
        assert len(keys) == expect
        assert ("lr:2606828" in keys) is (not with_known) and ("lr:999001" in keys) is with_known


async def _collect(agen):
    return [r async for r in agen]


def test_the_spider_reports_its_crawl_as_items(tmp_path, pinned):
    run = Run(tmp_path, pctn_site(max_pages=1))
    (started,) = run.started
    assert started == CrawlStartedItem(site_id="sotttt", started_at=NOW, pid=os.getpid(), list_walk="full")
    out = run.list_page("liferay-list-pctn.vi.html", run.start[0])
    assert not of(out, CrawlFinishedItem)  # its article pages are still to come
    (finished,) = run.spider.finished_items("finished")
    assert (finished.site_id, finished.outcome, finished.list_pages, finished.errors) == ("sotttt", "ok", 1, 0)
    assert [f.outcome for f in run.spider.finished_items("shutdown")] == ["aborted"]



def test_the_list_found_by_one_crawl_reads_the_next_crawls_first_page(tmp_path, pinned):
    """`auto` on a template no profile knows (a WordPress ward of the families world) learns where
    the site's list is (a ListHint) on a list page; the crawl's end keeps it in the store
    (list_hints), and the next crawl reads its first list page by it (as fast as a later page)
    with the same entries. A hint the store cannot read is no hint."""
    import urllib.request

    from crawler.extract.types import ListHint
    from simulator import serve
    from simulator.families import FamiliesWorld

    server = serve(FamiliesWorld(seed=1, only=["xa-an-phu"]), port=0)
    url = server.base_url.rstrip("/") + "/wordpress/xa-an-phu/category/tin-tuc/"
    try:
        body = urllib.request.urlopen(url, timeout=30).read()
    finally:
        server.stop()
    site = {"id": "xa-an-phu", "start_urls": [url], "profile": "auto"}

    def page(run: Run) -> ListPageItem:
        request = run.start[0]
        response = HtmlResponse(url=request.url, body=body, request=request,
                                headers={"Content-Type": "text/html; charset=utf-8"})
        return of(run.spider.parse_list(response), ListPageItem)[0]

    run = Run(tmp_path / "a", site)
    first = page(run)
    learned = run.spider.state["xa-an-phu"].hint
    assert learned is not None and len(first.entries) >= 5
    finished = run.spider._finished(run.spider.state["xa-an-phu"], "finished")
    assert ListHint.from_json(finished.list_hint) == learned
    store = Store(run.db)
    store.apply([*run.started, finished])
    store.close()

    again = Run(tmp_path / "a", site)  # the next crawl, same database
    kept = again.spider.state["xa-an-phu"].hint
    assert kept == learned
    second = page(again)
    assert again.spider.state["xa-an-phu"].hint is kept  # the first page was read by the kept hint
    assert [(e.key, e.published_at, e.views) for e in second.entries] == [
        (e.key, e.published_at, e.views) for e in first.entries]

    assert ListHint.from_json("not json") is None and ListHint.from_json('{"item": ""}') is None
    assert ListHint.from_json(None) is None
