"""Routing and HTML rendering for the four site templates (see TEMPLATES.md).

``respond(sim, path, query)`` returns a :class:`Page`; the HTTP layer adds caching headers.
Plain string building: a page renders in well under a millisecond.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

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


# ====================================================================== pages


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
    render = {"liferay": _lr_list, "tandan": _td_list, "dnn": _dnn_list, "plain": _pl_list}[tpl]
    return Page(200, render(sim, site, cat, page, last, total, chunk), "list", site=site)


def article_page(sim: Simulator, site: Site, a: Article, lang: str = "vi", printable: bool = False) -> Page:
    if a.published > sim.now:
        return not_found_page(site, a.path)
    if a.removed is not None:
        return Page(a.removed, gone_page(site, a.removed), "gone" if a.removed == 410 else "not_found", site=site)
    tpl = current_template(sim, site)
    render = {"liferay": _lr_article, "tandan": _td_article, "dnn": _dnn_article, "plain": _pl_article}[tpl]
    if tpl == "liferay":
        html = _lr_article(sim, site, a, lang=lang, printable=printable)
    else:
        html = render(sim, site, a)
    return Page(200, html, "article", article=a, site=site)


def not_found_page(site: Site | None, path: str) -> Page:
    name = site.name if site else "Cổng thông tin điện tử"
    html = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>404 - Không tìm thấy trang</title>'
        f'</head><body><h1>Không tìm thấy trang</h1><p>Trang {T.esc(path)} không tồn tại trên {T.esc(name)}.</p>'
        '<p><a href="/">Về trang chủ</a></p></body></html>'
    )
    return Page(404, html, "not_found", site=site)


def gone_page(site: Site, status: int) -> str:
    msg = "Bài viết đã bị gỡ bỏ" if status == 410 else "Không tìm thấy bài viết"
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{status} - {msg}</title></head>'
        f'<body><h1>{msg}</h1><p><a href="{site.home_path()}">{T.esc(site.name)}</a></p></body></html>'
    )


def home_page(sim: Simulator, site: Site) -> str:
    tpl = site.template
    links = "".join(
        f'<li><a href="{T.esc(c.list_path)}">{T.esc(c.name)}</a></li>' for c in site.categories
    )
    if site.children:
        links += f'<li><a href="{site.path}/cac-phuong">Các phường</a></li>'
    latest = "".join(
        f'<li><a href="{T.esc(a.path)}">{T.esc(a.title)}</a></li>' for a in site.visible()[:5]
    )
    cls = {"liferay": "aui ltr", "tandan": "tandan", "dnn": "dnn", "plain": "trang-chu"}[tpl]
    return (
        f'<!DOCTYPE html><html class="{cls}" lang="vi-VN"><head><meta charset="utf-8">'
        f"<title>Trang chủ - {T.esc(site.name)}</title></head><body>"
        f'<div id="banner"><h1 class="site-title">Cổng thông tin điện tử {T.esc(site.name)}</h1></div>'
        f'<nav id="navigation" class="menu"><ul class="chuyen-muc">{links}</ul></nav>'
        f'<div class="tin-moi"><h2>Tin mới</h2><ul>{latest}</ul></div>'
        f"<footer><p>{T.esc(site.name)} - {T.esc(site.province)}</p></footer></body></html>"
    )


def wards_page(sim: Simulator, site: Site) -> str:
    items = []
    for cid in site.children:
        c = sim.sites[cid]
        items.append(
            f'<li class="ward-item"><a href="{c.home_path()}" title="{T.esc(c.name)}">'
            f"{T.entity_encode(c.name)}</a></li>"
        )
    body = (
        f'<div class="portlet-boundary portlet-boundary_71_" id="p_p_id_71_INSTANCE_cacphuong_">'
        f'<section class="portlet"><header class="portlet-topper"><h1 class="portlet-title">'
        f'<span class="portlet-title-text">Các phường</span></h1></header>'
        f'<div class="portlet-content"><ul class="danh-sach-phuong">{"".join(items)}</ul></div>'
        f"</section></div>"
    )
    return _lr_shell(site, "Các phường", site.path + "/cac-phuong", body)


# ====================================================================== liferay

_LR_GAP = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\t\n\t\t\n"


def _js_url(path: str) -> str:
    return path.replace("/", "\\x2f")


def _lr_shell(site: Site, title: str, current: str, content: str, lang: str = "vi") -> str:
    loc = "vi-VN" if lang == "vi" else "en-US"
    lang_id = "vi_VN" if lang == "vi" else "en_US"
    nav = "".join(
        f'<li class=""><a href="{T.esc(c.list_path)}"><span>{T.esc(c.name)}</span></a></li>'
        for c in site.categories
    )
    return (
        f'<!DOCTYPE html> <html class="aui ltr" dir="ltr" lang="{loc}"> <head> '
        f"<title>{T.esc(title)} - {T.esc(site.name)}</title> "
        f'<meta content="text/html; charset=UTF-8" http-equiv="content-type" /> '
        f'<link href="{T.esc(current)}" rel="canonical" /> '
        f'<link class="lfr-css-file" href="/html/css/main.css?browserId=other&amp;languageId={lang_id}&amp;b=6201" rel="stylesheet" type="text/css" /> '
        f'<script type="text/javascript">var Liferay={{Browser:{{acceptsGzip:function(){{return true}}}},'
        f'ThemeDisplay:{{getLanguageId:function(){{return"{lang_id}"}},getPathMain:function(){{return"/c"}}}}}};'
        f'Liferay.currentURL="{_js_url(current)}";Liferay.currentURLEncoded="{quote(current, safe="")}";</script> '
        f'</head> <body class=" yui3-skin-sam controls-visible signed-out public-page site"> '
        f'<div class="container-fluid" id="wrapper"> <header id="banner" role="banner"> '
        f'<div id="heading"> <h1 class="site-title"> <a class="logo custom-logo" href="{site.home_path()}" title="Go to {T.esc(site.name)}">'
        f"<span>CỔNG THÔNG TIN ĐIỆN TỬ {T.esc(site.name.upper())}</span></a> </h1> </div> "
        f'<nav class="sort-pages modify-pages" id="navigation" role="navigation"> <ul aria-label="Site Pages" role="menubar">'
        f'<li class=""><a href="{site.home_path()}"><span>Trang chủ</span></a></li>{nav}</ul> </nav> </header> '
        f'<div id="content"> <div class="portlet-layout row-fluid"> <div class="portlet-column portlet-column-first span9" id="column-1"> '
        f'<div class="portlet-dropzone portlet-column-content portlet-column-content-first" id="layout-column_column-1"> '
        f"{content}"
        f" </div> </div> </div> </div> "
        f'<div class="footer-wrapper"> <div id="footer" class="clearfix"> <div class="footleft"> '
        f"<h3>CỔNG THÔNG TIN ĐIỆN TỬ {T.esc(site.name.upper())}</h3> "
        f"<p>Địa chỉ: {T.entity_encode('Trụ sở UBND ' + site.unit + ', Thành phố Hà Nội')}</p> "
        f"</div> </div> </div> </div> "
        f'<script type="text/javascript">Liferay.Util.addInputFocus();</script> </body> </html>'
    )


def _lr_list(sim: Simulator, site: Site, cat: Category, page: int, last: int, total: int, chunk: list[Article]) -> str:
    tpl = "liferay"
    out = []
    for a in chunk:
        views = (
            f" &nbsp;|&nbsp;{list_views_text(tpl, a.views_at(sim.now))}"
            if sim.shows_views(a, "list")
            else ""
        )
        href = T.esc(a.path)
        img = (
            f'<div class="asset-image"> <a href="{href}"><img src="/image/journal/article?img_id={a.num_id - 1}&amp;t=1661571235724" alt=""/></a> </div> '
            if a.image
            else ""
        )
        style = "" if a.image else ' style="margin-left: 0"'
        out.append(
            f'<div class="asset-bounddary"> <div class="asset-abstract "> '
            f'<!-- <div class="asset_actions_custom_style"> </div> --> '
            f'<div class="asset-content normal-news"> {img}<div class="asset-content-custom"{style} > '
            f'<h3 class="asset-title"> <a href="{href}">{T.esc(a.title).replace("&quot;", "&#034;")}</a> </h3> '
            f'<div class="assetPublishDate block_timer"> Ngày đăng {list_date(tpl, a.published)}{views} </div> '
            f'<div class="asset-summary"> {T.entity_encode(a.summary)} </div> </div> </div> '
            f'<div class="asset-metadata"> </div> </div> </div> '
        )
    first_i = (page - 1) * site.page_size + 1 if total else 0
    last_i = min(total, page * site.page_size)

    def btn(label: str, n: int, enabled: bool, cls: str = "") -> str:
        if enabled:
            return f'<li class="{cls}"> <a href="{T.esc(page_url(site, cat, n))}" target="_self"> {label} </a> </li> '
        return f'<li class="disabled{(" " + cls) if cls else ""}"> <a href="javascript:;" target="_self"> {label} </a> </li> '

    menu = "".join(
        f'<li class="custom-paging" role="presentation"> <a href="{T.esc(page_url(site, cat, n))}" class=" taglib-icon" '
        f'id="_101_kldx_column1_1_menu_{n}" role="menuitem" > <span class="taglib-text-icon">{n}</span> </a> </li> '
        for n in range(1, last + 1)
    )
    pager = (
        f'<div class="taglib-page-iterator" id="_101_ocerSearchContainerPageIterator"> '
        f'<div class="clearfix lfr-pagination"> <div class="lfr-pagination-config"> <div class="lfr-pagination-page-selector"> '
        f'<div class="btn-group lfr-icon-menu current-page-menu custom-paging"><a class="dropdown-toggle direction-down max-display-items-15 btn" '
        f'href="javascript:;" id="_101_kldx_column1_1_menu" title=" {page} "><span class="lfr-icon-menu-text"> {page} </span><i class="caret"></i> </a>'
        f'<ul class="dropdown-menu lfr-menu-list direction-down"> {menu}</ul></div> </div> '
        f'<div class="lfr-pagination-delta-selector"> <div style="margin-right: 5px"> Trang </div> </div> </div> '
        f'<small class="search-results"> Hiển thị {first_i} - {last_i} of {total} kết quả. </small> '
        f'<ul class="pager lfr-pagination-buttons"> '
        + btn("&larr; Đầu tiên", 1, page > 1, "first")
        + btn("Trước", page - 1, page > 1)
        + btn("Tiếp", page + 1, page < last)
        + btn("Cuối cùng &rarr;", last, page < last, "last")
        + "</ul> </div> </div> "
    )
    content = (
        f'<div class="portlet-boundary portlet-boundary_101_ portlet-static portlet-static-end portlet-asset-publisher " id="p_p_id_101_" > '
        f'<span id="p_101"></span> <section class="portlet" id="portlet_101"> <header class="portlet-topper"> '
        f'<h1 class="portlet-title"> <span class="portlet-title-text">{T.esc(cat.name)}</span> </h1> </header> '
        f'<div class="portlet-content"> <div class=" portlet-content-container" style=""> <div class="portlet-body"> '
        + "".join(out)
        + pager
        + "</div> </div> </div> </section> </div> "
    )
    current = cat.list_path if page == 1 else page_url(site, cat, page)
    return _lr_shell(site, cat.name, current, content)


def _lr_article(sim: Simulator, site: Site, a: Article, lang: str = "vi", printable: bool = False) -> str:
    tpl = "liferay"
    show = sim.shows_views(a, "article")
    if lang == "en":
        n = a.en_views_at(sim.now)
        show = not sim.effective_faults(site.id).hide_views
    else:
        n = a.views_at(sim.now)
    label = detail_label(site, tpl, lang)
    label_html = f"\n\t\t\n\t\t\t{label}\n\t\t" if label else "\n\t\t"
    views_html = f"\n\t\n\t\n\t\n\t\t&nbsp;|&nbsp;{views_text(tpl, n)}\n\t\n" if show else "\n\t\n\t\n\t\n"
    date_div = (
        f'<div class="assetPublishDate block_timer">\n\t\n{label_html}\n\t\t\t'
        f"{detail_date(site, tpl, a.published, lang)}\n\t\t \n\t{views_html}</div>"
    )
    lead = f"<strong>{T.entity_encode(a.lead)}</strong>" if a.lead else "<strong></strong>"
    enc = T.esc_nbsp if a.fixed_text else T.entity_encode
    paras = "\n".join(f"<p>{enc(p)}</p>" for p in a.paragraphs)
    img = (
        f'\t\t<img src="/image/journal/article?img_id={a.num_id - 1}&amp;t=1661571241622" alt="" '
        f'class="pull-left" style="margin-right: 5px; width: 250px; padding: 0 10px 10px 0;">\n'
        if a.image
        else ""
    )
    author = (
        f'\n<p align="right" class="view-content-author">\n\t\t<strong><em>{T.esc(a.author)}</em></strong>\n\t</p>\n'
        if a.author
        else ""
    )
    article = (
        f'<div>{_LR_GAP}<div class="asset-full-content-title">{T.esc(a.title)}</div>\n\n'
        f"{date_div}\n\n"
        f'<div class="asset-full-content  show-asset-title">\n\t\n\t\t<!-- {_LR_GAP} -->\n\t\n\n'
        f'\t<div class="asset-content" id="_101_{a.num_id}">\n{_LR_GAP}'
        f'<div class="sapo-wrapper clearfix">\n\t\n{img}\t\n\t<p class="sapo">\n\t\t{lead}\n\t</p>\n</div>\n\n'
        f'<div class="journal-content-article">\n\t{paras}\n\t\n</div>\n'
        f"{author}\n\n\t\t\n\t</div>\n</div>\n</div>"
    )
    breadcrumb = (
        f'<div class="dd_chuyenmuc">\n\t<span class="trangchu"><a href="{site.home_path()}">'
        f'{"Home" if lang == "en" else "Trang chủ"}</a></span>\n'
        f'\t<span class="tintuc"><p>{T.esc(a.category.name)}</p></span>\n</div>\n'
    )
    if printable:
        return (
            f'<!DOCTYPE html> <html class="aui ltr" dir="ltr" lang="vi-VN"> <head> <title>{T.esc(a.title)}</title> '
            f'<meta content="text/html; charset=UTF-8" http-equiv="content-type" /> '
            f'<link href="{T.esc(a.path)}" rel="canonical" /> </head> '
            f'<body class="portal-popup aui"> <div class="columns-1" id="main-content" role="main"> '
            f'<div class="portlet-boundary portlet-boundary_101_" id="p_p_id_101_"> {breadcrumb}{article} '
            f'<div class="print-action"><a href="javascript:print();">In trang</a></div> </div> </div> </body> </html>'
        )
    content = (
        f'<div class="portlet-boundary portlet-boundary_101_ portlet-static portlet-static-end portlet-asset-publisher " id="p_p_id_101_" > '
        f'<span id="p_101"></span> <section class="portlet" id="portlet_101"> '
        f'<div class="portlet-content"> <div class=" portlet-content-container" style=""> <div class="portlet-body">\n'
        f"{breadcrumb}{article}\n"
        f'<div class="taglib-social-bookmarks"><a href="{T.esc(print_path(a))}" class="print">In bài viết</a></div>'
        f"</div> </div> </div> </section> </div> "
    )
    path = ("/en" if lang == "en" else "") + a.path
    return _lr_shell(site, f"{a.title} - {a.category.name}", path, content, lang)


# ====================================================================== tân dân (SharePoint)


def _td_shell(site: Site, title: str, crumbs: list[tuple[str, str]], content: str) -> str:
    base = f"{site.path}/portal/Pages"
    crumb = " &gt; ".join(f'<a href="{T.esc(h)}">{T.esc(t)}</a>' for h, t in crumbs)
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        f'<html dir="ltr" lang="vi-VN" xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>'
        '<meta http-equiv="X-UA-Compatible" content="IE=10" /><meta http-equiv="Content-type" content="text/html; charset=utf-8" />'
        f"<title>\r\n\t{T.esc(title)}\r\n</title>"
        '<link rel="stylesheet" type="text/css" href="/_layouts/15/1066/styles/Themable/corev15.css?rev=OqAycmyMLoQIDkAlzHdMhQ%3D%3D"/>'
        '<script type="text/javascript" src="/_layouts/15/init.js?rev=ZzI7NCn8xNqtOuZUgy5%2Fig%3D%3D"></script>'
        "</head>\n<body>\n"
        f'<form method="post" action="./{T.esc(title)}" id="aspnetForm">\n'
        '<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUBMA9kFgJmD2QWAgIBD2QWBAIBD2QWAgIF" /></div>\n'
        f'<div id="s4-workspace"><div id="s4-bodyContainer"><div class="tandan-header"><a href="{base}/default.aspx" class="tandan-logo">'
        f"<span>CỔNG THÔNG TIN ĐIỆN TỬ {T.esc(site.name.upper())}</span></a></div>\n"
        f'<div class="tandan-menu"><ul><li><a href="{base}/default.aspx">Trang chủ</a></li>'
        + "".join(f'<li><a href="{T.esc(c.list_path)}">{T.esc(c.name)}</a></li>' for c in site.categories)
        + "</ul></div>\n"
        f'<div class="tandan-breadcrumb">{crumb}</div>\n'
        f'<div id="contentBox"><div class="ms-rtestate-read ms-rte-wpbox"><div class="tandan-main">\n{content}\n</div></div></div>\n'
        f'<div class="tandan-footer"><p>Bản quyền thuộc UBND {T.esc(site.unit)}, tỉnh {T.esc(site.province)}</p>'
        "<p>Phát triển bởi Công ty CP Công nghệ Tin học Tân Dân</p></div>\n"
        "</div></div></form>\n</body>\n</html>"
    )


def _td_list(sim: Simulator, site: Site, cat: Category, page: int, last: int, total: int, chunk: list[Article]) -> str:
    tpl = flavour(site, "tandan")
    out = []
    for a in chunk:
        href = T.esc(a.path)
        views = (
            _td_views(tpl, list_views_text(tpl, a.views_at(sim.now)))
            if sim.shows_views(a, "list")
            else ""
        )
        img = (
            f'<div class="tandan-article-news-img"><a href="{href}"><img src="{site.path}/PublishingImages/{a.code}.jpg" alt="" /></a></div>'
            if a.image
            else ""
        )
        out.append(
            f'<div class="tandan-article-news-item">{img}'
            f'<h3 class="tandan-p-article-news-title"><a href="{href}" title="{T.esc(a.title)}">{T.esc(a.title)}</a></h3>'
            f'<div class="tandan-article-news-info">{_td_date(tpl, "" if tpl == "tandan2" else "Đăng ngày", list_date(tpl, a.published))}{views}</div>'
            f'<p class="tandan-p-article-news-summary">{T.esc(a.summary)}</p></div>\n'
        )
    lo = max(1, page - 4)
    hi = min(last, lo + 9)
    links = []
    for n in range(lo, hi + 1):
        if n == page:
            links.append(f'<span class="CurrentPage">{n}</span>')
        else:
            links.append(f'<a href="{T.esc(page_url(site, cat, n))}">{n}</a>')
    if page < last:
        links.append(f'<a href="{T.esc(page_url(site, cat, last))}" title="Trang cuối">»</a>')
    pager = f'<div class="tandan-paging">{" ".join(links)}</div>' if last > 1 else ""
    content = (
        f'<div id="ctl00_ctl40_g_6f0b7c2e_{site.index:04d}_4c1e_9a57_listnews" class="tandan-list-news">'
        f'<h2 class="tandan-title-category">{T.esc(cat.name)}</h2>\n' + "".join(out) + pager + "</div>"
    )
    base = f"{site.path}/portal/Pages"
    return _td_shell(site, cat.name, [(f"{base}/default.aspx", "Trang chủ"), (cat.list_path, cat.name)], content)


def _td_views(tpl: str, text: str) -> str:
    if tpl == "tandan2":  # renamed element, eye icon, label only in the title attribute
        return f' <span class="tandan-luot-xem" title="Lượt xem"><i class="fa fa-eye"></i> {text}</span>'
    return f' <span class="tandan-span-view">{text}</span>'


def _td_date(tpl: str, label: str, printed: str) -> str:
    if tpl == "tandan2":  # renamed element, another label and format
        lbl = f"{label} " if label else ""
        return f'<span class="tandan-ngay-dang"><i class="fa fa-clock-o"></i> {lbl}{printed}</span>'
    return f'<span class="tandan-span-date-publish">{label} {printed}</span>'


def _td_article(sim: Simulator, site: Site, a: Article) -> str:
    tpl = flavour(site, "tandan")
    views = _td_views(tpl, views_text(tpl, a.views_at(sim.now))) if sim.shows_views(a, "article") else ""
    paras = "".join(f"<p>{T.esc_nbsp(p)}</p>" for p in a.paragraphs)
    tags = "".join(
        f'<a href="{site.path}/portal/Pages/tim-kiem.aspx?tag={quote(t)}">{T.esc(t)}</a> '
        for t in _tags(a)
    )
    author = f'<p class="tandan-author"><strong>{T.esc(a.author)}</strong></p>' if a.author else ""
    content = (
        '<div class="tandan-article-detail">'
        f'<h1 class="tandan-p-article-news-title">{T.esc(a.title)}</h1>'
        f'<div class="tandan-article-news-info">{_td_date(tpl, detail_label(site, tpl), detail_date(site, tpl, a.published))}{views}</div>'
        f'<p class="tandan-p-article-news-summary"><strong>{T.esc(a.lead)}</strong></p>'
        f'<div class="tandan-p-article-main"><div class="ms-rtestate-field">{paras}</div></div>'
        f'{author}<div class="td-tags"><span>Từ khóa: </span>{tags}</div>'
        "</div>"
    )
    base = f"{site.path}/portal/Pages"
    crumbs = [(f"{base}/default.aspx", "Trang chủ"), (a.category.list_path, a.category.name)]
    return _td_shell(site, a.title, crumbs, content)


def _tags(a: Article) -> list[str]:
    found = [t for t in T.TOPICS if t in a.title]
    return (found or ["tin tức"]) + [a.site.unit]


# ====================================================================== DNN


def _dnn_shell(site: Site, title: str, crumbs: list[tuple[str, str]], content: str) -> str:
    crumb = ' <span class="sep">›</span> '.join(
        f'<a href="{T.esc(h)}" class="breadcrumbLink">{T.esc(t)}</a>' for h, t in crumbs
    )
    return (
        '<!DOCTYPE html>\n<html lang="vi-VN">\n<head id="Head">'
        "<!--*********************************************-->\n<!-- DNN Platform - http://www.dnnsoftware.com   -->\n"
        "<!--*********************************************-->\n"
        f'<meta content="text/html; charset=UTF-8" http-equiv="Content-Type" /><title>\r\n\t{T.esc(title)} - {T.esc(site.name)}\r\n</title>'
        '<link href="/Portals/_default/default.css?cdv=212" type="text/css" rel="stylesheet"/>'
        "</head>\n"
        '<body id="Body">\n<form method="post" action="" id="Form" enctype="multipart/form-data">\n'
        f'<div id="dnn_wrapper"><div class="dnn-header"><a id="dnn_dnnLOGO_hypLogo" href="{site.home_path()}">'
        f"{T.esc(site.name)}</a></div>\n"
        f'<div class="dnn-breadcrumb"><span id="dnn_dnnBREADCRUMB_lblBreadCrumb">{crumb}</span></div>\n'
        f'<div id="dnn_ContentPane" class="contentPane">\n{content}\n</div>\n'
        f'<div class="dnn-footer">Copyright {T.esc(site.name)} - {T.esc(site.province)}</div>'
        "</div>\n</form>\n</body>\n</html>"
    )


def _dnn_list(sim: Simulator, site: Site, cat: Category, page: int, last: int, total: int, chunk: list[Article]) -> str:
    tpl = flavour(site, "dnn")
    out = []
    for a in chunk:
        href = T.esc(a.path)
        n = a.views_at(sim.now)
        if not sim.shows_views(a, "list"):
            views = ""
        elif tpl == "dnn2":  # renamed element, eye icon, the value in data-views
            views = f' <span class="news-count" data-views="{n}"><i class="icon-eye"></i> {list_views_text(tpl, n)}</span>'
        else:
            views = f' <span class="news-views">{list_views_text(tpl, n)}</span>'
        date_cls = "news-time" if tpl == "dnn2" else "news-date"
        out.append(
            f'<div class="news-item"><h2 class="news-title"><a href="{href}">{T.esc(a.title)}</a></h2>'
            f'<div class="news-info"><span class="{date_cls}">{list_date(tpl, a.published)}</span>{views}</div>'
            f'<p class="news-summary">{T.esc(a.summary)}</p></div>\n'
        )
    links = []
    for n in range(1, last + 1):
        if n == page:
            links.append(f'<span class="current">{n}</span>')
        elif abs(n - page) <= 3 or n in (1, last):
            links.append(f'<a href="{T.esc(page_url(site, cat, n))}">{n}</a>')
    if page < last:
        links.append(f'<a href="{T.esc(page_url(site, cat, page + 1))}" class="next">Trang sau</a>')
    pager = f'<div class="dnn-pager">{" ".join(links)}</div>'
    content = (
        '<div class="DnnModule DnnModule-News DnnModule-507"><a name="507"></a>'
        '<div id="dnn_ctr507_ContentPane"><div id="dnn_ctr507_ModuleContent" class="DNNModuleContent ModNewsC">'
        '<div id="dnn_ctr507_ViewNews_pnlList">\n' + "".join(out) + pager + "</div></div></div></div>"
    )
    return _dnn_shell(site, cat.name, [(site.home_path(), "Trang chủ"), (cat.list_path, cat.name)], content)


def _dnn_article(sim: Simulator, site: Site, a: Article) -> str:
    tpl = flavour(site, "dnn")
    meta = detail_date(site, tpl, a.published)
    meta_cls = "news-detail-meta"
    if tpl == "dnn2":  # renamed meta line: <time datetime>, count in parentheses
        iso = local(a.published).isoformat()
        meta = f'<time datetime="{iso}">{meta}</time>'
        meta_cls = "news-meta"
    if sim.shows_views(a, "article"):
        views = views_text(tpl, a.views_at(sim.now))
        meta += f' | <span class="news-hits">{views}</span>' if tpl == "dnn2" else f" | {views}"
    paras = "".join(f"<p>{T.esc_nbsp(p)}</p>" for p in a.paragraphs)
    author = f'<div class="news-detail-author">{T.esc(a.author)}</div>' if a.author else ""
    content = (
        '<div class="DnnModule DnnModule-News DnnModule-507"><div id="dnn_ctr507_ContentPane">'
        '<div id="dnn_ctr507_ViewNews_pnlDetail" class="news-detail">'
        f'<h1 class="news-detail-title">{T.esc(a.title)}</h1>'
        f'<div class="{meta_cls}">{meta}</div>'
        f'<div class="news-detail-summary"><strong>{T.esc(a.lead)}</strong></div>'
        f'<div class="news-detail-body">{paras}</div>{author}'
        "</div></div></div>"
    )
    crumbs = [(site.home_path(), "Trang chủ"), (a.category.list_path, a.category.name)]
    return _dnn_shell(site, a.title, crumbs, content)


# ====================================================================== plain (home-grown CMS)


def _pl_shell(site: Site, title: str, crumbs: list[tuple[str, str]], content: str, side: str = "") -> str:
    crumb = " / ".join(
        f'<a href="{T.esc(h)}">{T.esc(t)}</a>' if h else f"<span>{T.esc(t)}</span>" for h, t in crumbs
    )
    menu = "".join(f'<li><a href="{T.esc(c.list_path)}">{T.esc(c.name)}</a></li>' for c in site.categories)
    return (
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{T.esc(title)} | Cổng TTĐT {T.esc(site.unit)}</title>\n"
        f'<link rel="stylesheet" href="{site.path}/static/style.css?v=3">\n</head>\n<body>\n'
        f'<div class="dau-trang"><a class="logo" href="{site.path}/">ỦY BAN NHÂN DÂN {T.esc(site.name.upper())}</a>'
        f'<ul class="menu-ngang"><li><a href="{site.path}/">Trang chủ</a></li>{menu}</ul></div>\n'
        f'<div class="than-trang"><div class="duong-dan">{crumb}</div>\n'
        f'<div class="cot-trai">\n{content}\n</div>\n<div class="cot-phai">{side}</div></div>\n'
        f'<div class="chan-trang">© {T.esc(site.name)}, {T.esc(site.province)}. Ghi rõ nguồn khi phát hành lại thông tin.</div>\n'
        "</body>\n</html>\n"
    )


def _pl_list(sim: Simulator, site: Site, cat: Category, page: int, last: int, total: int, chunk: list[Article]) -> str:
    tpl = "plain"
    out = []
    for a in chunk:
        href = T.esc(a.path)
        views = (
            f'<em class="so-doc">{list_views_text(tpl, a.views_at(sim.now))}</em>'
            if sim.shows_views(a, "list")
            else ""
        )
        img = f'<a class="hinh" href="{href}"><img src="{site.path}/uploads/{a.num_id}.jpg" alt=""></a>' if a.image else ""
        out.append(
            f'<li class="muc">{img}<h3 class="ten"><a href="{href}">{T.esc(a.title)}</a></h3>'
            f'<p class="ngay"><i class="icon-clock"></i> {list_date(tpl, a.published)}{views}</p>'
            f'<p class="trich">{T.esc(a.summary)}</p></li>\n'
        )
    links = []
    if page > 1:
        links.append(f'<a href="{T.esc(page_url(site, cat, page - 1))}">‹ Trước</a>')
    for n in range(max(1, page - 2), min(last, page + 2) + 1):
        links.append(f"<b>{n}</b>" if n == page else f'<a href="{T.esc(page_url(site, cat, n))}">{n}</a>')
    if page < last:
        links.append(f'<a href="{T.esc(page_url(site, cat, page + 1))}">Sau ›</a>')
    content = (
        f'<h1 class="ten-muc">{T.esc(cat.name)}</h1>\n<ul class="ds">\n'
        + "".join(out)
        + f'</ul>\n<div class="so-trang">{" ".join(links)}</div>'
    )
    return _pl_shell(site, cat.name, [(f"{site.path}/", "Trang chủ"), ("", cat.name)], content)


def _pl_article(sim: Simulator, site: Site, a: Article) -> str:
    tpl = "plain"
    views = (
        f' <span class="doc">{views_text(tpl, a.views_at(sim.now))}</span>'
        if sim.shows_views(a, "article")
        else ""
    )
    paras = "\n".join(f"<p>{T.esc_nbsp(p)}</p>" for p in a.paragraphs)
    author = f'<p class="nguon"><b>{T.esc(a.author)}</b></p>' if a.author else ""
    others = "".join(
        f'<li><a href="{T.esc(o.path)}">{T.esc(o.title)}</a></li>'
        for o in site.visible(a.category)[:5]
        if o is not a
    )
    content = (
        f'<div class="bai">\n<h1>{T.esc(a.title)}</h1>\n'
        f'<div class="tt-bai"><span class="ngay">{detail_label(site, tpl)} {detail_date(site, tpl, a.published)}</span>{views}</div>\n'
        f'<div class="mo-dau">{T.esc(a.lead)}</div>\n'
        f'<div class="noi-dung">\n{paras}\n</div>\n{author}</div>'
    )
    side = f'<div class="hop"><h4>Tin cùng chuyên mục</h4><ul>{others}</ul></div>'
    crumbs = [(f"{site.path}/", "Trang chủ"), (a.category.list_path, a.category.name)]
    return _pl_shell(site, a.title, crumbs, content, side)
