"""Schedule expressions in sites.toml: "every 2h", "every 30m", "every 1d" or a 5-field cron line."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EVERY = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Schedule:
    seconds: int | None = None  # interval schedules
    cron: str | None = None  # "m h dom mon dow", Asia/Ho_Chi_Minh


def parse_schedule(expr: str) -> Schedule:
    """Parse a schedule expression; raise ValueError saying what was expected."""
    text = expr.strip().lower()
    m = _EVERY.match(text)
    if m:
        seconds = int(m.group(1)) * _UNIT[m.group(2)]
        if seconds <= 0:
            raise ValueError(f"interval must be positive, got {expr!r}")
        return Schedule(seconds=seconds)
    fields = text.split()
    if len(fields) == 5:
        from monitor.service.scheduler import cron_trigger  # crontab weekday numbers, Vietnam time

        try:
            cron_trigger(text)
        except ValueError as e:
            raise ValueError(f"bad cron expression {expr!r}: {e}") from None
        return Schedule(cron=text)
    raise ValueError(f"expected 'every <N>m|h|d' or a 5-field cron line like '0 */2 * * *', got {expr!r}")
