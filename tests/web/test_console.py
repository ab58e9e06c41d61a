"""The operator console over real HTTP, on a real crawl of the simulator: health, a site's
history and kept pages, check now, edits written to sites.toml (validated like loading, comments
kept), add from a URL with its preview, a CSV import, and a real `portalwatch run` reloading."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import make_portal
from tests.web.conftest import LEFT_OUT, PASSWORD, csrf_of, drop_site

HOSTILE = '<html><body><script>alert("pw")</script><div class="x">đổi giao diện</div></body></html>'


class Console:
    def __init__(self, portal, url: str):
        self.portal, self.url = portal, url

    def login(self, name: str = "ops"):
        import httpx

        c = httpx.Client(base_url=self.url, follow_redirects=False, timeout=120)
        r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "name": name, "password": PASSWORD})
        assert r.status_code == 303
        return c

    def post(self, c, path: str, data: dict | None = None, page: str = "/ops", **kw):
        return c.post(path, data={"csrf": csrf_of(c.get(page).text), **(data or {})}, **kw)

    def text(self) -> str:
        return self.portal.config.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """The simulator crawled once (all but LEFT_OUT), Ea Kao then down three times with a hostile
    error, a hostile kept page for Vĩnh Hưng; an operator and an office user; the app served."""
    from crawler.items import SampleItem
    from monitor.store.db import Store
    from monitor.web.app import create_app
    from monitor.web.server import Background
    from monitor.web.users import add_user

    mp = pytest.MonkeyPatch()
    p = make_portal(tmp_path_factory.mktemp("console"))
    mp.setenv("PORTALWATCH_NOW", p.sim.clock()["now_utc"])
    p.config.write_text(drop_site(p.config.read_text(encoding="utf-8"), LEFT_OUT), encoding="utf-8")
    p.crawl()
    store = Store(p.db_path)
    try:
        for _ in range(3):
            cid = store.begin_crawl("ea-kao")
            store.finish_crawl(cid, "failed", 'list page: HTTP 503 <img src=x onerror="alert(1)">')
        p.sample_id = store.save_samples([SampleItem("vinh-hung", p.url + "/hoangmai/cac-phuong/vinh-hung/tin-tuc",
                                                     "list", "no articles found", HOSTILE, p.sim.clock()["now_utc"])])[0]
    finally:
        store.close()
    add_user(p.db_path, "ops", "operator", PASSWORD)
    add_user(p.db_path, "hm", "office", PASSWORD, ["hoang-mai"], p.load_config())
    srv = Background(create_app(p.config, p.db_path))
    yield Console(p, srv.url)
    srv.stop()
    p.server.stop()
    mp.undo()


def test_the_console_lists_every_site_worst_first(console):
    c = console.login()
    page = c.get("/ops").text
    rows = re.findall(r'<tr data-site="([^"]+)" data-status="([^"]+)">', page)
    assert len(rows) == 11 and rows[0] == ("ea-kao", "unreachable")
    assert {s for _, s in rows[1:]} == {"ok"}
    assert "3 failed crawls in a row" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page and "<img src=x" not in page
    assert re.search(r'<span class="badge st-ok">bình thường</span> 10', page)
    only = re.findall(r'<tr data-site="([^"]+)"', c.get("/ops", params={"q": "vinh hung"}).text)
    assert only == ["vinh-hung"]  # no diacritics needed
    problems = re.findall(r'<tr data-site="([^"]+)"', c.get("/ops", params={"show": "problems"}).text)
    assert problems == ["ea-kao"]
    assert console.login("hm").get("/ops").status_code == 403


def test_a_site_page_shows_its_crawls_fetch_errors_and_kept_pages(console):
    c = console.login()
    page = c.get("/ops/site/vinh-hung").text
    crawls = re.findall(r'<tr data-outcome="([a-z]+)">', page)
    assert crawls == ["ok"]
    assert f'href="/ops/sample/{console.portal.sample_id}"' in page
    sample = c.get(f"/ops/sample/{console.portal.sample_id}").text
    assert "&lt;script&gt;alert(&#34;pw&#34;)&lt;/script&gt;" in sample and "<script" not in sample
    down = c.get("/ops/site/ea-kao").text
    assert re.findall(r'<tr data-outcome="([a-z]+)">', down)[:3] == ["failed"] * 3
    assert c.get("/ops/site/nowhere").status_code == 404


def test_check_now_shows_the_report_of_sites_check(console):
    from monitor.sites.check import check_site

    config = console.portal.load_config()
    expected = check_site(config, config.site("vinh-hung")).as_dict()
    c = console.login()
    r = console.post(c, "/ops/site/vinh-hung/check")
    assert r.status_code == 200
    page = r.text
    assert 'id="check-ok"' in page and expected["ok"]
    assert f"Tìm thấy {expected['list_count']} bài" in page
    title = re.search(r'<tr data-field="title">.*?<td data-label="Giá trị">([^<]*)</td>', page, re.S).group(1)
    assert htmllib.unescape(title) == expected["article"]["title"]["value"]
    keys = re.findall(r'<tr data-key="([a-z_]+)"', page)
    assert keys == [s["key"] for s in expected["selectors"]]
    offline = console.post(c, "/ops/site/vinh-hung/check", {"sample": str(console.portal.sample_id)}).text
    assert f"html_samples #{console.portal.sample_id}" in offline and "<script" not in offline
    found = re.findall(r'<p class="flash error problem">([^<]*)</p>', offline)  # said in the page's language
    assert found and found[0].startswith("Không tìm thấy bài nào trên http") and "no articles found on" not in offline
    assert "robots.txt: chưa kiểm tra (HTML đã lưu)" in offline
    c.get("/lang/en")
    english = console.post(c, "/ops/site/vinh-hung/check", {"sample": str(console.portal.sample_id)}).text
    assert re.findall(r'<p class="flash error problem">([^<]*)</p>', english)[0].startswith(
        "site &#39;vinh-hung&#39;: no articles found on http")  # the CLI's line
    c.get("/lang/vi")


def test_an_edit_with_a_mistake_shows_the_loading_error_and_writes_nothing(console):
    from monitor.config import ConfigError
    from monitor.sites.tomlfile import update_site

    before = console.text()
    scratch = console.portal.config.with_name("scratch.toml")
    scratch.write_text(before, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        update_site(scratch, "vinh-hung", {"selectors": {"title": "div.title["}})
    expected = str(e.value).replace("scratch.toml", "sites.toml")
    c = console.login()
    r = console.post(c, "/ops/site/vinh-hung/edit", {"name": "Phường Vĩnh Hưng", "parent": "hoang-mai",
                                                     "profile": "liferay", "sel_title": "div.title["},
                     page="/ops/site/vinh-hung")
    assert r.status_code == 400
    shown = re.search(r'<p class="flash error" id="edit-error" role="alert">([^<]*)</p>', r.text).group(1)
    assert htmllib.unescape(shown) == expected
    assert "selector 'title': invalid CSS selector 'div.title['" in expected and "\n" not in expected
    assert 'value="div.title["' in r.text  # the form keeps what was typed
    r = console.post(c, "/ops/site/vinh-hung/edit", {"name": "Phường Vĩnh Hưng", "parent": "hoang-mai",
                                                     "profile": "liferay", "schedule": "every 2 hours"},
                     page="/ops/site/vinh-hung")
    assert r.status_code == 400 and "key &#39;schedule&#39;: expected &#39;every &lt;N&gt;m|h|d&#39;" in r.text
    assert console.text() == before


def test_a_good_edit_is_written_with_the_files_comments_and_order(console):
    before = console.text()
    c = console.login()
    r = console.post(c, "/ops/site/vinh-hung/edit", {"name": "Phường Vĩnh Hưng (mới)", "parent": "hoang-mai",
                                                     "profile": "liferay", "schedule": "every 2h",
                                                     "sel_title": "div.asset-full-content-title"},
                     page="/ops/site/vinh-hung")
    assert r.status_code == 303 and r.headers["location"] == "/ops/site/vinh-hung"
    after = console.text()
    flash = re.search(r'<p class="flash (\w+)" id="flash" role="status">([^<]*)</p>', c.get("/ops/site/vinh-hung").text)
    assert flash.group(1) == "warn" and "dịch vụ không chạy" in flash.group(2)
    site = next(s for s in tomllib.loads(after)["site"] if s["id"] == "vinh-hung")
    assert site["name"] == "Phường Vĩnh Hưng (mới)" and site["schedule"] == "every 2h"
    assert site["selectors"] == {"title": "div.asset-full-content-title"}
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ['name = "Phường Vĩnh Hưng (mới)"', 'schedule = "every 2h"',
                       'selectors = {title = "div.asset-full-content-title"}']
    assert [ln for ln in before.splitlines() if ln.startswith("#")] == [ln for ln in after.splitlines() if ln.startswith("#")]
    r = console.post(c, "/ops/site/vinh-hung/edit", {"name": "Phường Vĩnh Hưng", "parent": "hoang-mai",
                                                     "profile": "liferay"}, page="/ops/site/vinh-hung")
    assert r.status_code == 303 and console.text() == before  # back as it was, byte for byte
    console.portal.load_config()


def test_disable_then_enable_gives_the_file_back(console):
    before = console.text()
    c = console.login()
    assert console.post(c, "/ops/site/dai-phuc/disable", page="/ops/site/dai-phuc").status_code == 303
    assert next(s for s in tomllib.loads(console.text())["site"] if s["id"] == "dai-phuc")["enabled"] is False
    assert 'id="disabled-badge"' in c.get("/ops/site/dai-phuc").text
    assert console.post(c, "/ops/site/dai-phuc/enable", page="/ops/site/dai-phuc").status_code == 303
    assert console.text() == before
    assert console.login("hm").post("/ops/site/dai-phuc/disable", data={"csrf": "x"}).status_code == 403


def test_add_a_site_from_its_url_with_the_preview_of_sites_add(console):
    p = console.portal
    home = p.url + p.sim.sites[LEFT_OUT].home_path()
    truth = p.sim.truth(LEFT_OUT, include_body=False, include_removed=False)
    c = console.login()
    pv = console.post(c, "/ops/add", {"url": home, "id": LEFT_OUT}, page="/ops/add")
    assert pv.status_code == 200
    page = pv.text
    assert 'id="platform">tandan<' in page
    lists = re.search(r'<ul class="lists" id="found-lists">(.*?)</ul>', page, re.S).group(1)
    assert re.search(r"— \d+ bài, \d+ có ngày đăng, \d+ có lượt xem", lists) and "articles" not in lists
    titles = [htmllib.unescape(t) for t in re.findall(r'<td data-label="Tiêu đề">([^<]*)</td>', page)]
    assert len(titles) == 5 and set(titles) <= {t["title"] for t in truth}
    assert f'id = &#34;{LEFT_OUT}&#34;' in page  # the [[site]] entry to be written
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert console.post(c, "/ops/add/save", {"token": token + "x"}, page="/ops/add").status_code == 400
    before = console.text()
    saved = console.post(c, "/ops/add/save", {"token": token}, page="/ops/add")
    assert saved.status_code == 303 and saved.headers["location"] == f"/ops/site/{LEFT_OUT}"
    assert console.text().startswith(before.split("# The district office")[0].rstrip())
    added = p.load_config().site(LEFT_OUT)
    assert added.profile == "tandan" and added.start_urls == [cat["url"] for cat in p.sim.sites[LEFT_OUT].info(p.url)["categories"]]
    again = console.post(c, "/ops/add", {"url": home}, page="/ops/add").text
    assert 'id="not-added"' in again and "already crawled for site" in again and 'name="token"' not in again
    nothing = console.post(c, "/ops/add", {"url": p.url + "/robots.txt"}, page="/ops/add").text
    assert 'id="not-added"' in nothing and 'name="token"' not in nothing


def test_import_a_csv_as_sites_import_does(console):
    p = console.portal
    new = p.sim.add_sites(1, "dnn")[0]
    csv = ("id,name,level,parent,url\n"
           f"{new.id},{new.name},ward,,{p.url}{new.home_path()}\n"
           f"Bad Id,Xã Sai,commune,,{p.url}/nowhere\n"
           f"vinh-hung,Phường Vĩnh Hưng,ward,hoang-mai,{p.url}/hoangmai/cac-phuong/vinh-hung/\n")
    c = console.login()
    token = csrf_of(c.get("/ops/import").text)
    r = c.post("/ops/import", data={"csrf": token}, files={"csv": ("wards.csv", csv.encode(), "text/csv")})
    assert r.status_code == 200
    statuses = re.findall(r'<tr data-status="(\w+)">', r.text)
    assert statuses == ["ready", "attention", "attention"]
    bad_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Bad Id(?:(?!</tr>).)*</tr>", r.text, re.S).group(0)
    assert "id is not valid (lowercase letters, digits" in bad_row  # the words of `sites import`
    save = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    done = c.post("/ops/import/save", data={"csrf": token, "token": save})
    assert done.status_code == 303
    assert p.load_config().site(new.id).profile == "dnn"
    empty = c.post("/ops/import", data={"csrf": token}, files={"csv": ("x.csv", b"", "text/csv")})
    assert empty.status_code == 400 and "Chọn một tệp CSV" in empty.text
    bad = c.post("/ops/import", data={"csrf": token}, files={"csv": ("x.csv", b"name;url\n", "text/csv")})
    assert bad.status_code == 400 and "missing column(s) id" in bad.text


def test_an_edit_reloads_the_running_service(console):
    """A real `portalwatch run`: the saved change reaches it through the reload path, and the
    page says what the service did."""
    from monitor.service.control import last_reload
    from monitor.service.jobstore import jobstore_path
    from tests.service.conftest import set_service_settings, wait_for

    p = console.portal
    set_service_settings(p, schedule="every 1h", jitter=0, housekeeping="off", backup="off",
                         delivery_retry="off")
    store = jobstore_path(p.load_config(), p.db_path)
    log = open(p.config.parent / "service.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(p.config), "--db", str(p.db_path), "run"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        from monitor.service.jobstore import read_pid

        wait_for(lambda: read_pid(store) == proc.pid and store.exists(), 60, "the service to start")
        c = console.login()
        r = console.post(c, "/ops/site/tuong-mai/edit", {"name": "Phường Tương Mai", "parent": "hoang-mai",
                                                         "profile": "liferay", "schedule": "every 3h"},
                         page="/ops/site/tuong-mai")
        assert r.status_code == 303
        flash = re.search(r'<p class="flash ok" id="flash" role="status">([^<]*)</p>', c.get("/ops/site/tuong-mai").text)
        assert flash, "no reload confirmation"
        assert f"dịch vụ (pid {proc.pid}) đã nạp lại cấu hình" in flash.group(1) and "crawl:every 3h" in flash.group(1)
        done = last_reload(store)
        assert done["outcome"] == "ok" and "crawl:every 3h" in done["detail"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()

