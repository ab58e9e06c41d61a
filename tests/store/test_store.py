"""The store: view-count rule, revisions, removal confirmation, idempotence, migrations, crash safety."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from crawler.items import ArticleItem, FetchErrorItem, GoneItem, ListPageItem
from crawler.sites import Site
from monitor.store.connect import open_db
from monitor.store.db import Store
from monitor.store.schema import MIGRATIONS

SITE = Site(id="s", name="Phường S", start_urls=["http://x/tin-tuc"])


def item(views=None, t="2026-11-20T01:00:00Z", source="list", key="lr:1", title="Hội nghị", body=None, **kw):
    return ArticleItem(
        site_id="s", key=key, url=f"http://x/{key}", source=source, observed_at=t, title=title,
        views=views, body=body, published_at="2026-11-19T02:00:00Z", **kw,
    )


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "pw.db")
    s.sync_sites([SITE])
    yield s
    s.close()


def readings(store, key="lr:1"):
    return store.conn.execute(
        "SELECT v.views, v.observed_at, v.source FROM view_counts v JOIN articles a ON a.id = v.article_id"
        " WHERE a.key = ? ORDER BY v.id", (key,)
    ).fetchall()


def test_view_counts_grow_with_change_not_with_crawls(store):
    store.apply([item(views=10, t="2026-11-20T01:00:00Z")])
    store.apply([item(views=10, t="2026-11-20T02:00:00Z")])  # unchanged: no row, checked time moves
    store.apply([item(views=15, t="2026-11-20T03:00:00Z")])
    store.apply([item(views=None, t="2026-11-20T04:00:00Z")])  # no reading: nothing
    assert readings(store) == [(10, "2026-11-20T01:00:00Z", "list"), (15, "2026-11-20T03:00:00Z", "list")]
    row = store.conn.execute("SELECT views, views_observed_at, views_checked_at, last_seen_at FROM articles").fetchone()
    assert row == (15, "2026-11-20T03:00:00Z", "2026-11-20T03:00:00Z", "2026-11-20T04:00:00Z")


def test_missing_views_is_null_never_zero(store):
    c = store.apply([item(views=None)])
    assert store.conn.execute("SELECT views FROM articles").fetchone() == (None,)
    assert readings(store) == []
    assert c["s"]["articles_new"] == 1


def test_article_page_is_authoritative_and_edits_are_recorded(store):
    store.apply([item(views=5), item(views=5, source="article", title="Hội nghị", body="Nội dung A")])
    store.apply([item(views=6, source="article", title="Hội nghị (sửa)", body="Nội dung B", t="2026-11-20T05:00:00Z")])
    revs = store.conn.execute("SELECT field, old_value, new_value FROM article_revisions ORDER BY id").fetchall()
    assert revs == [("title", "Hội nghị", "Hội nghị (sửa)"), ("body", "Nội dung A", "Nội dung B")]
    # a second identical batch records nothing new
    before = store.conn.execute("SELECT COUNT(*) FROM article_revisions").fetchone()[0]
    store.apply([item(views=6, source="article", title="Hội nghị (sửa)", body="Nội dung B", t="2026-11-20T06:00:00Z")])
    assert store.conn.execute("SELECT COUNT(*) FROM article_revisions").fetchone()[0] == before
    assert store.conn.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0] == 2


def test_removal_needs_two_consecutive_404s(store):
    store.apply([item(views=1)])
    store.apply([GoneItem("s", "lr:1", "http://x/lr:1", 404, "2026-11-21T00:00:00Z")])
    assert store.conn.execute("SELECT status, gone_checks FROM articles").fetchone() == ("live", 1)
    store.apply([item(views=1, t="2026-11-21T01:00:00Z")])  # back on the list: streak resets
    store.apply([GoneItem("s", "lr:1", "http://x/lr:1", 404, "2026-11-21T02:00:00Z")])
    assert store.conn.execute("SELECT status FROM articles").fetchone() == ("live",)
    store.apply([GoneItem("s", "lr:1", "http://x/lr:1", 410, "2026-11-21T03:00:00Z")])
    assert store.conn.execute("SELECT status, removed_at FROM articles").fetchone() == ("removed", "2026-11-21T03:00:00Z")


def test_crawl_rows_and_counters(store):
    cid = store.begin_crawl("s")
    store.apply([item(views=3), FetchErrorItem("s", "http://x/p2", "list page: HTTP 500", "2026-11-20T01:00:00Z", 500)], {"s": cid})
    store.finish_crawl(cid, "partial", "HTTP 500")
    row = store.conn.execute("SELECT articles_new, views_changed, errors, outcome FROM crawls").fetchone()
    assert row == (1, 1, 1, "partial")


def test_stale_running_crawl_is_marked_aborted(tmp_path):
    s = Store(tmp_path / "pw.db")
    s.conn.execute("INSERT INTO crawls (site_id, started_at, pid) VALUES ('s', '2026-01-01T00:00:00Z', 999999999)")
    assert s.abort_stale_crawls() == 1
    assert s.conn.execute("SELECT outcome FROM crawls").fetchone() == ("aborted",)
    s.close()


def test_wal_mode_and_schema_version(tmp_path):
    db = open_db(tmp_path / "pw.db")
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_old_database_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO sites (id, name, added_at, updated_at) VALUES ('s', 'S', 'x', 'x')")
    conn.commit()
    conn.close()
    db = open_db(path)
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.conn.execute("SELECT name FROM sites").fetchone() == ("S",)


WRITER = r"""
import sys
from crawler.items import ArticleItem
from crawler.sites import Site
from monitor.store.db import Store
s = Store(sys.argv[1])
s.sync_sites([Site(id="s", name="S", start_urls=["http://x/"])])
n = 0
while True:
    batch = [ArticleItem(site_id="s", key=f"k{n}-{i}", url=f"http://x/{n}/{i}", source="list",
                         observed_at="2026-11-20T00:00:00Z", title="t", views=i) for i in range(50)]
    s.apply(batch)
    n += 1
    if n == 3:
        print("ready", flush=True)
"""


def test_kill_9_mid_write_leaves_whole_batches(tmp_path):
    path = tmp_path / "pw.db"
    Store(path).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    db = open_db(path)
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    articles = db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    readings_ = db.conn.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0]
    assert articles >= 150 and articles % 50 == 0  # only whole batches
    assert readings_ == articles  # every new article had a reading (0 included), batch by batch


def test_a_resumed_ingest_still_fills_the_gaps_of_sightings_stored_before_the_crash(tmp_path):
    """A list sighting without a count is stored (missing_views 1), the process dies; a new Store
    that replays the stored lines (replay_gaps, as the coordinator does from its ingest mark) and
    then stores the article page that gives the count ends the crawl with none missing."""
    def run(replay: bool, as_list_page: bool = False) -> int:
        path = tmp_path / f"pw-{replay}-{as_list_page}.db"
        first = Store(path)
        first.sync_sites([SITE])
        cid = first.begin_crawl("s")
        sighting = item(views=None, missing=["views"])
        # a node's feed carries a list page's sightings as one line
        line = ListPageItem("s", "https://example.gov.vn/tin-tuc", [sighting]) if as_list_page else sighting
        first.apply([line], {"s": cid})
        first.close()  # the coordinator dies here; its next one resumes after the mark
        again = Store(path)
        if replay:
            again.replay_gaps([line])
        again.apply([item(views=7, source="article", t="2026-11-20T01:05:00Z", body="Nội dung")], {"s": cid})
        n = again.conn.execute("SELECT missing_views FROM crawls WHERE id = ?", (cid,)).fetchone()[0]
        again.close()
        return n

    assert run(replay=False) == 1  # the gap the first process knew of is lost with it
    assert run(replay=True) == 0
    assert run(replay=False, as_list_page=True) == 1
    assert run(replay=True, as_list_page=True) == 0
