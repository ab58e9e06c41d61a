"""A recipient's messages besides the daily digest: which events alert at once, the quiet hours,
and when the weekly and monthly reports go out, with the periods they cover. Vietnam time.

    alerts = ["site_unreachable", "article_removed"]   # event kinds (warning or critical)
    quiet_hours = "22:00-06:30"                        # no alert in between; "off": any time
    weekly_at = "mon 08:00"                            # the week before, Monday 00:00 to Sunday 24:00
    monthly_at = "1 08:00"                             # the calendar month before
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from crawler import clock
from monitor.kinds import KINDS

ALERT_KINDS = tuple(k.name for k in KINDS if k.severity in ("warning", "critical"))
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = r"([01]\d|2[0-3]):([0-5]\d)"


def _hhmm(text: str) -> time:
    m = re.fullmatch(_HHMM, text.strip())
    if not m:
        raise ValueError(f"expected a local time HH:MM, got {text!r}")
    return time(int(m.group(1)), int(m.group(2)))


def parse_quiet(text: str) -> tuple[time, time] | None:
    """ "22:00-06:30" → (22:00, 06:30); "off" (or "") → None."""
    if text.strip().lower() in ("off", ""):
        return None
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f'expected "HH:MM-HH:MM" (e.g. "22:00-06:30") or "off", got {text!r}')
    start, end = _hhmm(parts[0]), _hhmm(parts[1])
    if start == end:
        raise ValueError(f"the quiet hours start and end at the same time: {text!r}")
    return start, end


def quiet_until(text: str, now: datetime) -> datetime | None:
    """When the quiet hours around `now` end (aware), None when `now` is not in them."""
    span = parse_quiet(text)
    if span is None:
        return None
    start, end = span
    local = now.astimezone(clock.VN_TZ)
    t = local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=clock.VN_TZ)


def parse_weekly(text: str) -> tuple[int, time]:
    """ "mon 08:00" → (0, 08:00): the weekday (Monday 0) and the local time."""
    parts = text.lower().split()
    if len(parts) != 2 or parts[0][:3] not in DAYS:
        raise ValueError(f'expected a weekday and a local time, e.g. "mon 08:00", got {text!r}')
    return DAYS.index(parts[0][:3]), _hhmm(parts[1])


def parse_monthly(text: str) -> tuple[int, time]:
    """ "1 08:00" → (1, 08:00): the day of the month (1-28, every month has it) and the local time."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or not 1 <= int(parts[0]) <= 28:
        raise ValueError(f'expected a day of the month 1-28 and a local time, e.g. "1 08:00", got {text!r}')
    return int(parts[0]), _hhmm(parts[1])


def _at(day: date, t: time) -> datetime:
    return datetime.combine(day, t, tzinfo=clock.VN_TZ)


def weekly_slot(text: str, now: datetime) -> datetime:
    """The most recent send time ≤ now of a weekly_at."""
    dow, t = parse_weekly(text)
    local = now.astimezone(clock.VN_TZ)
    slot = _at(local.date() - timedelta(days=(local.weekday() - dow) % 7), t)
    return slot if slot <= local else slot - timedelta(days=7)


def monthly_slot(text: str, now: datetime) -> datetime:
    """The most recent send time ≤ now of a monthly_at."""
    dom, t = parse_monthly(text)
    local = now.astimezone(clock.VN_TZ)
    slot = _at(local.date().replace(day=dom), t)
    if slot > local:
        first = local.date().replace(day=1) - timedelta(days=1)  # a day of the month before
        slot = _at(first.replace(day=dom), t)
    return slot


def week_before(slot: datetime) -> tuple[datetime, datetime]:
    """The last whole week (Monday 00:00 – next Monday 00:00, Vietnam time) ending at or before `slot`."""
    local = slot.astimezone(clock.VN_TZ)
    end = _at(local.date() - timedelta(days=local.weekday()), time(0))
    return end - timedelta(days=7), end


def month_before(slot: datetime) -> tuple[datetime, datetime]:
    """The last whole calendar month ending at or before `slot` (its first day 00:00 – the next month's)."""
    local = slot.astimezone(clock.VN_TZ)
    end = _at(local.date().replace(day=1), time(0))
    start = _at((end.date() - timedelta(days=1)).replace(day=1), time(0))
    return start, end
