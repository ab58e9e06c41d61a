"""The simulated world: a clock, the sites and their articles over time, edits and removals.

Everything is a deterministic function of ``seed`` plus the calls made on the
:class:`Simulator` (``advance``, ``edit``, ``remove``, ``set_faults`` ...). The nouns live in
:mod:`simulator.model`, faults in :mod:`simulator.faults`, ground truth in
:mod:`simulator.truth`, request counters in :mod:`simulator.stats`, the core sites in
:mod:`simulator.core` and the sites.toml writer in :mod:`simulator.config_out`. Pages are
rendered lazily by :mod:`simulator.render`, which imports this package's model, never the reverse.
"""

from __future__ import annotations

import bisect
import random
import threading
from datetime import datetime

from . import text as T
from . import truth as _truth
from .config_out import sites_toml
from .core import build_core
from .faults import Faults, FaultState
from .model import (
    DAY,
    FUTURE_HORIZON_DAYS,
    PAGE_SIZE,
    PROFILE_OF,
    SEED_ARTICLE_ID,
    SEED_PUBLISHED,
    SEED_VIEWS,
    START,
    START_TS,
    TEMPLATES,
    VN_TZ,
    WEEKDAYS,
    Article,
    Category,
    Site,
    _h,
    _unit,
    _worktime,
    article_path,
    local,
    utc_iso,
)
from .stats import ServeStats

__all__ = [
    "DAY", "FUTURE_HORIZON_DAYS", "PAGE_SIZE", "PROFILE_OF", "SEED_ARTICLE_ID", "SEED_PUBLISHED",
    "SEED_VIEWS", "START", "START_TS", "TEMPLATES", "VN_TZ", "WEEKDAYS", "Article", "Category",
    "Faults", "Simulator", "Site", "_h", "_unit", "article_path", "local", "sites_toml", "utc_iso",
]  # fmt: skip


class Simulator(FaultState, ServeStats):
    """A deterministic world of government news portals.

    Parameters: ``seed``; ``articles_per_site`` (published before the simulated start);
    ``extra_sites`` / ``extra_template``: add that many bulk sites at construction.
    """

    def __init__(
        self,
        seed: int = 1,
        articles_per_site: int = 40,
        extra_sites: int = 0,
        extra_template: str = "tandan",
    ):
        self.seed = seed
        self.articles_per_site = articles_per_site
        self.now = START_TS
        self.clock_ver = 0
        self.mut_ver = 0
        self.base_url = ""
        self.lock = threading.RLock()
        self.sites: dict[str, Site] = {}
        self._prefix: dict[str, Site] = {}
        self._by_key: dict[str, Article] = {}
        self._init_faults()
        self._init_stats()
        self._build()
        if extra_sites:
            self.add_sites(extra_sites, extra_template)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        """Add this world's sites (the core world: :func:`simulator.core.build_core`)."""
        build_core(self)

    def _add_site(self, site: Site, n_past: int) -> Site:
        site.sim = self
        site.index = len(self.sites)
        if not site.unit:
            site.unit = site.name[:1].lower() + site.name[1:]
        self.sites[site.id] = site
        self._prefix[site.path] = site
        if site.parent and site.parent in self.sites:
            self.sites[site.parent].children.append(site.id)
        rng = random.Random(_h(self.seed, site.id, "past"))
        span_days = min(5 * 365, max(120, int(n_past * 0.9)))
        times = sorted(START_TS - 3600 - int(rng.random() * span_days * DAY) for _ in range(n_past))
        times = sorted(t if _worktime(t) < START_TS - 1800 else t - DAY for t in times)
        for ts in times:
            ts = _worktime(ts)
            self._new_article(site, ts if ts < START_TS - 1800 else ts - DAY)
        site.horizon = START_TS
        self._extend_future(site, START_TS + FUTURE_HORIZON_DAYS * DAY)
        return site

    def _new_article(self, site: Site, published: int, category: Category | None = None) -> Article:
        idx = site.next_idx
        site.next_idx += 1
        rng = random.Random(_h(self.seed, site.id, idx))
        if category is None:
            cats = site.categories
            category = cats[0] if len(cats) == 1 or rng.random() < 0.75 else rng.choice(cats[1:])
        a = Article(site, idx, published, category)
        year = local(published).year
        title = T.make_title(rng, site.unit, year)
        if rng.random() < 0.05:
            title = f"“{title}”"
        a.title = title
        a.num_id = (
            4_000_000 + site.index * 200_000 + idx * 13 + rng.randint(0, 9)
            if site.template == "liferay"
            else 1000 + site.index * 50_000 + idx * 3 + rng.randint(0, 2)
        )
        a.code = "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789")
            for _ in range(8)
        )
        a.V = rng.lognormvariate(5.0, 0.8)
        a.tau = rng.uniform(12.0, 72.0)
        a.r = rng.uniform(0.05, 2.0)
        a.detail_views = site.template != "liferay" or rng.random() < 0.6
        a.has_en = site.template == "liferay" and rng.random() < 0.1
        a.author = rng.choice(T.AUTHORS)
        a.image = rng.random() < 0.6
        slug = T.slugify(title.strip("“”"))
        if site.template == "liferay":
            if title.startswith("“"):
                slug = "-" + slug
            if rng.random() < 0.04:
                slug = slug[:80] + "-1"
        a.slug = slug
        a.key = f"{site.id}:{a.num_id}"
        self._register(site, a)
        return a

    def _register(self, site: Site, a: Article) -> None:
        a.path = article_path(site, a)
        site.articles.append(a)
        site._pub.append(a.published)
        site.by_path[a.path] = a
        self._by_key[a.key] = a

    def _extend_future(self, site: Site, until: int) -> None:
        day0 = (site.horizon + 7 * 3600) // DAY  # local day number
        last = (until + 7 * 3600) // DAY
        for day in range(day0, last + 1):  # the start day too: posts later that day
            rng = random.Random(_h(self.seed, site.id, "day", day))
            k = rng.choice(site.posts_per_day)
            for t in sorted(rng.randint(7 * 3600 + 1800, 17 * 3600 + 1800) for _ in range(k)):
                ts = day * DAY - 7 * 3600 + t
                if ts > site.horizon:
                    self._new_article(site, ts)
        site.horizon = until

    def add_sites(
        self, n: int, template: str = "tandan", articles_per_site: int | None = None
    ) -> list[Site]:
        """Add ``n`` bulk sites of one template (for bulk-import tests); returns them."""
        if template not in TEMPLATES:
            raise ValueError(f"unknown template {template!r}")
        with self.lock:
            count = articles_per_site if articles_per_site is not None else self.articles_per_site
            out = []
            start = sum(1 for s in self.sites.values() if s.id.startswith(f"bulk-{template}-"))
            for i in range(start + 1, start + n + 1):
                rng = random.Random(_h(self.seed, template, "bulk", i))
                place = T.place_name(rng)
                sid = f"bulk-{template}-{i:03d}"
                p = f"/bulk/{template}/{sid}"
                level = "ward" if template in ("liferay", "dnn") else "commune"
                name = f"{'Phường' if level == 'ward' else 'Xã'} {place} {i}"
                cat_path = {
                    "liferay": f"{p}/tin-tuc",
                    "tandan": f"{p}/portal/Pages/tin-tuc.aspx",
                    "dnn": f"{p}/tabid/255/Default.aspx",
                    "plain": f"{p}/tin-tuc/",
                }[template]
                site = Site(
                    sid, name, level, None, template, p,
                    [Category("tin-tuc", "Tin tức - Sự kiện", cat_path)],
                    province="Tỉnh Mô Phỏng",
                )  # fmt: skip
                out.append(self._add_site(site, count))
            self.mut_ver += 1
            return out

    # ------------------------------------------------------------------ lookup
    def site_for_path(self, path: str) -> tuple[Site | None, str]:
        """Longest site prefix of ``path``; returns (site, rest-of-path)."""
        p = path.rstrip("/") if path != "/" else path
        while p:
            s = self._prefix.get(p)
            if s is not None:
                return s, path[len(p) :]
            cut = p.rfind("/")
            if cut <= 0:
                break
            p = p[:cut]
        return None, path

    def article(self, ref: str | Article) -> Article:
        """Find an article by key ("vinh-hung:3155190"), URL or path."""
        if isinstance(ref, Article):
            return ref
        a = self._by_key.get(ref)
        if a is not None:
            return a
        path = ref
        if "://" in path:
            path = "/" + path.split("://", 1)[1].split("/", 1)[1]
        path = path.split("?", 1)[0]
        site, _ = self.site_for_path(path)
        if site is not None and path in site.by_path:
            return site.by_path[path]
        raise KeyError(ref)

    def is_visible(self, a: Article) -> bool:
        return a.published <= self.now

    @property
    def seed_article(self) -> Article:
        return self._by_key[f"vinh-hung:{SEED_ARTICLE_ID}"]

    # ------------------------------------------------------------------ clock
    @property
    def now_dt(self) -> datetime:
        return local(self.now)

    def clock(self) -> dict:
        return {
            "now": self.now_dt.isoformat(),
            "now_utc": utc_iso(self.now),
            "epoch": self.now,
            "start": START.isoformat(),
            "hours_since_start": (self.now - START_TS) / 3600,
        }

    def advance(self, hours: float = 0, *, days: float = 0, churn: bool = False) -> dict:
        """Move the clock forward; scheduled posts become visible, views grow."""
        with self.lock:
            delta = int(round((hours + days * 24) * 3600))
            if delta < 0:
                raise ValueError("the clock only moves forward")
            old = self.now
            self.now += delta
            new_visible = 0
            for site in self.sites.values():
                if site.horizon < self.now + DAY:
                    self._extend_future(site, self.now + FUTURE_HORIZON_DAYS * DAY)
                new_visible += bisect.bisect_right(site._pub, self.now) - bisect.bisect_right(
                    site._pub, old
                )
            changes = self._churn(old, self.now) if churn else []
            self.clock_ver += 1
            return {"now": self.now_dt.isoformat(), "new_posts": new_visible, "churn": changes}

    def _churn(self, old: int, new: int) -> list[dict]:
        """Deterministic edits/removals: per site and local day, maybe one of each."""
        out = []
        d0 = (old + 7 * 3600) // DAY
        d1 = (new + 7 * 3600) // DAY
        for day in range(d0 + 1, d1 + 1):
            for site in self.sites.values():
                rng = random.Random(_h(self.seed, site.id, "churn", day))
                vis = [a for a in site.visible() if not a.fixed_text]
                if not vis:
                    continue
                if rng.random() < 0.2:
                    a = rng.choice(vis[:30])
                    self.edit(a, title=a.title + " (cập nhật)")
                    out.append({"op": "edit", "key": a.key})
                if rng.random() < 0.1:
                    a = rng.choice(vis[:30])
                    self.remove(a)
                    out.append({"op": "remove", "key": a.key, "status": a.removed})
                    vis = [v for v in vis if v is not a]
        return out

    # ------------------------------------------------------------------ mutations
    def edit(
        self, ref: str | Article, title: str | None = None, body: str | None = None
    ) -> Article:
        """Change an article's title and/or body (paragraphs separated by blank lines)."""
        with self.lock:
            a = self.article(ref)
            if title is not None:
                a.title = title
            if body is not None:
                _ = a.lead  # materialise generated text first
                a._paras = [p for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
            a.edited_at = self.now
            a._lm_cache = None
            self.mut_ver += 1
            return a

    def remove(self, ref: str | Article, status: int | None = None) -> Article:
        """Take an article down: gone from lists, its URL answers 404 (or 410 for some)."""
        with self.lock:
            a = self.article(ref)
            if status is None:
                status = 410 if _h(self.seed, a.key, "gone") % 4 == 0 else 404
            if status not in (404, 410):
                raise ValueError("status must be 404 or 410")
            a.removed = status
            a.edited_at = self.now
            self.mut_ver += 1
            return a

    def restore(self, ref: str | Article) -> Article:
        with self.lock:
            a = self.article(ref)
            a.removed = None
            a.edited_at = self.now
            self.mut_ver += 1
            return a

    # ------------------------------------------------------------------ truth, config
    def truth(
        self, site: str | None = None, include_body: bool = True, include_removed: bool = True
    ) -> list[dict]:
        """Ground truth of the published articles (see :mod:`simulator.truth`)."""
        return _truth.truth(self, site, include_body, include_removed)

    def record(self, a: Article, include_body: bool = True) -> dict:
        """The ground-truth record of one article (what its page shows now)."""
        return _truth.truth_record(self, a, include_body)

    def sites_info(self) -> list[dict]:
        return [s.info(self.base_url) for s in self.sites.values()]

    def sites_toml(self, base_url: str | None = None) -> str:
        return sites_toml(self, base_url if base_url is not None else self.base_url)

    def total_articles(self, visible_only: bool = True) -> int:
        if not visible_only:
            return sum(len(s.articles) for s in self.sites.values())
        return sum(bisect.bisect_right(s._pub, self.now) for s in self.sites.values())
