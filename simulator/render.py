"""Routing and HTML rendering for the four site templates (see TEMPLATES.md).

``respond(sim, path, query)`` returns a :class:`Page`; the HTTP layer adds caching headers.
The markup is in templates/<cms>/*.html.j2 (compiled once); this module routes a request and
builds each template's context from the world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, partial
from urllib.parse import parse_qs, quote

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from . import text as T
from .formats import (
    current_template,
    detail_date,
    detail_label,
    flavour,
    list_date,
    list_views_text,
    print_path,
    views_text,
)
from .model import Article, Category, Site, local
from .world import Simulator


@dataclass
class Page:
    status: int
    html: str
    kind: str  # list / article / home / other / not_found / gone
    article: Article | None = None
    site: Site | None = None
    location: str | None = None


# ====================================================================== routing


def page_url(site: Site, cat: Category, n: int) -> str:
    """URL of list page ``n`` (1-based) in the site's original URL scheme."""
    tpl = site.template
    if tpl == "liferay":
        return (
            f"{cat.list_path}?p_p_id=101&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
            f"&_101_delta={site.page_size}&_101_cur={n}"
        )
    if tpl == "tandan":
        return f"{cat.list_path}?PageIndex={n}"
    if tpl == "dnn":
        return f"{cat.list_path}?page={n}"
    return cat.list_path if n == 1 else f"{cat.list_path}trang-{n}.htm"


def _int(q: dict, name: str, default: int = 1) -> int:
    try:
        return max(1, int(q.get(name, [default])[0]))
    except (TypeError, ValueError):
        return default


def respond(sim: Simulator, path: str, query: str) -> Page:
    lang = "vi"
    if path.startswith("/en/"):
        lang = "en"
        path = path[3:]
    site, rest = sim.site_for_path(path)
    if site is None:
        return not_found_page(None, path)
    q = parse_qs(query) if query else {}
    tpl = site.template
    if lang == "en":
        a = site.by_path.get(path)
        if tpl == "liferay" and a is not None and a.has_en:
            return article_page(sim, site, a, lang="en")
        return not_found_page(site, path)
    if rest in ("", "/"):
        return Page(200, home_page(sim, site), "home", site=site)
    if tpl == "liferay":
        if rest.rstrip("/") == "/cac-phuong" and site.children:
            return Page(200, wards_page(sim, site), "home", site=site)
        for cat in site.categories:
            if rest.rstrip("/") == "/" + cat.slug:
                return list_page(sim, site, cat, _int(q, "_101_cur"))
        if "/-/view_content/pop_up/" in rest:
            a = site.by_path.get(path.replace("/-/view_content/pop_up/", "/-/view_content/", 1))
            if a is not None:
                return article_page(sim, site, a, printable=True)
    elif tpl == "tandan":
        if rest == "/portal/Pages/default.aspx":
            return Page(200, home_page(sim, site), "home", site=site)
        for cat in site.categories:
            if path == cat.list_path:
                return list_page(sim, site, cat, _int(q, "PageIndex"))
    elif tpl == "dnn":
        if rest == "/Default.aspx":
            return Page(200, home_page(sim, site), "home", site=site)
        for cat in site.categories:
            if path == cat.list_path:
                return list_page(sim, site, cat, _int(q, "page"))
    else:
        for cat in site.categories:
            if path == cat.list_path or path == cat.list_path.rstrip("/"):
                return list_page(sim, site, cat, _int(q, "p"))
            if path.startswith(cat.list_path + "trang-") and path.endswith(".htm"):
                num = path[len(cat.list_path) + 6 : -4]
                if num.isdigit() and int(num) >= 1:
                    return list_page(sim, site, cat, int(num))
    a = site.by_path.get(path)
    if a is not None:
        return article_page(sim, site, a)
    return not_found_page(site, path)


# ====================================================================== templates
# The markup lives in templates/<cms>/*.html.j2 (see TEMPLATES.md); this module only builds
# each template's context. Autoescape is on; ``finalize`` escapes every {{ value }} with the
# simulator's own table (text.esc: &amp; &lt; &gt; &quot;, as the original CMSes do), so the
# pages stay byte-identical to the markup they copy. Filters returning Markup mark the places
# that deliberately emit raw entities or script text.


def _finalize(value: object, _esc=T.esc, _new=str.__new__) -> Markup:
    if isinstance(value, Markup):
        return value
    return _new(Markup, _esc(value if isinstance(value, str) else str(value)))  # skips Markup()


_ENV = Environment(
    loader=PackageLoader("simulator", "templates"),
    autoescape=True,
    finalize=_finalize,
    undefined=StrictUndefined,
    auto_reload=False,
    cache_size=-1,
)
_safe = partial(str.__new__, Markup)  # Markup(s) without its Python-level __new__
_ENV.filters.update(
    entity=lambda s: _safe(T.entity_encode(s)),  # named entities (Liferay's HTML escaping)
    esc_nbsp=lambda s: _safe(T.esc_nbsp(s)),  # escaped, with &nbsp; kept visible
    lr_title=lambda s: _safe(T.esc(s).replace("&quot;", "&#034;")),  # Liferay list titles
    js_url=lambda s: _safe(s.replace("/", "\\x2f")),  # Liferay.currentURL inside <script>
    urlquote=lambda s, safe="": quote(s, safe=safe),
)


@cache
def template(name: str) -> Template:
    """A compiled template (compiled once per process)."""
    return _ENV.get_template(name)


def _render(_template: str, **ctx) -> str:
    return template(_template).render(ctx)


# ====================================================================== pages


@dataclass(slots=True)
class _Row:
    """One item of a list page, as the list templates print it."""

    href: str
    title: str
    summary: str
    date: str
    views: str | None  # the count as printed, None when hidden
    count: int
    image: bool
    num_id: int
    code: str


def list_page(sim: Simulator, site: Site, cat: Category, page: int) -> Page:
    tpl = current_template(sim, site)
    items = site.visible(cat)
    size = site.page_size
    total = len(items)
    last = max(1, math.ceil(total / size))
    if page > last:
        if site.template == "liferay":
            page = last  # Liferay clamps _101_cur
        elif site.template == "plain":
            return not_found_page(site, cat.list_path)
    chunk = items[(page - 1) * size : page * size]
    fl = flavour(site, tpl)
    now = sim.now
    rows = []
    for a in chunk:
        shown = sim.shows_views(a, "list")
        n = a.views_at(now) if shown else 0
        rows.append(
            _Row(
                a.path, a.title, a.summary, list_date(fl, a.published),
                list_views_text(fl, n) if shown else None, n, a.image, a.num_id, a.code,
            )
        )  # fmt: skip
    ctx = {
        "site": site,
        "cat": cat,
        "flavour": fl,
        "items": rows,
        "page": page,
        "last": last,
        "total": total,
        "url": lambda n: page_url(site, cat, n),
        "title": cat.name,
    }
    if tpl == "liferay":
        ctx.update(
            first_i=(page - 1) * size + 1 if total else 0,
            last_i=min(total, page * size),
            current=cat.list_path if page == 1 else page_url(site, cat, page),
            **_lr_lang("vi"),
        )
    else:
        ctx["crumbs"] = _crumbs(site, tpl, cat, cat.name)
    return Page(200, _render(f"{tpl}/list.html.j2", **ctx), "list", site=site)


def article_page(sim: Simulator, site: Site, a: Article, lang: str = "vi", printable: bool = False) -> Page:
    if a.published > sim.now:
        return not_found_page(site, a.path)
    if a.removed is not None:
        return Page(a.removed, gone_page(site, a.removed), "gone" if a.removed == 410 else "not_found", site=site)
    tpl = current_template(sim, site)
    fl = flavour(site, tpl)
    if tpl != "liferay":
        lang, printable = "vi", False
    if lang == "en":
        n = a.en_views_at(sim.now)
        shown = not sim.effective_faults(site.id).hide_views
    else:
        n = a.views_at(sim.now)
        shown = sim.shows_views(a, "article")
    ctx = {
        "site": site,
        "a": a,
        "flavour": fl,
        "lang": lang,
        "label": detail_label(site, fl, lang),
        "date": detail_date(site, fl, a.published, lang),
        "views": views_text(fl, n) if shown else None,
        "title": a.title,
    }
    if tpl == "liferay":
        ctx.update(
            print_path=print_path(a),
            title=f"{a.title} - {a.category.name}",
            current=("/en" if lang == "en" else "") + a.path,
            **_lr_lang(lang),
        )
        name = "liferay/print.html.j2" if printable else "liferay/article.html.j2"
    else:
        ctx["crumbs"] = _crumbs(site, tpl, a.category, a.category.name, article=True)
        if tpl == "tandan":
            ctx["tags"] = _tags(a)
        elif tpl == "dnn":
            ctx["iso"] = local(a.published).isoformat()
        else:
            ctx["others"] = [o for o in site.visible(a.category)[:5] if o is not a]
        name = f"{tpl}/article.html.j2"
    return Page(200, _render(name, **ctx), "article", article=a, site=site)


def not_found_page(site: Site | None, path: str) -> Page:
    name = site.name if site else "Cổng thông tin điện tử"
    return Page(404, _render("common/not_found.html.j2", path=path, name=name), "not_found", site=site)


def gone_page(site: Site, status: int) -> str:
    msg = "Bài viết đã bị gỡ bỏ" if status == 410 else "Không tìm thấy bài viết"
    return _render("common/gone.html.j2", site=site, status=status, msg=msg)


_HOME_CLASS = {"liferay": "aui ltr", "tandan": "tandan", "dnn": "dnn", "plain": "trang-chu"}


def home_page(sim: Simulator, site: Site) -> str:
    return _render(
        "common/home.html.j2", site=site, html_class=_HOME_CLASS[site.template], latest=site.visible()[:5]
    )


def wards_page(sim: Simulator, site: Site) -> str:
    current = site.path + "/cac-phuong"
    wards = [sim.sites[cid] for cid in site.children]
    return _render("liferay/wards.html.j2", site=site, wards=wards, title="Các phường", current=current, **_lr_lang("vi"))


def _lr_lang(lang: str) -> dict:
    return {"loc": "vi-VN", "lang_id": "vi_VN"} if lang == "vi" else {"loc": "en-US", "lang_id": "en_US"}


def _crumbs(site: Site, tpl: str, cat: Category, name: str, article: bool = False) -> list[tuple[str, str]]:
    """Breadcrumb links (href, text) of a Tân Dân / DNN / plain page ("" href: no link)."""
    if tpl == "tandan":
        return [(f"{site.path}/portal/Pages/default.aspx", "Trang chủ"), (cat.list_path, name)]
    if tpl == "dnn":
        return [(site.home_path(), "Trang chủ"), (cat.list_path, name)]
    return [(f"{site.path}/", "Trang chủ"), (cat.list_path if article else "", name)]


def _tags(a: Article) -> list[str]:
    found = [t for t in T.TOPICS if t in a.title]
    return (found or ["tin tức"]) + [a.site.unit]
