"""The pages of a district or ward office: its units, a unit over a window, an article's
history, search. Each checks that the person may see what is asked (an office only its units)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from monitor.digest.sections import headings
from monitor.web import office
from monitor.web.auth import error_page, page
from monitor.web.render import lang_of, redirect, render


def _pw(request: Request):
    return request.app.state.pw


@page()
def home(request: Request, user) -> Response:
    pw = _pw(request)
    config = pw.state.config
    scope = office.Scope(user, config)
    units = scope.units()
    if not scope.everything and len(units) == 1:
        return redirect(f"/u/{units[0].id}")
    counts = {u.id: len(office.sites_under(config, u.id)) for u in units}
    return render(request, "home.html.j2", units=units, counts=counts)


@page()
def unit(request: Request, user) -> Response:
    pw = _pw(request)
    config = pw.state.config
    unit_id = request.path_params["unit"]
    scope = office.Scope(user, config)
    if config.unit(unit_id) is None:
        return error_page(request, 404, "not_found")
    if not scope.may_see_unit(unit_id):
        return error_page(request, 403, "forbidden")
    try:
        win = office.parse_window(request.query_params)
    except ValueError as e:
        return error_page(request, 400, "bad_request", str(e))
    data = office.unit_page(pw.state.readers.db(), config, unit_id, win, lang_of(request))
    return render(request, "unit.html.j2", d=data, win=win, windows=office.WINDOWS,
                  sections=headings(lang_of(request)))


@page()
def article(request: Request, user) -> Response:
    pw = _pw(request)
    config = pw.state.config
    a = office.article_page(pw.state.readers.conn(), request.path_params["article"])
    if a is None:
        return error_page(request, 404, "not_found")
    scope = office.Scope(user, config)
    if not scope.may_see_site(a["site_id"]):
        return error_page(request, 403, "forbidden")
    site = office.configured_site(config, a["site_id"])
    return render(request, "article.html.j2", a=a, site=site)


@page()
def search(request: Request, user) -> Response:
    pw = _pw(request)
    config = pw.state.config
    scope = office.Scope(user, config)
    q = (request.query_params.get("q") or "").strip()[:200]
    unit_id = request.query_params.get("unit") or ""
    sites: list[str] | None = None if scope.everything else sorted(scope.site_ids())
    if unit_id:
        if not scope.may_see_unit(unit_id):
            return error_page(request, 403, "forbidden")
        sites = [s.id for s in office.sites_under(config, unit_id)]
    result, problem = None, None
    if q:
        try:
            result = office.search_page(pw.state.readers.conn(), q, sites)
        except ValueError:
            problem = "search_empty"
    names = {s.id: s.name for s in config.sites}
    return render(request, "search.html.j2", q=q, unit=unit_id, result=result, problem=problem, names=names,
                  units=scope.units())
