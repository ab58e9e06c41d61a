"""The store refuses per sighting, never per batch; and two writers on one file stay exact."""

import pytest

from crawler.items import ArticleItem, ListPageItem
from crawler.sites import Site
from monitor.store.db import Store

SITES = [Site(id="a", name="Phường A", start_urls=["http://a/tin-tuc"]),
         Site(id="b", name="Phường B", start_urls=["http://b/tin-tuc"])]


def item(site, key, views=5, t="2026-11-20T01:00:00Z", **kw):
    return ArticleItem(site_id=site, key=key, url=f"http://{site}/{key}", source="list", observed_at=t,
                       title=f"Tin {key}", views=views, published_at="2026-11-19T02:00:00Z", **kw)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "pw.db")
    s.sync_sites(SITES)
    yield s
    s.close()


def crawl_ids(store):
    return {s.id: store.begin_crawl(s.id) for s in SITES}


def test_values_sqlite_cannot_hold_cost_only_their_own_sighting(store):
    ids = crawl_ids(store)
    store.prime(ids)
    batch = [
        ListPageItem("a", "http://a/tin-tuc", [
            item("a", "ok1"), item("a", "huge", views=10**20), item("a", "neg", views=-3),
            item("a", "odd", summary=10**20),  # not a count, but no value SQLite cannot hold may sink a batch
            item("a", "ok2", views=8)]),
        ListPageItem("b", "http://b/tin-tuc", [item("b", "ok3")]),
    ]
    counts = store.apply(batch, ids)
    assert store.conn.execute("SELECT site_id, key, views FROM articles ORDER BY id").fetchall() == [
        ("a", "ok1", 5), ("a", "huge", None), ("a", "neg", None), ("a", "ok2", 8), ("b", "ok3", 5)]
    errors = store.conn.execute("SELECT crawl_id, site_id, url, error FROM fetch_errors ORDER BY id").fetchall()
    assert errors == [
        (ids["a"], "a", "http://a/huge", "list page: view count 100000000000000000000 refused: not a count that can be stored"),
        (ids["a"], "a", "http://a/neg", "list page: view count -3 refused: not a count that can be stored"),
        (ids["a"], "a", "http://a/odd",
         "could not store the list sighting: Python int too large to convert to SQLite INTEGER"),
    ]
    assert counts["a"]["errors"] == 3 and counts["a"]["articles_new"] == 4 and counts["b"]["articles_new"] == 1
    row = store.conn.execute("SELECT errors, articles_new FROM crawls WHERE id = ?", (ids["a"],)).fetchone()
    assert row == (3, 4)
    # the next batch for the site still works (the cache was dropped, not corrupted)
    store.apply([ListPageItem("a", "http://a/tin-tuc", [item("a", "ok1", views=6, t="2026-11-20T02:00:00Z")])], ids)
    assert store.conn.execute("SELECT v.views FROM view_counts v JOIN articles x ON x.id = v.article_id"
                              " WHERE x.key = 'ok1' ORDER BY v.id").fetchall() == [(5,), (6,)]


def test_a_second_writer_on_the_same_sites_neither_fails_nor_duplicates(store, tmp_path):
    """Two crawls primed at the same moment: the second stores an article the first just
    inserted, with the same count — no UNIQUE error, no second reading; a new count is stored."""
    other = Store(tmp_path / "pw.db")
    try:
        ids, other_ids = crawl_ids(store), crawl_ids(other)
        store.prime(ids)
        other.prime(other_ids)
        store.apply([ListPageItem("a", "u", [item("a", "k1", views=5), item("a", "k2", views=7)])], ids)
        other.apply([ListPageItem("a", "u", [item("a", "k1", views=5), item("a", "k2", views=9)])], other_ids)
        store.apply([ListPageItem("a", "u", [item("a", "k2", views=9, t="2026-11-20T01:05:00Z")])], ids)
        assert store.conn.execute("SELECT COUNT(*) FROM fetch_errors").fetchone()[0] == 0
        assert store.conn.execute("SELECT key, views FROM articles ORDER BY key").fetchall() == [("k1", 5), ("k2", 9)]
        assert store.conn.execute(
            "SELECT a.key, v.views FROM view_counts v JOIN articles a ON a.id = v.article_id ORDER BY v.id"
        ).fetchall() == [("k1", 5), ("k2", 7), ("k2", 9)]
    finally:
        other.close()
