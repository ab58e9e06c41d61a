"""The dates and times people type, in one parser: dd/mm/yyyy, yyyy-mm-dd, today, yesterday, 7d…

Days are Vietnam-local; a time without a zone is Vietnam time; `Z` or an offset is kept.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from monitor import clock

HELP = "dd/mm/yyyy, yyyy-mm-dd, today, yesterday, or an age like 7d, 2w, 12h (Vietnam time)"
_AGE = re.compile(r"(\d+)\s*([hdw])")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2}))?")


def parse(text: str, now: datetime | None = None) -> date | datetime:
    """A Vietnam-local day (date) or an instant (aware datetime); ValueError with the accepted forms."""
    s = " ".join(str(text).strip().lower().split())
    now = now or clock.now()
    today = now.astimezone(clock.VN_TZ).date()
    if s in ("today", "hôm nay", "hom nay"):
        return today
    if s in ("yesterday", "hôm qua", "hom qua"):
        return today - timedelta(days=1)
    m = _AGE.fullmatch(s)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        if unit == "h":
            return now - timedelta(hours=n)
        return today - timedelta(days=n * (7 if unit == "w" else 1))
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
