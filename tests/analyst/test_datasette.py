"""`portalwatch serve`: real Datasette over HTTP on 127.0.0.1 with the shipped metadata."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("datasette")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """`portalwatch serve` as a real process on a free port. A port can be taken by someone else
    between choosing and binding: then Datasette exits, and we try again on another port until
    a server that serves OUR database answers."""

    def __init__(self, db, env=None, attempts: int = 10):
        self.db = db
        for _ in range(attempts):
            self.port = free_port()
            self.base = f"http://127.0.0.1:{self.port}"
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", "--db", str(db), "serve", "--port", str(self.port)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": ROOT, **(env or {})},
                cwd=ROOT, start_new_session=True)
            if self._answers():
                return
            self.stop()
        pytest.fail("datasette did not start:\n" + self.proc.stdout.read().decode())

    def _answers(self) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False  # e.g. the port was taken: try another
            try:  # /-/databases.json (which named the file) is not served: our database by its name
                index = get(self.base, "/.json")
                return self.proc.poll() is None and Path(self.db).stem in index
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail("datasette did not answer within 60 s:\n" + self.proc.stdout.read().decode())

    def children(self) -> list[int]:
        path = f"/proc/{self.proc.pid}/task/{self.proc.pid}/children"
        return [int(x) for x in open(path).read().split()]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)


def get(base, path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        body = r.read().decode("utf-8")
    return json.loads(body) if ".json" in path else body


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    from monitor.store.db import Store
    from tests.analyst.conftest import add_sites, item

    db = tmp_path_factory.mktemp("ds") / "portalwatch.db"
    store = Store(db)
    add_sites(store)
    store.apply([item("vinh-hung", "1", "2026-11-20T01:00:00Z", views=5, title="Đoàn công tác quận Đống Đa",
                      body="Hội nghị tại phường Vĩnh Hưng."),
                 item("ea-kao", "2", "2026-11-20T01:00:00Z", views=9, title="<script>alert(1)</script>")])
    store.apply([item("vinh-hung", "1", "2026-11-21T01:00:00Z", views=12, title="Đoàn công tác quận Đống Đa",
                      body="Hội nghị tại phường Vĩnh Hưng.")])
    store.close()
    return db


@pytest.fixture(scope="module")
def server(database):
    srv = Serve(database)
    yield srv.base
    srv.stop()


def test_table_page_shows_bilingual_descriptions(server):
    page = get(server, "/portalwatch/articles")
    assert "Bài viết đã thu thập" in page and "Collected articles" in page
    assert "Đoàn công tác quận Đống Đa" in page
    assert "<script>alert(1)</script>" not in page  # Datasette escapes crawled text


def test_json_api_search_ignores_diacritics(server):
    for q in ("dong da", "Đống Đa", "ĐỐNG ĐA", "hoi nghi"):
        data = get(server, "/portalwatch/articles.json", _search=q, _shape="array")
        assert [r["id"] for r in data] == [1], q


def test_canned_queries(server):
    assert get(server, "/portalwatch/search.json", q="", _shape="array") == []  # empty form: no error
    rows = get(server, "/portalwatch/search.json", q="dong da", _shape="array")
    assert rows[0]["title"] == "Đoàn công tác quận «Đống Đa»"  # the phrase, as `portalwatch search` marks it
    rows = get(server, "/portalwatch/article_history.json", article="1", _shape="array")
    assert [(r["views"], r["gained"]) for r in rows] == [(5, None), (12, 7)]
    rows = get(server, "/portalwatch/site_daily.json", site_id="vinh-hung", _shape="array")
    assert rows == [{"day": "2026-11-21", "views_gained": 7, "articles_changed": 1},
                    {"day": "2026-11-20", "views_gained": 0, "articles_changed": 1}]
    rows = get(server, "/portalwatch/silent.json", _shape="array")
    assert {r["site_id"] for r in rows} == {"hoang-mai", "dinh-cong", "to-1"}
    assert "Bài tăng lượt xem nhiều nhất" in get(server, "/portalwatch")


def test_views_and_metadata_over_http(server):
    rows = get(server, "/portalwatch/site_daily_views.json", _shape="array", _sort="day")
    assert [(r["site_id"], r["day"], r["views_gained"]) for r in rows] == [
        ("ea-kao", "2026-11-20", 0), ("vinh-hung", "2026-11-20", 0), ("vinh-hung", "2026-11-21", 7)]
    page = get(server, "/portalwatch/views_daily")  # the shipped column descriptions (not via /-/metadata.json, hidden)
    assert "Ngày (giờ Việt Nam) — Vietnam-local date" in page


def test_writes_are_refused_over_http(server):
    try:
        get(server, "/portalwatch.json", sql="DELETE FROM articles")
    except urllib.error.HTTPError as e:
        assert e.code == 400
    rows = get(server, "/portalwatch.json", sql="SELECT COUNT(*) AS n FROM articles", _shape="array")
    assert rows == [{"n": 2}]


DEBUG_PAGES = ["databases", "threads", "versions", "settings", "plugins", "actor", "config", "metadata",
               "messages", "allow-debug", "permissions", "patterns", "auth-token", "logout"]


def status_of(base, path) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def test_debug_pages_are_not_served(server, database):
    """Datasette's /-/ pages (the absolute path of the file, threads, versions, settings …) answer
    404, however the path is spelled; its static files and the data pages are served."""
    paths = [f"/-/{p}{x}" for p in DEBUG_PAGES for x in ("", ".json")]
    paths += ["//-/databases.json", "/%2D/databases.json", "/-/databases.json?_shape=array", "/-/", "/-"]
    for path in paths:
        code, body = status_of(server, path)
        assert code == 404 and str(database) not in body, (path, code, body[:200])
    assert status_of(server, "/-/static/app.css")[0] == 200
    for path in ("/", "/portalwatch", "/portalwatch/articles", "/portalwatch.json?sql=select+1"):
        code, body = status_of(server, path)
        assert code == 200 and str(database) not in body, (path, code)
    # nor through SQL: pragma_database_list names the file too
    for sql in ("select file from pragma_database_list", "SELECT * FROM PRAGMA_DATABASE_LIST()"):
        code, body = status_of(server, "/portalwatch.json?" + urllib.parse.urlencode({"sql": sql}))
        assert code == 403 and str(database) not in body, (sql, code, body[:200])


def test_a_refused_query_is_one_log_line_not_a_traceback(database):
    srv = Serve(database, env={"PYTHONUNBUFFERED": "1"})  # the traceback went to a buffered stdout
    try:
        refusals = [("/portalwatch.json", {"sql": "DELETE FROM articles"}), ("/portalwatch.json", {"sql": "PRAGMA user_version = 3"}),
                    ("/nope", {}), ("/portalwatch/no_such_table", {})]
        for path, params in refusals:
            code, _ = status_of(srv.base, path + ("?" + urllib.parse.urlencode(params) if params else ""))
            assert 400 <= code < 500, (path, code)
    finally:
        srv.stop()
    out = srv.proc.stdout.read().decode("utf-8", "replace")
    assert "Traceback" not in out and "locals" not in out, out[-3000:]
    lines = [ln for ln in out.splitlines() if "refused GET" in ln]
    assert len(lines) == len(refusals), out[-3000:]
    assert any("refused GET /portalwatch.json?sql=DELETE" in ln and "400 Statement must be a SELECT" in ln for ln in lines)


def pid_alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def refused(base) -> bool:
    try:
        get(base, "/.json")
    except urllib.error.URLError as e:
        return isinstance(e.reason, ConnectionRefusedError)
    except OSError as e:
        return isinstance(e, ConnectionRefusedError)
    return False


def wait_until(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_sigterm_stops_datasette_and_removes_the_metadata_file(database, tmp_path):
    srv = Serve(database, env={"TMPDIR": str(tmp_path)})
    try:
        (datasette,) = srv.children()
        assert len(list(tmp_path.glob("portalwatch-datasette-*.json"))) == 1
        srv.proc.send_signal(signal.SIGTERM)  # systemd stop: the process, not its group
        assert srv.proc.wait(60) == 0
        wait_until(lambda: not pid_alive(datasette), "Datasette to stop")
        assert refused(srv.base)
        assert list(tmp_path.glob("portalwatch-datasette-*.json")) == []
    finally:
        srv.stop()


def test_sigkill_of_serve_takes_datasette_with_it_and_the_next_run_cleans_up(database, tmp_path):
    from monitor.analyst import datasette as datasette_meta

    srv = Serve(database, env={"TMPDIR": str(tmp_path)})
    try:
        (datasette,) = srv.children()
        srv.proc.kill()
        srv.proc.wait(60)
        wait_until(lambda: not pid_alive(datasette), "the orphaned Datasette to stop")
        assert refused(srv.base)
    finally:
        srv.stop()
    assert len(list(tmp_path.glob("portalwatch-datasette-*.json"))) == 1  # nobody could remove it …
    assert datasette_meta.remove_stale(str(tmp_path)) == 1  # … the next `serve` does
    assert list(tmp_path.glob("portalwatch-datasette-*.json")) == []


def test_articles_page_offers_the_ranked_search(server):
    """The table's own search lists the newest first; the page points at the canned
    `search` query, which ranks like `portalwatch search`."""
    page = get(server, "/portalwatch/articles")
    assert '<form action="search" method="get" class="portalwatch-search">' in page
    rows = get(server, "/portalwatch/search.json", q="hoi nghi vinh hung", _shape="array")
    assert [r["id"] for r in rows] == [1]


def test_canned_search_ranks_the_phrase_first_like_portalwatch_search(tmp_path):
    import sqlite3

    from datasette.utils import escape_fts

    from monitor.analyst.datasette import metadata
    from monitor.analyst.dsplugin.portalwatch_datasette import unmark
    from monitor.analyst.search import search
    from monitor.store.db import Store
    from tests.analyst.conftest import add_sites, item

    store = Store(tmp_path / "pw.db")
    add_sites(store)
    long = "Báo cáo tổng kết công tác năm của ủy ban nhân dân phường và các tổ dân phố tại quận Đống Đa thành phố"
    store.apply([item("vinh-hung", "phrase", "2026-11-01T01:00:00Z", title=long,
                      body=long + " trong năm qua với nhiều kết quả nổi bật.", published="2026-11-01T01:00:00Z")]
                + [item("vinh-hung", f"apart{i}", "2026-11-20T01:00:00Z", title="Đồng chí Đồng chí đã đã",
                        body="đồng chí đồng chí đã đã", published="2026-11-20T01:00:00Z")
                   for i in range(5)])
    conn = sqlite3.connect(store.path)
    conn.create_function("escape_fts", 1, escape_fts)
    conn.create_function("pw_unmark", 2, unmark)  # as `portalwatch serve`'s plugin registers it
    sql = metadata(store.path)["databases"]["pw"]["queries"]["search"]["sql"]
    got = [r[0] for r in conn.execute(sql, {"q": "dong da"})]
    want = [h.article_id for h in search(conn, "dong da", limit=50)]
    assert len(got) == 6 and got[0] == 1  # the phrase first, though the oldest
    assert got == want
    assert [r[0] for r in conn.execute(sql, {"q": "Đống"})] == [h.article_id for h in search(conn, "Đống", limit=50)]
    store.close()
