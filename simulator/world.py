"""The simulated world: sites, articles, a clock, mutations, faults and ground truth.

Everything is a deterministic function of ``seed`` plus the calls made on the
:class:`Simulator` (``advance``, ``edit``, ``remove``, ``set_faults`` ...). Pages are rendered
lazily by :mod:`simulator.render`; article bodies are generated on first use.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import threading
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources

import tomlkit

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


@dataclass
class Faults:
    error_rate: float = 0.0
    slow_ms: int = 0
    malformed: bool = False
    hide_views: bool = False
    down: bool = False
    template: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


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


@dataclass
class Site:
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
    sim: Simulator = field(default=None, repr=False)  # type: ignore[assignment]
    articles: list[Article] = field(default_factory=list, repr=False)
    by_path: dict[str, Article] = field(default_factory=dict, repr=False)
    _pub: list[int] = field(default_factory=list, repr=False)
    _vis: dict = field(default_factory=dict, repr=False)
    horizon: int = 0
    next_idx: int = 0

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


# ====================================================================== the simulator


class Simulator:
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
        self.fault_ver = 0
        self.base_url = ""
        self.lock = threading.RLock()
        self.sites: dict[str, Site] = {}
        self._prefix: dict[str, Site] = {}
        self._by_key: dict[str, Article] = {}
        self.global_faults = Faults()
        self.site_faults: dict[str, dict] = {}
        self.faults_changed_at: dict[str, int] = {}
        self._attempts: dict[str, int] = {}
        self.stats: dict[str, int] = {}
        self._stats_lock = threading.Lock()
        self.reset_stats()
        self._build_core()
        if extra_sites:
            self.add_sites(extra_sites, extra_template)

    # ------------------------------------------------------------------ building
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
        times = sorted(
            START_TS - 3600 - int(rng.random() * span_days * DAY) for _ in range(n_past)
        )
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
        a.code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(8))
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

    def _build_core(self) -> None:
        n = self.articles_per_site
        hm = "/hoangmai"
        self._add_site(
            Site(
                "hoang-mai", "Quận Hoàng Mai", "district", None, "liferay", hm,
                [
                    Category("tin-tuc", "Tin tức - Sự kiện", f"{hm}/tin-tuc"),
                    Category("thong-bao", "Thông báo", f"{hm}/thong-bao"),
                ],
                province="Hà Nội", unit="quận Hoàng Mai", detail_clock="12h",
            ),
            n,
        )  # fmt: skip
        for wid, wname in [
            ("vinh-hung", "Vĩnh Hưng"),
            ("hoang-liet", "Hoàng Liệt"),
            ("tuong-mai", "Tương Mai"),
            ("dinh-cong", "Định Công"),
        ]:
            p = f"{hm}/cac-phuong/{wid}"
            site = self._add_site(
                Site(
                    wid, f"Phường {wname}", "ward", "hoang-mai", "liferay", p,
                    [
                        Category("tin-tuc", f"phường {wname.lower()}", f"{p}/tin-tuc"),
                        Category("thong-bao", "Thông báo", f"{p}/thong-bao"),
                    ],
                    province="Hà Nội", posts_per_day=(0, 1, 1, 2),
                ),
                n - 1 if wid == "vinh-hung" else n,
            )  # fmt: skip
            if wid == "vinh-hung":
                self._add_seed_article(site)
        for xid, xname in [("quang-phu", "Quảng Phú"), ("dong-tien", "Đông Tiến"), ("hoang-dong", "Hoằng Đồng")]:
            p = f"/thanhhoa/xa-{xid}"
            self._add_site(
                Site(
                    f"xa-{xid}", f"Xã {xname}", "commune", None, "tandan", p,
                    [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/portal/Pages/tin-tuc.aspx")],
                    province="Thanh Hóa",
                ),
                n,
            )  # fmt: skip
        p = "/bacninh/phuong-dai-phuc"
        self._add_site(
            Site(
                "dai-phuc", "Phường Đại Phúc", "ward", None, "dnn", p,
                [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/tabid/255/Default.aspx", 255)],
                province="Bắc Ninh",
            ),
            n,
        )  # fmt: skip
        p = "/eakao"
        self._add_site(
            Site(
                "ea-kao", "Xã Ea Kao", "commune", None, "plain", p,
                [
                    Category("tin-tuc", "Tin tức", f"{p}/tin-tuc/"),
                    Category("thong-bao", "Thông báo", f"{p}/thong-bao/"),
                ],
                province="Đắk Lắk",
            ),
            n,
        )  # fmt: skip
        # second flavours of the Tân Dân and DNN markup (another province, another version)
        p = "/hatinh/xa-thach-kim"
        self._add_site(
            Site(
                "xa-thach-kim", "Xã Thạch Kim", "commune", None, "tandan", p,
                [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/portal/Pages/tin-tuc.aspx")],
                province="Hà Tĩnh", variant=2,
            ),
            n,
        )  # fmt: skip
        p = "/bacninh/phuong-vo-cuong"
        self._add_site(
            Site(
                "vo-cuong", "Phường Võ Cường", "ward", None, "dnn", p,
                [Category("tin-tuc", "Tin tức - Sự kiện", f"{p}/tabid/310/Default.aspx", 310)],
                province="Bắc Ninh", variant=2,
            ),
            n,
        )  # fmt: skip

    def _add_seed_article(self, site: Site) -> None:
        raw = resources.files("simulator").joinpath("data/seed-article-vinh-hung.txt")
        lines = raw.read_text(encoding="utf-8").split("\n")
        title = lines[2]
        body = "\n".join(lines[5:]).rstrip("\n")
        published = int(SEED_PUBLISHED.timestamp())
        a = Article(site, site.next_idx, published, site.categories[0])
        site.next_idx += 1
        a.title = title
        a.num_id = SEED_ARTICLE_ID
        a.code = "VhSeed01"
        a.slug = T.slugify(title)
        a.key = f"{site.id}:{a.num_id}"
        a.V, a.tau = 110.0, 24.0
        age_days = (START_TS - published) / DAY
        a.r = (SEED_VIEWS + 0.5 - a.V * (1 - math.exp(-age_days * 24 / a.tau))) / age_days
        a.detail_views = True
        a.has_en = True
        a.author = ""
        a.image = False
        a.fixed_text = True
        a._lead = ""
        a._paras = body.split("\n\n")
        # keep the articles list sorted by publication time
        a.path = article_path(site, a)
        pos = bisect.bisect_right(site._pub, published)
        site.articles.insert(pos, a)
        site._pub.insert(pos, published)
        site.by_path[a.path] = a
        self._by_key[a.key] = a
        assert a.views_at(START_TS) == SEED_VIEWS

    def add_sites(self, n: int, template: str = "tandan", articles_per_site: int | None = None) -> list[Site]:
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
    def edit(self, ref: str | Article, title: str | None = None, body: str | None = None) -> Article:
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

    # ------------------------------------------------------------------ faults
    def set_faults(self, site: str | None = None, **kw) -> dict:
        """Set faults globally (site=None) or for one site. Unknown names raise."""
        with self.lock:
            bad = set(kw) - set(Faults.names())
            if bad:
                raise ValueError(f"unknown fault(s): {sorted(bad)}")
            if "template" in kw and kw["template"] not in (None, *TEMPLATES):
                raise ValueError(f"unknown template {kw['template']!r}")
            if site is None:
                for k, v in kw.items():
                    setattr(self.global_faults, k, v)
                for sid in self.sites:
                    self.faults_changed_at[sid] = self.now
            else:
                if site not in self.sites:
                    raise KeyError(site)
                self.site_faults.setdefault(site, {}).update(kw)
                self.faults_changed_at[site] = self.now
            self.fault_ver += 1
            return self.faults()

    def clear_faults(self, site: str | None = None) -> dict:
        with self.lock:
            if site is None:
                self.global_faults = Faults()
                self.site_faults.clear()
            else:
                self.site_faults.pop(site, None)
            for sid in self.sites:
                self.faults_changed_at[sid] = self.now
            self.fault_ver += 1
            return self.faults()

    def switch_template(self, site: str, template: str | None) -> None:
        """The site starts rendering with another template (URLs stay the same)."""
        self.set_faults(site=site, template=template)

    def effective_faults(self, site_id: str | None) -> Faults:
        f = Faults(**asdict(self.global_faults))
        if site_id is not None:
            for k, v in self.site_faults.get(site_id, {}).items():
                setattr(f, k, v)
        return f

    def faults(self) -> dict:
        return {"global": asdict(self.global_faults), "sites": dict(self.site_faults)}

    def should_fail(self, url: str, rate: float) -> bool:
        """Deterministic from seed + url + attempt number."""
        with self.lock:
            attempt = self._attempts.get(url, 0) + 1
            self._attempts[url] = attempt
        return _unit(self.seed, url, attempt, "err") < rate

    # ------------------------------------------------------------------ views/text as shown
    def shows_views(self, a: Article, where: str) -> bool:
        """Does the page (where='list' or 'article') print a view count for ``a`` now?"""
        f = self.effective_faults(a.site.id)
        if f.hide_views:
            return False
        tpl = f.template or a.site.template
        if where == "list":
            return tpl != "plain"
        if tpl == "liferay":
            return a.detail_views
        return True

    def last_modified(self, a: Article) -> int:
        key = (self.clock_ver, self.mut_ver, self.fault_ver)
        if a._lm_cache is not None and a._lm_cache[0] == key:
            return a._lm_cache[1]
        lm = max(a.published, a.edited_at or 0, self.faults_changed_at.get(a.site.id, 0))
        if self.shows_views(a, "article"):
            lm = max(lm, a.views_changed_at(self.now))
        if a.has_en:
            pass  # the English page has its own counter; Last-Modified follows the vi page
        a._lm_cache = (key, lm)
        return lm

    # ------------------------------------------------------------------ truth
    def truth(self, site: str | None = None, include_body: bool = True, include_removed: bool = True) -> list[dict]:
        from . import render

        with self.lock:
            out = []
            sites = [self.sites[site]] if site else list(self.sites.values())
            for s in sites:
                n = bisect.bisect_right(s._pub, self.now)
                for a in reversed(s.articles[:n]):
                    if a.removed is not None and not include_removed:
                        continue
                    out.append(render.truth_record(self, a, include_body))
            return out

    def sites_info(self) -> list[dict]:
        return [s.info(self.base_url) for s in self.sites.values()]

    def sites_toml(self, base_url: str | None = None) -> str:
        return sites_toml(self, base_url if base_url is not None else self.base_url)

    # ------------------------------------------------------------------ stats
    def reset_stats(self) -> None:
        """Counters of requests served: list / article / other pages, plus details."""
        self.stats = {
            "total": 0, "list": 0, "article": 0, "home": 0, "other": 0, "sim": 0,
            "robots": 0, "not_found": 0, "gone": 0, "errors_500": 0, "down_503": 0,
            "not_modified": 0, "bytes": 0,
        }  # fmt: skip

    def count(self, kind: str, nbytes: int = 0, total: bool = True) -> None:
        """Count one served request (``total`` also counts it in stats["total"])."""
        with self._stats_lock:
            st = self.stats
            st[kind] = st.get(kind, 0) + 1
            st["bytes"] += nbytes
            if total:
                st["total"] += 1

    def get_stats(self) -> dict:
        with self._stats_lock:
            return dict(self.stats)

    def total_articles(self, visible_only: bool = True) -> int:
        if not visible_only:
            return sum(len(s.articles) for s in self.sites.values())
        return sum(bisect.bisect_right(s._pub, self.now) for s in self.sites.values())


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
        return f"{site.path}/tabid/{a.category.tabid}/post/{a.num_id}/{T.title_slug(a.slug, 80)}.aspx"
    return f"{site.path}/{a.category.slug}/{a.slug[:70].rstrip('-')}-{a.num_id}.html"


# ====================================================================== sites.toml


def sites_toml(sim: Simulator, base_url: str) -> str:
    """The simulator's sites as `[[site]]` tables; tomlkit quotes the (untrusted-looking) names."""
    base = base_url.rstrip("/")
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Sites of the portal simulator (seed {sim.seed}) at {base}"))
    sites = tomlkit.aot()
    for s in sim.sites.values():
        t = tomlkit.table()
        t["id"], t["name"], t["level"] = s.id, s.name, s.level
        if s.parent:
            t["parent"] = s.parent
        t["start_urls"] = [base + p for p in s.list_paths]
        t["profile"] = s.profile
        sites.append(t)
    doc["site"] = sites
    return tomlkit.dumps(doc)
