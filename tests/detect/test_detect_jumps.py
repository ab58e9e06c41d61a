"""A count that jumps far beyond the article's own history is an anomaly, history or not."""

import json

import pytest

from monitor.detect.events import detect
from tests.world import World, at, make_config


@pytest.fixture
def world(tmp_path, monkeypatch):
    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    yield w
    w.store.close()


def anomalies(world):
    return [json.loads(r["details"]) for r in world.db.query(
        "SELECT details FROM events WHERE kind = 'views_anomaly' ORDER BY id")]


def test_a_trillion_views_on_the_second_reading_is_an_anomaly(world):
    # "1.234.567.890.123" read as a count, one hour after the first reading: no recent rate yet
    world.seen("vinh-hung", "a", at(0), views=12)
    world.seen("vinh-hung", "a", at(1), views=1_234_567_890_123)
    detect(world.db, world.config)
    [jump] = anomalies(world)
    assert jump["reason"] == "jump" and jump["old"] == 12 and jump["new"] == 1_234_567_890_123
    assert jump["gained"] == 1_234_567_890_111 and jump["limit"] == 5000


def test_a_large_gain_beyond_a_long_history_is_an_anomaly_and_ordinary_growth_is_not(world):
    # a busy article: 2000 views, then +800 a day (within 10× its count and its rate)
    for day, views in enumerate((2000, 2800, 3600, 4400)):
        world.seen("vinh-hung", "a", at(days=day), views=views)
    detect(world.db, world.config)
    assert anomalies(world) == []
    world.seen("vinh-hung", "a", at(days=4), views=4400 + 10 * 4400 + 1)
    detect(world.db, world.config)
    assert [a["reason"] for a in anomalies(world)] == ["jump"]


def test_a_young_article_gaining_a_few_thousand_is_not_an_anomaly(world):
    world.seen("vinh-hung", "a", at(0), views=3)
    world.seen("vinh-hung", "a", at(12), views=4000)  # below the 10 × 500 floor
    detect(world.db, world.config)
    assert anomalies(world) == []
