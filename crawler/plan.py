"""The crawl plan: everything one crawl child needs, decided once by the coordinator.

sites.toml is parsed once (monitor.config), the coordinator decides how deep each site's lists
are walked (monitor.crawl.plan.build_plan) and hands the plan to the child as JSON
(`python -m crawler.run --plan FILE`, or a Scrapyd job's `plan` argument). The spider reads
nothing else about its sites; a node without a database may get each site's known articles
in `known` (else every article is new to it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from monitor.config import Settings, Site, Unit
from monitor.store.db import Known


@dataclass
class CrawlPlan:
    """One crawl: the `[portalwatch]` settings, the sites (validated), and per site the pages
    per list (None: the site's max_pages, a full walk) and the walk's label for the crawl row."""

    settings: Settings
    sites: list[Site]
    pages: dict[str, int | None] = field(default_factory=dict)
    list_walk: dict[str, str] = field(default_factory=dict)  # site id -> "full" | "shallow"
    known: dict[str, dict[str, Known]] | None = None  # site id -> key -> state (nodes without a db)
    planned_at: str | None = None  # UTC ISO-8601, when the coordinator decided
    units: list[Site | Unit] = field(default_factory=list)  # other sites and [[unit]]s: mirrored, not crawled

    def max_pages(self, site: Site) -> int:
        """List pages walked per list of this site in this crawl."""
        pages = self.pages.get(site.id)
        return site.max_pages if pages is None else min(pages, site.max_pages)

    def walk(self, site_id: str) -> str:
        return self.list_walk.get(site_id) or ("full" if self.pages.get(site_id) is None else "shallow")

    def site_ids(self) -> list[str]:
        return [s.id for s in self.sites]

    # -- JSON ------------------------------------------------------------------------------------
    def to_json(self) -> str:
        data: dict[str, Any] = {
            "settings": asdict(self.settings),
            "sites": [asdict(s) for s in self.sites],
            "pages": self.pages,
            "list_walk": self.list_walk,
            "planned_at": self.planned_at,
            "units": [asdict(s) for s in self.units],
        }
        if self.known is not None:
            data["known"] = {sid: {k: asdict(v) for k, v in rows.items()} for sid, rows in self.known.items()}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlPlan:
        """The plan a `to_json` text describes; ValueError for anything else."""
        try:
            data = json.loads(text)
            settings = Settings(**_only(Settings, data["settings"]))
            sites = [Site(**_only(Site, s)) for s in data["sites"]]
            known = data.get("known")
            return cls(
                settings=settings, sites=sites,
                pages={k: (None if v is None else int(v)) for k, v in (data.get("pages") or {}).items()},
                list_walk=dict(data.get("list_walk") or {}),
                known=None if known is None else {
                    sid: {k: Known(**v) for k, v in rows.items()} for sid, rows in known.items()},
                planned_at=data.get("planned_at"),
                units=[Site(**_only(Site, s)) if "start_urls" in s else Unit(**_only(Unit, s))
                       for s in data.get("units") or []],
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as e:
            raise ValueError(f"not a crawl plan: {e}") from None

    @classmethod
    def load(cls, arg: str) -> CrawlPlan:
        """A spider/child argument: the plan's JSON text, or `@/path/to/plan.json`."""
        if arg.startswith("@"):
            with open(arg[1:], encoding="utf-8") as f:
                arg = f.read()
        return cls.from_json(arg)


def _only(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise TypeError(f"{cls.__name__}: unknown fields {', '.join(sorted(unknown))}")
    return data
