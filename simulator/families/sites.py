"""The families world's nouns: its sites (one theme each), their articles, and the URL scheme
of each theme (list pages, article URLs, the second URLs an article is reachable through).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote

from .. import text as T
from ..model import Article, Category, Site, _h, local
from .themes import THEMES, Theme

# Liferay portlet ids (instance ids are per list)
LR7_PORTLET = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_"
VNPT_PORTLET = "dsnews_WAR_vnpteportalnewsportlet_INSTANCE_"


@dataclass
class FamilyCategory(Category):
    """A list of a family site: ``ident`` is the CMS's own id (WordPress cat, Joomla category
    id, Liferay portlet instance); ``itemid`` the Joomla menu item."""

    ident: str = ""
    itemid: int = 101


@dataclass
class FamilySite(Site):
    """A site of the families world; ``theme`` picks its markup and URL scheme."""

    theme: str = ""
    counts: tuple[int, ...] = ()  # articles per category before the simulated start
    by_num: dict[int, Article] = field(default_factory=dict, repr=False)
    by_slug: dict[str, Article] = field(default_factory=dict, repr=False)
    popular_cache: dict = field(default_factory=dict, repr=False)

    @property
    def spec(self) -> Theme:
        return THEMES[self.theme]

    @property
    def family(self) -> str:
        return self.spec.family

    @property
    def page_size(self) -> int:
        return self.spec.per_page

    @property
    def profile(self) -> str:
        return "auto"

    def info(self, base_url: str = "") -> dict:
        d = super().info(base_url)
        d.update(family=self.family, theme=self.theme, current_template=self.family)
        return d


class FamilyArticle(Article):
    """An article of a family site: ``draft`` (a draft document: its pages print an empty date
    line) and ``cite`` (the dated document its body cites, or "")."""

    __slots__ = ("draft", "cite")

    def _gen_text(self) -> None:
        super()._gen_text()
        if self.draft:
            self._lead = ""  # a draft's page carries no event date of its own
        if self.cite:
            paras = self._paras or []
            self._paras = [self.cite, *paras] if self.draft else [*paras[:1], self.cite, *paras[1:]]


def cited_document(rng: random.Random, published: int) -> str:
    """A sentence citing an older dated document ("Công văn số 2027/STTTT-BCVT ngày 10/10/2017")."""
    d = local(published - rng.randint(20, 900) * 86400)
    kind, org = rng.choice(
        [("Công văn", "STTTT-BCVT"), ("Kế hoạch", "KH-UBND"), ("Quyết định", "QĐ-UBND"),
         ("Hướng dẫn", "HD-SNV"), ("Thông báo", "TB-VP")]
    )  # fmt: skip
    return (
        f"Thực hiện {kind} số {rng.randint(12, 4800)}/{org} ngày {d:%d/%m/%Y} của cơ quan cấp "
        f"trên về việc triển khai nhiệm vụ, đơn vị xây dựng dự thảo và đề nghị các tổ chức, cá "
        f"nhân đóng góp ý kiến trước ngày {rng.randint(1, 28)}/{d.month}/{d.year + 1}."
    )


def draft_title(rng: random.Random, unit: str, year: int) -> str:
    kind = rng.choice(["Quyết định ban hành Quy chế", "Kế hoạch", "Nghị quyết", "Đề án"])
    return f"Lấy ý kiến góp ý dự thảo {kind} về {rng.choice(T.TOPICS)} của {unit} năm {year}"


# ====================================================================== URL schemes


def _slug_of(a: Article) -> str:
    return a.slug  # unique per site (a "-2" suffix when titles repeat)


def article_path(site: FamilySite, a: Article) -> str:
    """The canonical path (+query) of an article (what its ``rel=canonical`` names)."""
    p, th, c = site.path, site.theme, a.category
    s = _slug_of(a)
    if th == "wp-twentyone":
        d = local(a.published)
        return f"{p}/{d:%Y/%m/%d}/{s}/"
    if th == "wp-pagenavi":
        return f"{p}/{s}.html"
    if th == "wp-plain":
        return f"{p}/?p={a.num_id}"
    if th == "j3-protostar":
        return f"{p}/{c.slug}/{a.num_id}-{s}.html"
    if th == "j4-cassiopeia":
        return f"{p}/index.php/{c.slug}/{a.num_id}-{s}"
    if th == "j3-list":
        assert isinstance(c, FamilyCategory)
        return (f"{p}/index.php?option=com_content&view=article&id={a.num_id}:{s}"
                f"&catid={c.ident}&Itemid={c.itemid}")  # fmt: skip
    if th in ("d7", "d9-olivero"):
        return f"{p}/{c.slug}/{s}"
    if th == "d8-mini":
        return f"{p}/node/{a.num_id}"
    if th in ("lr7", "lr73"):
        assert isinstance(c, FamilyCategory)
        return f"{p}/{c.slug}/-/asset_publisher/{c.ident}/content/{s}"
    if th == "vnpt-dsnews":
        return f"{p}/{c.slug}/{s}-{a.num_id}"
    if th == "vnpt-portal2":
        return f"{p}/{c.slug}/chi-tiet/{s}-{a.num_id}.html"
    raise KeyError(th)


def alt_path(site: FamilySite, a: Article, i: int = 0) -> str | None:
    """A second URL of the article that some page links to (None: the theme has none).

    ``i`` varies the query-string variants (Jetpack's related-posts position)."""
    p, th, c = site.path, site.theme, a.category
    s = _slug_of(a)
    if th == "wp-twentyone":
        return f"{a.path}?relatedposts_hit=1&relatedposts_origin={i}&relatedposts_position=0"
    if th == "j3-protostar":
        assert isinstance(c, FamilyCategory)
        return f"{p}/component/content/article/{a.num_id}-{s}.html?catid={c.ident}&Itemid=101"
    if th == "j3-list":
        return f"{p}/index.php?option=com_content&view=article&id={a.num_id}:{s}&Itemid=101"
    if th in ("d7", "d9-olivero"):
        return f"{p}/node/{a.num_id}"
    if th == "vnpt-dsnews":
        return f"{p}/1227/27461/54439/{a.num_id}/{c.slug}/{s}"
    if th == "vnpt-portal2":  # the editors' "Tin nổi bật" box tags its links for analytics
        return f"{a.path}?utm_source=trang-chu&utm_medium=tin-noi-bat"
    if th in ("lr7", "lr73"):  # the same web content shown by the side "Đọc nhiều" asset publisher
        return f"{p}/{c.slug}/-/asset_publisher/{side_instance(site)}/content/{s}"
    return None


def side_instance(site: FamilySite) -> str:
    """Instance id of a Liferay 7 site's side asset publisher ("Đọc nhiều")."""
    rng = random.Random(_h(site.id, "side-instance"))
    return "".join(
        rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789") for _ in range(12)
    )


def list_url(site: FamilySite, cat: FamilyCategory, n: int) -> str:
    """Site-absolute URL (path + query) of list page ``n`` (1-based) in the theme's scheme."""
    base, th, size = cat.list_path, site.theme, site.page_size
    if n <= 1:
        return base
    if th in ("wp-twentyone", "wp-pagenavi"):
        return f"{base}page/{n}/"
    if th == "wp-plain":
        return f"{base}&paged={n}"
    if th in ("j3-protostar", "j4-cassiopeia"):
        return f"{base}?start={(n - 1) * size}"
    if th == "j3-list":
        return f"{base}&limitstart={(n - 1) * size}"
    if th in ("d7", "d9-olivero", "d8-mini"):
        return f"{base}?page={n - 1}"
    if th in ("lr7", "lr73"):
        pid = LR7_PORTLET + cat.ident
        return (f"{base}?p_p_id={pid}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
                f"&_{pid}_delta={size}&p_r_p_resetCur=false&_{pid}_cur={n}")  # fmt: skip
    if th == "vnpt-dsnews":
        pid = VNPT_PORTLET + cat.ident
        return (f"{base}?p_p_id={pid}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
                f"&p_p_col_id=column-2&p_p_col_count=1&_{pid}_delta={size}&_{pid}_keywords="
                f"&_{pid}_advancedSearch=false&_{pid}_andOperator=true&_{pid}_cur={n}")  # fmt: skip
    if th == "vnpt-portal2":
        return f"{base}?offset={(n - 1) * size}"
    raise KeyError(th)


def list_path(theme: Theme, p: str, cat: str, ident: str, itemid: int) -> str:
    """Page 1 of a list (a site's start URL)."""
    th = theme.key
    if th == "wp-twentyone":
        return f"{p}/category/{cat}/"
    if th == "wp-pagenavi":
        return f"{p}/chuyen-muc/{cat}/"
    if th == "wp-plain":
        return f"{p}/?cat={ident}"
    if th == "j3-protostar":
        return f"{p}/{cat}.html"
    if th == "j4-cassiopeia":
        return f"{p}/index.php/{cat}"
    if th == "j3-list":
        return f"{p}/index.php?option=com_content&view=category&id={ident}&Itemid={itemid}"
    return f"{p}/{cat}"


def redirect_href(site: FamilySite, a: Article, from_url: str) -> str:
    """Liferay 7 list links: the article URL with the list page as ``redirect``."""
    return f"{a.path}?inheritRedirect=true&redirect={quote(from_url, safe='')}"


# ====================================================================== routing


def _int(q: dict, name: str, default: int = 0) -> int:
    try:
        return max(0, int(q[name][0]))
    except (KeyError, ValueError, IndexError):
        return default


def route(site: FamilySite, rest: str, query: str) -> tuple[str, object, int]:
    """What a request asks for: ("list", category, page), ("article", article, 0) or
    ("home"|"none", None, 0). ``rest`` is the path after the site prefix."""
    q = parse_qs(query, keep_blank_values=True)
    th, size = site.theme, site.page_size
    cats: list[FamilyCategory] = site.categories  # type: ignore[assignment]
    path = site.path + rest
    if th == "wp-plain" and rest in ("", "/"):
        if "p" in q:
            a = site.by_num.get(_int(q, "p"))
            return ("article", a, 0) if a else ("none", None, 0)
        for c in cats:
            if q.get("cat", [""])[0] == c.ident:
                return "list", c, max(1, _int(q, "paged", 1))
        return "home", None, 0
    if th == "j3-list" and rest == "/index.php":
        view = q.get("view", [""])[0]
        if view == "article":
            num = q.get("id", [""])[0].split(":", 1)[0]
            a = site.by_num.get(int(num)) if num.isdigit() else None
            return ("article", a, 0) if a else ("none", None, 0)
        for c in cats:
            if view == "category" and q.get("id", [""])[0] == c.ident:
                return "list", c, _int(q, "limitstart") // size + 1
        return "none", None, 0
    if rest in ("", "/"):
        return "home", None, 0
    for c in cats:
        lp = c.list_path.split("?", 1)[0]
        if th in ("wp-twentyone", "wp-pagenavi"):
            if path == lp or path == lp.rstrip("/"):
                return "list", c, 1
            tail = path[len(lp) :] if path.startswith(lp + "page/") else ""
            num = tail[5:].strip("/")
            if num.isdigit():
                return "list", c, max(1, int(num))
        elif path == lp:
            if th in ("j3-protostar", "j4-cassiopeia"):
                return "list", c, _int(q, "start") // size + 1
            if th in ("d7", "d9-olivero", "d8-mini"):
                return "list", c, _int(q, "page") + 1
            if th in ("lr7", "lr73"):
                return "list", c, max(1, _int(q, f"_{LR7_PORTLET}{c.ident}_cur", 1))
            if th == "vnpt-dsnews":
                return "list", c, max(1, _int(q, f"_{VNPT_PORTLET}{c.ident}_cur", 1))
            if th == "vnpt-portal2":
                return "list", c, _int(q, "offset") // size + 1
    a = site.by_path.get(path)
    if a is not None:
        return "article", a, 0
    return _route_alt(site, rest)


def _route_alt(site: FamilySite, rest: str) -> tuple[str, object, int]:
    """Second URLs: /node/N (Drupal), Joomla's /component/ form, VNPT's numeric path."""
    th, parts = site.theme, rest.strip("/").split("/")
    num: str | None = None
    if th in ("d7", "d9-olivero") and len(parts) == 2 and parts[0] == "node":
        num = parts[1]
    elif th == "j3-protostar" and rest.startswith("/component/content/article/"):
        num = parts[-1].split("-", 1)[0]
    elif th == "vnpt-dsnews" and len(parts) >= 5 and parts[:3] == ["1227", "27461", "54439"]:
        num = parts[3]
    elif th in ("lr7", "lr73") and len(parts) == 6 and parts[1:3] == ["-", "asset_publisher"]:
        a = site.by_slug.get(parts[5]) if parts[3] == side_instance(site) else None
        ok = a is not None and a.category.slug == parts[0]
        return ("article", a, 0) if ok else ("none", None, 0)
    a = site.by_num.get(int(num)) if num and num.isdigit() else None
    return ("article", a, 0) if a is not None and a.path != site.path + rest else ("none", None, 0)


def make_site(sid: str, name: str, level: str, province: str, theme: str, path: str,
              cats: list[tuple[str, str]], counts: tuple[int, ...]) -> FamilySite:  # fmt: skip
    """A family site with its lists (slug, breadcrumb name) in the theme's URL scheme."""
    spec = THEMES[theme]
    categories: list[Category] = []
    for i, (slug, cname) in enumerate(cats):
        rng = random.Random(_h(sid, slug, "ident"))
        ident = (
            "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789")
                    for _ in range(12))
            if spec.family in ("liferay7", "vnpt") else str(8 + i * 3)
        )  # fmt: skip
        itemid = 115 + i
        categories.append(FamilyCategory(slug, cname, list_path(spec, path, slug, ident, itemid),
                                         ident=ident, itemid=itemid))  # fmt: skip
    return FamilySite(sid, name, level, None, spec.family, path, categories, province=province,
                      theme=theme, counts=counts)  # fmt: skip
