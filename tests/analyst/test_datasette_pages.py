"""`portalwatch serve`'s plugin: CSV with a byte-order mark, internal tables hidden, and the pages
as a browser shows them at 390 px and 1280 px (headless Chromium, when installed)."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request

import pytest

pytest.importorskip("datasette")

from tests.analyst.test_datasette import Serve, get  # noqa: E402

BODY = ("Ủy ban nhân dân phường đã tổ chức hội nghị tổng kết công tác năm, đánh giá kết quả thực hiện nhiệm vụ "
        "phát triển kinh tế - xã hội và triển khai phương hướng năm tới. ") * 40  # ≈ 5,000 characters


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from monitor.store.db import Store
    from tests.analyst.conftest import add_sites, item

    db = tmp_path_factory.mktemp("pages") / "portalwatch.db"
    store = Store(db)
    add_sites(store)
    store.apply([item("vinh-hung", str(i), "2026-11-20T01:00:00Z", views=i, title=f"Hội nghị tổng kết số {i} tại quận Đống Đa",
                      body=BODY, published=f"2026-11-{10 + i:02d}T01:00:00Z") for i in range(1, 8)])
    store.close()
    srv = Serve(db)
    yield srv.base
    srv.stop()


def raw(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.read()


def test_csv_downloads_start_with_a_byte_order_mark(server):
    for path in ("/portalwatch/articles.csv?_size=3", "/portalwatch/articles.csv?_size=3&_dl=1",
                 "/portalwatch/search.csv?q=dong+da&_dl=1", "/portalwatch/least_posts.csv?month=2026-11"):
        data = raw(server, path)
        assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"), path
        text = data.decode("utf-8-sig")
        assert "\ufeff" not in text and ("Đống Đa" in text or "posts" in text), path
    assert not raw(server, "/portalwatch/articles.json?_size=1").startswith(b"\xef\xbb\xbf")


def test_internal_tables_are_hidden_from_the_list(server):
    tables = {t["name"]: t["hidden"] for t in get(server, "/portalwatch.json")["tables"]}
    for name in ("cluster_jobs", "crawl_leases", "ingest_marks", "detect_state", "detect_sites", "deliveries"):
        assert tables[name] is True, name
    for name in ("articles", "sites", "view_counts", "views_daily", "crawls", "events"):
        assert tables[name] is False, name
    assert "cluster_jobs" not in get(server, "/portalwatch").split("hidden tables")[0]


def test_the_full_text_index_shadow_tables_and_view_are_not_listed(server):
    data = get(server, "/portalwatch.json")
    listed = [t["name"] for t in data["tables"]] + [v["name"] for v in data["views"]]
    assert "articles" in listed and "site_monthly_posts" in listed
    assert [n for n in listed if "_fts_" in n] == [], listed
    page = get(server, "/portalwatch")
    assert "articles_fts_content" not in page and "articles_fts_data" not in page
    with pytest.raises(urllib.error.HTTPError) as denied:
        raw(server, "/portalwatch/articles_fts_content")
    assert denied.value.code == 403
    found = get(server, "/portalwatch/search.json?q=dong+da&_shape=array")  # search reads the index all the same
    assert len(found) == 7 and all("Đống Đa" in r["title"] for r in found)


def test_pages_carry_the_stylesheet_and_script(server):
    page = get(server, "/portalwatch/articles")
    assert '<link rel="stylesheet" href="/-/portalwatch.css">' in page and 'src="/-/portalwatch.js"' in page
    css = raw(server, "/-/portalwatch.css").decode()
    assert ".col-body" in css and "form.portalwatch-search" in css
    assert "column-descriptions" in raw(server, "/-/portalwatch.js").decode()


CHROMIUM, DRIVER = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        pytest.skip("headless Chromium is not installed")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def measure(driver, base: str, width: int) -> dict:
    driver.set_window_size(width, 900)
    driver.get(base + "/portalwatch/articles")
    return driver.execute_script("""
        const box = e => e ? e.getBoundingClientRect() : null;
        const rows = [...document.querySelectorAll('table.rows-and-columns tbody tr')];
        const dl = document.querySelector('dl.column-descriptions');
        return {search: box(document.querySelector('form.portalwatch-search input[type=search]')).width,
                row: Math.max(...rows.map(r => box(r).height)),
                body_shown: [...document.querySelectorAll('td.col-body')].some(td => td.offsetHeight > 0),
                descriptions: dl.offsetHeight, folded: !!dl.closest('details.pw-columns')};""")


def test_articles_page_at_390_and_1280_pixels(server, browser):
    """At 390 px the ranked-search box was a 30 px box; at 1280 px the rows stood over 1,000 px
    tall (the body column) under a screen of column descriptions."""
    phone = measure(browser, server, 390)
    assert phone["search"] >= 300, phone
    wide = measure(browser, server, 1280)
    assert wide["row"] < 250 and not wide["body_shown"], wide
    assert wide["folded"] and wide["descriptions"] == 0, wide
    browser.find_element("css selector", "button.pw-columns-toggle").click()  # every column, bodies too
    shown = browser.execute_script(
        "return Math.max(...[...document.querySelectorAll('td.col-body')].map(td => td.offsetHeight))")
    assert shown > 250
    browser.find_element("css selector", "details.pw-columns > summary").click()
    assert browser.execute_script("return document.querySelector('dl.column-descriptions').offsetHeight") > 100
