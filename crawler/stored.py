"""What the spider may ask about stored articles (`KnownLookup`), and the answer from a plan
that carries them (`PlanState`: a Scrapyd node holds no database).

The monitor's `Reader` (monitor/store/reads.py) answers the same questions from SQLite, a list
page at a time; the child that runs a local crawl hands it to the spider as `stored=`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from crawler.plan import CrawlPlan, Known


class KnownLookup(Protocol):
    """The stored state a crawl reads: per list page, at the end of a site's walk, at its start."""

    def known_for(self, site_id: str, keys: Iterable[str]) -> dict[str, Known]:
        """The stored state of these articles of the site (absent keys: new articles)."""
        ...

    def live_since(self, site_id: str, horizon: str) -> Iterable[tuple[str, str]]:
        """(key, url) of the live articles published at or after `horizon` ("" = all)."""
        ...

    def dates_usual(self, site_id: str, recent: int = 20) -> bool: ...

    def list_views_share(self, site_id: str) -> float | None: ...

    def list_hint(self, site_id: str) -> str | None:
        """The site's list as the last crawl found it (ListHint.to_json), None if unknown."""
        ...

    def close(self) -> None: ...


class PlanState:
    """The stored state a plan carries (`known`, `list_views`), or none at all."""

    def __init__(self, plan: CrawlPlan | None = None):
        self.known: dict[str, dict[str, Known]] = (plan.known if plan else None) or {}
        self.list_views: dict[str, float | None] = (plan.list_views if plan else None) or {}
        self.list_hints: dict[str, str] = (plan.list_hints if plan else None) or {}

    def known_for(self, site_id: str, keys: Iterable[str]) -> dict[str, Known]:
        rows = self.known.get(site_id, {})
        return {k: rows[k] for k in keys if k in rows}

    def live_since(self, site_id: str, horizon: str) -> list[tuple[str, str]]:
        return [(k, v.url) for k, v in self.known.get(site_id, {}).items()
                if v.status == "live" and (not horizon or (v.published_at is not None and v.published_at >= horizon))]

    def dates_usual(self, site_id: str, recent: int = 20) -> bool:
        live = sorted((v for v in self.known.get(site_id, {}).values() if v.status == "live"), key=lambda v: -v.id)
        return len(live) >= 5 and all(v.published_at for v in live[:recent])

    def list_views_share(self, site_id: str) -> float | None:
        return self.list_views.get(site_id)

    def list_hint(self, site_id: str) -> str | None:
        return self.list_hints.get(site_id)

    def close(self) -> None:
        pass
