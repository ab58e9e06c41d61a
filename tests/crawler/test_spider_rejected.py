"""Values extraction refused (ListEntry/ArticlePage.rejected) become fetch_errors rows naming
the site, the URL and the value; the rest of the entry is stored."""

from scrapy.http import HtmlResponse, Request

from crawler.extract.profiles import get_profile
from crawler.items import ArticleItem, FetchErrorItem, ListPageItem
from crawler.middlewares import retry_after_seconds
from crawler.spiders.portal import PortalSpider, SiteState
from monitor.config import load_config
from monitor.crawl.planner import build_plan
from monitor.store.db import Store
from tests.e2e.hostile import liferay_article, liferay_list, write_config

URL = "http://127.0.0.1:9/tin-tuc"
ART = "http://127.0.0.1:9/-/view_content/1-a.html"
VIEWS = "views '99999999999999999999' is not a plausible count"
DATE = "date '31/02/2026' is not a calendar date"


class Refusing(type(get_profile("liferay"))):
    """The Liferay profile, refusing one value on each page (as extraction does for absurd ones)."""

    def parse_list(self, html, url, selectors=None, **kw):  # kw: the spider's limit (max_links_per_page)
        page = super().parse_list(html, url, selectors, **kw)
        page.entries[0].views = None
        page.entries[0].rejected.append(VIEWS)
        return page

    def parse_article(self, html, url, selectors=None):
        art = super().parse_article(html, url, selectors)
        art.published_at = None
        art.rejected.append(DATE)
        return art


def spider_for(tmp_path):
    cfg = write_config(tmp_path / "sites.toml", {"a": [URL]})
    spider = PortalSpider(plan=build_plan(load_config(cfg), None, None, walks=False))
    st = spider.state["a"] = SiteState(spider.sites[0])
    st.profile = Refusing()
    st.pending_lists = 1
    return spider


def response(url, html, **meta):
    return HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url, meta={"site_id": "a", **meta}))


def test_rejected_values_become_fetch_errors_and_the_rest_is_stored(tmp_path):
    spider = spider_for(tmp_path)
    items = spider.parse_list(response(URL, liferay_list([(ART, "Tin A", "View count: 9")]),
                                       page=1, kind="list", list=URL))
    items += spider.parse_article(response(ART, liferay_article("Tin A"), key="lr:1", kind="article"))
    errors = [i for i in items if isinstance(i, FetchErrorItem)]
    assert [(e.site_id, e.url, e.error) for e in errors] == [
        ("a", ART, f"list page {URL}: {VIEWS}"), ("a", ART, f"article page: {DATE}")]
    store = Store(tmp_path / "pw.db")
    try:
        store.sync_sites(spider.plan.sites)
        cid = store.begin_crawl("a")
        store.apply([i for i in items if isinstance(i, FetchErrorItem | ListPageItem | ArticleItem)], {"a": cid})
        assert store.conn.execute("SELECT site_id, url, error FROM fetch_errors ORDER BY id").fetchall() == [
            ("a", ART, f"list page {URL}: {VIEWS}"), ("a", ART, f"article page: {DATE}")]
        # the refused values are not stored; the list's date and the page's count and body are
        assert store.conn.execute("SELECT title, published_at, views, body IS NOT NULL FROM articles").fetchall() == [
            ("Tin A", "2026-11-14T02:30:00Z", 12, 1)]
        assert store.conn.execute("SELECT source, views FROM view_counts").fetchall() == [("article", 12)]
        assert store.conn.execute("SELECT errors FROM crawls WHERE id = ?", (cid,)).fetchone() == (2,)
    finally:
        store.close()


def test_retry_after_reads_seconds_and_http_dates():
    now = 1_800_000_000.0  # 2027-01-15T08:00:00Z
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Fri, 15 Jan 2027 08:10:00 GMT", now) == 600
    assert retry_after_seconds("Fri, 15 Jan 2027 07:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds("soon", now) is None
