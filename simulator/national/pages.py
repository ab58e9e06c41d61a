"""National routing's pages: which render.py page a site path gets, and a Hanoi district's unit list."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from .. import render
from .. import text as T


def _int(q: dict, name: str) -> int:
    try:
        return max(1, int(q.get(name, ["1"])[0]))
    except ValueError:
        return 1


def _respond(sim: Any, site: Any, path: str, query: str) -> render.Page:
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


def _district_page(sim: Any, host: str) -> str:
    wards = sorted(sim.districts[host].values(), key=lambda s: s.name)
    items = "".join(f'<li><a href="{s.home_path()}">{T.esc(s.name)}</a></li>' for s in wards)
    return (
        '<!DOCTYPE html><html class="aui ltr" lang="vi-VN"><head><meta charset="utf-8">'
        f"<title>Cổng thông tin điện tử - {T.esc(host)}</title></head><body>"
        f'<h1 class="site-title">Các đơn vị hành chính</h1><ul class="danh-sach-phuong">{items}</ul></body></html>'
    )
