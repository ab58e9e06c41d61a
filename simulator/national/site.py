"""One lazy national portal: its seeded size, faults and publication rhythm (the timeline)."""

from __future__ import annotations

import bisect
import math
import random
from typing import Any

from ..model import (
    DAY,
    START_TS,
    Article,
    Category,
    SiteFacts,
    _h,
)
from .articles import LazyArticles


class NationalSite(SiteFacts):
    """One portal: what render.py expects of a Site, plus its host, size and rhythm."""

    __slots__ = (
        "id", "name", "level", "parent", "template", "host", "path", "categories", "province",
        "province_slug", "unit", "index", "detail_clock", "children", "sim", "n_past", "rate",
        "faults", "district", "variant",
    )  # fmt: skip

    def __init__(self, sim: Any, index: int, sid: str, name: str, level: str, parent: str | None,
                 template: str, host: str, path: str, province: str, province_slug: str):  # fmt: skip
        self.sim, self.index, self.id, self.name, self.level, self.parent = sim, index, sid, name, level, parent
        self.template, self.host, self.path = template, host, path
        self.province, self.province_slug = province, province_slug
        self.unit = name[:1].lower() + name[1:]
        self.detail_clock = "24h"
        # provinces on Tân Dân or DNN run one of the two flavours of their platform (TEMPLATES.md)
        self.variant = 1 + _h(sim.seed, province_slug, "flavour") % 2 if template in ("tandan", "dnn") else 1
        self.children: list[str] = []
        self.district = host.split(".", 1)[0] if path else None
        self.categories = [Category("tin-tuc", "Tin tức - Sự kiện", _list_path(template, path))]
        rng = random.Random(_h(sim.seed, sid, "size"))
        lo, hi = sim.sizes
        self.n_past = int(round(math.exp(rng.uniform(math.log(lo), math.log(hi)))))
        self.rate = min(5.0, rng.lognormvariate(math.log(1.3), 0.5))  # mean posts per weekday
        self.faults = _base_faults(rng, sim.fault_shares)

    # -- render.Site interface (the rest comes from model.SiteFacts) --------------------------
    def visible(self, category: Category | None = None) -> LazyArticles:
        return LazyArticles(self, self.sim.visible_count(self))

    # -- national ---------------------------------------------------------------------------
    def url(self, path: str = "") -> str:
        return f"http://{self.host}:{self.sim.port}{path}"

    @property
    def start_urls(self) -> list[str]:
        return [self.url(p) for p in self.list_paths]

    def article(self, idx: int) -> Article:
        return self.sim.article(self, idx)

    def kind(self) -> str:
        """healthy / slow / flaky / down (the seeded fault, before overrides)."""
        f = self.faults
        return "down" if f.get("down") else "slow" if f.get("slow_ms") else "flaky" if f.get("error_rate") else "healthy"

    def info(self) -> dict:
        return {
            "id": self.id, "name": self.name, "level": self.level, "parent": self.parent,
            "template": self.template, "profile": self.profile, "province": self.province,
            "host": self.host, "path": self.path, "home_url": self.url(self.home_path()),
            "start_urls": self.start_urls, "articles_before_start": self.n_past,
            "posts_per_weekday": round(self.rate, 3), "fault": self.kind(),
        }  # fmt: skip

    def __repr__(self) -> str:
        return f"<NationalSite {self.id} {self.host}{self.path}>"


def _list_path(template: str, path: str) -> str:
    return {
        "liferay": f"{path}/tin-tuc",
        "tandan": f"{path}/portal/Pages/tin-tuc.aspx",
        "dnn": f"{path}/tabid/255/Default.aspx",
        "plain": f"{path}/tin-tuc/",
    }[template]


def _base_faults(rng: random.Random, shares: tuple[float, float, float]) -> dict:
    slow, flaky, down = shares
    u = rng.random()
    if u < down:
        return {"down": True}
    if u < down + slow:
        return {"slow_ms": rng.randint(1000, 3000)}
    if u < down + slow + flaky:
        return {"error_rate": round(rng.uniform(0.1, 0.4), 2)}
    return {}


def _timeline(seed: int, site: NationalSite, horizon: int) -> list[int]:
    """Past posts spread over a span that fits the site's rate, then a seeded day-by-day
    rhythm: Poisson(rate) posts a weekday (a quarter of that at weekends), at most 5, all in
    office hours (07:30-17:30 local). Each future day depends only on (seed, site, day)."""
    rng = random.Random(_h(seed, site.id, "past"))
    span = min(6 * 365, max(60, int(site.n_past / max(site.rate, 0.2) * 1.4)))
    day0 = (START_TS + 7 * 3600) // DAY  # local day number of the start
    base = 1800  # local 07:30 as an offset from the UTC day start (UTC+7)
    rnd = rng.random
    out = sorted((day0 - 1 - int(rnd() * span)) * DAY + base + int(rnd() * 600) * 60 for _ in range(site.n_past))
    return out + _future(seed, site, horizon)


def _future(seed: int, site: NationalSite, horizon: int) -> list[int]:
    """Posts after the start, up to ``horizon`` (ascending); independent of the past."""
    day0 = (START_TS + 7 * 3600) // DAY
    base = 1800  # local 07:30 as an offset from the UTC day start (UTC+7)
    weekday_cdf, weekend_cdf = _poisson_cdf(site.rate), _poisson_cdf(site.rate * 0.25)
    out: list[int] = []
    for day in range(day0, (horizon + 7 * 3600) // DAY + 1):
        u = _h(seed, site.id, "day", day) / 2**64
        cdf = weekend_cdf if (day + 3) % 7 >= 5 else weekday_cdf  # day 0 (1970-01-01) was a Thursday
        k = bisect.bisect_right(cdf, u)
        if k:
            times = sorted(_h(seed, site.id, "at", day, j) % 600 * 60 for j in range(k))
            out.extend(ts for t in times if START_TS < (ts := day * DAY + base + t) <= horizon)
    return out


def _poisson_cdf(lam: float, cap: int = 5) -> list[float]:
    """Cumulative P(k <= i) for i < cap (a value past the last one means ``cap`` posts)."""
    out, p, acc = [], math.exp(-lam), 0.0
    for i in range(cap):
        acc += p
        out.append(acc)
        p *= lam / (i + 1)
    return out
