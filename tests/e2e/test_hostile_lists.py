"""List pages built to hurt (tests/e2e/hostile.py): 100,000 links on one page, 50,000 levels of
nesting. The crawl reads a bounded part and says, in a fetch_errors row, what it left out and why;
its write transactions stay short, so another writer (the lease heartbeat) never waits them out.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from monitor.store import lease
from monitor.store.db import Store
from tests.conftest import manual_crawl as crawl

from .hostile import HostileServer, liferay_article, liferay_list, write_config

pytestmark = pytest.mark.slow

NOW = "2026-11-15T03:00:00Z"  # the crawl's pinned clock


def article(i: int) -> str:
    return f"/-/view_content/{i}-tin-so-{i}.html"


@pytest.fixture
def srv():
    s = HostileServer()
    yield s
    s.stop()


def rows(db, sql, args=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


class Renewer(threading.Thread):
    """Another writer on the database while the crawl runs: a lease holder renewing its lease
    again and again, with the production busy timeout (monitor.store.lease, as the heartbeat)."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db, self.stop, self.renewals, self.errors = db, threading.Event(), 0, []
        self.holder = lease.new_holder()
        lease.take(db, ["other-site"], self.holder)

    def run(self):
        while not self.stop.is_set():
            try:
                if lease.renew(self.db, self.holder) != 1:
                    self.errors.append("lease lost")
                self.renewals += 1
            except sqlite3.Error as e:
                self.errors.append(str(e))
            self.stop.wait(0.05)


def test_a_list_page_of_100000_links_follows_the_first_500(srv, tmp_path):
    """A 29 MB list page (allowed by a raised max_response_kb) with 100,000 article links: the
    crawl follows the first 500 (max_links_per_page), records one sentence saying so, stores
    those 500, and a writer renewing a lease meanwhile never fails."""
    n, cap = 100_000, 500
    srv.page("/tin-tuc", liferay_list([(article(i), f"Tin số {i}", f"View count: {i}") for i in range(n)]))
    for i in range(cap + 5):
        srv.page(article(i), liferay_article(f"Tin số {i}", f"View count: {i}"))
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/tin-tuc"]}, extra="max_response_kb = 65536\n")
    db = tmp_path / "pw.db"
    Store(db).close()  # the database, for the other writer to hold a lease in before the crawl starts
    renewer = Renewer(db)
    renewer.start()
    try:
        result = crawl(cfg, db, now=NOW)
    finally:
        renewer.stop.set()
        renewer.join()
    assert result.ok, result.stderr_tail
    fetched = {p for p, _ in srv.requests if p.startswith("/-/view_content/")}
    assert fetched == {article(i) for i in range(cap)}, len(fetched)
    (c,) = result.crawls
    assert c["outcome"] == "partial" and c["articles_seen"] == cap, c
    errors = [e for (e,) in rows(db, "SELECT error FROM fetch_errors WHERE crawl_id = ?", (c["id"],))]
    assert errors == [f"list page {srv.url}/tin-tuc has {n} links; followed the first {cap} (max_links_per_page)"]
    assert rows(db, "SELECT COUNT(*) FROM articles") == [(cap,)]
    assert renewer.renewals > 0 and renewer.errors == [], renewer.errors[:3]


def test_a_site_sets_its_own_link_cap(srv, tmp_path):
    srv.page("/tin-tuc", liferay_list([(article(i), f"Tin số {i}", f"View count: {i}") for i in range(100)]))
    for i in range(100):
        srv.page(article(i), liferay_article(f"Tin số {i}", f"View count: {i}"))
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/tin-tuc"]})
    cfg.write_text(cfg.read_text(encoding="utf-8") + "max_links_per_page = 30\n", encoding="utf-8")
    db = tmp_path / "pw.db"
    result = crawl(cfg, db, now=NOW)
    assert result.ok, result.stderr_tail
    assert result.crawls[0]["articles_seen"] == 30
    assert rows(db, "SELECT error FROM fetch_errors") == [
        (f"list page {srv.url}/tin-tuc has 100 links; followed the first 30 (max_links_per_page)",)]


def test_a_list_page_nested_50000_levels_deep_says_so(srv, tmp_path):
    """Not "no article links found": the page was not parsed, and the record says why."""
    links = liferay_list([(article(1), "Tin số 1", "View count: 1")])
    deep = links.replace("</body>", "<div>" * 50_000 + "x" + "</div>" * 50_000 + "</body>")
    srv.page("/tin-tuc", deep)
    cfg = write_config(tmp_path / "sites.toml", {"a": [srv.url + "/tin-tuc"]})
    db = tmp_path / "pw.db"
    result = crawl(cfg, db, now=NOW)
    assert result.ok, result.stderr_tail
    assert result.crawls[0]["outcome"] == "failed"
    errors = [e for (e,) in rows(db, "SELECT error FROM fetch_errors")]
    assert errors == ["list page: page too deeply nested (over 2048 levels): not parsed"], errors
    assert rows(db, "SELECT kind, reason FROM html_samples") == [
        ("list", "extraction failed: page too deeply nested (over 2048 levels): not parsed")]
