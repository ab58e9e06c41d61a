"""site_monthly_posts and site_weekly_posts read totals kept by triggers (migration 20): after any
mix of sightings — new posts, dates learned later, removals and returns, readings stored out of
order — the totals equal a recomputation from every article and daily row."""

from __future__ import annotations

import random
import sqlite3

from crawler.items import GoneItem
from monitor.store.db import Store
from monitor.store.schema import fill_totals
from tests.analyst.conftest import add_sites, item

# the views as they were before migration 20: every article and every daily row, grouped
OLD_MONTHLY = """
    SELECT m.site_id, s.name, s.level, s.parent, m.month,
           SUM(m.posts), SUM(m.undated), SUM(m.removed), SUM(m.views_gained), SUM(m.articles_read)
    FROM (SELECT site_id, strftime('%Y-%m', COALESCE(published_at, first_seen_at), '+7 hours') AS month,
                 COUNT(*) AS posts, SUM(published_at IS NULL) AS undated, SUM(status = 'removed') AS removed,
                 0 AS views_gained, 0 AS articles_read
          FROM articles GROUP BY 1, 2
          UNION ALL
          SELECT a.site_id, substr(d.day, 1, 7), 0, 0, 0, SUM(d.views_gained), COUNT(DISTINCT d.article_id)
          FROM views_daily d JOIN articles a ON a.id = d.article_id GROUP BY 1, 2) m
    LEFT JOIN sites s ON s.id = m.site_id
    GROUP BY m.site_id, m.month
"""
OLD_WEEKLY = """
    SELECT site_id, date(COALESCE(published_at, first_seen_at), '+7 hours', 'weekday 0', '-6 days'),
           COUNT(*), SUM(published_at IS NULL), SUM(status = 'removed')
    FROM articles GROUP BY 1, 2
"""
SITE_IDS = ["vinh-hung", "dinh-cong", "ea-kao"]


def rows(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    return sorted(tuple(r) for r in conn.execute(sql))


def stamp(day: float) -> str:
    """A UTC time `day` days after 2026-08-25 00:00Z (month and week ends fall inside)."""
    minutes = int(day * 24 * 60)
    d, m = divmod(minutes, 24 * 60)
    month, dom = (8, 25 + d) if d < 7 else (9, d - 6) if d < 37 else (10, d - 36) if d < 68 else (11, d - 67)
    return f"2026-{month:02d}-{dom:02d}T{m // 60:02d}:{m % 60:02d}:00Z"


def test_totals_kept_by_triggers_equal_a_recomputation(tmp_path):
    rng = random.Random(3)
    store = Store(tmp_path / "pw.db")
    add_sites(store)
    views: dict[str, int] = {}
    for _ in range(120):
        batch: list = []
        for _ in range(rng.randint(1, 6)):
            site, key = rng.choice(SITE_IDS), f"k{rng.randrange(40)}"
            at = stamp(rng.uniform(0, 90))  # out of order: some readings land before stored ones
            if rng.random() < 0.1:
                batch.append(GoneItem(site, key, f"https://{site}.example.vn/{key}", 404, at))
                continue
            views[key] = views.get(key, rng.randrange(50)) + rng.randrange(30)
            dated = rng.random() < 0.7  # an undated list entry whose article page dates it later
            batch.append(item(site, key, at, views=views[key] if rng.random() < 0.8 else None,
                              published=stamp(rng.uniform(0, 90)) if dated else None,
                              source=rng.choice(["list", "article"])))
        store.apply(batch)
    conn = store.conn
    removed = conn.execute("SELECT COUNT(*) FROM articles WHERE status = 'removed'").fetchone()[0]
    undated = conn.execute("SELECT COUNT(*) FROM articles WHERE published_at IS NULL").fetchone()[0]
    months = conn.execute("SELECT COUNT(DISTINCT month) FROM site_monthly_posts").fetchone()[0]
    assert removed and undated and months >= 4, "the mix covers removals, undated posts and month ends"

    monthly = rows(conn, "SELECT * FROM site_monthly_posts")
    weekly = rows(conn, "SELECT * FROM site_weekly_posts")
    assert monthly == rows(conn, OLD_MONTHLY)
    assert weekly == rows(conn, OLD_WEEKLY)
    with store._tx():
        fill_totals(conn)  # what migration 20 computes from scratch
    assert rows(conn, "SELECT * FROM site_monthly_posts") == monthly
    assert rows(conn, "SELECT * FROM site_weekly_posts") == weekly
    store.close()


def test_an_article_moved_or_deleted_leaves_no_trace(tmp_path):
    """Nothing in portalwatch moves an article to another site or deletes one, but an analyst's
    own SQL may: the totals follow."""
    store = Store(tmp_path / "pw.db")
    add_sites(store)
    store.apply([item("vinh-hung", "a", "2026-11-20T02:00:00Z", views=5, published="2026-11-19T02:00:00Z"),
                 item("vinh-hung", "b", "2026-11-20T02:00:00Z", views=1, published="2026-10-19T02:00:00Z")])
    store.apply([item("vinh-hung", "a", "2026-11-21T02:00:00Z", views=9)])
    conn = store.conn
    with store._tx():
        conn.execute("UPDATE articles SET site_id = 'dinh-cong' WHERE key = 'b'")
        for table in ("views_daily", "view_counts", "events"):
            conn.execute(f"DELETE FROM {table} WHERE article_id = (SELECT id FROM articles WHERE key = 'a')")
        conn.execute("DELETE FROM articles WHERE key = 'a'")
    assert rows(conn, "SELECT site_id, month, posts, views_gained, articles_read FROM site_monthly_posts") == [
        ("dinh-cong", "2026-10", 1, 0, 0), ("dinh-cong", "2026-11", 0, 0, 1)]  # b's reading of 20/11 went along
    assert rows(conn, "SELECT * FROM site_monthly_posts") == rows(conn, OLD_MONTHLY)
    assert rows(conn, "SELECT * FROM site_weekly_posts") == rows(conn, OLD_WEEKLY)
    with store._tx():
        conn.execute("DELETE FROM view_counts WHERE article_id = (SELECT id FROM articles WHERE key = 'b')")
        conn.execute("DELETE FROM events WHERE article_id = (SELECT id FROM articles WHERE key = 'b')")
        conn.execute("DELETE FROM articles WHERE key = 'b'")  # its daily rows left behind: not counted
    assert rows(conn, "SELECT * FROM site_monthly_posts") == rows(conn, OLD_MONTHLY) == []
    store.close()


def test_events_gained_is_read_from_the_details_of_views_changed_only(tmp_path):
    """events.gained (migration 21) is what the digest's comparisons sum over one index range: the JSON's
    `gained` of a views_changed event, NULL for any other kind or for details that are not JSON."""
    store = Store(tmp_path / "pw.db")
    add_sites(store)
    rows_in = [("views_changed", "a", '{"old": 3, "new": 10, "gained": 7}'),
               ("new_article", "b", '{"gained": 99}'),
               ("views_changed", "c", "not json")]
    with store._tx():
        store.conn.executemany(
            "INSERT INTO events (kind, site_id, observed_at, detected_at, dedupe_key, details)"
            " VALUES (?, 'vinh-hung', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z', ?, ?)", rows_in)
    assert rows(store.conn, "SELECT dedupe_key, gained FROM events") == [("a", 7), ("b", None), ("c", None)]
    plan = " ".join(r[3] for r in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT SUM(gained) FROM events WHERE site_id = 'vinh-hung' AND kind = 'views_changed'"
        " AND observed_at > '2026-11-01'"))
    assert "INDEX idx_events_site_kind_time (site_id=? AND kind=? AND observed_at>?)" in plan, plan
    store.close()


def test_a_migration_on_an_analyzed_database_analyzes_the_indexes_it_creates(tmp_path):
    """Statistics for every index or none: a new index without them misleads the planner."""
    path = tmp_path / "pw.db"
    store = Store(path)
    add_sites(store)
    store.apply([item("vinh-hung", f"k{i}", "2026-11-20T02:00:00Z", views=i, published="2026-11-19T02:00:00Z")
                 for i in range(30)])
    conn = store.conn
    conn.execute("ANALYZE")
    # back to version 21: migration 22's indexes gone, and their statistics with them
    conn.execute("DROP INDEX idx_crawls_site_good_finish")
    conn.execute("DROP INDEX idx_articles_site_read")
    conn.execute("CREATE INDEX idx_articles_site_read ON articles(site_id, views_observed_at)")
    conn.execute("DELETE FROM sqlite_stat1 WHERE idx = 'idx_articles_site_read'")
    conn.execute("PRAGMA user_version = 21")
    store.close()
    again = Store(path)
    stats = {r[0] for r in again.conn.execute("SELECT idx FROM sqlite_stat1")}
    assert "idx_articles_site_read" in stats and "idx_articles_site_seen" in stats
    again.close()
    fresh = Store(tmp_path / "fresh.db")  # never analyzed: no statistics made for one index alone
    assert not fresh.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
    fresh.close()
