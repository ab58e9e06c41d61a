"""The admin page: users and roles (the same checks as `portalwatch users`); the last admin
cannot be removed or demoted, and nobody removes themselves."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from monitor.web import users
from monitor.web.auth import action, page
from monitor.web.labels import LABELS
from monitor.web.render import flash, lang_of, redirect, render


def _page(request: Request, status: int = 200, error: str | None = None, values: dict | None = None) -> Response:
    pw = request.app.state.pw
    rows = users.list_users(pw.state.db_path)
    return render(request, "admin_users.html.j2", status=status, users=rows, roles=users.ROLES, error=error,
                  values=values or {"name": "", "role": "office", "units": ""}, min_password=users.MIN_PASSWORD)


def _units(text: str) -> list[str]:
    return [u for u in text.replace(",", " ").split() if u]


@page("admin")
def list_page(request: Request, user) -> Response:
    return _page(request)


@action("admin")
def add(request: Request, user, form) -> Response:
    pw = request.app.state.pw
    values = {k: str(form.get(k) or "").strip() for k in ("name", "role", "units")}
    try:
        users.add_user(pw.state.db_path, values["name"], values["role"], str(form.get("password") or ""),
                       _units(values["units"]), pw.state.config)
    except users.UserError as e:
        return _page(request, 400, str(e), values)
    flash(request, LABELS[lang_of(request)]["user_added"].format(name=values["name"]))
    return redirect("/admin/users")


def _other_admins(request: Request, name: str) -> int:
    rows = users.list_users(request.app.state.pw.state.db_path)
    return sum(1 for u in rows if u.admin and u.name.lower() != name.lower())


@action("admin")
def set_role(request: Request, user, form) -> Response:
    pw = request.app.state.pw
    name = request.path_params["name"]
    role = str(form.get("role") or "")
    t = LABELS[lang_of(request)]
    try:
        target = users.find_user(pw.state.db_path, name)
        if target.admin and role != "admin" and not _other_admins(request, name):
            raise users.UserError(t["last_admin"])
        users.set_role(pw.state.db_path, name, role, _units(str(form.get("units") or "")), pw.state.config)
    except users.UserError as e:
        return _page(request, 400, str(e))
    flash(request, t["user_changed"].format(name=name))
    return redirect("/admin/users")


@action("admin")
def set_password(request: Request, user, form) -> Response:
    pw = request.app.state.pw
    name = request.path_params["name"]
    try:
        users.set_password(pw.state.db_path, name, str(form.get("password") or ""))
    except users.UserError as e:
        return _page(request, 400, str(e))
    flash(request, LABELS[lang_of(request)]["password_set"].format(name=name))
    if name.lower() == user.name.lower():
        return redirect("/login")  # this session ended with the old password
    return redirect("/admin/users")


@action("admin")
def remove(request: Request, user, form) -> Response:
    pw = request.app.state.pw
    name = request.path_params["name"]
    t = LABELS[lang_of(request)]
    try:
        if name.lower() == user.name.lower():
            raise users.UserError(t["not_yourself"])
        users.remove_user(pw.state.db_path, name)
    except users.UserError as e:
        return _page(request, 400, str(e))
    flash(request, t["user_removed"].format(name=name))
    return redirect("/admin/users")
