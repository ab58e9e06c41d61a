"""The demo's simulated day ends shortly before the real now (views that count back from "now" then
find its readings), starts at 08:00 Vietnam time, and crawls often enough for a chart to mean something."""

from datetime import datetime, timedelta

import pytest

from crawler import clock
from monitor.demo import DAY_OF_CRAWLS, days_to_today
from simulator import Simulator


@pytest.mark.parametrize("now", ["2026-12-01T21:30:00Z", "2027-03-10T01:00:00Z", "2027-03-10T16:59:00Z"])
def test_the_demo_ends_within_two_days_before_now(monkeypatch, now):
    monkeypatch.setenv("PORTALWATCH_NOW", now)
    sim = Simulator(seed=1, articles_per_site=2)
    sim.advance(days=days_to_today(sim))
    start = datetime.fromisoformat(sim.clock()["now"])
    end = start + timedelta(hours=sum(DAY_OF_CRAWLS))
    assert (start.hour, start.minute) == (8, 0)  # date-aligned: the same shape of day every run
    assert timedelta(0) < clock.parse_iso(now) - end < timedelta(days=2)
    at = [sum(DAY_OF_CRAWLS[:i + 1]) for i in range(len(DAY_OF_CRAWLS))]  # hours after the baseline
    assert len([h for h in at if h > at[-1] - 24]) >= 5  # the digest's 24 hours hold five crawls


def test_the_simulator_never_goes_back(monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", "2026-01-01T00:00:00Z")  # before the simulator's own start
    assert days_to_today(Simulator(seed=1, articles_per_site=2)) == 0
