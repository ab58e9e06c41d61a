"""Who is asking: the session's user (checked against the users file on every request, so a
removed user or a changed password ends a session at once), the two kinds of endpoint — `page`
(GET) and `action` (POST: the CSRF token checked before anything runs) — with the role each
needs, and the login, logout and language pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from monitor.web import users
from monitor.web.labels import LABELS, LANGS
from monitor.web.render import flash, lang_of, local_path, redirect, render
from monitor.web.security import csrf_ok

RANK = {"office": 0, "operator": 1, "admin": 2}


def current_user(request: Request) -> users.User | None:
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = users.get_user(request.app.state.pw.state.db_path, uid)
    if user is None or user.session_gen != request.session.get("gen"):
        request.session.clear()
        return None
    return user


def _denied(request: Request, user: users.User | None, role: str) -> Response | None:
    if user is None:
        return redirect("/login?" + _next(request))
    if RANK[user.role] < RANK[role]:
        return error_page(request, 403, "forbidden")
    return None


def _next(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return urlencode({"next": here})


def page(role: str = "office") -> Callable:
    """A GET endpoint for people with at least `role`: fn(request, user) runs in a worker thread."""
    def wrap(fn: Callable) -> Callable:
        @wraps(fn)
        def endpoint(request: Request) -> Response:
            user = current_user(request)
            request.state.user = user
            denied = _denied(request, user, role)
            if denied is not None:
                return denied
            with request.app.state.pw.state.readers.lease():
                return fn(request, user)
        endpoint.role = role  # type: ignore[attr-defined]
        return endpoint
    return wrap


def action(role: str = "office", login: bool = True) -> Callable:
    """A POST endpoint: the form is read, its `csrf` field must match the session's (403
    otherwise, nothing done), then fn(request, user, form) runs in a worker thread."""
    def wrap(fn: Callable) -> Callable:
        @wraps(fn)
        async def endpoint(request: Request) -> Response:
            form = await request.form(max_files=1, max_fields=200)
            if not csrf_ok(request, form.get("csrf")):
                return error_page(request, 403, "csrf")
            user = await run_in_threadpool(current_user, request)
            request.state.user = user
            if login:
                denied = _denied(request, user, role)
                if denied is not None:
                    return denied
            return await run_in_threadpool(_leased, fn, request, user, form)
        endpoint.role = role if login else None  # type: ignore[attr-defined]
        endpoint.csrf = True  # type: ignore[attr-defined]
        return endpoint
    return wrap


def _leased(fn: Callable, request: Request, user, form) -> Response:
    with request.app.state.pw.state.readers.lease():
        return fn(request, user, form)


def error_page(request: Request, status: int, key: str, detail: str | None = None) -> Response:
    return render(request, "error.html.j2", status=status, key=key, detail=detail, code=status)


# -- login, logout, language -----------------------------------------------------------------------------------
def login_form(request: Request) -> Response:
    request.state.user = current_user(request)
    if request.state.user is not None:
        return redirect(local_path(request.query_params.get("next")))
    return render(request, "login.html.j2", next=local_path(request.query_params.get("next")), name="", error=None)


@action(login=False)
def login(request: Request, _user, form) -> Response:
    pw = request.app.state.pw
    name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
    nxt = local_path(str(form.get("next") or ""))
    address = request.client.host if request.client else "?"
    wait = pw.limiter.wait_seconds(address, name)
    if wait:
        msg = LABELS[lang_of(request)]["login_wait"].format(minutes=-(-wait // 60))
        return render(request, "login.html.j2", status=429, next=nxt, name=name, error=msg)
    user = users.authenticate(pw.state.db_path, name, password) if name and password else None
    if user is None:
        pw.limiter.failed(address, name)
        return render(request, "login.html.j2", status=401, next=nxt, name=name,
                      error=LABELS[lang_of(request)]["login_failed"])
    pw.limiter.succeeded(address, name)
    lang = lang_of(request)
    request.session.clear()  # a fresh session (and CSRF token) for the logged-in person
    request.session.update(uid=user.id, gen=user.session_gen, lang=lang)
    return redirect(nxt)


@action(login=False)
def logout(request: Request, _user, form) -> Response:
    lang = lang_of(request)
    request.session.clear()
    request.session["lang"] = lang
    flash(request, LABELS[lang]["logged_out"])
    return redirect("/login")


def set_lang(request: Request) -> Response:
    """`/lang/en?next=/u/hoang-mai`: the language for this browser's session, then back."""
    code = request.path_params["code"]
    if code in LANGS:
        request.session["lang"] = code
    return redirect(local_path(request.query_params.get("next")))
