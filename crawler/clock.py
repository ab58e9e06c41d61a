"""The one place that says what time it is (UTC), and how to show it to people (Vietnam time)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """Aware UTC now; `PORTALWATCH_NOW` (ISO-8601) pins it, for replays and simulations."""
    pinned = os.environ.get("PORTALWATCH_NOW")
    if pinned:
        return parse_iso(pinned.strip())
    return datetime.now(UTC).replace(microsecond=0)


def iso(dt: datetime) -> str:
    """UTC ISO-8601 with a Z suffix, seconds precision: the storage format of every time column."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: attach a timezone first")
    return dt.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(now())


def parse_iso(text: str) -> datetime:
    """Parse a stored/ISO time; naive values are taken as UTC."""
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def local(text_or_dt: str | datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A stored UTC time shown in Vietnam local time, day first."""
    if text_or_dt is None:
        return ""
    dt = parse_iso(text_or_dt) if isinstance(text_or_dt, str) else text_or_dt
    return dt.astimezone(VN_TZ).strftime(fmt)
