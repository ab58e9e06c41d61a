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
