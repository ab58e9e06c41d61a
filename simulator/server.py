"""HTTP front of the simulator: one stdlib ThreadingHTTPServer for every site.

``serve(sim)`` runs it in a background thread and returns a :class:`ServerHandle`
(``.base_url``, ``.stop()``, context manager). ``python -m simulator`` runs it standalone.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from . import render
from .world import Faults, Simulator

ROBOTS_TXT = """User-agent: *
Disallow: /c/portal/login
Disallow: /c/portal/logout
Disallow: /_sim/
Disallow: /hoangmai/private/
Disallow: /_layouts/
Disallow: /*/tim-kiem.aspx
"""

_CACHE_MAX = 50_000
_TEXT_HTML = "text/html; charset=utf-8"


class _Cached:
    __slots__ = ("status", "body", "etag", "last_modified", "kind", "site_id")

    def __init__(self, status, body, etag, last_modified, kind, site_id):
        self.status = status
        self.body = body
        self.etag = etag
        self.last_modified = last_modified
        self.kind = kind
        self.site_id = site_id


def _malform(html: str) -> str:
    """Truncate the page mid-markup and drop closing tags (a broken upstream response)."""
    cut = html[: int(len(html) * 0.7)]
    return cut.replace("</p>", "").replace("</li>", "")


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr, sim: Simulator):
        super().__init__(addr, SimHandler)
        self.sim = sim
        self.cache: dict[tuple, _Cached] = {}

    def handle_error(self, request, client_address):
        """A client hanging up mid-request is normal for a web server; anything else is printed."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def render(self, path: str, query: str) -> _Cached:
        sim = self.sim
        key = (path, query, sim.clock_ver, sim.mut_ver, sim.fault_ver)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        with sim.lock:
            key = (path, query, sim.clock_ver, sim.mut_ver, sim.fault_ver)
            respond = getattr(sim, "respond", None)  # a world with its own pages (families)
            page = respond(path, query) if respond else render.respond(sim, path, query)
            html = page.html
            site_id = page.site.id if page.site else None
            if page.status == 200 and site_id and sim.effective_faults(site_id).malformed:
                html = _malform(html)
            body = html.encode("utf-8")
            etag = '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'
            lm = sim.last_modified(page.article) if page.article is not None else None
            entry = _Cached(page.status, body, etag, lm, page.kind, site_id)
            if len(self.cache) >= _CACHE_MAX:
                self.cache.clear()
            self.cache[key] = entry
            return entry


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache-Coyote/1.1"
    sys_version = ""
    disable_nagle_algorithm = True
    server: SimServer

    def log_message(self, format, *args):  # noqa: A002 - quiet: no per-request logging
        pass

    # ------------------------------------------------------------------ plumbing
    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]] | None = None,
              ctype: str = _TEXT_HTML) -> None:  # fmt: skip
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        lines = [
            f"HTTP/1.1 {status} {reason}",
            f"Server: {self.server_version}",
            f"Date: {email.utils.formatdate(usegmt=True)}",
        ]
        if status != 304:
            lines.append(f"Content-Type: {ctype}")
        for k, v in headers or ():
            lines.append(f"{k}: {v}")
        send_body = status != 304 and self.command != "HEAD"
        lines.append(f"Content-Length: {len(body) if status != 304 else 0}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + body if send_body else head)

    def _json(self, obj, status: int = 200) -> None:
        data = json.dumps(obj, ensure_ascii=False, indent=None).encode("utf-8")
        self._send(status, data, [("Cache-Control", "no-store")], "application/json; charset=utf-8")

    def _body_json(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw.strip():
            return {}
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("JSON object expected")
        return data

    # ------------------------------------------------------------------ verbs
    def do_GET(self):  # noqa: N802
        self._handle()

    def do_HEAD(self):  # noqa: N802
        self._handle()

    def do_POST(self):  # noqa: N802
        path, _, query = self.path.partition("?")
        if path.startswith("/_sim/"):
            self._control(path, query)
        else:
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            self._send(405, b"Method Not Allowed", [("Allow", "GET, HEAD")], "text/plain")

    def _handle(self) -> None:
        sim = self.server.sim
        raw = self.path
        if raw.startswith("http://") or raw.startswith("https://"):
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        path, _, query = raw.partition("?")
        path = path.split("#", 1)[0] or "/"
        if path.startswith("/_sim/"):
            self._control(path, query)
            return
        if path == "/robots.txt":
            sim.count("other")
            sim.count("robots", total=False)
            self._send(200, ROBOTS_TXT.encode(), ctype="text/plain; charset=utf-8")
            return
        if path == "/favicon.ico":
            sim.count("other")
            self._send(404, b"", ctype="text/plain")
            return
        site, _ = sim.site_for_path(path[3:] if path.startswith("/en/") else path)
        faults = sim.effective_faults(site.id if site else None)
        if faults.down:
            sim.count("down_503")
            body = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
            self._send(503, body, [("Retry-After", "3600")])
            return
        if faults.error_rate > 0 and sim.should_fail(raw, faults.error_rate):
            sim.count("errors_500")
            body = (
                b"<html><head><title>Runtime Error</title></head><body><h1>Server Error in '/' Application."
                b"</h1><p>An unexpected error has occurred.</p></body></html>"
            )
            self._send(500, body)
            return
        if faults.slow_ms > 0:
            time.sleep(faults.slow_ms / 1000.0)
        entry = self.server.render(path, query)
        kind = entry.kind
        sim.count(kind if kind in ("list", "article") else "other", len(entry.body))
        if kind in ("home", "not_found", "gone"):
            sim.count(kind, total=False)
        headers = [("ETag", entry.etag), ("Cache-Control", "private, max-age=0")]
        if entry.last_modified is not None:
            headers.append(("Last-Modified", email.utils.formatdate(entry.last_modified, usegmt=True)))
        if entry.status == 200 and self._not_modified(entry):
            sim.count("not_modified")
            self._send(304, b"", headers)
            return
        if entry.status != 200:
            headers = []
        self._send(entry.status, entry.body, headers)

    def _not_modified(self, entry: _Cached) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or entry.etag in tags or ("W/" + entry.etag) in tags
        ims = self.headers.get("If-Modified-Since")
        if ims and entry.last_modified is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return entry.last_modified <= since
        return False

    # ------------------------------------------------------------------ control API
    def _control(self, path: str, query: str) -> None:
        self.server.sim.count("sim", total=False)
        self._answer_control(path, query)

    def _run_control(self, name: str, q: dict, data: dict, post: bool):
        """One control-API call against this server's world (the national front overrides it)."""
        return control(self.server.sim, name, q, data, post)

    def _answer_control(self, path: str, query: str) -> None:
        q = {k: v[-1] for k, v in parse_qs(query).items()}
        post = self.command == "POST"
        try:
            data = self._body_json() if post else {}
            res = self._run_control(path[len("/_sim/") :].strip("/"), q, data, post)
        except KeyError as e:
            self._json({"error": f"not found: {e}"}, 404)
            return
        except (ValueError, TypeError) as e:
            self._json({"error": str(e)}, 400)
            return
        if res is None:
            self._json({"error": f"no such endpoint {self.command} {path}"}, 404)
        elif isinstance(res, str):
            self._send(200, res.encode("utf-8"), ctype="text/plain; charset=utf-8")
        else:
            self._json(res)


def _flag(v, default: bool = False) -> bool:
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    return str(v).lower() in ("1", "true", "yes", "on")


def _ref(data: dict, q: dict) -> str:
    for k in ("ref", "key", "url"):
        if data.get(k):
            return data[k]
        if q.get(k):
            return q[k]
    raise ValueError("give ref, key or url")


def control(sim: Simulator, name: str, q: dict, data: dict, post: bool):
    """The /_sim/<name> endpoints; returns a JSON-able object, a str, or None (404)."""
    if name == "truth" and not post:
        return sim.truth(
            site=q.get("site") or None,
            include_body=_flag(q.get("body"), True),
            include_removed=_flag(q.get("removed"), True),
        )
    if name == "article" and not post:
        with sim.lock:
            return sim.record(sim.article(_ref(data, q)))
    if name == "sites" and not post:
        return sim.sites_info()
    if name == "sites.toml" and not post:
        return sim.sites_toml()
    if name == "clock" and not post:
        return sim.clock()
    if name == "stats":
        if post or _flag(q.get("reset")):
            sim.reset_stats()
        return sim.get_stats()
    if name == "stats/reset" and post:
        sim.reset_stats()
        return sim.get_stats()
    if name == "faults":
        if not post:
            return sim.faults()
        site = data.pop("site", None) or q.get("site")
        if _flag(data.pop("clear", None)):
            sim.clear_faults(site)
        kw = {k: v for k, v in data.items() if k in Faults.names()}
        if set(data) - set(kw):
            raise ValueError(f"unknown fault(s): {sorted(set(data) - set(kw))}")
        return sim.set_faults(site, **kw) if kw else sim.faults()
    if not post:
        return None
    if name == "advance":
        hours = float(data.get("hours", q.get("hours", 0)))
        days = float(data.get("days", q.get("days", 0)))
        return sim.advance(hours, days=days, churn=_flag(data.get("churn", q.get("churn"))))
    if name == "edit":
        a = sim.edit(_ref(data, q), title=data.get("title"), body=data.get("body"))
        with sim.lock:
            return sim.record(a)
    if name == "remove":
        status = data.get("status", q.get("status"))
        a = sim.remove(_ref(data, q), int(status) if status else None)
        with sim.lock:
            return sim.record(a, include_body=False)
    if name == "restore":
        a = sim.restore(_ref(data, q))
        with sim.lock:
            return sim.record(a, include_body=False)
    if name == "add_sites":
        sites = sim.add_sites(int(data.get("n", q.get("n", 1))), data.get("template", q.get("template", "tandan")))
        return [s.info(sim.base_url) for s in sites]
    return None


class _Running:
    """A server running on a thread: `.stop()` and `with … as handle:`."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class ServerHandle(_Running):
    """A running simulator server. ``with serve(sim) as h: urlopen(h.base_url + ...)``."""

    def __init__(self, server: SimServer, thread: threading.Thread):
        self.server = server
        self.thread = thread
        host, port = server.server_address[:2]
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self.sim = server.sim

    def url(self, path: str) -> str:
        return self.base_url + path

def make_server(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> SimServer:
    server = SimServer((host, port), sim)
    h, p = server.server_address[:2]
    sim.base_url = f"http://{h}:{p}"
    return server


def serve(sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Start serving ``sim`` in a background thread (port 0 = any free port)."""
    server = make_server(sim, host, port)
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                         name="simulator-http", daemon=True)  # fmt: skip
    t.start()
    return ServerHandle(server, t)
