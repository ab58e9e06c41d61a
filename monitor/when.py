"""The dates, times and durations people type, one parser each: dd/mm/yyyy, yyyy-mm-dd, today,
yesterday, 7d… (`parse`) and 30m, 12h, 7d, 2w (`duration`, also for "every 2h" schedules).

Days are Vietnam-local; a time without a zone is Vietnam time; `Z` or an offset is kept.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from crawler import clock

HELP = "dd/mm/yyyy, yyyy-mm-dd, today, yesterday, or an age like 7d, 2w, 12h (Vietnam time)"
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2}))?")


def duration(text: str, units: str = "smhdw") -> timedelta | None:
    """A whole number and one unit letter of `units` ("30m", "12 h", "7d", "2w") as a timedelta;
    None when `text` is not one (callers word their own error)."""
    m = _DURATION.fullmatch(text)
    if not m or m.group(2) not in units:
        return None
    return timedelta(seconds=int(m.group(1)) * _SECONDS[m.group(2)])


def parse(text: str, now: datetime | None = None) -> date | datetime:
    """A Vietnam-local day (date) or an instant (aware datetime); ValueError with the accepted forms."""
    s = " ".join(str(text).strip().lower().split())
    now = now or clock.now()
    today = now.astimezone(clock.VN_TZ).date()
    if s in ("today", "hôm nay", "hom nay"):
        return today
    if s in ("yesterday", "hôm qua", "hom qua"):
        return today - timedelta(days=1)
    age = duration(s, "hdw")
    if age is not None:
        return now - age if s.endswith("h") else today - age
    try:
        m = _DMY.fullmatch(s)
        if m:
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if m.group(4) is None:
                return date(y, mo, d)
            return datetime(y, mo, d, int(m.group(4)), int(m.group(5)), tzinfo=clock.VN_TZ)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return date.fromisoformat(s)
        dt = datetime.fromisoformat(s.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a date: expected {HELP}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=clock.VN_TZ)


def day(text: str, now: datetime | None = None) -> date:
    """The Vietnam-local day `text` names (an instant counts as the day it falls on)."""
    v = parse(text, now)
    return v.astimezone(clock.VN_TZ).date() if isinstance(v, datetime) else v


def instant(text: str, now: datetime | None = None) -> str:
    """UTC ISO of the instant `text` names (a day: the moment it begins in Vietnam)."""
    v = parse(text, now)
    if not isinstance(v, datetime):
        v = datetime(v.year, v.month, v.day, tzinfo=clock.VN_TZ)
    return clock.iso(v)
