"""The web app: every route and the role it needs, the middleware (security headers, signed
sessions) and the error pages. `create_app(config_path, db_path)` gives the ASGI app that
`portalwatch web` serves with uvicorn (server.py)."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from monitor.web import admin_pages, auth, console_pages, office_pages
from monitor.web.console import HealthCache
from monitor.web.render import STATIC
from monitor.web.security import LoginLimiter, SecurityHeaders, Sessions, load_secret
from monitor.web.state import State

log = logging.getLogger("portalwatch.web")


@dataclass
class Shared:
    """app.state.pw: what every request reads."""

    state: State
    secret: str
    limiter: LoginLimiter
    health: HealthCache = field(default_factory=HealthCache)

    def warm(self) -> None:
        """Read every site's health once, in the background, before the first console page."""
        def run() -> None:
            from monitor.analyst.query import connect

            try:
                conn = connect(self.state.db_path)
                try:
                    self.health.rows(conn, self.state.config)
                finally:
                    conn.close()
            except Exception:  # noqa: BLE001 - the console computes it on its first page instead
                log.exception("could not read the sites' health in the background")

        threading.Thread(target=run, name="portalwatch-health", daemon=True).start()


def routes() -> list:
    return [
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/lang/{code}", auth.set_lang, methods=["GET"]),
        Route("/", office_pages.home, methods=["GET"]),
        Route("/u/{unit}", office_pages.unit, methods=["GET"]),
        Route("/a/{article:int}", office_pages.article, methods=["GET"]),
        Route("/search", office_pages.search, methods=["GET"]),
        Route("/ops", console_pages.sites, methods=["GET"]),
        Route("/ops/site/{site}", console_pages.site, methods=["GET"]),
        Route("/ops/site/{site}/check", console_pages.check, methods=["POST"]),
        Route("/ops/site/{site}/edit", console_pages.edit, methods=["POST"]),
        Route("/ops/site/{site}/enable", console_pages.enable, methods=["POST"]),
        Route("/ops/site/{site}/disable", console_pages.disable, methods=["POST"]),
        Route("/ops/sample/{sample:int}", console_pages.sample, methods=["GET"]),
        Route("/ops/add", console_pages.add_form, methods=["GET"]),
        Route("/ops/add", console_pages.add_preview, methods=["POST"]),
        Route("/ops/add/save", console_pages.add_save, methods=["POST"]),
        Route("/ops/import", console_pages.import_form, methods=["GET"]),
        Route("/ops/import", console_pages.import_preview, methods=["POST"]),
        Route("/ops/import/save", console_pages.import_save, methods=["POST"]),
        Route("/admin/users", admin_pages.list_page, methods=["GET"]),
        Route("/admin/users", admin_pages.add, methods=["POST"]),
        Route("/admin/users/{name}/role", admin_pages.set_role, methods=["POST"]),
        Route("/admin/users/{name}/password", admin_pages.set_password, methods=["POST"]),
        Route("/admin/users/{name}/remove", admin_pages.remove, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    key = {403: "forbidden", 404: "not_found", 405: "bad_request"}.get(exc.status_code, "bad_request")
    return auth.error_page(request, exc.status_code, key)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("error on %s %s", request.method, request.url.path, exc_info=exc)
    return auth.error_page(request, 500, "error")


def create_app(config_path: str | os.PathLike, db_path: str | os.PathLike, *, session_hours: float | None = None,
               limiter: LoginLimiter | None = None) -> Starlette:
    """The app over this configuration and database (ConfigError or OSError now, not on the
    first page, when either cannot be used). The database is migrated."""
    state = State.open(config_path, db_path)
    hours = session_hours or state.config.web.session_hours
    secret = load_secret(db_path)
    app = Starlette(
        routes=routes(),
        middleware=[Middleware(SecurityHeaders), Middleware(Sessions, secret=secret, max_age=int(hours * 3600))],
        exception_handlers={HTTPException: _http_error, 500: _server_error},
    )
    app.state.pw = Shared(state, secret, limiter or LoginLimiter())
    app.state.pw.warm()
    return app
