"""monitor/when.py: the dates people type, one parser for every date option."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from monitor import when

NOW = datetime(2026, 11, 21, 18, 30, tzinfo=UTC)  # = 22/11/2026 01:30 in Vietnam


@pytest.mark.parametrize("text, day", [
    ("21/11/2026", date(2026, 11, 21)), ("1/2/2026", date(2026, 2, 1)), ("2026-11-21", date(2026, 11, 21)),
    ("today", date(2026, 11, 22)), ("Hôm nay", date(2026, 11, 22)), ("yesterday", date(2026, 11, 21)),
    ("7d", date(2026, 11, 15)), ("2w", date(2026, 11, 8)), ("12h", date(2026, 11, 21)),
    ("21/11/2026 08:30", date(2026, 11, 21)), ("2026-11-21T23:00:00Z", date(2026, 11, 22)),
])
def test_days_are_vietnam_local(text, day):
    assert when.day(text, NOW) == day


def test_instants_are_utc():
    assert when.instant("21/11/2026", NOW) == "2026-11-20T17:00:00Z"  # local midnight
    assert when.instant("21/11/2026 08:30", NOW) == "2026-11-21T01:30:00Z"
    assert when.instant("12h", NOW) == "2026-11-21T06:30:00Z"


@pytest.mark.parametrize("text", ["21/13/2026", "next week", "2026-11", ""])
def test_nonsense_says_what_is_accepted(text):
    with pytest.raises(ValueError, match="dd/mm/yyyy, yyyy-mm-dd, today"):
        when.parse(text, NOW)


@pytest.mark.parametrize("text, seconds", [
    ("30s", 30), ("30m", 1800), ("12h", 43200), ("12 h", 43200), ("7d", 7 * 86400), ("2w", 14 * 86400),
])
def test_durations_have_one_parser(text, seconds):
    assert when.duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text, units", [("2w", "smhd"), ("30s", "hdw"), ("7", "smhdw"), ("d", "d"), ("7D", "d"),
                                         ("7 days", "d"), ("-7d", "d")])
def test_not_a_duration_is_none(text, units):
    assert when.duration(text, units) is None


def test_schedules_search_and_date_options_share_the_duration_parser():
    from monitor.analyst.search import since_iso
    from monitor.config.schedules import parse_schedule

    assert parse_schedule("every 2h").seconds == 7200 == when.duration("2h").total_seconds()
    assert parse_schedule("Every 90 M").seconds == 5400
    with pytest.raises(ValueError, match="expected 'every <N>m|h|d'"):
        parse_schedule("every 2w")
    assert since_iso("12h") < since_iso("1h")
