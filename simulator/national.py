"""The national world: 34 province portals and 3,321 commune portals on their own host names.

Built lazily. Constructing a :class:`NationalWorld` makes only small :class:`NationalSite`
records (name, host, template, size, rhythm, faults); a site's publication timeline is a pure
function of (seed, site) computed on first use and kept in a small LRU, and article ``i`` is a
pure function of (seed, site, i), generated on demand (also LRU-cached). Pages are rendered by
:mod:`simulator.render`'s own functions, so the profiles read national pages like any other.

Hosts: ``<province>.sim.test`` (the province portal) and ``<unit-slug>.<province>.sim.test``
(a commune, ward or special zone); Hanoi's units are sub-sites under their old district host,
``hoangmai.hanoi.sim.test/vinh-hung/...``. :mod:`simulator.hosts` serves it over HTTP.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
from collections import OrderedDict
from dataclasses import asdict
from urllib.parse import parse_qs

import tomlkit

from . import render
from . import text as T
from .faults import Faults
from .model import (
    DAY,
    PAGE_SIZE,
    PROFILE_OF,
    START_TS,
    Article,
    Category,
    _h,
    article_path,
    local,
)
from .truth import truth_record

SUFFIX = "sim.test"
NATIONAL_TEMPLATES = ("liferay", "tandan", "dnn", "plain")  # the templates a province may use
FUTURE_DAYS = 30  # a timeline reaches this far past the clock; extended when the clock passes it
_B32 = "abcdefghijkmnpqrstuvwxyz23456789"  # Tân Dân short codes: 4 random + 4 encoding the index

# 6 centrally run cities + 28 provinces: (slug, name, communes, of which phường, đặc khu).
# Totals: 3,321 units = 2,621 xã + 687 phường + 13 đặc khu (../shared/portals.md).
PROVINCES: tuple[tuple[str, str, int, int, int], ...] = (
    ("hanoi", "Thành phố Hà Nội", 126, 51, 0),
    ("hochiminh", "Thành phố Hồ Chí Minh", 168, 113, 1),
    ("haiphong", "Thành phố Hải Phòng", 114, 45, 2),
    ("danang", "Thành phố Đà Nẵng", 94, 23, 1),
    ("hue", "Thành phố Huế", 40, 21, 0),
    ("cantho", "Thành phố Cần Thơ", 103, 31, 0),
    ("tuyenquang", "Tỉnh Tuyên Quang", 124, 7, 0),
    ("caobang", "Tỉnh Cao Bằng", 56, 3, 0),
    ("laichau", "Tỉnh Lai Châu", 38, 2, 0),
    ("laocai", "Tỉnh Lào Cai", 99, 10, 0),
    ("thainguyen", "Tỉnh Thái Nguyên", 92, 15, 0),
    ("dienbien", "Tỉnh Điện Biên", 45, 3, 0),
    ("langson", "Tỉnh Lạng Sơn", 65, 4, 0),
    ("sonla", "Tỉnh Sơn La", 75, 8, 0),
    ("phutho", "Tỉnh Phú Thọ", 148, 15, 0),
    ("bacninh", "Tỉnh Bắc Ninh", 99, 33, 0),
    ("quangninh", "Tỉnh Quảng Ninh", 54, 30, 2),
    ("hungyen", "Tỉnh Hưng Yên", 104, 11, 0),
    ("ninhbinh", "Tỉnh Ninh Bình", 129, 32, 0),
    ("thanhhoa", "Tỉnh Thanh Hóa", 166, 19, 0),
    ("nghean", "Tỉnh Nghệ An", 130, 11, 0),
    ("hatinh", "Tỉnh Hà Tĩnh", 69, 9, 0),
    ("quangtri", "Tỉnh Quảng Trị", 78, 8, 1),
    ("quangngai", "Tỉnh Quảng Ngãi", 96, 9, 1),
    ("gialai", "Tỉnh Gia Lai", 135, 25, 0),
    ("khanhhoa", "Tỉnh Khánh Hòa", 65, 16, 1),
    ("lamdong", "Tỉnh Lâm Đồng", 124, 20, 1),
    ("daklak", "Tỉnh Đắk Lắk", 102, 14, 0),
    ("dongnai", "Tỉnh Đồng Nai", 95, 23, 0),
    ("tayninh", "Tỉnh Tây Ninh", 96, 14, 0),
    ("vinhlong", "Tỉnh Vĩnh Long", 124, 19, 0),
    ("dongthap", "Tỉnh Đồng Tháp", 102, 20, 0),
    ("angiang", "Tỉnh An Giang", 102, 14, 3),
    ("camau", "Tỉnh Cà Mau", 64, 9, 0),
)
# Hanoi's old districts: their portals still host the new units as sub-sites (paths).
HANOI_DISTRICTS = (
    "hoankiem", "badinh", "tayho", "longbien", "caugiay", "dongda", "haibatrung", "hoangmai",
    "thanhxuan", "namtuliem", "bactuliem", "hadong", "sontay",  # urban: the phường
    "bavi", "phuctho", "danphuong", "hoaiduc", "quocoai", "thachthat", "chuongmy", "thanhoai",
    "thuongtin", "phuxuyen", "unghoa", "myduc", "thanhtri", "gialam", "donganh", "melinh", "socson",
)  # fmt: skip
_URBAN_DISTRICTS = 13
_HIGHLANDS = {"daklak", "gialai", "lamdong", "kontum"}
_SYLLABLES = (
    "An", "Bình", "Cẩm", "Châu", "Đại", "Điền", "Đông", "Đức", "Gia", "Hải", "Hà", "Hòa", "Hồng",
    "Hưng", "Hương", "Khánh", "Kim", "Lạc", "Lâm", "Liên", "Long", "Lộc", "Mỹ", "Minh", "Nam",
    "Nghĩa", "Ngọc", "Nhân", "Phong", "Phú", "Phúc", "Quang", "Quảng", "Quế", "Sơn", "Tân",
    "Thạch", "Thái", "Thanh", "Thành", "Thịnh", "Thuận", "Thượng", "Tiến", "Trung", "Trường",
    "Tường", "Văn", "Vĩnh", "Xuân", "Yên", "Vân", "Hoằng", "Thiệu", "Triệu", "Cát", "Bảo",
)  # fmt: skip
_HIGHLAND_HEADS = ("Ea", "Krông", "Cư", "Buôn", "Đắk", "Ia", "Chư", "Kon", "Dray", "Ea")
_HIGHLAND_TAILS = (
    "Kao", "Súp", "Pắc", "Bông", "Năng", "Hiao", "Drăng", "Tul", "M'gar", "Pông", "Kly", "Sê",
    "Grai", "Rông", "Pơng", "Wer", "Yang", "Bang", "Lốp", "H'leo", "Ktur", "Sin", "Tân", "Ô",
)  # fmt: skip
_KIND = {"xa": ("Xã", "commune"), "phuong": ("Phường", "ward"), "dac-khu": ("Đặc khu", "special_zone")}


class LazyArticles:
    """The visible articles of one site (or category), newest first, generated as sliced."""

    __slots__ = ("site", "n")

    def __init__(self, site: NationalSite, n: int):
        self.site, self.n = site, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self.site.article(self.n - 1 - p) for p in range(*key.indices(self.n))]
        if key < 0:
            key += self.n
        if not 0 <= key < self.n:
            raise IndexError(key)
        return self.site.article(self.n - 1 - key)

    def __iter__(self):
        return (self.site.article(i) for i in range(self.n - 1, -1, -1))


class NationalSite:
    """One portal: what render.py expects of a Site, plus its host, size and rhythm."""

    __slots__ = (
        "id", "name", "level", "parent", "template", "host", "path", "categories", "province",
        "province_slug", "unit", "index", "detail_clock", "children", "sim", "n_past", "rate",
        "faults", "district", "variant",
    )  # fmt: skip

    def __init__(self, sim: NationalWorld, index: int, sid: str, name: str, level: str, parent: str | None,
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

    # -- render.Site interface -------------------------------------------------------------
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


def _unit_names(rng: random.Random, n: int, highland: bool, taken: set[str]) -> list[str]:
    out = []
    while len(out) < n:
        if highland and rng.random() < 0.35:
            name = f"{rng.choice(_HIGHLAND_HEADS)} {rng.choice(_HIGHLAND_TAILS)}"
        else:
            name = " ".join(rng.sample(_SYLLABLES, 2))
        key = T.slugify(name)
        if key not in taken:
            taken.add(key)
            out.append(name)
    return out


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


# ====================================================================== pure generators


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


class NationalArticle(Article):
    """An Article whose lead (all a list page needs) is generated without the body."""

    __slots__ = ()

    @property
    def lead(self) -> str:
        if self._lead is None:  # the first draw of Article._gen_text's generator: same text
            rng = random.Random(_h(self.site.sim.seed, self.site.id, self.idx, "body"))
            d = local(self.published)
            self._lead = T.make_lead(rng, self.site.unit, d.day, d.month, d.year)
        return self._lead


def _make_article(seed: int, site: NationalSite, idx: int, published: int) -> Article:
    rng = random.Random(_h(seed, site.id, idx))
    a = NationalArticle(site, idx, published, site.categories[0])  # type: ignore[arg-type]
    title = T.make_title(rng, site.unit, local(published).year)
    a.title = f"“{title}”" if rng.random() < 0.05 else title
    if site.template == "liferay":
        a.num_id = 4_000_000 + site.index * 200_000 + idx * 13 + rng.randint(0, 9)
    else:
        a.num_id = 1000 + site.index * 50_000 + idx * 3 + rng.randint(0, 2)
    a.code = "".join(rng.choice(_B32) for _ in range(4)) + _b32(idx)
    a.V = rng.lognormvariate(5.0, 0.8)
    a.tau = rng.uniform(12.0, 72.0)
    a.r = rng.uniform(0.05, 2.0)
    a.detail_views = site.template != "liferay" or rng.random() < 0.6
    a.has_en = False
    a.author = rng.choice(T.AUTHORS)
    a.image = rng.random() < 0.6
    slug = T.slugify(a.title.strip("“”"))
    if site.template == "liferay" and a.title.startswith("“"):
        slug = "-" + slug
    a.slug = slug
    a.key = f"{site.id}:{a.num_id}"
    a.path = article_path(site, a)  # type: ignore[arg-type]
    return a


def _b32(n: int) -> str:
    return "".join(_B32[(n >> s) & 31] for s in (15, 10, 5, 0))


def _index_from_path(site: NationalSite, path: str) -> int | None:
    """Article index encoded in a canonical article path (None if it is not one)."""
    rest = path[len(site.path):]
    try:
        if site.template == "liferay":
            tail = rest.split("/-/view_content/", 1)[1]
            return (int(tail.split("-", 1)[0]) - 4_000_000 - site.index * 200_000) // 13
        if site.template == "tandan":
            code = rest.rsplit("-", 1)[1].removesuffix(".aspx")
            return sum(_B32.index(c) << s for c, s in zip(code[-4:], (15, 10, 5, 0), strict=True))
        if site.template == "dnn":
            return (int(rest.split("/post/", 1)[1].split("/", 1)[0]) - 1000 - site.index * 50_000) // 3
        return (int(rest.rsplit("-", 1)[1].removesuffix(".html")) - 1000 - site.index * 50_000) // 3
    except (IndexError, ValueError):
        return None


def _int(q: dict, name: str) -> int:
    try:
        return max(1, int(q.get(name, ["1"])[0]))
    except ValueError:
        return 1


def _respond(sim: NationalWorld, site: NationalSite, path: str, query: str) -> render.Page:
    rest = path[len(site.path):]
    if rest in ("", "/") or rest in ("/portal/Pages/default.aspx", "/Default.aspx"):
        return render.Page(200, render.home_page(sim, site), "home", site=site)  # type: ignore[arg-type]
    q = parse_qs(query) if query else {}
    cat = site.categories[0]
    tpl = site.template
    if tpl == "liferay" and rest.rstrip("/") == "/" + cat.slug:
        return render.list_page(sim, site, cat, _int(q, "_101_cur"))  # type: ignore[arg-type]
    if tpl in ("tandan", "dnn") and path == cat.list_path:
        return render.list_page(sim, site, cat, _int(q, "PageIndex" if tpl == "tandan" else "page"))  # type: ignore[arg-type]
    if tpl == "plain":
        if path in (cat.list_path, cat.list_path.rstrip("/")):
            return render.list_page(sim, site, cat, _int(q, "p"))  # type: ignore[arg-type]
        num = path[len(cat.list_path) + 6 : -4] if path.startswith(cat.list_path + "trang-") and path.endswith(".htm") else ""
        if num.isdigit() and int(num) >= 1:
            return render.list_page(sim, site, cat, int(num))  # type: ignore[arg-type]
    printable = tpl == "liferay" and "/-/view_content/pop_up/" in rest
    if printable:
        path = path.replace("/-/view_content/pop_up/", "/-/view_content/", 1)
    a = sim.article_at(site, path)
    if a is not None:
        return render.article_page(sim, site, a, printable=printable)  # type: ignore[arg-type]
    return render.not_found_page(site, path)  # type: ignore[arg-type]


def _district_page(sim: NationalWorld, host: str) -> str:
    wards = sorted(sim.districts[host].values(), key=lambda s: s.name)
    items = "".join(f'<li><a href="{s.home_path()}">{T.esc(s.name)}</a></li>' for s in wards)
    return (
        '<!DOCTYPE html><html class="aui ltr" lang="vi-VN"><head><meta charset="utf-8">'
        f"<title>Cổng thông tin điện tử - {T.esc(host)}</title></head><body>"
        f'<h1 class="site-title">Các đơn vị hành chính</h1><ul class="danh-sach-phuong">{items}</ul></body></html>'
    )


# ====================================================================== sites.toml


def national_sites_toml(world: NationalWorld, site_ids: list[str] | None = None, *, port: int | None = None,
                        settings: dict | None = None) -> str:  # fmt: skip
    """A complete sites.toml for these national sites: `[portalwatch]` (with the hosts mapping
    that sends ``*.sim.test`` to 127.0.0.1) and one [[site]] per site, URLs with the port."""
    port = port if port is not None else world.port
    ids = site_ids or list(world.sites)
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"{len(ids)} sites of the national simulator (seed {world.seed}) on port {port}"))
    head = tomlkit.table()
    for k, v in {"contact_url": "https://github.com/portalwatch/portalwatch", **(settings or {})}.items():
        head[k] = v
    hosts = tomlkit.inline_table()
    hosts[SUFFIX] = "127.0.0.1"
    head["hosts"] = hosts
    doc["portalwatch"] = head
    sites = tomlkit.aot()
    # the units these sites belong to, declared (not crawled) when they are not in the list
    parents = [p for p in dict.fromkeys(world.sites[sid].parent for sid in ids) if p and p not in ids]
    for sid in [*ids, *parents]:
        s = world.sites[sid]
        t = tomlkit.table()
        t["id"], t["name"], t["level"] = s.id, s.name, s.level
        if s.parent:
            t["parent"] = s.parent
        t["start_urls"] = [f"http://{s.host}:{port}{p}" for p in s.list_paths]
        t["profile"] = s.profile
        if sid not in ids:
            t["enabled"] = False
        sites.append(t)
    doc["site"] = sites
    return tomlkit.dumps(doc)
