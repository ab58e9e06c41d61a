"""Routing and page contexts of the families world (markup: templates/<family>/*.html.j2).

``respond(world, path, query)`` returns a :class:`simulator.render.Page`. This module decides
what a page holds (items, pager, sidebars, visitor counters, canonical URL); the themes decide
how dates and counts are printed (:mod:`simulator.families.themes`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..model import START_TS, Article, _h, local, utc_iso
from ..render import Page, _render, gone_page, not_found_page
from ..text import fmt_thousands
from . import pagers
from .sites import (
    LR7_PORTLET,
    VNPT_PORTLET,
    FamilyCategory,
    FamilySite,
    alt_path,
    list_url,
    redirect_href,
    route,
)
from .themes import article_date, date_label, iso, list_date, list_views_text, views_text

# ====================================================================== routing


def respond(world: Any, path: str, query: str) -> Page:
    site, rest = world.site_for_path(path)
    if not isinstance(site, FamilySite):
        return not_found_page(None, path)
    kind, obj, page = route(site, rest, query)
    if kind == "home":
        html = _render("common/home.html.j2", site=site, html_class=site.family,
                       latest=site.visible()[:5])  # fmt: skip
        return Page(200, html, "home", site=site)
    if kind == "list":
        assert isinstance(obj, FamilyCategory)
        return list_page(world, site, obj, page)
    if kind == "article":
        assert isinstance(obj, Article)
        return article_page(world, site, obj)
    return not_found_page(site, path)


# ====================================================================== shared parts


@dataclass(slots=True)
class Row:
    """One list item as the family templates print it."""

    href: str
    title: str
    summary: str
    date: str | None
    iso: str
    iso_utc: str
    views: str | None
    count: int
    num_id: int
    image: bool


def _abs(world: Any, p: str) -> str:
    return world.base_url + p


def article_href(world: Any, site: FamilySite, a: Article, from_url: str = "") -> str:
    """How list items link an article (absolute for WordPress and Liferay, as they print)."""
    if site.family == "wordpress":
        return _abs(world, a.path)
    if site.theme in ("lr7", "lr73"):
        return _abs(world, redirect_href(site, a, from_url))
    return a.path


def canonical(world: Any, site: FamilySite, a: Article) -> str:
    """``<link rel="canonical">`` as each CMS writes it (Drupal 7: a site-absolute path)."""
    return a.path if site.theme == "d7" else _abs(world, a.path)


def popular(world: Any, site: FamilySite, k: int) -> list[Article]:
    """The ``k`` most viewed live articles now (the "Đọc nhiều" blocks)."""
    key = (world.clock_ver, world.mut_ver)
    hit = site.popular_cache.get(key)
    if hit is None:
        now = world.now
        hit = sorted(site.visible(), key=lambda a: (-a.views_at(now), -a.published))[:12]
        site.popular_cache.clear()
        site.popular_cache[key] = hit
    return hit[:k]


def sidebar(world: Any, site: FamilySite) -> list[dict]:
    """The theme's side blocks of repeated links: (title, css class, items (href, title, note))."""
    th, now = site.theme, world.now
    latest = site.visible()[:6]
    pop = popular(world, site, 8)
    hidden = world.effective_faults(site.id).hide_views  # a site hiding counts hides them all

    def block(title: str, cls: str, arts: list[Article], note=None, alt: bool = False) -> dict:
        items = []
        for a in arts:
            p = alt_path(site, a, a.num_id) if alt else None
            href = p or a.path
            if site.family in ("wordpress", "liferay7"):
                href = _abs(world, href)
            items.append((href, a.title, note(a.views_at(now)) if note and not hidden else None))
        return {"title": title, "cls": cls, "links": items}

    k = fmt_thousands
    if th == "wp-twentyone":
        return [
            block("Tin mới", "widget_recent_entries", latest),
            block("Đọc nhiều", "widget_views", pop, lambda n: f" - {k(n)} lượt xem"),
        ]
    if th == "wp-pagenavi":
        return [
            block(
                "Tin xem nhiều", "widget_post_views_counter_list_widget", pop, lambda n: f"({k(n)})"
            ),
            block("Tin mới", "widget_recent_entries", latest),
        ]
    if th == "wp-plain":
        return [
            block("Tin mới", "td_block_1", latest),
            block("Phổ biến", "td_block_popular", pop[:5]),
        ]
    if th == "j3-protostar":
        return [
            block("Tin mới", "latestnews", latest),
            block("Đọc nhiều", "mostread", pop, alt=True),
        ]
    if th == "j4-cassiopeia":
        return [block("Tin mới nhất", "mod-articleslatest latestnews", latest)]
    if th == "j3-list":
        return [block("Tin mới", "latestnews", site.visible()[:8], alt=True)]
    if th == "d7":
        return [
            block("Bài đọc nhiều", "block-statistics", pop, alt=True),
            block("Tin mới", "block-views", latest),
        ]
    if th == "d9-olivero":
        return [block("Nội dung phổ biến", "block-statistics-popular", pop[:6], alt=True)]
    if th == "d8-mini":
        return [block("Tin xem nhiều", "block-views-tin-xem-nhieu", pop, lambda n: f"({k(n)})")]
    if th in ("lr7", "lr73"):
        return [block("Tin mới", "tin-moi", latest), block("Đọc nhiều", "doc-nhieu", pop, alt=True)]
    if th == "vnpt-dsnews":
        return [block("Tin đọc nhiều", "tin-doc-nhieu", pop, alt=True)]
    return [block("Tin nổi bật", "tin-noi-bat", latest[:3], alt=True),
            block("Tin xem nhiều", "tin-xem-nhieu", pop[:6])]  # fmt: skip


def counter(world: Any, site: FamilySite) -> dict:
    """A site-wide visitor counter (footer): never an article's count."""
    hours = max(0, world.now - START_TS) // 3600
    return {
        "online": 3 + _h(world.seed, site.id, "online", hours) % 40,
        "today": 120 + _h(world.seed, site.id, "today", hours // 24) % 900,
        "total": 250_000 + site.index * 37_123 + (world.now - START_TS) // 40,
    }


def _common(world: Any, site: FamilySite, title: str) -> dict:
    return {"site": site, "theme": site.theme, "base": world.base_url, "title": title,
            "side": sidebar(world, site), "counter": counter(world, site), "k": fmt_thousands}  # fmt: skip


# ====================================================================== list pages


def list_page(world: Any, site: FamilySite, cat: FamilyCategory, page: int) -> Page:
    items = site.visible(cat)
    size, total, th = site.page_size, len(items), site.theme
    last = max(1, math.ceil(total / size))
    if page > last:
        if site.family == "wordpress":
            return not_found_page(site, cat.list_path)
        if site.family in ("drupal", "liferay7") or th == "vnpt-dsnews":
            page = last  # Drupal's pager and Liferay clamp the page number
    here = _abs(world, list_url(site, cat, page))
    rows = []
    for a in items[(page - 1) * size : page * size]:
        n = a.views_at(world.now)
        shown = world.shows_views(a, "list")
        draft = a.draft  # type: ignore[attr-defined]
        rows.append(Row(article_href(world, site, a, here), a.title, a.summary,
                        None if draft else list_date(th, a.published), iso(a.published),
                        utc_iso(a.published),
                        list_views_text(th, n) if shown else None, n, a.num_id, a.image))  # fmt: skip
    ctx = _common(world, site, cat.name)
    ctx.update(pid=_pid(site, cat), current=list_url(site, cat, page),
               url=_hrefs(world, site, cat))  # fmt: skip
    ctx.update(cat=cat, items=rows, page=page, last=last, total=total, size=size,
               first_i=(page - 1) * size + 1 if rows else 0, last_i=(page - 1) * size + len(rows),
               pager=_pager(world, site, cat, page, last), here=here,
               url_last=_hrefs(world, site, cat)(last),
               here_abs=_abs(world, cat.list_path.split("?")[0]))  # fmt: skip
    if th in ("lr7", "lr73", "vnpt-portal2"):
        ctx["pager"] = pagers.clay(page, last, _hrefs(world, site, cat))
    return Page(200, _render(f"{site.family}/list.html.j2", **ctx), "list", site=site)


def _hrefs(world: Any, site: FamilySite, cat: FamilyCategory):
    """How the theme's pager writes the link to page n."""
    th = site.theme
    if th in ("d9-olivero", "d8-mini"):
        return lambda n: f"?page={n - 1}"  # query-only, zero-based
    if th == "vnpt-portal2":
        return lambda n: f"{cat.slug}?offset={(n - 1) * site.page_size}"  # document-relative
    if site.family in ("wordpress", "liferay7", "vnpt"):
        return lambda n: _abs(world, list_url(site, cat, n))
    return lambda n: list_url(site, cat, n)


def _pager(world: Any, site: FamilySite, cat: FamilyCategory, page: int, last: int) -> list:
    href, th = _hrefs(world, site, cat), site.theme
    if th == "wp-twentyone":
        return pagers.wordpress(page, last, href, mid=0)
    if th in ("wp-pagenavi", "wp-plain"):
        return pagers.wordpress(page, last, href, mid=2)
    if site.family == "joomla":
        return pagers.window(page, last, href, 10, ends=False, first_last=True)
    if th == "d7":
        return pagers.window(page, last, href, 9, first_last=True)
    if th == "d9-olivero":
        return pagers.window(page, last, href, 5, first_last=True)
    if th == "d8-mini":
        return pagers.mini(page, last, href)
    return pagers.window(page, last, href, last, ends=False, first_last=True)


# ====================================================================== article pages


def article_page(world: Any, site: FamilySite, a: Article) -> Page:
    if a.published > world.now:
        return not_found_page(site, a.path)
    if a.removed is not None:
        kind = "gone" if a.removed == 410 else "not_found"
        return Page(a.removed, gone_page(site, a.removed), kind, site=site)
    th, n = site.theme, a.views_at(world.now)
    shown = world.shows_views(a, "article")
    draft = a.draft  # type: ignore[attr-defined]
    ctx = _common(world, site, a.title)
    ctx.update(
        a=a, cat=a.category, canonical=canonical(world, site, a), iso=iso(a.published),
        iso_utc=utc_iso(a.published),
        date=None if draft else article_date(th, a.published), label=date_label(th),
        views=views_text(th, n) if shown else None, count=n, shown=shown, draft=draft,
        related=_related(world, site, a), jsonld=_jsonld(world, site, a, n if shown else None),
        neighbours=_neighbours(site, a), here_abs=_abs(world, a.path.split("?")[0]),
        pid=_pid(site, a.category), current=a.path, others=_others(site, a),  # type: ignore[arg-type]
    )  # fmt: skip
    return Page(
        200, _render(f"{site.family}/article.html.j2", **ctx), "article", article=a, site=site
    )


def _pid(site: FamilySite, cat: FamilyCategory) -> str:
    """The list's portlet id (Liferay 7 asset publisher, VNPT's news portlet)."""
    return (VNPT_PORTLET if site.theme == "vnpt-dsnews" else LR7_PORTLET) + cat.ident


def _others(site: FamilySite, a: Article) -> list[dict]:
    """ "Các tin khác" (vnpt-dsnews): five older articles of the list, with their dates."""
    vis = [o for o in site.visible(a.category) if o.published < a.published and not o.draft]  # type: ignore[attr-defined]
    return [
        {"path": o.path, "title": o.title, "date": f"{local(o.published):%d/%m/%Y}"}
        for o in vis[:5]
    ]


def _neighbours(site: FamilySite, a: Article) -> dict:
    """The newer ("prev") and older ("next") article of the same list (Joomla's pagenavigation)."""
    vis = site.visible(a.category)
    i = vis.index(a) if a in vis else -1
    return {"prev": vis[i - 1] if i > 0 else None,
            "next": vis[i + 1] if 0 <= i < len(vis) - 1 else None}  # fmt: skip


def _related(world: Any, site: FamilySite, a: Article) -> list[tuple[str, str]]:
    """Jetpack's related posts (wp-twentyone): links carrying ``relatedposts_*`` queries."""
    if site.theme != "wp-twentyone":
        return []
    others = [o for o in site.visible(a.category)[:8] if o is not a][:3]
    return [(_abs(world, alt_path(site, o, a.num_id) or o.path), o.title) for o in others]


def _jsonld(world: Any, site: FamilySite, a: Article, views: int | None) -> Markup | None:
    """schema.org NewsArticle with interactionStatistic (wp-plain's SEO plugin)."""
    if site.theme != "wp-plain":
        return None
    data: dict = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
        "datePublished": iso(a.published), "mainEntityOfPage": _abs(world, a.path),
    }  # fmt: skip
    if views is not None:
        data["interactionStatistic"] = {"@type": "InteractionCounter",
                                        "interactionType": "https://schema.org/ViewAction",
                                        "userInteractionCount": views}  # fmt: skip
    text = json.dumps(data, ensure_ascii=False)
    safe = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(safe)  # noqa: S704 - JSON with <, >, & escaped for a <script> element
