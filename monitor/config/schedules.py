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
