"""The national world: every site built lazily from the seed, its clock, faults, truth and request routing."""

from __future__ import annotations

import bisect
import random
import threading
from collections import OrderedDict
from dataclasses import asdict

from .. import render
from .. import text as T
from ..faults import Faults
from ..model import (
    DAY,
    START_TS,
    Article,
    _h,
    local,
)
from ..truth import truth_record
from .articles import _index_from_path, _make_article
from .pages import _district_page, _respond
from .site import NationalSite, _future, _timeline
from .sites_toml import national_sites_toml
from .units import (
    _HIGHLANDS,
    _KIND,
    _URBAN_DISTRICTS,
    HANOI_DISTRICTS,
    PROVINCES,
    SUFFIX,
    _unit_names,
)

NATIONAL_TEMPLATES = ("liferay", "tandan", "dnn", "plain")  # the templates a province may use
FUTURE_DAYS = 30  # a timeline reaches this far past the clock; extended when the clock passes it


class NationalWorld:
    """3,355 portals on distinct hosts (Hanoi: sub-sites), deterministic from ``seed``.

    ``sizes``: range of articles published before the start (log-uniform); ``fault_shares``:
    (slow, flaky, down) shares of sites; ``provinces``: limit to these province slugs.
    """

    def __init__(self, seed: int = 1, *, sizes: tuple[int, int] = (50, 2000),
                 fault_shares: tuple[float, float, float] = (0.04, 0.05, 0.02),
                 provinces: list[str] | None = None, timeline_cache: int = 256, article_cache: int = 4096):  # fmt: skip
        self.seed = seed
        self.sizes = sizes
        self.fault_shares = fault_shares
        self.now = START_TS
        self.clock_ver = 0
        self.fault_ver = 0
        self.port = 0
        self.lock = threading.RLock()
        self.sites: dict[str, NationalSite] = {}
        self.hosts: dict[str, NationalSite] = {}  # one site per host
        self.districts: dict[str, dict[str, NationalSite]] = {}  # host -> first path segment -> site
        self.site_faults: dict[str, dict] = {}
        self.global_faults = Faults()
        self._attempts: dict[tuple, int] = {}
        self._timelines: OrderedDict[str, tuple[int, list[int]]] = OrderedDict()
        self._articles: OrderedDict[tuple[str, int], Article] = OrderedDict()
        self._timeline_cache, self._article_cache = timeline_cache, article_cache
        self.generated = {"timelines": 0, "articles": 0}  # objects made so far (laziness is testable)
        wanted = set(provinces) if provinces else None
        for slug, pname, total, wards, zones in PROVINCES:
            if wanted is None or slug in wanted:
                self._build_province(slug, pname, total, wards, zones)

    # ------------------------------------------------------------------ building
    def _add(self, sid, name, level, parent, template, host, path, province, pslug) -> NationalSite:
        site = NationalSite(self, len(self.sites), sid, name, level, parent, template, host, path, province, pslug)
        self.sites[sid] = site
        if path:
            self.districts.setdefault(host, {})[path.strip("/")] = site
        else:
            self.hosts[host] = site
        return site

    def _build_province(self, slug: str, pname: str, total: int, wards: int, zones: int) -> None:
        rng = random.Random(_h(self.seed, slug, "province"))
        template = "liferay" if slug == "hanoi" else rng.choices(NATIONAL_TEMPLATES, (25, 40, 20, 15))[0]
        phost = f"{slug}.{SUFFIX}"
        short = pname.split(" ", 1)[1] if pname.startswith("Tỉnh ") else pname
        level = "city" if pname.startswith("Thành phố") else "province"
        self._add(slug, pname, level, None, template, phost, "", short, slug)
        kinds = ["dac-khu"] * zones + ["phuong"] * wards + ["xa"] * (total - wards - zones)
        names = _unit_names(rng, total, slug in _HIGHLANDS, set())
        taken: set[str] = set()
        for i, (kind, uname) in enumerate(zip(kinds, names, strict=True)):
            word, ulevel = _KIND[kind]
            name = f"{word} {uname}"
            uslug = f"{kind}-{T.slugify(uname)}"
            if slug == "hanoi":
                # phường under the urban districts, xã under the rural ones, round robin
                pool = HANOI_DISTRICTS[:_URBAN_DISTRICTS] if kind == "phuong" else HANOI_DISTRICTS[_URBAN_DISTRICTS:]
                district = pool[i % len(pool)]
                host, path = f"{district}.{phost}", "/" + T.slugify(uname)
            else:
                host, path = f"{uslug}.{phost}", ""
            sid = f"{slug}-{uslug}"
            assert sid not in taken
            taken.add(sid)
            self._add(sid, name, ulevel, slug, template, host, path, short, slug)

    # ------------------------------------------------------------------ timelines & articles
    def timeline(self, site: NationalSite) -> list[int]:
        """Publication times (ascending) of every article of ``site`` up to the horizon."""
        with self.lock:
            hit = self._timelines.get(site.id)
            if hit is not None and hit[0] >= self.now + DAY:
                self._timelines.move_to_end(site.id)
                return hit[1]
            horizon = self.now + FUTURE_DAYS * DAY
            times = _timeline(self.seed, site, horizon)
            self.generated["timelines"] += 1
            self._timelines[site.id] = (horizon, times)
            if len(self._timelines) > self._timeline_cache:
                self._timelines.popitem(last=False)
            return times

    def visible_count(self, site: NationalSite) -> int:
        return bisect.bisect_right(self.timeline(site), self.now)

    def article(self, site: NationalSite, idx: int) -> Article:
        """Article ``idx`` (0 = oldest) of ``site``: a pure function of (seed, site, idx)."""
        with self.lock:
            key = (site.id, idx)
            a = self._articles.get(key)
            if a is not None:
                self._articles.move_to_end(key)
                return a
            times = self.timeline(site)
            if not 0 <= idx < len(times):
                raise IndexError(idx)
            a = _make_article(self.seed, site, idx, times[idx])
            self.generated["articles"] += 1
            self._articles[key] = a
            if len(self._articles) > self._article_cache:
                self._articles.popitem(last=False)
            return a

    def article_at(self, site: NationalSite, path: str) -> Article | None:
        """The article whose canonical path is ``path`` (any publication time), or None."""
        idx = _index_from_path(site, path)
        if idx is None or not 0 <= idx < len(self.timeline(site)):
            return None
        a = self.article(site, idx)
        return a if a.path == path else None

    # ------------------------------------------------------------------ render.py's sim interface
    base_url = ""

    def effective_faults(self, site_id: str | None) -> Faults:
        f = Faults(**asdict(self.global_faults))
        if site_id is not None:
            site = self.sites.get(site_id)
            overrides = self.site_faults.get(site_id)
            for k, v in (site.faults if site is not None and overrides is None else {}).items():
                setattr(f, k, v)
            for k, v in (overrides or {}).items():
                setattr(f, k, v)
        return f

    def shows_views(self, a: Article, where: str) -> bool:
        if self.effective_faults(a.site.id).hide_views:
            return False
        if where == "list":
            return a.site.template != "plain"
        return a.detail_views if a.site.template == "liferay" else True

    def last_modified(self, a: Article) -> int:
        lm = a.published
        if self.shows_views(a, "article"):
            lm = max(lm, a.views_changed_at(self.now))
        return lm

    def should_fail(self, key: tuple, rate: float) -> bool:
        """Deterministic from seed + request + attempt number."""
        with self.lock:
            attempt = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempt
        return _h(self.seed, *key, attempt, "err") / 2**64 < rate

    # ------------------------------------------------------------------ clock & faults
    def advance(self, hours: float = 0, *, days: float = 0) -> dict:
        """Move the clock forward; returns the number of posts that appeared (all sites)."""
        delta = int(round((hours + days * 24) * 3600))
        if delta < 0:
            raise ValueError("the clock only moves forward")
        with self.lock:
            old = self.now
            self.now += delta
            self.clock_ver += 1
        return {"now": local(self.now).isoformat(), "from": old, "to": self.now}

    def clock(self) -> dict:
        return {"now": local(self.now).isoformat(), "epoch": self.now, "hours_since_start": (self.now - START_TS) / 3600}

    def set_faults(self, site: str, **kw) -> None:
        """Override one site's seeded faults (``set_faults(id)`` with nothing = make it healthy)."""
        bad = set(kw) - set(Faults.names())
        if bad:
            raise ValueError(f"unknown fault(s): {sorted(bad)}")
        if site not in self.sites:
            raise KeyError(site)
        with self.lock:
            self.site_faults[site] = dict(kw)
            self.fault_ver += 1

    def clear_faults(self, site: str | None = None) -> None:
        """Back to the seeded faults (of one site, or all)."""
        with self.lock:
            if site is None:
                self.site_faults.clear()
            else:
                self.site_faults.pop(site, None)
            self.fault_ver += 1

    # ------------------------------------------------------------------ selection & truth
    def select(self, n: int | None = None, *, kind: str | None = None, smallest: bool = False,
               distinct_hosts: bool = False) -> list[NationalSite]:  # fmt: skip
        """Sites by seeded fault kind (healthy/slow/flaky/down), optionally the smallest first."""
        out = [s for s in self.sites.values() if kind is None or s.kind() == kind]
        if smallest:
            out.sort(key=lambda s: (s.n_past, s.index))
        if distinct_hosts:
            seen: set[str] = set()
            out = [s for s in out if not (s.host in seen or seen.add(s.host))]
        return out[:n] if n is not None else out

    def truth(self, site_id: str, include_body: bool = True) -> list[dict]:
        """Ground truth: the visible articles of one site, newest first (truth.truth_record)."""
        site = self.sites[site_id]
        with self.lock:
            out = []
            for a in site.visible():
                rec = truth_record(self, a, include_body)
                rec["url"] = site.url(a.path)
                out.append(rec)
            return out

    def posts_between(self, t0: int, t1: int, site_ids: list[str] | None = None) -> list[dict]:
        """Posts that appeared in (t0, t1], t0 >= the start: site, URL, key, publication time.

        Computed from the per-day rhythm alone (no past articles generated): the benchmark's
        "what appeared in this cycle" for thousands of sites."""
        if t0 < START_TS:
            raise ValueError("posts_between covers the simulated run only (t0 >= START)")
        out = []
        for sid in site_ids or list(self.sites):
            site = self.sites[sid]
            times = _future(self.seed, site, t1)
            for pos in range(bisect.bisect_right(times, t0), len(times)):
                a = _make_article(self.seed, site, site.n_past + pos, times[pos])
                out.append({"site_id": sid, "url": site.url(a.path), "key": a.key, "published": times[pos]})
        return out

    def stats(self) -> dict:
        by_kind: dict[str, int] = {}
        by_level: dict[str, int] = {}
        for s in self.sites.values():
            by_kind[s.kind()] = by_kind.get(s.kind(), 0) + 1
            by_level[s.level] = by_level.get(s.level, 0) + 1
        return {
            "sites": len(self.sites), "hosts": len(self.hosts) + len(self.districts),
            "by_fault": by_kind, "by_level": by_level, "generated": dict(self.generated),
            "articles_before_start": sum(s.n_past for s in self.sites.values()),
        }  # fmt: skip

    # ------------------------------------------------------------------ routing
    def route(self, host: str, path: str) -> tuple[NationalSite | None, str | None]:
        """(site, None) for a site's path; (None, district host) for a Hanoi district root."""
        host = host.split(":", 1)[0].lower().rstrip(".")
        site = self.hosts.get(host)
        if site is not None:
            return site, None
        wards = self.districts.get(host)
        if wards is None:
            return None, None
        first = path.lstrip("/").split("/", 1)[0]
        return wards.get(first), (host if first == "" else None)

    def respond(self, host: str, path: str, query: str) -> render.Page:
        """Render one request (render.py's page functions, national routing)."""
        site, district = self.route(host, path)
        if site is None:
            if district is not None:
                return render.Page(200, _district_page(self, district), "home")
            return render.not_found_page(None, path)
        with self.lock:
            return _respond(self, site, path, query)

    def sites_toml(self, site_ids: list[str] | None = None, *, port: int | None = None,
                   settings: dict | None = None) -> str:  # fmt: skip
        return national_sites_toml(self, site_ids, port=port, settings=settings)
