"""Detection on a real SQLite file written through Store, at chosen times."""

import json

import pytest

from monitor.detect.events import DetectOptions, detect
from tests.world import World, article, at, gone, make_config, sample


@pytest.fixture
def world(tmp_path, monkeypatch):
    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    yield w
    w.store.close()


def kinds(events):
    return sorted(e["kind"] for e in events)


def all_events(world, kind=None):
    rows = world.db.query("SELECT * FROM events" + (" WHERE kind = ?" if kind else "") + " ORDER BY id",
                          [kind] if kind else [])
    return [{**r, "details": json.loads(r["details"])} for r in rows]


def test_first_crawl_is_a_baseline_then_new_posts_are_events_and_reruns_add_nothing(world):
    with world.crawl("vinh-hung", at(0)) as items:
        items += [article("vinh-hung", f"a{i}", views=10 + i) for i in range(30)]
    first = detect(world.db, world.config, now=at(0.1))
    assert kinds(first) == ["baseline"]
    assert first[0]["details"]["articles"] == 30
    with world.crawl("vinh-hung", at(24)) as items:
        items += [article("vinh-hung", f"a{i}", views=10 + i) for i in range(30)]
        items += [article("vinh-hung", "fresh", views=3, title="Thông báo mới")]
    second = detect(world.db, world.config, now=at(24.1))
    assert kinds(second) == ["new_article"]
    assert second[0]["details"]["title"] == "Thông báo mới"
    assert second[0]["observed_at"] == "2026-03-03T01:00:00Z"
    # running again, or after forgetting the watermarks, creates nothing new
    assert detect(world.db, world.config) == []
    world.db.conn.execute("DELETE FROM detect_state")
    assert detect(world.db, world.config) == []
    assert len(all_events(world)) == 2


def test_a_first_crawl_that_stored_nothing_is_an_empty_baseline_so_the_first_post_is_new(world):
    with world.crawl("vinh-hung", at(0)):
        pass  # nothing within max_age_days on the first walk
    first = detect(world.db, world.config, now=at(0.1))
    assert kinds(first) == ["baseline"] and first[0]["details"]["articles"] == 0
    with world.crawl("vinh-hung", at(1)) as items:
        items += [article("vinh-hung", "fresh", views=1, title="Bài đầu tiên")]
    second = detect(world.db, world.config, now=at(1.1))
    assert kinds(second) == ["new_article"] and second[0]["details"]["title"] == "Bài đầu tiên"
    assert detect(world.db, world.config) == []


def test_no_baseline_while_the_first_crawl_is_still_running(world):
    world.mp.setenv("PORTALWATCH_NOW", "2026-03-02T01:00:00Z")
    cid = world.store.begin_crawl("tuong-mai")
    x, y = article("tuong-mai", "x", views=1), article("tuong-mai", "y", views=1)
    x.observed_at = y.observed_at = "2026-03-02T01:00:00Z"
    world.store.apply([x], {"tuong-mai": cid})
    assert detect(world.db, world.config) == []  # its crawl row still says 'running'
    world.store.apply([y], {"tuong-mai": cid})
    world.store.finish_crawl(cid, "ok")
    events = detect(world.db, world.config)
    assert kinds(events) == ["baseline"] and events[0]["details"]["articles"] == 2


def test_view_gains_and_anomalies(world):
    # steady growth of about 10 views an hour for a day, then a jump and a reset
    world.seen("vinh-hung", "a", at(0), views=100)
    for h in (6, 12, 18, 24):
        world.seen("vinh-hung", "a", at(h), views=100 + 10 * h)
    detect(world.db, world.config)
    assert [e["details"]["gained"] for e in all_events(world, "views_changed")] == [60, 60, 60, 60]
    assert all_events(world, "views_anomaly") == []
    world.seen("vinh-hung", "a", at(30), views=5000)  # +4660 in 6 h, recent rate 10/h
    world.seen("vinh-hung", "a", at(36), views=12)  # counter reset
    world.seen("vinh-hung", "a", at(42), views=12)  # same count: no reading, no event
    events = detect(world.db, world.config)
    assert kinds(events) == ["views_anomaly", "views_anomaly", "views_changed"]
    jump, drop = all_events(world, "views_anomaly")
    assert jump["details"]["reason"] == "jump" and jump["details"]["new"] == 5000
    assert drop["details"] == {"old": 5000, "new": 12, "since": "2026-03-03T07:00:00Z", "reason": "decrease"}


def test_jump_threshold_is_configurable_and_small_jumps_are_not_anomalies(world):
    world.seen("vinh-hung", "a", at(0), views=10)
    world.seen("vinh-hung", "a", at(24), views=20)
    world.seen("vinh-hung", "a", at(25), views=400)  # fast, but fewer than jump_min views
    assert kinds(detect(world.db, world.config)) == ["baseline"] + ["views_changed"] * 2
    world.seen("vinh-hung", "a", at(26), views=800)
    events = detect(world.db, world.config, options=DetectOptions(jump_min=300))
    assert "views_anomaly" in kinds(events)


def test_title_edit_keeps_old_and_new_title_once_per_crawl(world):
    with world.crawl("vinh-hung", at(0)) as items:
        items += [article("vinh-hung", "a", title="Tiêu đề cũ"),
                  article("vinh-hung", "a", title="Tiêu đề cũ", source="article", body="Nội dung")]
    detect(world.db, world.config)
    with world.crawl("vinh-hung", at(5)) as items:  # list and article page both show the new title
        items += [article("vinh-hung", "a", title="Tiêu đề mới"),
                  article("vinh-hung", "a", title="Tiêu đề mới", source="article", body="Nội dung đã sửa")]
    events = detect(world.db, world.config)
    assert kinds(events) == ["article_edited", "article_edited"]
    title = next(e for e in events if e["details"]["field"] == "title")
    assert (title["details"]["old_title"], title["details"]["new_title"]) == ("Tiêu đề cũ", "Tiêu đề mới")
    assert any(e["details"]["field"] == "body" for e in events)
    assert detect(world.db, world.config) == []


def test_removal_needs_two_consecutive_gone_answers(world):
    world.seen("vinh-hung", "a", at(0), views=1)
    with world.crawl("vinh-hung", at(1)) as items:
        items.append(gone("vinh-hung", "a"))
    assert "article_removed" not in kinds(detect(world.db, world.config))
    with world.crawl("vinh-hung", at(2)) as items:
        items.append(gone("vinh-hung", "a"))
    events = detect(world.db, world.config)
    assert kinds(events) == ["article_removed"]
    assert events[0]["observed_at"] == "2026-03-02T03:00:00Z"
    assert detect(world.db, world.config) == []


def test_site_unreachable_after_n_failed_runs_once_per_outage(world):
    world.seen("tuong-mai", "a", at(0), views=1)
    for h in (1, 2):
        with world.crawl("tuong-mai", at(h), outcome="failed", error="HTTP 503"):
            pass
    assert "site_unreachable" not in kinds(detect(world.db, world.config))
    for h in (3, 4):
        with world.crawl("tuong-mai", at(h), outcome="failed", error="HTTP 503"):
            pass
    events = [e for e in detect(world.db, world.config) if e["kind"] == "site_unreachable"]
    assert len(events) == 1  # the 4th failure belongs to the same outage
    assert events[0]["details"]["since"] == "2026-03-02T02:00:00Z"
    assert events[0]["details"]["last_error"] == "HTTP 503"
    with world.crawl("tuong-mai", at(5)):
        pass  # back
    for h in (6, 7):
        with world.crawl("tuong-mai", at(h), outcome="failed", error="timeout"):
            pass
    events = [e for e in detect(world.db, world.config, options=DetectOptions(unreachable_after=2))
              if e["kind"] == "site_unreachable"]
    assert len(events) == 1 and events[0]["details"]["since"] == "2026-03-02T07:00:00Z"


def test_extraction_broken_points_at_the_html_sample(world):
    keys = [f"a{i}" for i in range(10)]
    for h in (0, 6):
        with world.crawl("vinh-hung", at(h)) as items:
            items += [article("vinh-hung", k, views=1, published=at(-5)) for k in keys]
    assert "extraction_broken" not in kinds(detect(world.db, world.config))
    with world.crawl("vinh-hung", at(12)) as items:  # the theme changed: dates gone on 8 of 10
        items += [article("vinh-hung", k, views=1, missing=["published_at"] if i < 8 else [])
                  for i, k in enumerate(keys)]
        items.append(sample("vinh-hung"))
    events = [e for e in detect(world.db, world.config) if e["kind"] == "extraction_broken"]
    assert len(events) == 1
    d = events[0]["details"]
    assert d["field"] == "published_at" and d["share"] == 0.8 and d["usual"] == 0.0
    row = world.db.execute("SELECT html FROM html_samples WHERE id = ?", [d["sample_id"]]).fetchone()
    assert "đổi giao diện" in row[0]


def test_a_site_that_never_shows_views_is_not_broken(world):
    keys = [f"a{i}" for i in range(10)]
    for h in (0, 6, 12):
        with world.crawl("vinh-hung", at(h)) as items:
            items += [article("vinh-hung", k, missing=["views"]) for k in keys]
    assert "extraction_broken" not in kinds(detect(world.db, world.config))
