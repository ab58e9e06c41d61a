"""Find and parse publication dates as Vietnamese portals print them (day first, local time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from .text import decode_entities

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class DateMatch:
    value: datetime  # aware, in VN_TZ
    text: str  # the matched substring, trimmed, e.g. "01/08/2020 | 16:20"


_AMPM = r"(?P<{p}ampm>[AaPp]\.?\s?[Mm]\.?|SA|CH|sa|ch|Sa|Ch)(?![A-Za-zÀ-ỹ])"
_TIME = r"(?P<{p}h>\d{{1,2}})\s?[:hH]\s?(?P<{p}mi>\d{{2}})(?::(?P<{p}s>\d{{2}}))?(?!\d)(?:\s?" + _AMPM + ")?"
_TZ = r"(?:\s*\(?\s*(?:GMT|UTC)\s*(?P<tz>[+-]\s*\d{1,2}(?::?\d{2})?)\s*\)?)?"

# Day-first date; both separators must be the same ("17 - 05 - 2024", "01/08/2020", "26.7.2018").
_DMY = (
    r"(?<![\d/.\-])(?P<d>\d{1,2})\s{0,2}(?P<sep>[/.\-])\s{0,2}(?P<m>\d{1,2})\s{0,2}(?P=sep)\s{0,2}"
    r"(?P<y>\d{4})(?![\d/])"
)
# "ngày 17 tháng 5 năm 2024"
_VN_WORDS = r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s*(?:,|năm)\s*(?P<y2>\d{4})(?!\d)"
# Time after the date: "| 16:20", ", 14:49", " - 08:30", " lúc 8h30"
_AFTER = re.compile(
    r"\s*(?:[|,\-–—]|\blúc\b|\bat\b)?\s*(?:\|\s*)?" + _TIME.format(p="a") + _TZ,
    re.IGNORECASE,
)
# Time before the date: "14:49 29/06/2026", "14:49 | 29/06/2026", "08:30 ngày 17/05/2024"
_BEFORE = re.compile(
    r"(?<![\d:])" + _TIME.format(p="b") + r"\s*(?:[|,\-–—]\s*)?(?:(?:[Nn]gày|[Tt]hứ\s+\S+,?)\s*)?$"
)
_ISO = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_DATE = re.compile(_DMY + "|" + _VN_WORDS, re.IGNORECASE)


def _offset(spec: str | None):
    if not spec:
        return None
    spec = spec.replace(" ", "")
    if spec.upper() == "Z":
        return UTC
    sign = -1 if spec[0] == "-" else 1
    body = spec[1:].replace(":", "")
    if len(body) <= 2:
        hours, minutes = int(body), 0
    else:
        hours, minutes = int(body[:-2]), int(body[-2:])
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _hour24(h: int, ampm: str | None) -> int | None:
    if ampm and 1 <= h <= 12:
        pm = ampm.replace(".", "").replace(" ", "").upper() in ("PM", "CH")
        if pm and h != 12:
            h += 12
        elif not pm and h == 12:
            h = 0
    return h if 0 <= h <= 23 else None


def _build(y, m, d, h=0, mi=0, s=0, tz=None) -> datetime | None:
    if not 1900 <= y <= 2100:
        return None
    try:
        dt = datetime(y, m, d, h, mi, s, tzinfo=tz or VN_TZ)
    except ValueError:
        return None
    return dt.astimezone(VN_TZ)


def _candidates(text: str):
    """Yield (start, end, datetime) for every parseable date in text, in no particular order."""
    for m in _ISO.finditer(text):
        h = int(m["h"]) if m["h"] else 0
        mi = int(m["mi"]) if m["mi"] else 0
        s = int(m["s"]) if m["s"] else 0
        if h > 23 or mi > 59 or s > 59:
            h = mi = s = 0
        dt = _build(int(m["y"]), int(m["m"]), int(m["d"]), h, mi, s, _offset(m["tz"]))
        if dt:
            yield m.start(), m.end(), dt
    for m in _DATE.finditer(text):
        if m["d"]:
            y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        else:
            y, mo, d = int(m["y2"]), int(m["m2"]), int(m["d2"])
        start, end = m.start(), m.end()
        h = mi = s = 0
        tz = None
        after = _AFTER.match(text, end)
        before = None if after else _BEFORE.search(text, max(0, start - 40), start)
        if after:
            hh = _hour24(int(after["ah"]), after["aampm"])
            mm, ss = int(after["ami"]), int(after["as"] or 0)
            if hh is not None and mm <= 59 and ss <= 59:
                h, mi, s = hh, mm, ss
                tz = _offset(after["tz"])
                end = after.end()
        elif before:
            hh = _hour24(int(before["bh"]), before["bampm"])
            mm, ss = int(before["bmi"]), int(before["bs"] or 0)
            if hh is not None and mm <= 59 and ss <= 59:
                h, mi, s = hh, mm, ss
                start = before.start()
        dt = _build(y, mo, d, h, mi, s, tz)
        if dt:
            yield start, end, dt


def find_datetime(text: str | None) -> DateMatch | None:
    """First date (with its time, if printed) anywhere in `text`, or None."""
    if not text:
        return None
    found = _find_datetime(text)
    return DateMatch(*found) if found else None


@lru_cache(maxsize=8192)
def _find_datetime(text: str) -> tuple[datetime, str] | None:
    """(value, matched text) for find_datetime; cached: list pages test the same texts often."""
    if "&" in text:
        text = decode_entities(text)
    text = text.replace("\xa0", " ")
    best = None
    for start, end, dt in _candidates(text):
        if best is None or start < best[0]:
            best = (start, end, dt)
    if best is None:
        return None
    start, end, dt = best
    return dt, " ".join(text[start:end].split())


def parse_datetime(text: str | None) -> datetime | None:
    """Convenience: the value of find_datetime(text), or None."""
    m = find_datetime(text)
    return m.value if m else None


def to_utc_iso(dt: datetime) -> str:
    """Aware datetime -> "YYYY-MM-DDTHH:MM:SSZ" in UTC (naive datetimes are taken as VN time)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
