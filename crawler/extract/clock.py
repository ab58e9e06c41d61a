""""Now" for extraction (plausibility of dates): `PORTALWATCH_NOW` pins it, like monitor/clock.py."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def extraction_now() -> datetime:
    """Aware UTC now, or the ISO-8601 time in `PORTALWATCH_NOW` (naive = UTC)."""
    pinned = os.environ.get("PORTALWATCH_NOW")
    if pinned:
        dt = datetime.fromisoformat(pinned.strip().replace("Z", "+00:00"))
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return datetime.now(UTC)
