"""The crawl plan: everything one crawl needs, decided once by the coordinator, and `Known`,
the stored state of an article the spider decides by.

sites.toml is parsed once (monitor.config), the monitor builds the plan once per crawl
(monitor.crawl.planner.build_plan: the sites, how deep each site's lists are walked, the crawl's
clock) and hands it to the crawl as JSON (`python -m monitor.crawl.child --plan FILE`), or
encoded (`encode()`: deflated, base64) as a Scrapyd job's `plan` argument. The spider reads
nothing else about its sites; a node without a database gets each site's known articles in
`known` and list-view shares in `list_views`.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from crawler.sites import Settings, Site, Unit


@dataclass
class Known:
    """What the spider needs to know about a stored article to decide whether to fetch it."""

    id: int
    url: str
    list_title: str | None
    title: str | None
    published_at: str | None
    views: int | None
    views_checked_at: str | None
    views_observed_at: str | None
    first_seen_at: str
    last_fetched_at: str | None
    etag: str | None
    last_modified: str | None
    status: str
    has_body: bool
    prev_views: int | None = None  # the reading before `views` (revisit velocity)
    prev_observed_at: str | None = None


@dataclass
class CrawlPlan:
    """One crawl: the crawl settings of `[portalwatch]`, the sites (validated), and per site the pages
    per list (None: the site's max_pages, a full walk) and the walk's label for the crawl row."""

    settings: Settings
    sites: list[Site]
    pages: dict[str, int | None] = field(default_factory=dict)
    list_walk: dict[str, str] = field(default_factory=dict)  # site id -> "full" | "shallow"
    known: dict[str, dict[str, Known]] | None = None  # site id -> key -> state (nodes without a db)
    planned_at: str | None = None  # UTC ISO-8601, when the coordinator decided
    units: list[Site | Unit] = field(default_factory=list)  # other sites and [[unit]]s: mirrored, not crawled
    list_views: dict[str, float | None] | None = None  # site id -> list-view share (nodes without a db)
    now: str | None = None  # UTC ISO-8601: the crawl's pinned clock (replays, simulations); None: the real one
    lease: str | None = None  # the token of the run holding these sites' leases: stored only while it holds them
    list_hints: dict[str, str] | None = None  # site id -> its list as last found (nodes without a db)

    def max_pages(self, site: Site) -> int:
        """List pages walked per list of this site in this crawl."""
        pages = self.pages.get(site.id)
        return site.max_pages if pages is None else min(pages, site.max_pages)

    def walk(self, site_id: str) -> str:
        return self.list_walk.get(site_id) or ("full" if self.pages.get(site_id) is None else "shallow")

    def site_ids(self) -> list[str]:
        return [s.id for s in self.sites]

    def only(self, site_ids: list[str]) -> CrawlPlan:
        """This plan narrowed to these sites (ids or former ids); the others stay as `units`
        (mirrored, not crawled)."""
        wanted = set(site_ids)
        kept = [s for s in self.sites if s.id in wanted or wanted & set(s.aliases)]
        return replace(self, sites=kept, units=[*self.units, *(s for s in self.sites if s not in kept)])

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
        if self.list_views is not None:
            data["list_views"] = self.list_views
        if self.now is not None:
            data["now"] = self.now
        if self.lease is not None:
            data["lease"] = self.lease
        if self.list_hints is not None:
            data["list_hints"] = self.list_hints
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
                list_views=data.get("list_views"),
                now=data.get("now"),
                lease=data.get("lease"),
                list_hints=data.get("list_hints"),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as e:
            raise ValueError(f"not a crawl plan: {e}") from None

    def encode(self) -> str:
        """The plan as one command-line-safe argument: `z:` + base64 of the deflated JSON (a
        Scrapyd job's arguments travel on the crawl's command line, 128 KiB each on Linux)."""
        return "z:" + base64.b64encode(zlib.compress(self.to_json().encode(), 6)).decode()

    @classmethod
    def load(cls, arg: str) -> CrawlPlan:
        """A spider argument: the plan's JSON text, `encode()`'s text, or `@/path/to/plan.json`."""
        if arg.startswith("@"):
            with open(arg[1:], encoding="utf-8") as f:
                arg = f.read()
        elif arg.startswith("z:"):
            try:
                arg = zlib.decompress(base64.b64decode(arg[2:], validate=True)).decode()
            except (binascii.Error, zlib.error, UnicodeDecodeError) as e:
                raise ValueError(f"not an encoded crawl plan: {e}") from None
        return cls.from_json(arg)


def _only(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise TypeError(f"{cls.__name__}: unknown fields {', '.join(sorted(unknown))}")
    return data
