"""Schedule expressions in sites.toml: "every 2h", "every 30m", "every 1d" or a 5-field cron line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger

from monitor.when import duration

_EVERY = re.compile(r"every\s+(.*)", re.DOTALL)
TZ = "Asia/Ho_Chi_Minh"
# crontab weekday numbers: 0 and 7 are Sunday
_CRON_DOW = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclass(frozen=True)
class Schedule:
    seconds: int | None = None  # interval schedules
    cron: str | None = None  # "m h dom mon dow", Asia/Ho_Chi_Minh


def parse_schedule(expr: str) -> Schedule:
    """Parse a schedule expression; raise ValueError saying what was expected."""
    text = expr.strip().lower()
    m = _EVERY.fullmatch(text)
    every = duration(m.group(1), "smhd") if m else None
    if every is not None:
        seconds = int(every.total_seconds())
        if seconds <= 0:
            raise ValueError(f"interval must be positive, got {expr!r}")
        return Schedule(seconds=seconds)
    fields = text.split()
    if len(fields) == 5:
        try:
            cron_trigger(text)
        except ValueError as e:
            raise ValueError(f"bad cron expression {expr!r}: {e}") from None
        return Schedule(cron=text)
    raise ValueError(f"expected 'every <N>m|h|d' or a 5-field cron line like '0 */2 * * *', got {expr!r}")


def cron_trigger(expr: str, jitter: int | None = None) -> CronTrigger:
    """A 5-field crontab line as a CronTrigger in Vietnam time, with crontab's weekday numbers
    (0 or 7 = Sunday, 1 = Monday; APScheduler 3 would read 0 as Monday)."""
    minute, hour, day, month, dow = expr.split()
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_dow(dow),
                       timezone=TZ, jitter=jitter or None)


def _dow(field_: str) -> str:
    if field_ in ("*", "?"):
        return "*"
    out: list[str] = []
    for part in field_.lower().split(","):
        rng, _, step = part.partition("/")
        if rng != "*" and not any(ch.isdigit() for ch in rng):  # names ("mon-fri") mean the same to both
            out.append(part)
            continue
        if rng == "*":
            lo, hi = 0, 6
        elif "-" in rng:
            lo, hi = (int(x) for x in rng.split("-"))
        else:
            lo = hi = int(rng)
        if not (0 <= lo <= 7 and 0 <= hi <= 7 and lo <= hi):
            raise ValueError(f"bad day-of-week {part!r}")
        for n in range(lo, hi + 1, int(step) if step else 1):
            if _CRON_DOW[n] not in out:
                out.append(_CRON_DOW[n])
    return ",".join(out)


_DAYS = {"1-5": "Monday to Friday", "mon-fri": "Monday to Friday", "0,6": "Saturday and Sunday",
         "6,0": "Saturday and Sunday", "sat,sun": "Saturday and Sunday"}
_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def describe(expr: str) -> str:
    """A schedule in words, for people: "every 2 hours", "04:00 every day (Vietnam time)",
    "06:00 and 18:00 on Monday to Friday (Vietnam time)"; a cron line with steps or ranges of
    hours stays the user's own text ("cron 0 */2 * * * (Vietnam time)")."""
    text = " ".join(expr.strip().lower().split())
    try:
        sch = parse_schedule(text)
    except ValueError:
        return expr
    if sch.seconds:
        for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
            if sch.seconds % size == 0:
                n = sch.seconds // size
                return f"every {unit}" if n == 1 else f"every {n} {unit}s"
    minute, hour, day, month, dow = text.split()
    times = _times(minute, hour)
    if times is None or day != "*" or month != "*":
        return f"cron {text} (Vietnam time)"
    if dow in ("*", "?"):
        days = "every day"
    elif dow in _DAYS:
        days = f"on {_DAYS[dow]}"
    elif dow.isdigit() and int(dow) <= 7:
        days = f"on {_DAY_NAMES[int(dow)]}s"
    else:
        return f"cron {text} (Vietnam time)"
    return f"{times} {days} (Vietnam time)"


def _times(minute: str, hour: str) -> str | None:
    """"04:00", "06:00 and 18:00" for plain minute and hour fields (numbers, lists); else None."""
    if not minute.isdigit() or not all(h.isdigit() for h in hour.split(",")):
        return None
    times = [f"{int(h):02d}:{int(minute):02d}" for h in hour.split(",")]
    return times[0] if len(times) == 1 else ", ".join(times[:-1]) + " and " + times[-1]
