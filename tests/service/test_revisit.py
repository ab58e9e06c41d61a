"""The revisit policy: pure decisions, then real shallow/full list walks against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler import clock
from crawler.plan import Known
from crawler.revisit import RevisitPolicy, velocity
from tests.service.conftest import rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def known(age_h: float, fetched_h_ago: float, views=100, prev=None, prev_h_ago=None, checked_h_ago=None, **kw):
    iso = lambda h: clock.iso(NOW - timedelta(hours=h))  # noqa: E731
    return Known(
        id=1, url="http://x/a", list_title="T", title="T", published_at=iso(age_h), views=views,
        views_checked_at=iso(fetched_h_ago if checked_h_ago is None else checked_h_ago),
        views_observed_at=iso(fetched_h_ago), first_seen_at=iso(age_h), last_fetched_at=iso(fetched_h_ago),
        etag=None, last_modified=None, status="live", has_body=True, prev_views=prev,
        prev_observed_at=iso(prev_h_ago) if prev_h_ago is not None else None, **kw,
    )


def test_young_articles_often_old_quiet_ones_rarely():
    p = RevisitPolicy()
    # one reading: lifetime average velocity
    assert p.should_fetch(known(5, 1), NOW)[0]  # young: every hour
    assert not p.should_fetch(known(100, 4.5), NOW)[0]  # 4 days old: 6 h (± 20 % by article)
    assert p.should_fetch(known(100, 7.5), NOW)[0]
    quiet = known(24 * 400, 40, views=50, prev=50, prev_h_ago=300)  # a year old, not moving: ~48 h
    assert p.interval_hours(24 * 400, False, velocity(quiet, NOW)) == 24 * 2
    assert not p.should_fetch(quiet, NOW)[0]


def test_fast_moving_counts_are_revisited_sooner():
    p = RevisitPolicy()
    slow = known(100, 2, views=110, prev=100, prev_h_ago=12)  # ~1 view/h: 6 h interval
    fast = known(100, 2, views=700, prev=100, prev_h_ago=12)  # 60 views/h: interval shrinks
    assert velocity(fast, NOW) == pytest.approx(60)
    assert not p.should_fetch(slow, NOW)[0]
    assert p.should_fetch(fast, NOW)[0]
    assert p.interval_hours(100, False, 60.0) == 1.0  # floored at min_interval_hours


def test_a_fresh_list_count_skips_the_article_page():
    p = RevisitPolicy()
    assert not p.should_fetch(known(30, 2), NOW)[0]  # no count on the list, 30 h old: every 6 h
    k = known(30, 7)
    assert p.should_fetch(k, NOW)[0]
    assert not p.should_fetch(k, NOW, list_views=120)[0]  # only body checks, every 48 h at this age
    assert p.should_fetch(known(30, 58), NOW, list_views=120)[0]
    assert p.should_fetch(k, NOW, list_title="Changed", list_views=120) == (True, "list entry changed")


def test_from_config_validates_and_list_depth():
    with pytest.raises(ValueError, match="unknown revisit keys: bogus"):
        RevisitPolicy.from_config({"bogus": 1})
    with pytest.raises(ValueError, match="list_pages"):
        RevisitPolicy.from_config({"list_pages": -1})
    with pytest.raises(ValueError, match="ages must increase"):
        RevisitPolicy.from_config({"steps": [[48, 2], [24, 1]]})
    p = RevisitPolicy.from_config({"list_pages": 2, "deep_every_hours": 24, "steps": [[24, 2]]})
    assert p.steps[-1] == (float("inf"), 2.0)
    assert p.list_depth(20, None, NOW) == (20, True)
    assert p.list_depth(20, clock.iso(NOW - timedelta(hours=3)), NOW) == (2, False)
    assert p.list_depth(20, clock.iso(NOW - timedelta(hours=24)), NOW) == (20, True)
    assert RevisitPolicy().list_depth(20, clock.iso(NOW), NOW) == (20, True)  # list_pages 0: always full


@pytest.mark.slow
def test_shallow_runs_walk_fewer_list_pages_and_still_find_new_posts(tmp_path):
    from monitor.service.jobs import run_crawl
    from tests.conftest import make_portal

    p = make_portal(tmp_path, articles_per_site=120, recipients=False)
    try:
        text = p.config.read_text(encoding="utf-8")
        p.config.write_text(text.replace("\nprofile = ", "\nrevisit = { list_pages = 1, deep_every_hours = 24 }\nprofile = "),
                            encoding="utf-8")
        now = lambda: clock.parse_iso(p.sim.clock()["now_utc"])  # noqa: E731
        config = p.load_config()
        first = run_crawl(config, p.db_path, list(p.sim.sites), now=now())
        assert first.result.ok and set(first.walks.values()) == {"full"}
        p.sim.advance(hours=3)
        p.sim.reset_stats()
        second = run_crawl(config, p.db_path, list(p.sim.sites), now=now())
        assert second.result.ok and set(second.walks.values()) == {"shallow"}
        stats = p.sim.get_stats()
        lists = sum(len(s.categories) for s in p.sim.sites.values())
        assert stats["list"] == lists  # one page per list
        truth = {t["url"] for t in p.sim.truth(include_body=False, include_removed=False)}
        stored = {r["url"] for r in rows(p, "SELECT url FROM articles")}
        assert truth <= stored, "every new post found by the shallow walk"
        assert rows(p, "SELECT list_walk FROM crawls ORDER BY id DESC LIMIT 1")[0]["list_walk"] == "shallow"
        p.sim.advance(hours=21)
        third = run_crawl(config, p.db_path, list(p.sim.sites), now=now())
        assert set(third.walks.values()) == {"full"}  # 24 h after the last full walk
    finally:
        p.server.stop()
