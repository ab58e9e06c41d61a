"""APScheduler triggers from validated schedule expressions, every one in Vietnam time.

The schedule syntax itself ('every 2h', crontab lines) lives in monitor.config.schedules.
"""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.interval import IntervalTrigger

from crawler import clock
from monitor.config.schedules import cron_trigger, parse_schedule

TZ = "Asia/Ho_Chi_Minh"
ANCHOR = datetime(2000, 1, 1, tzinfo=clock.VN_TZ)  # "every 2h" fires at 00:00, 02:00 … local


def trigger_for(expr: str, jitter: int | None = None):
    """The trigger of a schedule expression ('every 2h', 'every 30m', a cron line)."""
    sch = parse_schedule(expr)
    if sch.seconds:
        return IntervalTrigger(seconds=sch.seconds, start_date=ANCHOR, timezone=TZ, jitter=jitter or None)
    assert sch.cron is not None  # parse_schedule gives an interval or a cron line
    return cron_trigger(sch.cron, jitter)
