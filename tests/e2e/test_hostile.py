"""Real crawls of a hostile portal (tests/e2e/hostile.py): what a crawl refuses is recorded in
words, per URL, and never costs other items, other sites or what is already stored."""

import os
import sqlite3

import pytest

from monitor.detect.events import detect
from monitor.store.connect import open_db
from tests.conftest import manual_crawl

from .hostile import HostileServer, Route, liferay_article, liferay_list, write_config

pytestmark = pytest.mark.slow

A, B, C = "/-/view_content/1-a.html", "/-/view_content/2-b.html", "/-/view_content/3-c.html"
NOW = "2026-11-15T03:00:00Z"


@pytest.fixture
def srv():
    s = HostileServer()
    yield s
    s.stop()


def rows(db_path, sql, args=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def run(cfg, db, **kw):
    result = manual_crawl(cfg, db, now=NOW, **kw)
    assert result.ok, result.stderr_tail
    return result


def test_an_absurd_count_is_refused_alone(srv, tmp_path):
    """One list item printing 20 digits costs only that value (a fetch_errors row);
    the site's other article and a second site crawled by the same child keep their writes,
    and three such crawls do not make a healthy site 'unreachable'."""
    absurd = "99999999999999999999"
    srv.page("/a/tin-tuc", liferay_list([(A, "Tin A", "View count: 12"), (B, "Tin B", f"Lượt xem: {absurd}")]))
    srv.page(A, liferay_article("Tin A", "View count: 12"))
    srv.page(B, liferay_article("Tin B", f"View count: {absurd}"))
    srv.page("/b/tin-tuc", liferay_list([(C, "Tin C", "View count: 7")]))
    srv.page(C, liferay_article("Tin C", "View count: 7"))
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/a/tin-tuc"], "b": [srv.url + "/b/tin-tuc"]})
    db = tmp_path / "pw.db"
    for _ in range(3):
        result = run(cfg, db)
        assert {c["site_id"]: c["outcome"] for c in result.crawls} == {"a": "partial", "b": "ok"}
    assert rows(db, "SELECT key, title, views, body IS NOT NULL FROM articles ORDER BY key") == [
        ("lr:1", "Tin A", 12, 1), ("lr:2", "Tin B", None, 1), ("lr:3", "Tin C", 7, 1)]
    errors = rows(db, "SELECT site_id, url, error FROM fetch_errors")
    assert errors and all(s == "a" and u == srv.url + B and absurd in e for s, u, e in errors)
    database = open_db(db)
    try:
        events = detect(database)
    finally:
        database.conn.close()
    assert not [e for e in events if e["kind"] == "site_unreachable"]


def test_binary_garbage_served_as_html_changes_nothing_stored(srv, tmp_path):
    """An article page that does not decode is an error for its URL with a sample;
    the stored body and title stay, and no edit is recorded."""
    srv.page("/tin-tuc", liferay_list([(A, "Tin A", "View count: 12")]))
    srv.page(A, liferay_article("Tin A", "View count: 12", body="Nội dung gốc."))
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/tin-tuc"]})
    db = tmp_path / "pw.db"
    run(cfg, db)
    before = rows(db, "SELECT title, body, content_hash FROM articles")
    srv.page(A, os.urandom(30_000), content_type="text/html")
    result = run(cfg, db)
    assert result.crawls[0]["outcome"] == "partial"
    assert rows(db, "SELECT title, body, content_hash FROM articles") == before
    assert rows(db, "SELECT COUNT(*) FROM article_revisions") == [(0,)]
    [(url, error)] = rows(db, "SELECT url, error FROM fetch_errors")
    assert url == srv.url + A and "does not decode as text" in error
    [(s_url, reason)] = rows(db, "SELECT url, reason FROM html_samples")
    assert s_url == srv.url + A and "does not decode as text" in reason


def test_redirects_and_oversized_pages_are_recorded_in_words(srv, tmp_path):
    """A redirect loop, an endless redirect chain, a redirect to another host (article
    and start URL) and a page over the size limit without Content-Length each leave a row."""
    loop, chain, off, big = (f"/-/view_content/{n}-x.html" for n in (11, 12, 13, 14))
    srv.page("/tin-tuc", liferay_list([(p, f"Tin {p}", "View count: 5") for p in (A, loop, chain, off, big)]))
    srv.page(A, liferay_article("Tin A"))
    srv.route(loop, status=302, headers={"Location": loop + "?lang=vi"})
    srv.route(loop + "?lang=vi", status=302, headers={"Location": loop})
    srv.route(chain, status=302, headers={"Location": "/r/1"})
    for i in range(1, 40):
        srv.route(f"/r/{i}", status=302, headers={"Location": f"/r/{i + 1}"})
    srv.route(off, status=301, headers={"Location": "http://evil.example/steal?x=1"})
    srv.route(big, headers={"Content-Type": "text/html"}, stream=50_000_000)
    srv.route("/moved", status=302, headers={"Location": "http://evil.example/tin-tuc"})
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/tin-tuc"], "b": [srv.url + "/moved"]},
                       extra="max_response_kb = 1024")
    db = tmp_path / "pw.db"
    result = run(cfg, db)
    assert {c["site_id"]: c["outcome"] for c in result.crawls} == {"a": "partial", "b": "failed"}
    errors = dict(rows(db, "SELECT url, error FROM fetch_errors"))
    u = srv.url
    assert errors[u + loop] == f"article page: redirect loop after 2 redirect(s): back to {u + loop}"
    assert errors[u + chain].startswith("article page: redirect loop after 20 redirects")
    assert errors[u + off] == "article page: redirected to another host: http://evil.example/steal?x=1, not followed"
    assert errors[u + big] == "article page: page larger than the 1024 KB limit (max_response_kb), download cancelled"
    assert errors[u + "/moved"] == "list page: redirected to another host: http://evil.example/tin-tuc, not followed"
    assert len(errors) == 5
    b_summary = next(c for c in result.crawls if c["site_id"] == "b")["error_summary"]
    assert "redirected to another host" in b_summary and "no article links" not in b_summary


def test_retry_after_is_honoured_for_the_host(srv, tmp_path):
    """429 with Retry-After: 2 — the page is asked again only after 2 s, then stored;
    the crawl row says the host asked to wait."""
    srv.page("/tin-tuc", liferay_list([(A, "Tin A", "View count: 12")]))
    srv.page(A, liferay_article("Tin A"))
    srv.first(A, Route(429, {"Retry-After": "2", "Content-Type": "text/html"}, b"slow down"))
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/tin-tuc"]})
    db = tmp_path / "pw.db"
    result = run(cfg, db)
    first, second = srv.hits(A)
    assert second - first >= 1.9
    assert rows(db, "SELECT body IS NOT NULL FROM articles") == [(1,)]
    assert result.crawls[0]["outcome"] == "ok"
    assert "asked to wait (Retry-After), waited 2 s" in result.crawls[0]["error_summary"]


def test_retry_after_beyond_the_limit_skips_the_host(srv, tmp_path):
    """Retry-After: 3600 over a 60 s limit — asked once, not retried at once; the
    host is skipped for this crawl with a row that says so."""
    srv.route("/tin-tuc", status=429, headers={"Retry-After": "3600", "Content-Type": "text/html"}, body=b"no")
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/tin-tuc"]}, extra="max_retry_after = 60")
    db = tmp_path / "pw.db"
    result = run(cfg, db)
    assert len(srv.hits("/tin-tuc")) == 1
    assert result.crawls[0]["outcome"] == "failed"
    [(error,)] = rows(db, "SELECT error FROM fetch_errors")
    host = srv.url.split("//")[1]
    assert error == (f"list page: HTTP 429: the server asks to wait 3600 s (Retry-After: 3600), more than the"
                     f" 60 s limit (max_retry_after); {host} skipped for this crawl")
