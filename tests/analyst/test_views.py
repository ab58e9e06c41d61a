"""The analyst views and the views_daily rollup, against numbers worked out by hand."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from crawler import clock
from monitor.store.schema import MIGRATIONS, _statements
from tests.analyst.conftest import item


def q(store, sql, *params):
    return [tuple(r) for r in store.conn.execute(sql, params).fetchall()]


def test_daily_gains_per_article_follow_vietnam_days(built):
    rows = q(built, "SELECT a.key, d.day, d.views_gained, d.views, d.readings FROM views_daily d"
                    " JOIN articles a ON a.id = d.article_id ORDER BY a.key, d.day")
    assert rows == [
        ("a1", "2026-11-19", 0, 10, 1),   # first reading ever: no gain claimed
        ("a1", "2026-11-20", 5, 15, 1),   # 19/11 18:00Z is already 20/11 in Hanoi
        ("a1", "2026-11-21", 25, 40, 1),  # unchanged check on 20/11 stored nothing
        ("a1", "2026-11-22", 1, 41, 1),
        ("a2", "2026-11-20", 30, 130, 2),
        ("a2", "2026-11-21", -5, 125, 1),  # a drop is kept: gains add up to the change
    ]


def test_article_daily_views_and_site_daily_views(built):
    assert q(built, "SELECT site_id, day, views_gained, views, title FROM article_daily_views"
                    " WHERE site_id = 'dinh-cong' ORDER BY day") == [
        ("dinh-cong", "2026-11-20", 30, 130, "Thông báo lịch tiếp công dân"),
        ("dinh-cong", "2026-11-21", -5, 125, "Thông báo lịch tiếp công dân"),
    ]
    assert q(built, "SELECT site_id, day, views_gained, articles_changed FROM site_daily_views"
                    " ORDER BY site_id, day") == [
        ("dinh-cong", "2026-11-20", 30, 1), ("dinh-cong", "2026-11-21", -5, 1),
        ("vinh-hung", "2026-11-19", 0, 1), ("vinh-hung", "2026-11-20", 5, 1),
        ("vinh-hung", "2026-11-21", 25, 1), ("vinh-hung", "2026-11-22", 1, 1),
    ]


def test_gains_over_a_span_equal_the_counter_change(built):
    # 20/11..22/11 VN: a1 went 10 -> 41, a2 from nothing (first seen 20/11) -> 125 with baseline 100
    assert q(built, "SELECT article_id, SUM(views_gained) FROM views_daily WHERE day BETWEEN '2026-11-20'"
                    " AND '2026-11-22' GROUP BY 1 ORDER BY 1") == [(1, 31), (2, 25)]


def test_latest_views_per_article(built):
    assert q(built, "SELECT article_id, site_id, site_name, parent, views, views_observed_at"
                    " FROM article_views_latest ORDER BY article_id") == [
        (1, "vinh-hung", "Phường Vĩnh Hưng", "hoang-mai", 41, "2026-11-22T02:00:00Z"),
        (2, "dinh-cong", "Phường Định Công", "hoang-mai", 125, "2026-11-21T01:00:00Z"),
        (3, "ea-kao", "Xã Ea Kao", None, None, None),
    ]


def test_posts_per_site_per_week_start_monday_vietnam_time(built):
    assert q(built, "SELECT site_id, week, posts FROM site_weekly_posts ORDER BY site_id, week") == [
        ("dinh-cong", "2026-11-09", 1),  # Monday 09/11 09:00 VN
        ("ea-kao", "2026-11-09", 1),     # Tuesday 10/11
        ("vinh-hung", "2026-11-16", 1),  # Thursday 19/11 22:00 VN
    ]


def test_silent_sites_measured_at_the_last_check(built):
    assert q(built, "SELECT site_id, days_silent FROM site_activity ORDER BY site_id") == [
        ("dinh-cong", 11), ("ea-kao", 10), ("hoang-mai", None), ("to-1", None), ("vinh-hung", 2),
    ]
    assert q(built, "SELECT site_id FROM silent_sites") == [
        ("hoang-mai",), ("to-1",), ("dinh-cong",), ("ea-kao",),
    ]


def test_gains_7d_is_relative_to_today(store):
    now = clock.now()
    at = lambda days: clock.iso(now - timedelta(days=days))  # noqa: E731
    store.apply([item("vinh-hung", "old", at(20), views=5)])
    store.apply([item("vinh-hung", "old", at(9), views=500)])   # growth before the window
    store.apply([item("vinh-hung", "old", at(2), views=520)])
    store.apply([item("dinh-cong", "new", at(3), views=1)])
    store.apply([item("dinh-cong", "new", at(0), views=90)])
    assert q(store, "SELECT site_id, views_gained FROM article_gains_7d") == [("dinh-cong", 89), ("vinh-hung", 20)]
    assert q(store, "SELECT site_id, views_gained FROM top_articles_7d") == [("dinh-cong", 89), ("vinh-hung", 20)]
    for i in range(120):  # only the top 100 make the top view
        store.apply([item("ea-kao", f"m{i}", at(1), views=1)])
        store.apply([item("ea-kao", f"m{i}", at(0), views=2 + i)])
    top = q(store, "SELECT views_gained FROM top_articles_7d")
    assert len(top) == 100 and top[:3] == [(120,), (119,), (118,)] and top[-1] == (22,)  # 120..22 and dinh-cong 89


def test_backfilled_reading_keeps_the_sums_right(built):
    # a reading older than stored ones (e.g. imported): gains still add up to the changes
    built.conn.execute("INSERT INTO view_counts (article_id, observed_at, views, source)"
                       " VALUES (1, '2026-11-20T10:00:00Z', 30, 'list')")  # 20/11 17:00 VN
    assert q(built, "SELECT day, views_gained, views, readings FROM views_daily WHERE article_id = 1"
                    " ORDER BY day") == [
        ("2026-11-19", 0, 10, 1), ("2026-11-20", 20, 30, 2), ("2026-11-21", 10, 40, 1), ("2026-11-22", 1, 41, 1),
    ]


def test_migration_backfills_an_existing_database(tmp_path):
    import sqlite3

    from monitor.store.schema import migrate

    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for script in MIGRATIONS[:2]:
        for st in _statements(script):
            conn.execute(st)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO sites (id, name, added_at, updated_at) VALUES ('x', 'X', 't', 't')")
    conn.execute("INSERT INTO articles (id, site_id, key, url, title, body, first_seen_at, last_seen_at)"
                 " VALUES (7, 'x', 'k', 'u', 'Đống Đa', 'đường', 't', 't')")
    conn.executemany("INSERT INTO view_counts (article_id, observed_at, views, source) VALUES (7, ?, ?, 'list')",
                     [("2026-11-20T01:00:00Z", 3), ("2026-11-20T20:00:00Z", 9), ("2026-11-20T10:00:00Z", 4)])
    migrate(conn)
    assert conn.execute("SELECT day, views_gained, views, readings FROM views_daily ORDER BY day").fetchall() == [
        ("2026-11-20", 1, 4, 2), ("2026-11-21", 5, 9, 1),
    ]
    assert conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'dong da duong'").fetchall() == [(7,)]
    from monitor.analyst.search import site_scope

    for site, found in (("x", [(7,)]), ("y", [])):  # migration 23: the site in the index
        assert conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                            (site_scope([site]) + " AND dong",)).fetchall() == found


@pytest.mark.slow
def test_views_on_a_crawled_simulator_database(portal):
    """Three crawls a simulated day apart: the rollup and views agree with the articles table as
    each crawl left it, and posts per week with the simulator's ground truth."""
    snaps = []
    for step in range(3):
        if step:
            portal.sim.advance(hours=24)
        at = portal.sim.clock()["now_utc"]
        portal.crawl(now=at)
        db = portal.db()
        snaps.append((clock.local(at, "%Y-%m-%d"), dict(db.execute("SELECT id, views FROM articles").fetchall())))
        db.conn.close()
    db = portal.db()
    daily = {(a, d): g for a, d, g in db.execute("SELECT article_id, day, views_gained FROM views_daily")}
    checked = 0
    for (_, before), (day, after) in zip(snaps, snaps[1:], strict=False):
        for aid, views in after.items():
            if before.get(aid) is not None and views is not None:
                assert daily.get((aid, day), 0) == views - before[aid], (aid, day)
                checked += 1
    assert checked > 50
    assert sum(g for (_, d), g in daily.items() if d > snaps[0][0]) > 0  # views did grow
    per_site = defaultdict(int)
    site_of = dict(db.execute("SELECT id, site_id FROM articles").fetchall())
    for (aid, day), g in daily.items():
        per_site[(site_of[aid], day)] += g
    assert dict(((s, d), g) for s, d, g in db.execute(
        "SELECT site_id, day, views_gained FROM site_daily_views")) == dict(per_site)

    truth = portal.sim.truth(include_body=False, include_removed=False)
    expected = Counter()
    for t in truth:
        local = clock.parse_iso(t["published_at"]).astimezone(clock.VN_TZ).date()
        expected[(t["site_id"], (local - timedelta(days=local.weekday())).isoformat())] += 1
    got = {(s, w): n for s, w, n in db.execute("SELECT site_id, week, posts FROM site_weekly_posts")}
    assert got == dict(expected)
    latest = dict(db.execute("SELECT article_id, views FROM article_views_latest").fetchall())
    assert latest == snaps[-1][1]
    db.conn.close()


def test_undated_posts_count_as_activity(built):
    # dinh-cong's only dated post is from 09/11; an undated one first seen 21/11 means it is alive
    built.apply([item("dinh-cong", "u", "2026-11-21T01:00:00Z", title="Không ghi ngày")])
    assert q(built, "SELECT last_post_at, days_silent FROM site_activity WHERE site_id = 'dinh-cong'") == [
        ("2026-11-21T01:00:00Z", 0)]
    assert ("dinh-cong",) not in q(built, "SELECT site_id FROM silent_sites")
    assert q(built, "SELECT week, posts, undated FROM site_weekly_posts WHERE site_id = 'dinh-cong' ORDER BY week") == [
        ("2026-11-09", 1, 0), ("2026-11-16", 1, 1)]


def test_last_7_days_end_at_the_newest_reading_not_the_wall_clock(built):
    """The 7-day views count back from the newest reading, so a database on a simulated clock days
    behind (the demo's) is not empty: the built readings end on 22/11/2026 (VN); the window is
    16/11–22/11 whatever the date today."""
    want = [("vinh-hung", 31), ("dinh-cong", 25)]  # a1: 0+5+25+1; a2: 0+30-5
    assert q(built, "SELECT site_id, views_gained FROM top_articles_7d") == want
    assert q(built, "SELECT site_id, views_gained FROM article_gains_7d") == want
    from monitor.analyst.datasette import metadata

    sql = metadata(built.path)["databases"][built.path.stem]["queries"]["top_gainers"]["sql"]
    assert [(r[1], r[5]) for r in built.conn.execute(sql, {"days": ""})] == want
    assert [(r[1], r[5]) for r in built.conn.execute(sql, {"days": "1"})] == [("vinh-hung", 1)]  # 22/11 only
