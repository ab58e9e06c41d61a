"""The `[portalwatch] view_retention` setting: how long every view-count reading is kept, and how
thin the older history becomes (monitor/store/retention.py applies it).

    view_retention = "30d all, 90d hourly, daily"   # the default
    view_retention = "14d all, daily"               # no hourly tier
    view_retention = "off"                          # keep every reading

Tiers, youngest first: readings younger than N days are kept `all`, then (optionally) `hourly`
up to M days, and the rest at the last word's resolution (`hourly` or `daily`). At every
resolution the first and last reading of each Vietnam-local day stay, with the readings
digests and detect need (docs/database.md, "Retention").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT = "30d all, 90d hourly, daily"
MIN_ALL_DAYS = 7  # detect compares a new reading with the week before it (DetectOptions.jump_window_days)
EXAMPLE = f'tiers such as "{DEFAULT}" (every reading for 30 days, then at most one an hour, after 90 days the first and last of each day) or "off"'
_TIER = re.compile(r"^(\d+)\s*d(?:ays?)?\s+(all|hourly)$")


@dataclass(frozen=True)
class ViewRetention:
    """`all_days` of every reading, then `hourly` until `hourly_days` (None: no hourly tier),
    then `rest` ("hourly" or "daily"). `keep_all`: the setting is "off"."""

    text: str
    all_days: int = 0
    hourly_days: int | None = None
    rest: str = "daily"
    keep_all: bool = False

    def tiers(self) -> list[tuple[int, str]]:
        """(age in days, resolution from that age on), youngest first; [] when off."""
        if self.keep_all:
            return []
        out = [(self.all_days, "hourly" if self.hourly_days is not None else self.rest)]
        if self.hourly_days is not None:
            out.append((self.hourly_days, self.rest))
        return out


def parse_view_retention(text: str) -> ViewRetention:
    """The policy a `view_retention` value describes; ValueError with what was expected."""
    norm = " ".join(str(text).lower().split())
    if norm == "off":
        return ViewRetention("off", keep_all=True)
    parts = [p.strip() for p in norm.split(",")]
    if len(parts) not in (2, 3) or parts[-1] not in ("hourly", "daily"):
        raise ValueError(f"expected {EXAMPLE}, got {text!r}")
    tiers = []
    for part in parts[:-1]:
        m = _TIER.match(part)
        if not m:
            raise ValueError(f"expected {EXAMPLE}; {part!r} is not '<days>d all' or '<days>d hourly'")
        tiers.append((int(m[1]), m[2]))
    if tiers[0][1] != "all":
        raise ValueError(f"expected {EXAMPLE}; the first tier keeps 'all' readings, got {parts[0]!r}")
    if tiers[0][0] < MIN_ALL_DAYS:
        raise ValueError(f"every reading must be kept at least {MIN_ALL_DAYS} days (detect compares a new "
                         f"reading with the week before it), got {parts[0]!r}")
    hourly = None
    if len(tiers) == 2:
        if tiers[1][1] != "hourly" or parts[-1] != "daily":
            raise ValueError(f"expected {EXAMPLE}; the middle tier is '<days>d hourly', then 'daily'")
        if tiers[1][0] <= tiers[0][0]:
            raise ValueError(f"expected {EXAMPLE}; the hourly tier must end after the first ({parts[1]!r} "
                             f"is not later than {parts[0]!r})")
        hourly = tiers[1][0]
    return ViewRetention(", ".join(parts), all_days=tiers[0][0], hourly_days=hourly, rest=parts[-1])
