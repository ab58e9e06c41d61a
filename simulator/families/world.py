"""The families world: commune and ward sites on WordPress, Joomla, Drupal, Liferay 7 and VNPT
ePortal, each on one theme variant (:mod:`simulator.families.themes`).

:class:`FamiliesWorld` is a :class:`simulator.world.Simulator` (clock, advance, edits,
removals, faults, stats, the HTTP server and its control API) with other sites, its own pages
(:meth:`FamiliesWorld.respond`) and its own ground truth (:meth:`FamiliesWorld.truth`,
:meth:`FamiliesWorld.lists`).

    world = FamiliesWorld(seed=1)
    with serve(world) as h:
        world.sites_toml(h.base_url)   # profile = "auto", no selectors
        world.truth("xa-an-phu")       # what every article page shows now
"""

from __future__ import annotations

import random

from .. import text as T
from ..model import DAY, FUTURE_HORIZON_DAYS, START_TS, Article, _h, _worktime, local
from ..world import Simulator
from . import pages as _pages
from . import truth as _truth
from .sites import (
    FamilyArticle,
    FamilySite,
    alt_path,
    article_path,
    cited_document,
    draft_title,
    make_site,
    route,
)

# id, name, level, province, theme, path, lists (slug, name), articles per list at the start
SITES: list[tuple] = [
    ("xa-an-phu", "Xã An Phú", "commune", "An Giang", "wp-twentyone", "/wordpress/xa-an-phu",
     [("tin-tuc", "Tin tức"), ("thong-bao", "Thông báo")], (43, 32)),
    ("phuong-tan-an", "Phường Tân An", "ward", "Cần Thơ", "wp-pagenavi", "/wordpress/phuong-tan-an",
     [("tin-tuc-su-kien", "Tin tức - Sự kiện"), ("thong-bao", "Thông báo")], (51, 38)),
    ("xa-hoa-binh", "Xã Hòa Bình", "commune", "Cà Mau", "wp-plain", "/wordpress/xa-hoa-binh",
     [("tin-tuc", "Tin tức")], (44,)),
    ("xa-tan-lap", "Xã Tân Lập", "commune", "Phú Thọ", "j3-protostar", "/joomla/xa-tan-lap",
     [("tin-tuc", "Tin tức"), ("thong-bao", "Thông báo")], (42, 31)),
    ("phuong-hoa-an", "Phường Hòa An", "ward", "Đà Nẵng", "j4-cassiopeia", "/joomla/phuong-hoa-an",
     [("tin-tuc", "Tin tức - Sự kiện")], (43,)),
    ("xa-phu-my", "Xã Phú Mỹ", "commune", "Đồng Tháp", "j3-list", "/joomla/xa-phu-my",
     [("tin-tuc", "Tin tức")], (64,)),
    ("xa-vinh-thanh", "Xã Vĩnh Thạnh", "commune", "Cần Thơ", "d7", "/drupal/xa-vinh-thanh",
     [("tin-tuc", "Tin tức"), ("du-thao", "Dự thảo văn bản")], (43, 34)),
    ("phuong-my-long", "Phường Mỹ Long", "ward", "An Giang", "d9-olivero", "/drupal/phuong-my-long",
     [("tin-tuc-su-kien", "Tin tức - Sự kiện")], (51,)),
    ("xa-long-hoa", "Xã Long Hòa", "commune", "Vĩnh Long", "d8-mini", "/drupal/xa-long-hoa",
     [("tin-tuc", "Tin tức")], (42,)),
    ("xa-thanh-son", "Xã Thanh Sơn", "commune", "Quảng Ninh", "lr7", "/web/xa-thanh-son",
     [("tin-tuc", "Tin tức - Sự kiện"), ("du-thao", "Lấy ý kiến dự thảo")], (63, 62)),
    ("phuong-hong-gai", "Phường Hồng Gai", "ward", "Quảng Ninh", "lr73", "/web/phuong-hong-gai",
     [("tin-tuc", "Tin tức")], (67,)),
    ("xa-sa-pa", "Xã Sa Pả", "commune", "Lào Cai", "vnpt-dsnews", "/vnpt/xa-sa-pa",
     [("tin-tuc-su-kien", "Tin tức - Sự kiện"), ("du-thao", "Dự thảo văn bản")], (64, 49)),
    ("phuong-kim-tan", "Phường Kim Tân", "ward", "Lào Cai", "vnpt-portal2", "/vnpt/phuong-kim-tan",
     [("tin-tuc", "Tin tức")], (63,)),
]  # fmt: skip


class FamiliesWorld(Simulator):
    """A deterministic world of sites on the CMS families (see TEMPLATES.md, "CMS families").

    ``only``: build just these site ids (tests); ``sites`` keeps the order of :data:`SITES`.
    """

    def __init__(self, seed: int = 1, only: list[str] | None = None):
        self._only = set(only) if only else None
        super().__init__(seed=seed, articles_per_site=0)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        for sid, name, level, province, theme, path, cats, counts in SITES:
            if self._only is None or sid in self._only:
                site = make_site(sid, name, level, province, theme, path, cats, counts)
                site.posts_per_day = (0, 1, 1, 2)
                self._add_site(site, 0)

    def _add_site(self, site, n_past: int):  # type: ignore[no-untyped-def]
        """Add a site and its past articles: exactly ``site.counts[i]`` in list ``i``."""
        site.sim = self
        site.index = len(self.sites)
        site.unit = site.name[:1].lower() + site.name[1:]
        self.sites[site.id] = site
        self._prefix[site.path] = site
        rng = random.Random(_h(self.seed, site.id, "past"))
        cats = [c for c, n in zip(site.categories, site.counts, strict=True) for _ in range(n)]
        rng.shuffle(cats)
        span = max(200, len(cats) * 8) * DAY
        raw = (_worktime(START_TS - 3 * 3600 - int(rng.random() * span)) for _ in cats)
        times = sorted(min(ts, START_TS - 3600) for ts in raw)
        for ts, cat in zip(times, cats, strict=True):
            self._new_article(site, ts, cat)
        site.horizon = START_TS
        self._extend_future(site, START_TS + FUTURE_HORIZON_DAYS * DAY)
        return site

    def _new_article(self, site, published: int, category=None) -> Article:  # type: ignore[no-untyped-def]
        idx = site.next_idx
        site.next_idx += 1
        rng = random.Random(_h(self.seed, site.id, idx))
        cats = site.categories
        if category is None:
            category = cats[0] if len(cats) == 1 or rng.random() < 0.7 else rng.choice(cats[1:])
        a = FamilyArticle(site, idx, published, category)
        a.draft = site.spec.drafts == category.slug
        year = local(published).year
        title = draft_title(rng, site.unit, year) if a.draft else T.make_title(rng, site.unit, year)
        if not a.draft and rng.random() < 0.05:
            title = f"“{title}”"
        a.title = title
        a.num_id = 100 + idx * 3 + rng.randint(0, 2)
        a.code = ""
        a.V = rng.lognormvariate(5.0, 0.8)
        a.tau = rng.uniform(12.0, 72.0)
        a.r = rng.uniform(0.05, 2.0)
        a.detail_views, a.has_en, a.fixed_text = True, False, False
        a.author = rng.choice(T.AUTHORS)
        a.image = rng.random() < 0.6
        a.cite = cited_document(rng, published) if a.draft or rng.random() < 0.3 else ""
        base = T.slugify(title.strip("“”"), 64).rstrip("-")
        slug, k = base, 2
        while slug in site.by_slug:
            slug, k = f"{base}-{k}", k + 1
        a.slug = slug
        a.key = f"{site.id}:{a.num_id}"
        self._register(site, a)
        return a

    def _register(self, site, a: Article) -> None:  # type: ignore[no-untyped-def]
        a.path = article_path(site, a)
        site.articles.append(a)
        site._pub.append(a.published)
        site.by_path[a.path] = a
        site.by_num[a.num_id] = a
        site.by_slug[a.slug] = a
        self._by_key[a.key] = a

    def add_sites(self, n: int, template: str = "tandan", articles_per_site: int | None = None):  # type: ignore[no-untyped-def]
        raise ValueError("the families world has no bulk sites")

    # ------------------------------------------------------------------ lookup, pages
    def article(self, ref: str | Article) -> Article:
        """Find an article by key ("xa-an-phu:103"), or by any URL/path that serves it."""
        if isinstance(ref, Article):
            return ref
        a = self._by_key.get(ref)
        if a is not None:
            return a
        path = ref
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        p, _, query = path.partition("?")
        site, rest = self.site_for_path(p)
        if isinstance(site, FamilySite):
            kind, obj, _ = route(site, rest, query)
            if kind == "article" and isinstance(obj, Article):
                return obj
        raise KeyError(ref)

    def respond(self, path: str, query: str) -> _pages.Page:
        """The page at ``path?query`` (the HTTP server calls this instead of render.respond)."""
        return _pages.respond(self, path, query)

    def alt_url(self, a: Article) -> str | None:
        """The second URL of ``a`` that some page links to (None: its theme has none)."""
        p = alt_path(a.site, a)  # type: ignore[arg-type]
        return self.base_url + p if p else None

    # ------------------------------------------------------------------ views, faults
    def shows_views(self, a: Article, where: str) -> bool:
        if self.effective_faults(a.site.id).hide_views:
            return False
        return a.site.spec.list_views if where == "list" else True  # type: ignore[attr-defined]

    def set_faults(self, site: str | None = None, **kw) -> dict:
        if kw.get("template") is not None:
            raise ValueError("sites of the families world cannot switch template")
        return super().set_faults(site, **kw)

    # ------------------------------------------------------------------ truth
    def truth(
        self, site: str | None = None, include_body: bool = True, include_removed: bool = True
    ) -> list[dict]:
        """Ground truth of the published articles (see :mod:`simulator.families.truth`)."""
        return _truth.truth(self, site, include_body, include_removed)

    def record(self, a: Article, include_body: bool = True) -> dict:
        return _truth.truth_record(self, a, include_body)

    def lists(self, site: str) -> list[dict]:
        """Every list of a site: its pages' URLs and the article keys on each page."""
        return _truth.lists(self, site)
