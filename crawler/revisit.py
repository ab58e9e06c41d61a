"""When to re-fetch an article page we already have: the main cost lever of a crawl.

List pages are fetched on every run (new posts, and on many platforms the view counts of every
listed article). An article page is fetched when it is new, when its list entry changed, or when
its revisit interval has passed. The interval grows with the article's age and shrinks while its
count is moving fast; where the list already printed a fresh count, only content checks remain
and the interval is multiplied by `list_factor`. Revisits are conditional (ETag /
If-Modified-Since) where the server supports it, so an unchanged page costs a 304.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.clock import parse_iso

# (age limit in hours, base interval in hours): young articles often, old quiet ones rarely.
DEFAULT_STEPS = ((24, 1.0), (24 * 7, 6.0), (24 * 30, 24.0), (float("inf"), 24.0 * 7))


@dataclass(frozen=True)
class RevisitPolicy:
    mode: str = "smart"  # "smart", "always" (every run) or "never" (new articles only)
    steps: tuple[tuple[float, float], ...] = DEFAULT_STEPS
    list_factor: float = 6.0  # interval multiplier when the list page gives a fresh count
    min_interval_hours: float = 0.0

    @classmethod
    def from_config(cls, table: dict | None) -> RevisitPolicy:
        """Build from a site's `[site.revisit]` table: mode, list_factor, min_interval_hours,
        and `steps = [[24, 1], [168, 6], …]` (age limit hours, interval hours)."""
        table = dict(table or {})
        unknown = set(table) - {"mode", "steps", "list_factor", "min_interval_hours"}
        if unknown:
            raise ValueError(f"unknown revisit keys: {', '.join(sorted(unknown))}")
        if "mode" in table and table["mode"] not in ("smart", "always", "never"):
            raise ValueError(f"revisit mode must be smart, always or never, got {table['mode']!r}")
        if "steps" in table:
            table["steps"] = tuple((float(a), float(b)) for a, b in table["steps"]) + (
                (float("inf"), float(table["steps"][-1][1])),
            )
        return cls(**table)

    def interval_hours(self, age_hours: float, list_has_views: bool) -> float:
        for limit, hours in self.steps:
            if age_hours < limit:
                interval = hours
                break
        else:  # pragma: no cover - the last step is infinite
            interval = self.steps[-1][1]
        if list_has_views:
            interval *= self.list_factor
        return max(interval, self.min_interval_hours)

    def should_fetch(
        self,
        known,
        now: datetime,
        *,
        list_title: str | None = None,
        list_views: int | None = None,
    ) -> tuple[bool, str]:
        """(fetch?, why) for an article seen on a list page; `known` is store.Known or None."""
        if known is None:
            return True, "new"
        if known.last_fetched_at is None or not known.has_body:
            return True, "never fetched"
        if known.status != "live":
            return True, "reappeared"
        if list_title and known.list_title and list_title != known.list_title:
            return True, "list entry changed"
        if self.mode == "always":
            return True, "revisit: always"
        if self.mode == "never":
            return False, "revisit: never"
        born = parse_iso(known.published_at or known.first_seen_at)
        age = max((now - born).total_seconds() / 3600, 0.0)
        due = self.interval_hours(age, list_views is not None)
        since = (now - parse_iso(known.last_fetched_at)).total_seconds() / 3600
        if since >= due:
            return True, f"revisit: {since:.1f}h since last fetch ≥ {due:g}h"
        return False, f"fresh: next revisit in {due - since:.1f}h"
