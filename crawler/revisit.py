"""When to re-fetch what we already have: the main cost lever of a crawl.

Article pages. A page is fetched when it is new, never fetched, reappeared, or its list entry
changed (title). Otherwise:
- where the list page printed a fresh count, the count needs no article page at all; the page is
  only re-read now and then to catch body edits (`content_steps`, by age);
- elsewhere the revisit interval decays with the article's age (`steps`) and follows how fast its
  count has been moving: an article expected to gain `busy_views` or more within its age interval
  is revisited sooner (down to `min_interval_hours`), one expected to gain under `quiet_views` is
  revisited `quiet_factor` times less often.
Revisits are conditional (ETag / If-Modified-Since, sent by the spider), so an unchanged page
costs a 304.

List pages. Every run walks the first `list_pages` pages of every list (new posts and the
list-printed counts of recent articles appear there); a full walk, down to the site's
`max_pages`, is due every `deep_every_hours` and reads the counts of every listed article.
The service (monitor/service/jobs.py) applies this depth; a plain `portalwatch crawl` always walks fully.

`[site.revisit]` keys: mode ("smart", "always", "never"), steps, content_steps, busy_views,
quiet_views, quiet_factor, min_interval_hours, list_pages, deep_every_hours.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from crawler.clock import parse_iso

INF = float("inf")
# (age limit in hours, base interval in hours): young articles often, old quiet ones rarely.
DEFAULT_STEPS = ((24, 1.0), (24 * 7, 6.0), (INF, 24.0))  # old ones daily: the digest is daily
# where the list page gives the count, article pages are only re-read for body edits
DEFAULT_CONTENT_STEPS = ((24, 12.0), (24 * 7, 48.0), (24 * 30, 24.0 * 7), (INF, 24.0 * 60))
_STEP_KEYS = ("steps", "content_steps")


@dataclass(frozen=True)
class RevisitPolicy:
    mode: str = "smart"  # "smart", "always" (every run) or "never" (new articles only)
    steps: tuple[tuple[float, float], ...] = DEFAULT_STEPS
    content_steps: tuple[tuple[float, float], ...] = DEFAULT_CONTENT_STEPS
    busy_views: float = 50.0  # expected gain per interval that shortens it
    quiet_views: float = 1.0  # expected gain per interval under which it is lengthened
    quiet_factor: float = 2.0
    min_interval_hours: float = 1.0
    list_pages: int = 0  # list pages walked on an ordinary run; 0 = always the full walk
    deep_every_hours: float = 24.0  # how often the full list walk (to max_pages) is due

    @classmethod
    def from_config(cls, table: dict | None) -> RevisitPolicy:
        """Build from a site's `[site.revisit]` table; raise ValueError naming a bad key."""
        table = dict(table or {})
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"unknown revisit keys: {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(known))})")
        if "mode" in table and table["mode"] not in ("smart", "always", "never"):
            raise ValueError(f"revisit mode must be smart, always or never, got {table['mode']!r}")
        for key in _STEP_KEYS:
            if key in table:
                table[key] = _steps(key, table[key])
        for key in ("busy_views", "quiet_views", "quiet_factor", "min_interval_hours", "deep_every_hours"):
            if key in table:
                v = table[key]
                if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                    raise ValueError(f"revisit {key} must be a number ≥ 0, got {v!r}")
                table[key] = float(v)
        if "list_pages" in table:
            v = table["list_pages"]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"revisit list_pages must be an integer ≥ 0 (0 = full walk), got {v!r}")
        return cls(**table)

    # -- article pages --------------------------------------------------------------------------
    @staticmethod
    def _step(steps, age_hours: float) -> float:
        for limit, hours in steps:
            if age_hours < limit:
                return hours
        return steps[-1][1]

    def interval_hours(self, age_hours: float, list_has_views: bool, velocity: float | None = None) -> float:
        """Hours between article-page fetches, for an article of this age and views per hour."""
        if list_has_views:
            return max(self._step(self.content_steps, age_hours), self.min_interval_hours)
        base = self._step(self.steps, age_hours)
        if velocity is not None:
            expected = velocity * base
            if self.busy_views and expected >= self.busy_views:
                base *= self.busy_views / expected
            elif expected < self.quiet_views:
                base *= self.quiet_factor
        return max(base, self.min_interval_hours)

    def should_fetch(
        self,
        known,
        now: datetime,
        *,
        list_title: str | None = None,
        list_views: int | None = None,
    ) -> tuple[bool, str]:
        """(fetch?, why) for an article seen on a list page; `known` is crawler.plan.Known or None."""
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
        due = self.interval_hours(age, list_views is not None, velocity(known, now))
        if due > 2:  # spread long intervals ±20 % by article, so articles first fetched together
            due *= 0.8 + 0.4 * ((known.id * 2654435761) % 1000) / 1000  # do not all fall due together
        since = (now - parse_iso(known.last_fetched_at)).total_seconds() / 3600
        # a small tolerance: hourly runs start a few seconds apart
        if since >= due - 0.05:
            return True, f"revisit: {since:.1f}h since last fetch ≥ {due:g}h"
        return False, f"fresh: next revisit in {due - since:.1f}h"

    # -- list pages --------------------------------------------------------------------------------
    def list_depth(self, max_pages: int, last_full_walk: str | None, now: datetime) -> tuple[int, bool]:
        """(pages to walk per list, is it the full walk?) for this run."""
        if self.mode == "always" or not self.list_pages or self.list_pages >= max_pages:
            return max_pages, True
        if last_full_walk is None:
            return max_pages, True
        since = (now - parse_iso(last_full_walk)).total_seconds() / 3600
        if since >= self.deep_every_hours - 0.05:
            return max_pages, True
        return self.list_pages, False


def velocity(known, now: datetime) -> float | None:
    """Recent views per hour: between the last two readings, stretched to the last check (a
    count that stopped moving slows down); None before there are two readings."""
    views = getattr(known, "views", None)
    prev = getattr(known, "prev_views", None)
    prev_at = getattr(known, "prev_observed_at", None)
    if views is None:
        return None
    if prev is None or prev_at is None:
        born = known.published_at or known.first_seen_at
        if not born or not known.views_checked_at:
            return None
        hours = (parse_iso(known.views_checked_at) - parse_iso(born)).total_seconds() / 3600
        return views / hours if hours > 0 else None
    end = known.views_checked_at or known.views_observed_at
    hours = (parse_iso(end) - parse_iso(prev_at)).total_seconds() / 3600
    return max(views - prev, 0) / hours if hours > 0 else None


def _steps(key: str, value) -> tuple[tuple[float, float], ...]:
    try:
        pairs = tuple((float(a), float(b)) for a, b in value)
    except (TypeError, ValueError):
        raise ValueError(f"revisit {key} must be a list of [age hours, interval hours] pairs, got {value!r}") from None
    if not pairs or any(b <= 0 for _, b in pairs) or [a for a, _ in pairs] != sorted(a for a, _ in pairs):
        raise ValueError(f"revisit {key}: ages must increase and intervals be > 0, got {value!r}")
    return pairs + ((INF, pairs[-1][1]),)
