"""`portalwatch web` over real HTTP (uvicorn on 127.0.0.1, port 0): every route needs a login and
the right role, every form its CSRF token; sessions, headers, the login limit; hostile titles
stay text."""

from __future__ import annotations

import hashlib
import re

from starlette.routing import Mount, Route

from monitor.web.app import routes
from tests.web.conftest import PASSWORD, csrf_of

# A real path for every route pattern (a new route without one here fails test_every_route_is_listed).
PATHS = {
    "/login": "/login", "/logout": "/logout", "/lang/{code}": "/lang/en", "/": "/", "/u/{unit}": "/u/hoang-mai",
    "/a/{article:int}": "/a/1", "/search": "/search?q=tin", "/ops": "/ops", "/ops/site/{site}": "/ops/site/vinh-hung",
    "/ops/site/{site}/check": "/ops/site/vinh-hung/check", "/ops/site/{site}/edit": "/ops/site/vinh-hung/edit",
    "/ops/site/{site}/enable": "/ops/site/vinh-hung/enable", "/ops/site/{site}/disable": "/ops/site/vinh-hung/disable",
    "/ops/sample/{sample:int}": "/ops/sample/1", "/ops/add": "/ops/add", "/ops/add/save": "/ops/add/save",
    "/ops/import": "/ops/import", "/ops/import/save": "/ops/import/save", "/admin/users": "/admin/users",
    "/admin/users/{name}/role": "/admin/users/xa/role", "/admin/users/{name}/password": "/admin/users/xa/password",
    "/admin/users/{name}/remove": "/admin/users/xa/remove",
}
PUBLIC = {"/login", "/lang/{code}"}
ROLE_OF = {"office": 0, "operator": 1, "admin": 2}


def unmarked(html: str) -> str:
    """A search page without its <mark> highlights."""
    return re.sub(r"</?mark>", "", html)


def _routes(method: str):
    for r in routes():
        if isinstance(r, Route) and method in (r.methods or ()):
            yield r


def _digest(site) -> tuple[str, str]:
    import sqlite3

    from monitor.web.users import users_path

    conn = sqlite3.connect(users_path(site.db))
    try:
        users = repr(conn.execute("SELECT name, role, units, password_hash, session_gen FROM users ORDER BY id").fetchall())
    finally:
        conn.close()
    return hashlib.sha256(site.config.read_bytes()).hexdigest(), users


def test_every_route_is_listed():
    patterns = {r.path for r in routes() if isinstance(r, Route)}
    assert patterns == set(PATHS), patterns ^ set(PATHS)
    assert {r.path for r in routes() if isinstance(r, Mount)} == {"/static"}


def test_every_page_needs_a_login(served):
    c = served.client()
    for r in _routes("GET"):
        if r.path in PUBLIC:
            continue
        path = PATHS[r.path]
        resp = c.get(path)
        assert resp.status_code == 303, path
        assert resp.headers["location"].startswith("/login?next="), path
    login = c.get("/login?next=/u/hoang-mai")
    assert login.status_code == 200 and 'name="next" value="/u/hoang-mai"' in login.text


def test_every_form_refuses_a_missing_or_wrong_csrf_token(served):
    before = _digest(served)
    c = served.login("root")
    posts = list(_routes("POST"))
    assert len(posts) >= 14
    for r in posts:
        path = PATHS[r.path]
        for data in ({}, {"csrf": "not-the-token"}):
            resp = c.post(path, data={**data, "name": "root", "password": PASSWORD, "url": "http://127.0.0.1:9/",
                                      "role": "admin", "sel_title": "h1"})
            assert resp.status_code == 403, (path, data)
            assert "Biểu mẫu đã hết hạn" in resp.text
    assert _digest(served) == before  # nothing written: not sites.toml, not the users
    assert c.get("/ops").status_code == 200  # and still logged in (logout refused without the token)


def test_every_route_checks_its_role(served):
    """Each person gets the pages of their role and below; above it, 403 (a POST with a valid
    token too) and nothing changes."""
    before = _digest(served)
    for name, role in (("hm", "office"), ("ops", "operator"), ("root", "admin")):
        c = served.login(name)
        token = csrf_of(c.get("/search").text)
        for r in routes():
            if not isinstance(r, Route) or r.path in PUBLIC or r.path in ("/login", "/logout"):
                continue
            need = getattr(r.endpoint, "role", None)
            assert need in ROLE_OF, r.path
            if ROLE_OF[role] >= ROLE_OF[need]:
                continue
            for method in r.methods or ():
                if method == "HEAD":
                    continue
                resp = c.request(method, PATHS[r.path], data={"csrf": token} if method == "POST" else None)
                assert resp.status_code == 403, (name, method, r.path, resp.status_code)
    assert _digest(served) == before
    office = served.login("hm")
    assert office.get("/ops").status_code == 403 and "không có quyền" in office.get("/ops").text
    ops = served.login("ops")
    assert ops.get("/ops").status_code == 200 and ops.get("/admin/users").status_code == 403
    assert served.login("root").get("/admin/users").status_code == 200


def test_an_office_sees_only_its_units(served):
    hm = served.login("hm")
    assert hm.get("/").headers["location"] == "/u/hoang-mai"  # one unit: straight to it
    assert hm.get("/u/vinh-hung").status_code == 200  # a ward under its district
    assert hm.get("/u/other").status_code == 403
    assert hm.get(f"/a/{served.ids['a1']}").status_code == 200
    assert hm.get(f"/a/{served.ids['o2']}").status_code == 403
    assert hm.get("/u/nowhere").status_code == 404
    found = unmarked(hm.get("/search", params={"q": "tin"}).text)
    assert "Tin o1 của other" not in found and "Tin a1 của vinh-hung" in found
    vh = served.login("vh")
    assert vh.get("/u/hoang-mai").status_code == 403  # a ward does not see its district
    assert vh.get(f"/a/{served.ids['old']}").status_code == 403
    xa = served.login("xa")
    assert "Tin o1 của other" in unmarked(xa.get("/search", params={"q": "tin"}).text)
    root = served.login("root")
    home = root.get("/").text
    assert 'href="/u/hoang-mai"' in home and 'href="/u/other"' in home


def test_the_unit_page_shows_the_digest_numbers_for_its_window(served):
    """The page over a digest's window (its deep link) says what the digest says."""
    from monitor.config import Recipient, load_config
    from monitor.digest.build import build
    from monitor.store.connect import open_db
    from tests.world import iso

    config = load_config(served.config)
    db = open_db(served.db)
    try:
        data = build(db, config, Recipient(id="x", name="x", parents=["hoang-mai"], sites=["hoang-mai"]), iso(0), iso(24))
    finally:
        db.conn.close()
    hm = served.login("hm")
    page = hm.get("/u/hoang-mai", params={"since": iso(0), "until": iso(24)})
    assert page.status_code == 200
    html = page.text
    totals = re.search(r'<section class="totals" id="totals">(.*?)</section>', html, re.S).group(1)
    numbers = re.findall(r"<strong>([^<]+)</strong>", totals)
    assert numbers[:2] == [str(data["totals"]["new_posts"]), f"+{data['totals']['views_gained']}"]
    assert data["totals"]["new_posts"] >= 2 and data["totals"]["views_gained"] > 0
    for s in data["sites"]:
        row = re.search(rf'<tr data-site="{s["id"]}">(.*?)</tr>', html, re.S).group(1)
        assert f"+{s['views_gained']}" in row
    # Tương Mai is down: said in words (Vietnamese only: the crawler's error text is for operators)
    problems = re.search(r'<ul class="problems" id="problems">(.*?)</ul>', html, re.S).group(1)
    assert 'data-kind="unreachable"' in problems and "không truy cập được từ" in problems
    assert "Trang có sự cố" in html and "máy chủ của trang bị lỗi" in problems
    assert "<b>Service Unavailable</b>" not in html  # the page's hostile error text never raw
    assert "Khoảng thời gian của bản tin" in html  # a custom (digest) window
    week = hm.get("/u/hoang-mai", params={"w": "week"}).text
    assert 'class="on" aria-current="page" id="w-week"' in week
    assert "Từ 02/03/2026 00:00 đến 03/03/2026 08:00" in week  # Monday 00:00 to now, Vietnam time
    bad = hm.get("/u/hoang-mai", params={"since": "yesterday", "until": iso(24)})
    assert bad.status_code == 400 and "expected ISO times" in bad.text


def test_hostile_titles_and_urls_stay_inert(served):
    """World's hostile title (<script>, CR LF Bcc) and javascript: URL: shown as text on every
    page that lists them, never as markup or a link."""
    from tests.world import iso

    root = served.login("root")
    pages = [root.get("/u/vinh-hung", params={"since": iso(0), "until": iso(24)}).text,
             root.get(f"/a/{served.ids['n2']}").text,
             root.get("/search", params={"q": "thong bao"}).text,
             root.get(f"/a/{served.ids['js']}").text,
             root.get("/u/hoang-mai", params={"w": "week"}).text]
    for html in pages:
        assert "<script" not in html.lower()
        assert "javascript:" not in html.lower()
        assert "\r" not in html
    assert "Thông báo &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Bcc: evil@example.com" in pages[1]
    assert "&lt;script&gt;" in pages[0] and "&lt;script&gt;" in pages[2]
    assert 'id="portal-link"' not in pages[3]  # no link for a javascript: URL
    assert 'id="portal-link"' in root.get(f"/a/{served.ids['a1']}").text


def test_the_article_page_has_every_reading_its_edits_and_removal(served):
    root = served.login("root")
    a1 = root.get(f"/a/{served.ids['a1']}").text
    readings = re.search(r'<table id="readings">(.*?)</table>', a1, re.S).group(1)
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">([^<]+)</td><td class=\"n\">([^<]*)</td></tr>", readings)
    assert [(v, ch) for _, v, ch in rows] == [("100", ""), ("150", "+50"), ("170", "+20")]
    assert rows[0][0] == "01/03/2026 08:00"  # Vietnam time
    assert "Các lần đọc số liệu (3)" in a1 and '<img class="chart" src="data:image/png;base64,' in a1
    per_day = re.search(r'<table id="per-day">(.*?)</table>', a1, re.S).group(1)
    assert "02/03/2026" in per_day and "+70" in per_day
    a2 = root.get(f"/a/{served.ids['a2']}").text
    edits = re.search(r'<table id="edits">(.*?)</table>', a2, re.S).group(1)
    assert "Tin a2 của vinh-hung" in edits and "Tin a2 đã sửa" in edits
    assert "lượt xem giảm từ 500 xuống 10" in a2  # the counter reset, in words
    n1 = root.get(f"/a/{served.ids['n1']}").text
    assert re.search(r'<dd id="status"><span class="badge bad">đã bị gỡ \(03/03/2026 03:00\)</span>', n1)


def _desc(text: str) -> tuple[int, ...]:
    """A key sorting strings in reverse."""
    return tuple(-ord(c) for c in text)


def test_search_ranks_like_portalwatch_search_without_diacritics(served):
    from monitor.analyst.query import connect
    from monitor.analyst.search import find

    root = served.login("root")
    html = root.get("/search", params={"q": "lich tiep cong dan"}).text
    assert "Lịch tiếp công dân tháng 3" in unmarked(html)
    assert "<mark>Lịch tiếp công dân</mark> tháng 3" in html  # the phrase side by side, highlighted
    from monitor.config import load_config
    from monitor.web.office import sites_under

    unit_sites = [x.id for x in sites_under(load_config(served.config), "hoang-mai")]

    def shown(q: str, **params) -> list[int]:
        html = root.get("/search", params={"q": q, **params}).text
        return [int(x) for x in re.findall(r'<a class="title" href="/a/(\d+)">', html)]

    # the page and `portalwatch search` (--site for a unit's sites): the same hits in the same
    # groups (title phrase, title words, phrase anywhere, the rest), newest first within each
    conn = connect(served.db)
    try:
        for q in ("tin vinh hung", "lich tiep cong dan", "tin"):
            every = [(h.article_id, h.rank) for h in find(conn, q, limit=30).hits]
            in_unit = [(h.article_id, h.rank) for h in find(conn, q, sites=unit_sites, limit=30).hits]
            assert shown(q) == [a for a, _ in every] and shown(q, unit="hoang-mai") == [a for a, _ in in_unit]
            assert set(in_unit) <= set(every) and every and in_unit
            published = dict(conn.execute("SELECT id, published_at FROM articles"))
            for ranked in (every, in_unit):  # newest published first within a group, undated last
                assert ranked == sorted(ranked, key=lambda g: (g[1], published[g[0]] is None,
                                                               _desc(published[g[0]] or ""), -g[0]))
        assert len(every) > len(in_unit)  # "tin": posts of other units too
    finally:
        conn.close()
    assert "Nhập từ cần tìm" in root.get("/search", params={"q": '""'}).text


def test_session_cookie_flags_and_security_headers(served):
    c = served.client()
    login = c.get("/login")
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    for resp in (login, c.get("/static/style.css"), c.get("/nope"), served.login("hm").get("/u/hoang-mai")):
        csp = resp.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
        assert resp.headers["x-content-type-options"] == "nosniff"
    assert c.get("/login").headers["cache-control"] == "no-store"


def test_the_cookie_is_secure_over_https_behind_a_proxy(served):
    """Behind the reverse proxy (--proxy-headers) a request that came over HTTPS gets a Secure cookie."""
    from monitor.web.app import create_app
    from monitor.web.server import Background

    srv = Background(create_app(served.config, served.db), proxy_headers=True)
    try:
        with served.client() as c, served.client() as d:
            c.base_url = d.base_url = srv.url
            plain = c.get("/login").headers["set-cookie"].lower()
            proxied = d.get("/login", headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"].lower()
    finally:
        srv.stop()
    assert "secure" not in plain
    assert "secure" in proxied and "httponly" in proxied and "samesite=lax" in proxied


def test_login_failures_are_limited_per_name(served):
    def attempt(name, password):
        c = served.client()  # a new browser each time: the limit is per address and name, not per session
        return c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "name": name, "password": password})

    for _ in range(3):
        assert attempt("xa", "wrong password!").status_code == 401
    blocked = attempt("xa", PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429 and "Quá nhiều lần đăng nhập sai" in blocked.text
    assert attempt("vh", PASSWORD).status_code == 303  # another name is not blocked
    unknown = attempt("nobody", PASSWORD)
    assert unknown.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in unknown.text


def test_a_new_password_ends_other_sessions_and_logout_ends_this_one(served):
    from monitor.web.users import set_password

    c = served.login("vh")
    assert c.get("/u/vinh-hung").status_code == 200
    set_password(served.db, "vh", PASSWORD + "!")
    assert c.get("/u/vinh-hung").headers["location"].startswith("/login")
    set_password(served.db, "vh", PASSWORD)
    c = served.login("vh")
    out = served.post(c, "/logout", page="/u/vinh-hung")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert "Đã đăng xuất" in c.get("/login").text
    assert c.get("/u/vinh-hung").status_code == 303


def test_redirects_stay_on_this_site_and_the_language_switches(served):
    c = served.client()
    r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "name": "hm", "password": PASSWORD,
                               "next": "//evil.example/x"})
    assert r.headers["location"] == "/"
    assert c.get("/lang/en", params={"next": "https://evil.example/"}).headers["location"] == "/"
    assert c.get("/lang/en", params={"next": "/u/hoang-mai"}).headers["location"] == "/u/hoang-mai"
    page = c.get("/u/hoang-mai", params={"w": "week"}).text
    assert '<html lang="en">' in page and "This week" in page and "By unit" in page
    c.get("/lang/vi")
    assert "Tuần này" in c.get("/u/hoang-mai", params={"w": "week"}).text


def test_a_search_across_every_site_says_when_only_the_newest_matches_were_ranked(served, monkeypatch):
    """The page ranks the newest matches only (office.NEWEST; 5,000 in use) and says so, pointing
    to a unit (across every site) or more words (within a unit) for older posts."""
    from monitor.web import office

    root = served.login("root")
    every = unmarked(root.get("/search", params={"q": "tin"}).text)
    total = int(re.search(r"\d+ trên (\d+) bài phù hợp", every).group(1))
    assert total >= 3 and "Hơn" not in every
    monkeypatch.setattr(office, "NEWEST", 2)
    capped = root.get("/search", params={"q": "tin"}).text
    assert ("Hơn 2 bài phù hợp: 2 bài tốt nhất trong 2 bài mới nhất."
            " Chọn một đơn vị hoặc thêm từ để tìm cả bài cũ hơn.") in capped
    assert capped.count('<a class="title" href="/a/') == 2
    unit = root.get("/search", params={"q": "tin", "unit": "hoang-mai"}).text
    assert "Hơn 2 bài phù hợp: 2 bài tốt nhất trong 2 bài mới nhất. Thêm từ để tìm cả bài cũ hơn." in unit
    monkeypatch.setattr(office, "NEWEST", 5000)
    unit = root.get("/search", params={"q": "tin", "unit": "hoang-mai"}).text
    assert "Hơn" not in unit and re.search(r"\d+ trên \d+ bài phù hợp", unmarked(unit))
