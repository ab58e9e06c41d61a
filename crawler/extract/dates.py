"""Find and parse publication dates as Vietnamese portals print them (day first, local time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from .text import decode_entities

# Vietnam time: UTC+7 since 1975, no DST. A fixed offset, never zoneinfo's LMT for old years.
VN_TZ = timezone(timedelta(hours=7), "+07:00")
# Plausible publication dates: not before the portals existed, not more than a day ahead.
EARLIEST = datetime(1995, 1, 1, tzinfo=VN_TZ)
MAX_AHEAD = timedelta(days=1)


@dataclass
class DateMatch:
    value: datetime  # aware, fixed +07:00 offset
    text: str  # the matched substring, trimmed, e.g. "01/08/2020 | 16:20"


_AMPM = r"(?P<{p}ampm>[AaPp]\.?\s?[Mm]\.?|SA|CH|sa|ch|Sa|Ch)(?![A-Za-zÀ-ỹ])"
_TIME = r"(?P<{p}h>\d{{1,2}})\s?[:hH]\s?(?P<{p}mi>\d{{2}})(?::(?P<{p}s>\d{{2}}))?(?!\d)(?:\s?" + _AMPM + ")?"
_TZ = r"(?:\s*\(?\s*(?:GMT|UTC)\s*(?P<tz>[+-]\s*\d{1,2}(?::?\d{2})?)\s*\)?)?"

# Day-first date; both separators must be the same ("17 - 05 - 2024", "01/08/2020", "26.7.2018");
# a two-digit year only with "/" or "-" ("01/08/20").
_DMY = (
    r"(?<![\d/.\-])(?P<d>\d{1,2})\s{0,2}(?P<sep>[/.\-])\s{0,2}(?P<m>\d{1,2})\s{0,2}(?P=sep)\s{0,2}"
    r"(?:(?P<y>\d{4})(?![\d/])|(?<![.\s])(?P<yy>\d{2})(?![\d/.\-]?\d))"
)
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
         "august aug", "september sept sep", "october oct", "november nov", "december dec")
    )
    for name in names.split()
}
_MON = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
# "December 1, 2026", "Dec. 1st 2026"; "1 December 2026"
_EN_MDY = rf"(?<![A-Za-z])(?P<m3>{_MON})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}})(?!\d)"
_EN_DMY = rf"(?<![\d/.])(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m4>{_MON})(?![A-Za-z])\.?,?\s+(?P<y4>\d{{4}})(?!\d)"
# "ngày 17 tháng 5 năm 2024", "13 Tháng 11 2026"
_VN_WORDS = r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s*(?:,|năm)?\s*(?P<y2>\d{4})(?!\d)"
# WordPress's Vietnamese month names: "18 Tháng Mười Một, 2026", "5 Tháng Năm 2026"
_VN_MONTHS = {
    "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
    "mười": 10, "mười một": 11, "mười hai": 12, "giêng": 1, "chạp": 12,
}
_VN_MON = r"(?:" + "|".join(sorted(_VN_MONTHS, key=len, reverse=True)) + r")"
_VN_NAMED = rf"(?P<d5>\d{{1,2}})\s+tháng\s+(?P<m5>{_VN_MON})(?![\wÀ-ỹ])\s*,?\s*(?P<y5>\d{{4}})(?!\d)"
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
_EN_DAY_BEFORE = re.compile(r"(?<![A-Za-z])(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*$", re.IGNORECASE)
# Every English month name starts with one of these; the Vietnamese forms all carry "tháng".
_EN_MONTH_PREFIXES = tuple(sorted({name[:3] for name in _MONTHS}))


@lru_cache(maxsize=4)
def compile_date_pattern(words: bool, english: bool) -> re.Pattern:
    """The date pattern (day-first, "tháng" words, English month names) without the alternatives
    a text cannot match (no "tháng", no English month name), kept in one branch that fails at
    once (their groups stay defined): the same matches, far fewer tries per character."""
    kept: list[str] = [_DMY]
    dropped: list[str] = []
    for alt, keep in ((_VN_WORDS, words), (_VN_NAMED, words), (_EN_MDY, english), (_EN_DMY, english)):
        (kept if keep else dropped).append(alt)
    if dropped:
        kept.append("(?!)(?:" + "|".join(dropped) + ")")
    return re.compile("|".join(kept), re.IGNORECASE)


def _date_matches(text: str):
    """Every date form in `text` (day-first, "tháng" words, English month names), by the
    smallest pattern that finds the same matches."""
    folded = text.casefold()
    return compile_date_pattern("tháng" in folded, any(p in folded for p in _EN_MONTH_PREFIXES)).finditer(text)


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
    if not 1000 <= y <= 9999:  # parsed even when implausible: check_published refuses it
        return None
    try:
        dt = datetime(y, m, d, h, mi, s, tzinfo=tz or VN_TZ)
        return dt.astimezone(VN_TZ)
    except (ValueError, OverflowError):
        return None


def _century(yy: int) -> int:
    """Two-digit year: 00–69 -> 20xx, 70–99 -> 19xx."""
    return 2000 + yy if yy < 70 else 1900 + yy


def check_published(dt: datetime | None, now: datetime, text: str | None = None) -> str | None:
    """A sentence saying why `dt` cannot be a publication date (before EARLIEST or more than
    MAX_AHEAD after `now`), or None when it is plausible."""
    if dt is None:
        return None
    shown = text or dt.isoformat()
    if dt < EARLIEST:
        return f"date '{shown}' is not a plausible publication date (before {EARLIEST:%Y-%m-%d})"
    if dt > now + MAX_AHEAD:
        return f"date '{shown}' is not a plausible publication date (more than a day after {now.astimezone(VN_TZ):%Y-%m-%d %H:%M} +07:00)"
    return None


def _candidates(text: str):
    """Yield (start, end, datetime) for every parseable date in text, in no particular order."""
    for m in _ISO.finditer(text) if "-" in text else ():
        h = int(m["h"]) if m["h"] else 0
        mi = int(m["mi"]) if m["mi"] else 0
        s = int(m["s"]) if m["s"] else 0
        if h > 23 or mi > 59 or s > 59:
            h = mi = s = 0
        dt = _build(int(m["y"]), int(m["m"]), int(m["d"]), h, mi, s, _offset(m["tz"]))
        if dt:
            yield m.start(), m.end(), dt
    for m in _date_matches(text):
        if m["d"]:
            mo, d = int(m["m"]), int(m["d"])
            y = int(m["y"]) if m["y"] else _century(int(m["yy"]))
            # month first: after an English day name ("Fri, 11/13/2026", Drupal's m/d/Y), or
            # when the second number cannot be a month
            if m["sep"] == "/" and (mo > 12 >= d or _EN_DAY_BEFORE.search(text, max(0, m.start() - 12), m.start())):
                mo, d = d, mo
        elif m["d2"]:
            y, mo, d = int(m["y2"]), int(m["m2"]), int(m["d2"])
        elif m["d5"]:
            y, mo, d = int(m["y5"]), _VN_MONTHS[" ".join(m["m5"].lower().split())], int(m["d5"])
        elif m["d3"]:
            y, mo, d = int(m["y3"]), _MONTHS[m["m3"].lower()], int(m["d3"])
        else:
            y, mo, d = int(m["y4"]), _MONTHS[m["m4"].lower()], int(m["d4"])
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
