"""The Datasette plugin `portalwatch serve` loads (`--plugins-dir` this folder):

- `pw_unmark(text, q)`: the canned `search` query's highlights without lone stop-words
  (monitor.analyst.search.unmark_stopwords);
- CSV downloads start with a UTF-8 byte-order mark, so Excel shows Vietnamese as written;
- portalwatch.css and portalwatch.js (served at /-/portalwatch.css|js): article bodies hidden
  until asked for, column descriptions folded, the ranked-search form usable on a phone;
- the full-text index's own tables and views (`articles_fts_content`, `articles_fts_data` …, any
  name with `_fts_`) are not pages: off the table and view lists (Datasette lists every view,
  whatever the metadata says). SQL still reads them; search goes through `articles_fts`.
"""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from monitor.analyst.search import unmark_stopwords

HERE = Path(__file__).resolve().parent
BOM = "\ufeff".encode()
_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"}


def unmark(text: str | None, query: str | None) -> str | None:
    return unmark_stopwords(text, query or "", "«", "»") if text else text


@hookimpl
def prepare_connection(conn):
    conn.create_function("pw_unmark", 2, unmark, deterministic=True)


def internal(name: str) -> bool:
    """A table or view the full-text index keeps for itself."""
    return "_fts_" in name


@hookimpl
def permission_allowed(action, resource):
    if action == "view-table" and isinstance(resource, tuple | list) and len(resource) == 2 and internal(resource[1]):
        return False
    return None


@hookimpl
def register_routes():
    return [(r"^/-/portalwatch\.(?P<ext>css|js)$", asset)]


async def asset(request):
    ext = request.url_vars["ext"]
    return Response((HERE / f"portalwatch.{ext}").read_text(encoding="utf-8"), content_type=_TYPES[ext],
                    headers={"Cache-Control": "max-age=300"})


@hookimpl
def extra_css_urls():
    return ["/-/portalwatch.css"]


@hookimpl
def extra_js_urls():
    return ["/-/portalwatch.js"]


@hookimpl
def asgi_wrapper(datasette):
    return with_bom


def with_bom(app):
    """Every CSV Datasette sends (tables, views, queries; downloads or not) gets the BOM first."""

    async def wrapped(scope, receive, send):
        if scope.get("type") != "http" or not scope.get("path", "").endswith(".csv"):
            await app(scope, receive, send)
            return
        pending = {"bom": False}

        async def send_with_bom(message):
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                kind = headers.get(b"content-type", b"")
                if message.get("status") == 200 and kind.startswith((b"text/csv", b"text/plain")):
                    pending["bom"] = True
                    if b"content-length" in headers:
                        size = int(headers[b"content-length"]) + len(BOM)
                        message = {**message, "headers": [(k, str(size).encode() if k == b"content-length" else v)
                                                          for k, v in message["headers"]]}
            elif message["type"] == "http.response.body" and pending["bom"]:
                pending["bom"] = False
                message = {**message, "body": BOM + message.get("body", b"")}
            await send(message)

        await app(scope, receive, send_with_bom)

    return wrapped
