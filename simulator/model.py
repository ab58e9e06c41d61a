"""The world's nouns: sites, categories and articles, the simulated time zone, stable hashes.

Plain data with the arithmetic that belongs to it (an article's views over time, its lazily
generated text, a site's visible list). The :class:`simulator.world.Simulator` owns and mutates
these objects; :mod:`simulator.national` makes lighter ones with the same interface.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from . import text as T

VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 20, 8, 0, tzinfo=VN_TZ)
START_TS = int(START.timestamp())
DAY = 86400
TEMPLATES = ("liferay", "tandan", "dnn", "plain")
PROFILE_OF = {"liferay": "liferay", "tandan": "tandan", "dnn": "dnn", "plain": "auto"}
PAGE_SIZE = {"liferay": 20, "tandan": 15, "dnn": 10, "plain": 12}
FUTURE_HORIZON_DAYS = 14

SEED_ARTICLE_ID = 3155190
SEED_PUBLISHED = datetime(2020, 8, 1, 16, 20, tzinfo=VN_TZ)
SEED_VIEWS = 129

WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]


def _h(*parts: object) -> int:
    """Stable 64-bit hash of the parts (Python's hash() is salted per process)."""
    data = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _unit(*parts: object) -> float:
    return _h(*parts) / 2**64


def utc_iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, VN_TZ)


# ====================================================================== data classes


@dataclass
class Category:
    slug: str  # "tin-tuc"
    name: str  # "Tin tức - Sự kiện" (breadcrumb text)
    list_path: str  # "/hoangmai/cac-phuong/vinh-hung/tin-tuc" (page 1)
    tabid: int = 255  # DNN only


class Article:
    __slots__ = (
        "site", "idx", "key", "num_id", "code", "slug", "title", "category", "published",
        "V", "tau", "r", "detail_views", "has_en", "removed", "edited_at", "_lead",
        "_paras", "author", "image", "_lm_cache", "path", "fixed_text",
    )  # fmt: skip

    def __init__(self, site: Site, idx: int, published: int, category: Category):
        self.site = site
        self.idx = idx
        self.published = published
        self.category = category
        self.removed: int | None = None  # HTTP status (404/410) once removed
        self.edited_at: int | None = None
        self._lead: str | None = None
        self._paras: list[str] | None = None
        self._lm_cache: tuple | None = None
        self.fixed_text = False

    # -- content ---------------------------------------------------------------
    def _gen_text(self) -> None:
        rng = random.Random(_h(self.site.sim.seed, self.site.id, self.idx, "body"))
        d = local(self.published)
        self._lead = T.make_lead(rng, self.site.unit, d.day, d.month, d.year)
        self._paras = T.make_paragraphs(rng, self.site.unit, d.year)

    @property
    def lead(self) -> str:
        if self._lead is None:
            self._gen_text()
        return self._lead  # type: ignore[return-value]

    @property
    def paragraphs(self) -> list[str]:
        if self._paras is None:
            self._gen_text()
        return self._paras  # type: ignore[return-value]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def summary(self) -> str:
        src = self.lead or (self.paragraphs[0] if self.paragraphs else "")
        src = src.replace("\xa0", " ").strip()
        if len(src) <= 200:
            return src
        cut = src[:200].rsplit(" ", 1)[0]
        return cut + "..."

    # -- views -------------------------------------------------------------------
    def views_at(self, ts: int) -> int:
        age_h = (ts - self.published) / 3600.0
        if age_h <= 0:
            return 0
        return int(self.V * (1.0 - math.exp(-age_h / self.tau)) + self.r * age_h / 24.0)

    def en_views_at(self, ts: int) -> int:
        v = self.views_at(ts)
        return v // 5 + 3 if v else 0

    def views_changed_at(self, ts: int) -> int:
        """Earliest second t <= ts at which views_at(t) == views_at(ts)."""
        target = self.views_at(ts)
        lo, hi = self.published, ts
        while lo < hi:
            mid = (lo + hi) // 2
            if self.views_at(mid) >= target:
                hi = mid
            else:
                lo = mid + 1
        return lo

    @property
    def live(self) -> bool:
        return self.removed is None

    def __repr__(self) -> str:
        return f"<Article {self.key} {self.title[:40]!r}>"


class SiteFacts:
    """What render.py asks of any site beyond its fields (the core world's and the national one's)."""

    __slots__ = ()
    template: str
    path: str
    categories: list[Category]

    @property
    def page_size(self) -> int:
        return PAGE_SIZE[self.template]

    @property
    def profile(self) -> str:
        return PROFILE_OF[self.template]

    @property
    def list_paths(self) -> list[str]:
        return [c.list_path for c in self.categories]

    def home_path(self) -> str:
        return self.path + "/"



@dataclass
class Site(SiteFacts):
    id: str
    name: str  # "Phường Vĩnh Hưng"
    level: str  # district / ward / commune
    parent: str | None
    template: str  # URL scheme + original markup
    path: str  # "/hoangmai/cac-phuong/vinh-hung"
    categories: list[Category]
    province: str = ""
    unit: str = ""  # "phường Vĩnh Hưng" as used in running text
    index: int = 0
    posts_per_day: tuple[int, ...] = (1, 2, 2, 3)
    detail_clock: str = "24h"  # liferay: "24h" (wards, "Ngày đăng" label) or "12h" (district)
    variant: int = 1  # tandan/dnn: 2 = the second markup flavour (renamed/moved date and count)
    children: list[str] = field(default_factory=list)
    sim: Any = field(default=None, repr=False)  # the owning world.Simulator
    articles: list[Article] = field(default_factory=list, repr=False)
    by_path: dict[str, Article] = field(default_factory=dict, repr=False)
    _pub: list[int] = field(default_factory=list, repr=False)
    _vis: dict = field(default_factory=dict, repr=False)
    horizon: int = 0
    next_idx: int = 0

    def visible(self, category: Category | None = None) -> list[Article]:
        """Live, published articles, newest first (cached per clock/mutation version)."""
        sim = self.sim
        key = (sim.clock_ver, sim.mut_ver, category.slug if category else None)
        hit = self._vis.get(key)
        if hit is not None:
            return hit
        n = bisect.bisect_right(self._pub, sim.now)
        out = [
            a
            for a in reversed(self.articles[:n])
            if a.removed is None and (category is None or a.category is category)
        ]
        if len(self._vis) > 16:
            self._vis.clear()
        self._vis[key] = out
        return out

    def info(self, base_url: str = "") -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            "template": self.template,
            "current_template": self.sim.effective_faults(self.id).template or self.template,
            "variant": self.variant,
            "profile": self.profile,
            "province": self.province,
            "path": self.path,
            "home_url": base_url + self.home_path(),
            "start_urls": [base_url + p for p in self.list_paths],
            "categories": [
                {"slug": c.slug, "name": c.name, "url": base_url + c.list_path}
                for c in self.categories
            ],
            "page_size": self.page_size,
            "children": list(self.children),
        }


def _worktime(ts: int) -> int:
    """Move a timestamp into office hours (07:00-21:59 local), minute precision."""
    d = local(ts)
    hour = d.hour if 7 <= d.hour <= 21 else 7 + d.hour % 15
    return int(d.replace(hour=hour, second=0, microsecond=0).timestamp())


def article_path(site: Site, a: Article) -> str:
    """Canonical path of an article (by the site's original URL scheme)."""
    tpl = site.template
    if tpl == "liferay":
        return f"{site.path}/{a.category.slug}/-/view_content/{a.num_id}-{a.slug}.html"
    if tpl == "tandan":
        d = local(a.published)
        return f"{site.path}/portal/Pages/{d.year}-{d.month}-{d.day}/{T.title_slug(a.slug)}-{a.code}.aspx"
    if tpl == "dnn":
        return (
            f"{site.path}/tabid/{a.category.tabid}/post/{a.num_id}/{T.title_slug(a.slug, 80)}.aspx"
        )
    return f"{site.path}/{a.category.slug}/{a.slug[:70].rstrip('-')}-{a.num_id}.html"
