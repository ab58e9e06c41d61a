"""The operator console: every site's health, one site (crawls, fetch errors, kept pages, its
configuration to edit), "check now" (the report of `sites check`), adding a site from a URL
(the preview of `sites add`) and importing a CSV (`sites import`). Edits go to sites.toml, then
the running service is told to reload (edits.py)."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from crawler.extract.profiles import PROFILES
from crawler.extract.types import SELECTOR_KEYS
from monitor.config import LEVELS, ConfigError
from monitor.service.control import last_reload
from monitor.service.jobstore import jobstore_path, read_pid
from monitor.web import console, edits
from monitor.web.auth import action, error_page, page
from monitor.web.labels import LABELS
from monitor.web.render import flash, lang_of, redirect, render


def _pw(request: Request):
    return request.app.state.pw


def _signer(request: Request, what: str) -> URLSafeSerializer:
    return URLSafeSerializer(_pw(request).secret, salt=f"portalwatch-{what}")


def service_state(request: Request) -> dict:
    """Is the service running for this configuration and database, and its last reload."""
    st = _pw(request).state
    store = jobstore_path(st.config, st.db_path)
    return {"pid": read_pid(store) if store.exists() else None, "reload": last_reload(store), "jobstore": str(store)}


def _site(request: Request):
    """The configured site of the path (a former id finds it too), or None."""
    try:
        return _pw(request).state.config.site(request.path_params["site"])
    except ConfigError:
        return None


def reload_text(lang: str, outcome: dict, saved: str) -> tuple[str, str]:
    """One line: what was saved, and what the service did with it."""
    t = LABELS[lang]
    state = outcome["state"]
    if state == "reloaded":
        jobs = ", ".join(outcome.get("added", []) + outcome.get("changed", []) + outcome.get("removed", []))
        return t["saved_reloaded"].format(saved=saved, pid=outcome["pid"], jobs=jobs or t["no_job_change"]), "ok"
    if state == "not_running":
        return t["saved_not_running"].format(saved=saved), "warn"
    if state == "no_answer":
        return t["saved_no_answer"].format(saved=saved, pid=outcome["pid"]), "warn"
    return t["saved_reload_failed"].format(saved=saved, detail=outcome.get("detail", "")), "error"


def _after_save(request: Request, saved: str) -> None:
    st = _pw(request).state
    text, kind = reload_text(lang_of(request), edits.reload_service(st.config_path, st.db_path), saved)
    flash(request, text, kind)


# -- reading ----------------------------------------------------------------------------------------------------
@page("operator")
def sites(request: Request, user) -> Response:
    st = _pw(request).state
    qp = request.query_params
    try:
        number = int(qp.get("page") or 1)
    except ValueError:
        number = 1
    overview = console.sites_overview(st.readers.conn(), st.config, problems=qp.get("show") == "problems",
                                      q=(qp.get("q") or "")[:100], page=number, cache=_pw(request).health)
    return render(request, "ops_sites.html.j2", o=overview, q=qp.get("q") or "", show=qp.get("show") or "",
                  service=service_state(request), config_error=st.configs.error)


def _site_page(request: Request, site, *, status: int = 200, error: str | None = None, form=None) -> Response:
    st = _pw(request).state
    detail = console.site_detail(st.readers.conn(), st.config, site)
    table = detail["table"]
    values = {k: form.get(k, "") for k in edits.FIELDS} if form is not None else \
        {k: table.get(k) or "" for k in edits.FIELDS}
    sels = {k: form.get(f"sel_{k}", "") for k in SELECTOR_KEYS} if form is not None else \
        {k: (table.get("selectors") or {}).get(k, "") for k in SELECTOR_KEYS}
    return render(request, "ops_site.html.j2", status=status, s=detail, values=values, sels=sels, error=error,
                  profiles=sorted(PROFILES), selector_keys=SELECTOR_KEYS, service=service_state(request))


@page("operator")
def site(request: Request, user) -> Response:
    s = _site(request)
    if s is None:
        return error_page(request, 404, "not_found")
    if s.id != request.path_params["site"]:
        return redirect(f"/ops/site/{s.id}")
    return _site_page(request, s)


@page("operator")
def sample(request: Request, user) -> Response:
    st = _pw(request).state
    row = console.sample(st.readers.conn(), request.path_params["sample"])
    if row is None:
        return error_page(request, 404, "not_found")
    return render(request, "ops_sample.html.j2", sample=row)


# -- check now ----------------------------------------------------------------------------------------------------
@action("operator")
def check(request: Request, user, form) -> Response:
    from crawler.clock import local
    from monitor.sites.check import OPTIONAL_FIELDS, check_site, load_sample

    s = _site(request)
    if s is None:
        return error_page(request, 404, "not_found")
    st = _pw(request).state
    kw: dict = {}
    sample_id = str(form.get("sample") or "").strip()
    if sample_id:
        try:
            kept = load_sample(st.readers.conn(), int(sample_id), s)
        except ValueError as e:
            return error_page(request, 400, "bad_request", str(e))
        kw["source"] = f"html_samples #{sample_id} ({kept['reason']}, {local(kept['saved_at'])})"
        if kept["kind"] == "article":
            kw.update(article_html=kept["html"], article_url=kept["url"])
        else:
            kw.update(list_html=kept["html"], list_url=kept["url"])
    report = check_site(st.config, s, **kw)
    return render(request, "ops_check.html.j2", site=s, r=report.as_dict(), from_list=report.views_from_list,
                  optional=OPTIONAL_FIELDS)


# -- editing ------------------------------------------------------------------------------------------------------
@action("operator")
def edit(request: Request, user, form) -> Response:
    s = _site(request)
    if s is None:
        return error_page(request, 404, "not_found")
    st = _pw(request).state
    table = console.configured_table(st.config, s.id)
    try:
        changes = edits.save_edit(st.config_path, s, form, table)
    except ConfigError as e:
        return _site_page(request, s, status=400, error=str(e), form=form)
    if not changes:
        flash(request, LABELS[lang_of(request)]["nothing_changed"])
    else:
        _after_save(request, ", ".join(changes))
    return redirect(f"/ops/site/{s.id}")


def _toggle(request: Request, enabled: bool) -> Response:
    s = _site(request)
    if s is None:
        return error_page(request, 404, "not_found")
    st = _pw(request).state
    try:
        changed = edits.set_enabled(st.config_path, s, enabled)
    except ConfigError as e:
        return _site_page(request, s, status=400, error=str(e))
    t = LABELS[lang_of(request)]
    if changed:
        _after_save(request, t["enabled_now" if enabled else "disabled_now"])
    return redirect(f"/ops/site/{s.id}")


@action("operator")
def enable(request: Request, user, form) -> Response:
    return _toggle(request, True)


@action("operator")
def disable(request: Request, user, form) -> Response:
    return _toggle(request, False)


# -- adding -------------------------------------------------------------------------------------------------------
_ADD_FIELDS = ("url", "id", "name", "parent", "parent_name", "level")


@page("operator")
def add_form(request: Request, user) -> Response:
    return render(request, "ops_add.html.j2", values=dict.fromkeys(_ADD_FIELDS, ""), preview=None, levels=LEVELS,
                  token=None)


@action("operator")
def add_preview(request: Request, user, form) -> Response:
    st = _pw(request).state
    values = {k: str(form.get(k) or "").strip() for k in _ADD_FIELDS}
    if not values["url"]:
        return render(request, "ops_add.html.j2", status=400, values=values, preview=None, levels=LEVELS, token=None)
    pv = edits.preview_add(st.config, values["url"], site_id=values["id"], name=values["name"],
                           parent=values["parent"], parent_name=values["parent_name"], level=values["level"])
    token = _signer(request, "add").dumps({"table": pv.table, "units": pv.units}) if pv.table else None
    return render(request, "ops_add.html.j2", values=values, preview=pv, p=pv.proposal.as_dict(), levels=LEVELS,
                  token=token)


@action("operator")
def add_save(request: Request, user, form) -> Response:
    st = _pw(request).state
    try:
        payload = _signer(request, "add").loads(str(form.get("token") or ""))
    except BadSignature:
        return error_page(request, 400, "bad_request", "the preview could not be read: preview the site again")
    try:
        edits.save_add(st.config_path, payload["table"], payload["units"])
    except ConfigError as e:
        return render(request, "ops_add.html.j2", status=400, values=dict.fromkeys(_ADD_FIELDS, ""), preview=None,
                      levels=LEVELS, token=None, error=str(e))
    _after_save(request, LABELS[lang_of(request)]["added_site"].format(id=payload["table"]["id"]))
    return redirect(f"/ops/site/{payload['table']['id']}")


# -- importing ----------------------------------------------------------------------------------------------------
@page("operator")
def import_form(request: Request, user) -> Response:
    return render(request, "ops_import.html.j2", result=None, token=None, error=None)


@action("operator")
def import_preview(request: Request, user, form) -> Response:
    from monitor.sites.importer import ImportFileError

    st = _pw(request).state
    upload = form.get("csv")
    data, name = b"", "upload.csv"
    if upload is not None and not isinstance(upload, str):
        name = upload.filename or name
        data = upload.file.read(edits.MAX_IMPORT_BYTES + 1)
    if not data or len(data) > edits.MAX_IMPORT_BYTES:
        return render(request, "ops_import.html.j2", status=400, result=None, token=None,
                      error=LABELS[lang_of(request)]["import_no_file"].format(mb=edits.MAX_IMPORT_BYTES // 2**20))
    try:
        result = edits.preview_import(st.config, data, name)
    except ImportFileError as e:
        return render(request, "ops_import.html.j2", status=400, result=None, token=None, error=str(e))
    token = _signer(request, "import").dumps({"tables": result["ready"], "units": result["units"]}) \
        if result["ready"] else None
    return render(request, "ops_import.html.j2", result=result, token=token, error=None)


@action("operator")
def import_save(request: Request, user, form) -> Response:
    st = _pw(request).state
    try:
        payload = _signer(request, "import").loads(str(form.get("token") or ""))
    except BadSignature:
        return error_page(request, 400, "bad_request", "the import could not be read: upload the file again")
    try:
        edits.save_import(st.config_path, payload["tables"], payload["units"])
    except ConfigError as e:
        return render(request, "ops_import.html.j2", status=400, result=None, token=None, error=str(e))
    _after_save(request, LABELS[lang_of(request)]["imported_sites"].format(n=len(payload["tables"])))
    return redirect("/ops")
