"""The CMS families world (simulator/families): every theme renders, the ground truth agrees
with what the pages show, every pager reaches every article, second URLs name their canonical
one, untrusted text is escaped.

The pages are read here with plain BeautifulSoup/lxml selectors and regular expressions written
for each theme's markup (TEMPLATES.md, "CMS families"), never with portalwatch's extractors."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urljoin

import lxml.html
import pytest
from bs4 import BeautifulSoup

from simulator import serve
from simulator.families import SITES, THEMES, FamiliesWorld
from simulator.families.pages import sidebar
from simulator.families.sites import route

from .conftest import get, get_json, norm, post

ROOT = Path(__file__).resolve().parents[2]

# per theme: list item, its link, its date, its count; the pager's "next" link; the article
# page's title, date and count elements (CSS selectors, read by the tests only)
PARSE: dict[str, dict[str, str]] = {
    "wp-twentyone": dict(item="article.post", link="h2.entry-title a", date="time.entry-date",
                         views="span.post-views", next="a.next.page-numbers",
                         title="h1.entry-title", adate="footer.entry-footer span.posted-on",
                         aviews="footer.entry-footer span.post-views"),
    "wp-pagenavi": dict(item="div.item-news", link="h3.title-news a", date="span.date",
                        views="", next="a.nextpostslink[rel=next]", title="h1.entry-title",
                        adate="div.entry-meta span.posted-on",
                        aviews="div.post-views span.post-views-count"),
    "wp-plain": dict(item="div.td_module_wrap", link="h3.entry-title a", date="time.entry-date",
                     views="div.td-post-views span", next='a[aria-label="next-page"]',
                     title="h1.entry-title", adate="header.td-post-title time.entry-date",
                     aviews="header.td-post-title div.td-post-views span"),
    "j3-protostar": dict(item="div[itemprop=blogPost]", link="h2[itemprop=name] a",
                         date="dd.published time", views="dd.hits",
                         next='ul.pagination-list a[title="Tiếp"]', title="h2[itemprop=headline]",
                         adate="dd.published", aviews="dd.hits"),
    "j4-cassiopeia": dict(item="div.blog-item", link="h2 a", date="dd.published time",
                          views="dd.hits", next='a.page-link[aria-label="Đi tới trang tiếp"]',
                          title="h1[itemprop=headline]", adate="dd.published", aviews="dd.hits"),
    "j3-list": dict(item="table.category tbody tr", link="td.list-title a", date="td.list-date",
                    views="td.list-hits", next='ul.pagination-list a[title="Tiếp"]',
                    title="h2[itemprop=headline]", adate="dd.published", aviews="dd.hits"),
    "d7": dict(item="div.view-content > div.views-row", link="div.views-field-title a",
               date="div.views-field-created .field-content",
               views="div.views-field-totalcount .field-content", next="li.pager-next a",
               title="h1#page-title", adate="div.submitted span[property]",
               aviews="li.statistics_counter"),
    "d9-olivero": dict(item="div.views-row article", link="h2.node__title a",
                       date="span.node__date time", views="", next='a[rel="next"]',
                       title="h1.page-title", adate="span.node__date time",
                       aviews="li.statistics-counter"),
    "d8-mini": dict(item="ul.list-tin li.views-row", link="div.views-field-title a",
                    date="div.views-field-created .field-content", views="", next='a[rel="next"]',
                    title="h1.page-title", adate="span.ngay-dang", aviews="span.so-lan-xem"),
    "lr7": dict(item="div.asset-abstract", link="h4.asset-title a",
                date="span.metadata-publish-date", views="span.metadata-view-count",
                next='ul.pagination li:last-child a[href^="http"]', title="span.asset-title",
                adate="div.asset-metadata span.metadata-publish-date",
                aviews="div.asset-metadata span.metadata-view-count"),
    "vnpt-dsnews": dict(item="div.news-item", link="h2.title a", date="div.date", views="",
                        next='ul.lfr-pagination-buttons li:nth-child(3) a[href^="http"]',
                        title="h1.title-detail", adate="div.info-detail span.date",
                        aviews="span.view"),
    "vnpt-portal2": dict(item="div.item-news", link="a.title-news", date="div.date-news",
                         views="", next='ul.pagination li:last-child a:not([href^="javascript"])',
                         title="h1.title-detail", adate="span.time", aviews="span.views"),
    "lr73": dict(item="div.asset-abstract", link="h4.component-title a.asset-title",
                 date="span.date-info", views="span.view-count-info",
                 next='ul.pagination li:last-child a[href^="http"]', title="span.asset-title",
                 adate="div.asset-full-content span.date-info",
                 aviews="div.asset-full-content span.view-count-info"),
}  # fmt: skip

NUM = re.compile(r"\d[\d.]*")


def count_in(text: str) -> int | None:
    m = NUM.search(text)
    return int(m.group().replace(".", "")) if m else None


def key_of(world, url: str) -> str | None:
    try:
        return world.article(url).key
    except KeyError:
        return None


def sites_of(world) -> list:
    return [s for s in world.sites.values() if s.theme in PARSE]


def walk(base: str, start: str, theme: str) -> tuple[list[dict], list[str]]:
    """Follow a list's "next" links from its first page; the items and the pages' URLs."""
    p = PARSE[theme]
    url: str | None = start
    items, seen = [], []
    while url:
        assert url not in seen and len(seen) < 40, url
        seen.append(url)
        status, _, html = get(url)
        assert status == 200, url
        soup = BeautifulSoup(html, "lxml")
        for it in soup.select(p["item"]):
            a = it.select_one(p["link"])
            d = it.select_one(p["date"])
            v = it.select_one(p["views"]) if p["views"] else None
            items.append({"href": urljoin(url, a["href"]), "title": norm(a.get_text()),
                          "date": norm(d.get_text()) if d else None,
                          "views": count_in(v.get_text()) if v else None})  # fmt: skip
        nxt = soup.select_one(p["next"])
        url = urljoin(url, nxt["href"]) if nxt is not None else None
    return items, seen


def test_every_family_has_sites_and_variants():
    fams: dict[str, set] = {}
    for s in SITES:
        fams.setdefault(THEMES[s[4]].family, set()).add(s[4])
    for fam, themes in fams.items():
        assert len([s for s in SITES if THEMES[s[4]].family == fam]) >= 2 or fam in ("vnpt",)
        assert themes, fam


@pytest.mark.parametrize("theme", list(PARSE))
def test_lists_walk_to_every_article_and_agree_with_the_truth(families, theme):
    world, h = families
    for site in [s for s in world.sites.values() if s.theme == theme]:
        truth = {r["url"]: r for r in world.truth(site.id, include_body=False)}
        for lst in world.lists(site.id):
            assert len(lst["pages"]) >= 4, (site.id, lst["category"])
            last = lst["pages"][-1]["keys"]
            side = max(len(b["links"]) for b in sidebar(world, site))
            assert 0 < len(last) < min(lst["page_size"], side), (site.id, len(last))
            items, pages = walk(h.base_url, lst["start_url"], theme)
            assert pages == [p["url"] for p in lst["pages"]]
            expected = [k for p in lst["pages"] for k in p["keys"]]
            got = [world.article(it["href"]).key for it in items]
            assert got == expected, site.id
            for it in items:
                rec = truth[world.base_url + world.article(it["href"]).path]
                assert it["title"] == norm(rec["title"])
                if rec["list_published_text"] is None:
                    assert not it["date"]
                else:  # the list's date element may carry a label before the date
                    assert it["date"].endswith(rec["list_published_text"]), (it, rec)
                if PARSE[theme]["views"]:
                    assert it["views"] == rec["list_views"], it


@pytest.mark.parametrize("theme", list(PARSE))
def test_article_pages_show_the_truth(families, theme):
    world, h = families
    p = PARSE[theme]
    for site in [s for s in world.sites.values() if s.theme == theme]:
        for rec in world.truth(site.id)[::5]:
            status, _, html = get(rec["url"])
            assert status == 200
            soup = BeautifulSoup(html, "lxml")
            assert norm(soup.select_one(p["title"]).get_text()) == norm(rec["title"])
            canon = soup.select_one('link[rel="canonical"]')["href"]
            assert urljoin(rec["url"], canon) == rec["url"]
            el = soup.select_one(p["adate"])
            date = norm(el.get_text()) if el is not None else ""
            if rec["published_text"] is None:  # a draft: the date line is empty or absent
                assert date in ("", norm(rec["date_label"])), (date, rec)
            else:
                assert date.startswith(rec["date_label"]), (date, rec)
                assert date.endswith(rec["published_text"]), (date, rec)
            assert count_in(soup.select_one(p["aviews"]).get_text()) == rec["views"]
            assert rec["views_text"] in norm(html) or theme == "wp-pagenavi"
            stamp = soup.select_one("time[datetime], [property~='dc:date']")
            if stamp is not None:
                when = stamp.get("datetime") or stamp.get("content")
                assert when in (rec["published_local"], rec["published_at"]), (when, rec)
            for para in rec["body"].split("\n\n"):
                assert para.replace("\xa0", " ")[:40] in norm(soup.get_text().replace("\xa0", " "))


def test_second_urls_serve_the_article_and_name_the_canonical_one(families):
    """Links to an article under another URL (related posts' query strings, /node/N, Joomla's
    /component/ form ...) serve the same article with a canonical link to the truth's URL."""
    world, h = families
    for site in sites_of(world):
        recs = world.truth(site.id)
        by_key = {r["key"]: r for r in recs}
        pages = [recs[0]["list_url"]] + [r["url"] for r in recs[:4]]
        alts: dict[str, str] = {}
        for u in pages:
            for raw in lxml.html.fromstring(get(u)[2]).xpath("//a/@href"):
                href = urljoin(u, raw).split("#")[0]
                key = key_of(world, href)
                if key and href != by_key[key]["url"]:
                    alts[href] = key
        has_alt = any(r["alt_url"] for r in recs)
        assert bool(alts) == has_alt, site.id
        for u, key in list(alts.items())[:8]:
            status, _, html = get(u)
            assert status == 200, u
            canon = BeautifulSoup(html, "lxml").select_one('link[rel="canonical"]')["href"]
            assert urljoin(u, canon) == by_key[key]["url"], u


def test_sites_toml_is_auto_without_selectors(families):
    world, h = families
    cfg = tomllib.loads(world.sites_toml(h.base_url))
    assert len(cfg["site"]) == len(world.sites)
    for entry in cfg["site"]:
        assert set(entry) <= {"id", "name", "level", "parent", "start_urls", "profile"}
        assert entry["profile"] == "auto"
    sites = get_json(h.base_url + "/_sim/sites")
    assert {s["theme"] for s in sites} == {s.theme for s in world.sites.values()}


def test_hostile_text_is_escaped():
    world = FamiliesWorld(seed=4)
    evil = "Tin <script>alert(\"x\")</script> & 'nháy'"
    for site in world.sites.values():
        a = site.visible()[0]
        world.edit(a, title=evil, body='Đoạn <img src=x onerror=alert(1)> & "hai"')
        pages = [
            world.respond(
                a.category.list_path.split("?")[0], a.category.list_path.partition("?")[2]
            ).html,
            world.respond(a.path.split("?")[0], a.path.partition("?")[2]).html,
        ]
        for html in pages:
            assert "<script>alert" not in html and "<img src=x" not in html, site.id
            assert "Tin &lt;script&gt;alert(" in html, site.id
        assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;hai&quot;" in pages[1], site.id


def test_every_pager_link_leads_to_a_page_of_the_same_list(families):
    """Reading every link of every list page (page numbers, dropdowns, first/last), not only
    "next", reaches each page of the list, and every such link is a page of that list."""
    world, h = families
    for site in sites_of(world):
        for lst in world.lists(site.id):
            want = {p["url"]: p["n"] for p in lst["pages"]}
            cat = next(c for c in site.categories if c.slug == lst["category"])
            seen: set[int] = set()
            todo, done = [lst["start_url"]], set()
            while todo:
                url = todo.pop()
                done.add(url)
                for raw in lxml.html.fromstring(get(url)[2]).xpath("//a/@href"):
                    href = urljoin(url, raw).split("#")[0]
                    if not href.startswith(h.base_url):
                        continue
                    path, _, query = href[len(h.base_url) :].partition("?")
                    kind, obj, n = route(site, path[len(site.path) :], query)
                    if kind == "list" and obj is cat:
                        seen.add(n)
                        if href not in done and len(done) < 40:
                            todo.append(href)
                            done.add(href)
            assert seen == set(want.values()), (site.id, lst["category"], sorted(seen))


def test_site_counters_dated_documents_and_empty_date_lines(families):
    """Every page carries a site-wide visitor counter; bodies cite older dated documents; draft
    documents print an empty date line (truth: no published time) on lists and pages."""
    world, h = families
    counter = re.compile(r"(Đang truy cập|Đang online|đang trực tuyến|Tổng (?:lượt )?truy cập)")
    for site in sites_of(world):
        recs = world.truth(site.id)
        html = get(recs[0]["url"])[2]
        assert counter.search(html), site.id
        cited = [r for r in recs if r["cites"]]
        assert len(cited) >= len(recs) // 5, site.id
        r = cited[0]
        assert r["cites"] in r["body"] and re.search(r"ngày \d\d/\d\d/\d{4}", r["cites"])
        page = norm(BeautifulSoup(get(r["url"])[2], "lxml").get_text())
        assert norm(r["cites"]) in page
        drafts = [r for r in recs if r["draft"]]
        assert bool(drafts) == (THEMES[site.theme].drafts is not None), site.id
        for d in drafts[:3]:
            assert d["published_at"] is d["published_text"] is d["list_published_text"] is None
            assert d["body"].startswith(d["cites"]) and d["created_at"]


def test_time_moves_posts_appear_and_removed_articles_leave_the_lists():
    world = FamiliesWorld(seed=5, only=["xa-an-phu", "xa-phu-my", "xa-sa-pa"])
    with serve(world) as h:
        before = {r["key"]: r for r in get_json(h.base_url + "/_sim/truth?body=0")}
        res = post(h.base_url + "/_sim/advance", {"days": 3})
        assert res["new_posts"] > 0
        after = {r["key"]: r for r in world.truth(include_body=False)}
        assert len(after) == len(before) + res["new_posts"]
        grew = [k for k in before if after[k]["views"] > before[k]["views"]]
        assert len(grew) > len(before) // 2
        for site in world.sites.values():
            lst = world.lists(site.id)[0]
            newest = lst["pages"][0]["keys"][0]
            assert after[newest]["created_at"] >= max(r["created_at"] for r in before.values()
                                                      if r["site_id"] == site.id)  # fmt: skip
            gone = world.truth(site.id)[2]
            rec = post(h.base_url + "/_sim/remove", {"url": gone["alt_url"] or gone["url"]})
            assert rec["key"] == gone["key"] and rec["status"] == "removed"
            assert get(gone["url"])[0] in (404, 410)
            keys = [k for p in world.lists(site.id)[0]["pages"] for k in p["keys"]]
            assert gone["key"] not in keys
            assert (
                get_json(h.base_url + "/_sim/article?url=" + quote(gone["url"]))["key"]
                == gone["key"]
            )


def test_standalone_families_process(tmp_path):
    toml = tmp_path / "families.toml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--world", "families", "--port", "0", "--quiet",
         "--toml-out", str(toml)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        cfg = tomllib.loads(toml.read_text(encoding="utf-8"))
        assert {e["id"] for e in cfg["site"]} == {s[0] for s in SITES}
        assert all(e["profile"] == "auto" for e in cfg["site"])
        status, _, html = get(cfg["site"][0]["start_urls"][0])
        assert status == 200 and 'class="navigation pagination"' in html
    finally:
        proc.terminate()
        proc.wait(timeout=5)
