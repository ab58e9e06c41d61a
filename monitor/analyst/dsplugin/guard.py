"""What `portalwatch serve` does not show: Datasette's debug and introspection pages under /-/
(/-/databases gives the database's absolute path; /-/threads, /-/versions, /-/settings,
/-/plugins, /-/actor, /-/config, /-/metadata, /-/messages, /-/allow-debug, /-/permissions,
/-/patterns …) answer 404; only the static files (/-/static/, /-/static-plugins/) and
portalwatch_datasette.py's /-/portalwatch.css and .js are served.
SQL naming pragma_database_list (the other way to read the file's path) is refused (403).

A refused request (a write in the SQL box, a bad table name: any 4xx) is logged in one line,
"refused GET /pw.json?sql=…: 400 Statement must be a SELECT", not as Datasette's traceback with
its locals (which it prints for every such request when rich is installed). Real errors (5xx)
still get their traceback.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qs

import datasette.handle_exception as default_handler
from datasette import hookimpl

SERVED = ("/-/static/", "/-/static-plugins/", "/-/portalwatch.css", "/-/portalwatch.js")
log = logging.getLogger("uvicorn.error")  # uvicorn's own log: one format on the console

default_handler.rich = None  # no rich traceback for a refusal; a 500 still prints traceback.print_exc()


def hidden(path: str) -> bool:
    """Whether a request path is one of Datasette's /-/ pages other than its static files."""
    path = "/" + re.sub(r"/{2,}", "/", path).lstrip("/")
    return (path == "/-" or path.startswith("/-/")) and not path.startswith(SERVED)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def guarded(scope, receive, send):
            if scope.get("type") == "http" and hidden(scope.get("path", "")):
                await _answer(send, 404, "Not found")
                return
            if scope.get("type") == "http" and _names_the_file(scope.get("query_string", b"")):
                log.warning("refused %s %s: 403 pragma_database_list", scope.get("method"), scope.get("path"))
                await _answer(send, 403, "Refused: pragma_database_list is not available here")
                return
            await app(scope, receive, send)

        return guarded

    return wrap


def _names_the_file(query_string: bytes) -> bool:
    """Whether any parameter (the SQL box's `sql`) mentions database_list, whatever its case."""
    values = [v for vs in parse_qs(query_string.decode("latin-1")).values() for v in vs]
    return any("database_list" in v.lower() for v in values)


async def _answer(send, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
    await send({"type": "http.response.body", "body": text.encode()})


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    status = getattr(exception, "status", 500)
    if isinstance(status, int) and status < 500:
        message = " ".join(str(getattr(exception, "message", None) or exception).split())[:300]
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        log.warning("refused %s %s: %s %s", request.method, target[:300], status, message)
    return None  # Datasette's own handler answers
