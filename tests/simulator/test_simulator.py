from __future__ import annotations

import random
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup

from simulator import START, Simulator, serve
from simulator.text import unaccent

from .conftest import get, get_json, norm, parse_article, parse_list, post

ROOT = Path(__file__).resolve().parents[2]
SEED_TXT = (ROOT / "tests/fixtures/seed-article-vinh-hung.txt").read_text(encoding="utf-8").split("\n")


def crawl_site(base: str, site: dict) -> list[dict]:
    tpl = site["current_template"]
    seen = []
    for url in site["start_urls"]:
        pages = 0
        while url:
            status, _, html = get(url)
            assert status == 200, url
            entries, url = parse_list(tpl, html, base)
            seen += entries
            pages += 1
            assert pages < 100
    return seen


# ------------------------------------------------------------------ world & config


def test_sites_and_sites_toml(world):
    sim, h = world
    sites = get_json(h.base_url + "/_sim/sites")
    assert {s["template"] for s in sites} == {"liferay", "tandan", "dnn", "plain"}
    by_id = {s["id"]: s for s in sites}
    assert by_id["vinh-hung"]["parent"] == "hoang-mai" and by_id["vinh-hung"]["level"] == "ward"
    assert by_id["hoang-mai"]["level"] == "district"
    assert sum(1 for s in sites if s["template"] == "tandan") >= 2
    assert by_id["vinh-hung"]["start_urls"][0] == h.base_url + "/hoangmai/cac-phuong/vinh-hung/tin-tuc"

    cfg = tomllib.loads(sim.sites_toml(h.base_url))
    assert len(cfg["site"]) == len(sites)
    for entry in cfg["site"]:
        assert set(entry) <= {"id", "name", "level", "parent", "start_urls", "profile"}
        assert entry["profile"] in {"liferay", "tandan", "dnn", "auto"}
    vh = next(e for e in cfg["site"] if e["id"] == "vinh-hung")
    assert vh["name"] == "Phường Vĩnh Hưng" and vh["parent"] == "hoang-mai" and vh["profile"] == "liferay"
    assert next(e for e in cfg["site"] if e["id"] == "ea-kao")["profile"] == "auto"
    assert "parent" not in next(e for e in cfg["site"] if e["id"] == "hoang-mai")
    status, _, text = get(h.base_url + "/_sim/sites.toml")
    assert status == 200 and tomllib.loads(text) == cfg


def test_robots_home_and_discovery(world):
    sim, h = world
    status, headers, robots = get(h.base_url + "/robots.txt")
    assert status == 200 and "Disallow: /_sim/" in robots and "Disallow: /c/portal/login" in robots
    assert "Disallow: /hoangmai/private/" in robots
    status, _, html = get(h.base_url + "/hoangmai/cac-phuong")
    assert status == 200
    links = [a["href"] for a in BeautifulSoup(html, "lxml").select("ul.danh-sach-phuong a")]
    assert "/hoangmai/cac-phuong/vinh-hung/" in links and len(links) == 4
    for s in sim.sites.values():
        status, headers, html = get(h.base_url + s.home_path())
        assert status == 200, s.id
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        for p in s.list_paths:
            assert f'href="{p}"' in html
    assert get(h.base_url + "/khong-co-trang-nay")[0] == 404


def test_liferay_markup_contract(world):
    sim, h = world
    status, _, html = get(h.base_url + "/hoangmai/cac-phuong/vinh-hung/tin-tuc")
    assert status == 200
    assert html.startswith('<!DOCTYPE html> <html class="aui ltr" dir="ltr" lang="vi-VN">')
    assert "Liferay.currentURL=" in html and 'id="p_p_id_101_"' in html
    soup = BeautifulSoup(html, "lxml")
    items = soup.select("div.asset-abstract")
    assert len(items) == 20
    for it in items:
        a = it.select_one("h3.asset-title > a")
        assert "/-/view_content/" in a["href"]
        date = norm(it.select_one("div.assetPublishDate.block_timer").get_text())
        assert date.startswith("Ngày đăng ") and ("AM |" in date or "PM |" in date) and "View count: " in date
        assert it.select_one("div.asset-summary") is not None
    assert "&nbsp;|&nbsp;View count: " in html
    assert "Hiển thị 1 - 20 of " in soup.select_one("div.taglib-page-iterator").get_text()
    buttons = [norm(a.get_text()) for a in soup.select("div.taglib-page-iterator ul.pager.lfr-pagination-buttons li a")]
    assert buttons == ["← Đầu tiên", "Trước", "Tiếp", "Cuối cùng →"]
    assert '<li class="disabled first"> <a href="javascript:;"' in html
    nxt = soup.find("a", string=" Tiếp ")["href"]
    assert nxt.endswith("?p_p_id=101&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&_101_delta=20&_101_cur=2")
    assert "Th&agrave;nh phố" in html or "&agrave;" in html  # entity-encoded text habit


def test_pagination_reaches_every_article(world):
    sim, h = world
    truth = get_json(h.base_url + "/_sim/truth?body=0")
    for site in get_json(h.base_url + "/_sim/sites"):
        seen = crawl_site(h.base_url, site)
        urls = [e["url"] for e in seen]
        expected = {t["url"] for t in truth if t["site_id"] == site["id"] and t["status"] == "live"}
        assert len(urls) == len(set(urls)), site["id"]
        assert set(urls) == expected, site["id"]
        assert len(expected) >= 30


def test_seed_article_exact(world):
    sim, h = world
    truth = get_json(h.base_url + "/_sim/truth?site=vinh-hung")
    seed = [t for t in truth if t["title"] == SEED_TXT[2]]
    assert len(seed) == 1
    t = seed[0]
    assert t["views"] == 129 and t["list_views"] == 129
    assert t["published_at"] == "2020-08-01T09:20:00Z"
    assert t["published_text"] == "01/08/2020 | 16:20"
    assert t["body"] == "\n".join(SEED_TXT[5:])
    assert t["category"] == "phường vĩnh hưng"
    status, headers, html = get(t["url"])
    assert status == 200
    page = parse_article("liferay", html)
    assert page["title"] == SEED_TXT[2]
    assert page["body"] == t["body"]
    assert page["date"] == norm(SEED_TXT[3]) == "Ngày đăng 01/08/2020 | 16:20 | View count: 129"
    assert "01/08/2020 | 16:20\n" in html and "&nbsp;|&nbsp;View count: 129" in html
    assert page["category"] == SEED_TXT[0]
    # print view and English copy
    status, _, html = get(t["print_url"])
    assert status == 200 and parse_article("liferay", html)["body"] == t["body"]
    status, _, html = get(t["en_url"])
    assert status == 200 and 'lang="en-US"' in html
    en = parse_article("liferay", html)
    assert en["views"] == t["en_views"] != 129
    assert en["date"].startswith("Publish date 01/08/2020 | 4:20 PM")


def test_truth_matches_rendered_pages(world):
    sim, h = world
    truth = get_json(h.base_url + "/_sim/truth")
    by_url = {t["url"]: t for t in truth}
    rng = random.Random(3)
    for site in get_json(h.base_url + "/_sim/sites"):
        tpl = site["template"]
        listed = crawl_site(h.base_url, site)
        for e in listed:
            t = by_url[e["url"]]
            assert e["title"] == t["title"]
            assert e["views"] == t["list_views"]
            assert t["list_published_text"] in e["date"]
        for e in rng.sample(listed, 6):
            t = by_url[e["url"]]
            status, _, html = get(e["url"])
            assert status == 200
            page = parse_article(tpl, html)
            assert page["title"] == t["title"]
            assert page["views"] == t["views"]
            assert page["date"] == t["date_line"], e["url"]
            assert t["published_text"] in page["date"]
            assert page["body"] == t["body"]
            assert page["category"] == t["category"]
            assert t["lead"] and t["lead"] in html.replace("&agrave;", "à") or tpl == "liferay"


def test_titles_have_diacritics_and_d(world):
    sim, _ = world
    titles = [t["title"] for t in sim.truth(include_body=False)]
    assert sum(1 for t in titles if "đ" in t or "Đ" in t) >= 20
    assert any("Đống Đa" in t for t in titles)
    assert all(unaccent(t) != t for t in titles)


# ------------------------------------------------------------------ time


def test_clock_advance_adds_posts_and_views_grow(fresh):
    sim, h = fresh
    clock = get_json(h.base_url + "/_sim/clock")
    assert clock["now"] == START.isoformat() == "2026-11-20T08:00:00+07:00"
    before = {t["key"]: t for t in get_json(h.base_url + "/_sim/truth?body=0")}
    site = sim.sites["xa-quang-phu"]
    status, _, html = get(h.base_url + site.list_paths[0])
    first_before, _ = parse_list("tandan", html, h.base_url)
    res = post(h.base_url + "/_sim/advance?hours=48")
    assert res["new_posts"] > 0
    after = {t["key"]: t for t in get_json(h.base_url + "/_sim/truth?body=0")}
    assert set(before) < set(after)
    assert len(after) - len(before) == res["new_posts"]
    for k, t in before.items():
        if t["views"] is not None:
            assert after[k]["views"] >= t["views"]
    assert sum(after[k]["list_views"] - t["list_views"] for k, t in before.items() if t["list_views"] is not None) > 0
    # new posts are listed first and push older ones down
    status, _, html = get(h.base_url + site.list_paths[0])
    first_after, _ = parse_list("tandan", html, h.base_url)
    new_keys = set(after) - set(before)
    assert first_after[0]["url"] in {after[k]["url"] for k in new_keys} or not any(
        after[k]["site_id"] == site.id for k in new_keys
    )
    assert first_after[0]["url"] != first_before[0]["url"] or not any(after[k]["site_id"] == site.id for k in new_keys)
    # monotone views at fine resolution, fast early growth then trickle
    a = sim.seed_article
    vals = [a.views_at(sim.now + i * 3600) for i in range(0, 24 * 30, 7)]
    assert vals == sorted(vals)
    new = next(sim.article(k) for k in new_keys)
    day1 = new.views_at(new.published + 86400)
    day30 = new.views_at(new.published + 30 * 86400)
    assert day1 > 0 and day30 >= day1 and (day30 - day1) < 30 * 2.5 + new.V


def test_edit_remove_and_status_codes(fresh):
    sim, h = fresh
    truth = [t for t in get_json(h.base_url + "/_sim/truth?site=ea-kao") if t["status"] == "live"]
    t0, t1, t2 = truth[0], truth[1], truth[2]
    rec = post(h.base_url + "/_sim/edit", {"key": t0["key"], "title": "Đã sửa: " + t0["title"], "body": "Đoạn một.\n\nĐoạn hai."})
    assert rec["url"] == t0["url"] and rec["edited"]
    page = parse_article("plain", get(t0["url"])[2])
    assert page["title"] == "Đã sửa: " + t0["title"] and page["body"] == "Đoạn một.\n\nĐoạn hai."
    assert post(h.base_url + "/_sim/remove", {"url": t1["url"], "status": 410})["status"] == "removed"
    sim.remove(t2["key"], 404)
    assert get(t1["url"])[0] == 410
    assert get(t2["url"])[0] == 404
    after = {t["key"]: t for t in get_json(h.base_url + "/_sim/truth?site=ea-kao")}
    assert after[t1["key"]]["status"] == "removed" and after[t1["key"]]["http_status"] == 410
    site = get_json(h.base_url + "/_sim/sites")
    listed = {e["url"] for e in crawl_site(h.base_url, next(s for s in site if s["id"] == "ea-kao"))}
    assert t1["url"] not in listed and t2["url"] not in listed and t0["url"] in listed
    # default status is deterministic: some 410, most 404
    codes = Counter(sim.remove(t["key"]).removed for t in truth[3:23])
    assert set(codes) <= {404, 410} and codes[404] > codes[410] > 0


def test_churn_is_deterministic():
    runs = []
    for _ in range(2):
        sim = Simulator(seed=5, articles_per_site=20)
        res = sim.advance(hours=24 * 10, churn=True)
        runs.append(res["churn"])
    assert runs[0] == runs[1] and len(runs[0]) > 0
    assert Simulator(seed=5, articles_per_site=20).advance(hours=240)["churn"] == []


# ------------------------------------------------------------------ HTTP behaviour


def test_etag_last_modified_and_304(fresh):
    sim, h = fresh
    url = h.base_url + sim.sites["dai-phuc"].visible()[0].path
    status, headers, _ = get(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert get(url, {"If-None-Match": '"nope"'})[0] == 200
    sim.advance(hours=24)  # views change -> page, ETag and Last-Modified change
    status, headers2, _ = get(url, {"If-None-Match": headers["ETag"]})
    assert status == 200 and headers2["ETag"] != headers["ETag"]
    assert headers2["Last-Modified"] != headers["Last-Modified"]
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 200
    assert sim.get_stats()["not_modified"] == 2


def test_faults(fresh):
    sim, h = fresh
    base = h.base_url
    site = sim.sites["xa-dong-tien"]
    url = base + site.list_paths[0]
    # error rate, deterministic per (seed, url, attempt)
    post(base + "/_sim/faults", {"site": site.id, "error_rate": 0.3})
    codes = [get(f"{url}?PageIndex={1 + i % 3}&x={i}")[0] for i in range(300)]
    share = codes.count(500) / len(codes)
    assert 0.2 < share < 0.4 and set(codes) == {200, 500}
    assert get(base + sim.sites["xa-quang-phu"].list_paths[0])[0] == 200  # other sites unaffected
    # down
    post(base + "/_sim/faults", {"site": site.id, "clear": True, "down": True})
    assert get(url)[0] == 503 and get(base + site.visible()[0].path)[0] == 503
    post(base + "/_sim/faults", {"site": site.id, "clear": True})
    assert get(url)[0] == 200
    # hide_views: no counts anywhere, truth says None
    sim.set_faults(hide_views=True)
    html = get(url)[2]
    assert "Lượt xem" not in html
    assert all(t["views"] is None and t["list_views"] is None for t in sim.truth(include_body=False))
    sim.clear_faults()
    # malformed: truncated, unclosed
    sim.set_faults(site=site.id, malformed=True)
    html = get(url)[2]
    assert "</html>" not in html and "</p>" not in html
    sim.clear_faults()
    # slow
    sim.set_faults(site=site.id, slow_ms=200)
    t = time.perf_counter()
    get(url)
    assert time.perf_counter() - t >= 0.2
    sim.clear_faults()
    # template switch: same URLs, other markup
    a = site.visible()[0]
    sim.switch_template(site.id, "dnn")
    html = get(base + a.path)[2]
    assert "DNN Platform" in html and "tandan-p-article-news-title" not in html
    rec = next(t for t in sim.truth(site=site.id) if t["key"] == a.key)
    assert rec["template"] == "dnn" and parse_article("dnn", html)["date"] == rec["date_line"]
    sim.switch_template(site.id, None)
    assert "tandan-p-article-news-title" in get(base + a.path)[2]
    assert get_json(base + "/_sim/faults")["global"]["error_rate"] == 0


def test_stats_count_page_types(fresh):
    sim, h = fresh
    post(h.base_url + "/_sim/stats/reset")
    s = sim.sites["tuong-mai"]
    get(h.base_url + s.list_paths[0])
    get(h.base_url + s.visible()[0].path)
    get(h.base_url + s.visible()[1].path)
    get(h.base_url + "/robots.txt")
    st = get_json(h.base_url + "/_sim/stats")
    assert (st["list"], st["article"], st["other"], st["total"]) == (1, 2, 1, 4)


def test_determinism_and_seed_sensitivity():
    a = Simulator(seed=11, articles_per_site=15)
    b = Simulator(seed=11, articles_per_site=15)
    c = Simulator(seed=12, articles_per_site=15)
    for s in (a, b, c):
        s.advance(hours=30)
    assert a.truth() == b.truth()
    assert [t["title"] for t in a.truth()] != [t["title"] for t in c.truth()]
    # the seed article is the same in every world
    for s in (a, c):
        assert s.seed_article.title == SEED_TXT[2]


def test_big_world_builds_fast_and_bulk_sites():
    # CPU time of this process, not wall-clock: other processes on a busy machine do not count
    t = time.process_time()
    sim = Simulator(seed=3, articles_per_site=1000)
    assert time.process_time() - t < 2.0
    assert sim.total_articles() >= 10_000
    assert sim.seed_article.views_at(sim.now) == 129
    t = time.process_time()
    new = sim.add_sites(50, "tandan", articles_per_site=20)
    assert time.process_time() - t < 2.0
    assert len(new) == 50 and len({s.id for s in new}) == 50
    cfg = tomllib.loads(sim.sites_toml("http://127.0.0.1:1"))
    assert sum(1 for e in cfg["site"] if e["id"].startswith("bulk-tandan-")) == 50
    with serve(sim) as h:
        s = new[-1]
        seen = crawl_site(h.base_url, s.info(h.base_url))
        assert len(seen) == len(s.visible())


def test_standalone_process():
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--seed", "2", "--articles-per-site", "10"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        status, _, html = get(base + "/hoangmai/cac-phuong/vinh-hung/tin-tuc")
        assert status == 200 and "asset-abstract" in html
        assert get_json(base + "/_sim/clock")["now"] == "2026-11-20T08:00:00+07:00"
    finally:
        proc.terminate()
        proc.wait(timeout=5)
