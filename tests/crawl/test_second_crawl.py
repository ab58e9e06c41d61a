"""A second crawl of a static portal (the page set of benchmarks/speed_bench.py, served over HTTP
on 127.0.0.1 with Last-Modified and If-Modified-Since): every changed count is recorded, unchanged
pages add nothing, and the pipeline stores what it holds whenever the spider goes idle."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks.speed_bench import SITES_TOML, write_portal
from crawler.items import ArticleItem, CrawlStartedItem
from crawler.plan import CrawlPlan
from crawler.sites import Settings, Site
from monitor.crawl.pipeline import StorePipeline
from monitor.store.connect import open_db
from tests.conftest import manual_crawl

ARTICLES, PER_PAGE = 30, 10


class Quiet(SimpleHTTPRequestHandler):
    requests: list[tuple[str, int]] = []

    def log_message(self, *args):
        pass

    def log_request(self, code="-", size="-"):
        Quiet.requests.append((self.path, int(code) if str(code).isdigit() else 0))


@pytest.fixture
def static(tmp_path):
    web = tmp_path / "web"
    write_portal(web, ARTICLES, PER_PAGE, [100 + n for n in range(ARTICLES)])
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(web)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "sites.toml"
    config.write_text(SITES_TOML.replace("{base}", f"http://127.0.0.1:{server.server_port}"), encoding="utf-8")
    Quiet.requests = []
    yield web, config, tmp_path / "pw.db"
    server.shutdown()


def last_readings(db_path: Path) -> dict[str, int]:
    db = open_db(db_path)
    try:
        return {r[0].rsplit("/", 1)[1]: r[1] for r in db.execute(
            "SELECT a.url, (SELECT v.views FROM view_counts v WHERE v.article_id = a.id"
            " ORDER BY v.observed_at DESC, v.id DESC LIMIT 1) FROM articles a")}
    finally:
        db.conn.close()


def n_readings(db_path: Path) -> int:
    db = open_db(db_path)
    try:
        return db.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0]
    finally:
        db.conn.close()


def test_every_changed_count_is_recorded_from_the_lists_without_refetching_articles(static):
    web, config, db = static
    first = manual_crawl(config, db)
    assert first.ok and first.crawls[0]["article_pages"] == ARTICLES
    assert last_readings(db) == {f"bai-{n}.html": 100 + n for n in range(ARTICLES)}
    new = [500 + 7 * n for n in range(ARTICLES)]
    write_portal(web, ARTICLES, PER_PAGE, new)
    Quiet.requests = []
    second = manual_crawl(config, db)
    assert second.ok
    assert last_readings(db) == {f"bai-{n}.html": new[n] for n in range(ARTICLES)}
    assert n_readings(db) == 2 * ARTICLES  # one reading per article and crawl
    assert second.crawls[0]["article_pages"] == 0  # the lists carry the counts
    assert not [p for p, _ in Quiet.requests if "/bai-" in p]


def test_a_second_crawl_of_unchanged_pages_adds_no_readings_and_keeps_the_counts(static):
    web, config, db = static
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('profile = "auto"', 'profile = "auto"\nrevisit = { mode = "always" }'), encoding="utf-8")
    assert manual_crawl(config, db).ok
    before = last_readings(db)
    Quiet.requests = []
    second = manual_crawl(config, db)
    assert second.ok
    assert last_readings(db) == before and n_readings(db) == ARTICLES
    # every article asked again, conditionally: unchanged files answer 304 Not Modified
    article_answers = [code for p, code in Quiet.requests if "/bai-" in p]
    assert len(article_answers) == ARTICLES and set(article_answers) == {304}
    assert second.crawls[0]["not_modified"] == ARTICLES


def test_the_pipeline_stores_its_buffer_when_the_spider_goes_idle(tmp_path):
    site = Site(id="s", name="Phường S", start_urls=["http://x/tin-tuc"])
    crawler = type("C", (), {"spider": type("Sp", (), {"plan": CrawlPlan(settings=Settings(), sites=[site])})()})()
    pipe = StorePipeline(crawler, str(tmp_path / "pw.db"), batch_size=10_000, batch_seconds=3600)
    pipe.open_spider()
    try:
        pipe.process_item(CrawlStartedItem("s", "2026-11-20T01:00:00Z", 1, "full"))
        for n in range(5):
            pipe.process_item(ArticleItem(site_id="s", key=f"k{n}", url=f"http://x/{n}", source="list",
                                          observed_at="2026-11-20T01:00:00Z", title="Hội nghị", views=n))
        assert pipe.buffer  # a big batch and a long timer: nothing written yet
        pipe.idle()
        for f in pipe.pending:
            f.result()
        db = open_db(tmp_path / "pw.db")
        try:
            assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5
            assert db.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0] == 5  # a reading each (0 is a count)
        finally:
            db.conn.close()
        assert not pipe.buffer
    finally:
        pipe.close_spider()
        pipe.store.close()
