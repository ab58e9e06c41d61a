"""A real crawl of the hostile portal (tests/e2e/hostile.py) whose titles carry markup, then every
page that shows them: the titles are text, nothing runs, no javascript: link."""

from __future__ import annotations

import re

import httpx

from tests.e2e.hostile import HostileServer, liferay_article, liferay_list, write_config
from tests.web.conftest import PASSWORD, csrf_of

TITLES = ['<script>alert("t")</script> Tin một', 'Tin hai <img src=x onerror=alert(2)>',
          "Tin ba </title><svg onload=alert(3)> & \"nháy\""]


def test_hostile_titles_from_a_real_crawl_stay_text_on_every_page(tmp_path, monkeypatch):
    from monitor.web.app import create_app
    from monitor.web.server import Background
    from monitor.web.users import add_user
    from tests.conftest import manual_crawl

    monkeypatch.setenv("PORTALWATCH_NOW", "2026-11-20T03:00:00Z")
    srv = HostileServer()
    links = [(f"/-/view_content/{i}-x.html", t, "View count: 12") for i, t in enumerate(TITLES, 1)]
    srv.page("/tin-tuc", liferay_list(links))
    for href, title, _ in links:
        srv.page(href, liferay_article(title))
    config = write_config(tmp_path / "sites.toml", {"evil": [srv.url + "/tin-tuc"]})
    db = tmp_path / "pw.db"
    try:
        assert manual_crawl(config, db).ok
    finally:
        srv.stop()
    add_user(db, "root", "admin", PASSWORD)
    web = Background(create_app(config, db))
    try:
        c = httpx.Client(base_url=web.url, timeout=60)
        c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "name": "root", "password": PASSWORD})
        unit = c.get("/u/evil", params={"w": "week"}).text
        ids = re.findall(r'href="/a/(\d+)"', unit)
        pages = [unit, c.get("/search", params={"q": "tin"}).text, c.get("/ops").text, c.get("/ops/site/evil").text,
                 *(c.get(f"/a/{i}").text for i in set(ids))]
    finally:
        web.stop()
    assert len(set(ids)) == 3
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page and "<svg" not in page
    shown = "".join(pages)
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; Tin một" in shown
    assert "Tin hai &lt;img src=x onerror=alert(2)&gt;" in shown
    assert "Tin ba &lt;/title&gt;&lt;svg onload=alert(3)&gt; &amp; &#34;nháy&#34;" in shown
