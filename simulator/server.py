"""HTTP front of the simulator: one stdlib ThreadingHTTPServer for every site.

``serve(sim)`` runs it in a background thread and returns a :class:`ServerHandle`
(``.base_url``, ``.stop()``, context manager). ``python -m simulator`` runs it standalone.
"""

from __future__ import annotations

import dataclasses
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
        if site is not None:
            sim.count(f"site:{site.id}", total=False)  # every request a site was sent, whatever the answer
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


def _ref(args: dict) -> str:
    for k in ("ref", "key", "url"):
        if args.get(k):
            return args[k]
    raise ValueError("give ref, key or url")


_REF = ("ref", "key", "url")
# (endpoint, POST?) -> the fields it takes, from the query string or a JSON body alike
FIELDS: dict[tuple[str, bool], tuple[str, ...]] = {
    ("truth", False): ("site", "body", "removed"),
    ("article", False): _REF,
    ("sites", False): (),
    ("sites.toml", False): (),
    ("clock", False): (),
    ("stats", False): ("reset",),
    ("stats", True): ("reset",),
    ("stats/reset", True): (),
    ("faults", False): (),
    ("faults", True): ("site", "clear", *Faults.names()),
    ("advance", True): ("hours", "days", "churn"),
    ("edit", True): (*_REF, "title", "body"),
    ("remove", True): (*_REF, "status"),
    ("restore", True): _REF,
    ("add_sites", True): ("n", "template"),
}


def fields(name: str, post: bool, q: dict, data: dict) -> dict:
    """The call's fields: the query string's, then the JSON body's (the body wins). A field the
    endpoint does not take is refused (ValueError, answered 400) naming the ones it takes."""
    args = {**q, **data}
    known = FIELDS.get((name, post))
    if known is None:
        return args
    unknown = sorted(set(args) - set(known))
    if unknown:
        verb = "POST" if post else "GET"
        takes = ", ".join(known) if known else "no fields"
        raise ValueError(f"{verb} /_sim/{name}: unknown field {', '.join(map(repr, unknown))}; it takes {takes}")
    return args


def _fault_values(args: dict) -> dict:
    """Fault settings typed like Faults' fields: a query string gives text ('1', '0.3', 'plain')."""
    types = {f.name: f.type for f in dataclasses.fields(Faults)}
    out: dict = {}
    for k, v in args.items():
        kind = str(types[k])
        if not isinstance(v, str):
            out[k] = v
        elif "str" in kind:
            out[k] = v or None
        elif kind == "bool":
            out[k] = _flag(v)
        else:
            out[k] = int(v) if kind == "int" else float(v)
    return out


def control(sim: Simulator, name: str, q: dict, data: dict, post: bool):
    """The /_sim/<name> endpoints; returns a JSON-able object, a str, or None (404)."""
    args = fields(name, post, q, data)
    if name == "truth" and not post:
        return sim.truth(
            site=args.get("site") or None,
            include_body=_flag(args.get("body"), True),
            include_removed=_flag(args.get("removed"), True),
        )
    if name == "article" and not post:
        with sim.lock:
            return sim.record(sim.article(_ref(args)))
    if name == "sites" and not post:
        return sim.sites_info()
    if name == "sites.toml" and not post:
        return sim.sites_toml()
    if name == "clock" and not post:
        return sim.clock()
    if name == "stats":
        if post or _flag(args.get("reset")):
            sim.reset_stats()
        return sim.get_stats()
    if name == "stats/reset" and post:
        sim.reset_stats()
        return sim.get_stats()
    if name == "faults":
        if not post:
            return sim.faults()
        site = args.pop("site", None) or None
        if _flag(args.pop("clear", None)):
            sim.clear_faults(site)
        kw = _fault_values(args)
        return sim.set_faults(site, **kw) if kw else sim.faults()
    if not post:
        return None
    if name == "advance":
        return sim.advance(float(args.get("hours", 0)), days=float(args.get("days", 0)),
                           churn=_flag(args.get("churn")))  # fmt: skip
    if name == "edit":
        a = sim.edit(_ref(args), title=args.get("title"), body=args.get("body"))
        with sim.lock:
            return sim.record(a)
    if name == "remove":
        status = args.get("status")
        a = sim.remove(_ref(args), int(status) if status else None)
        with sim.lock:
            return sim.record(a, include_body=False)
    if name == "restore":
        a = sim.restore(_ref(args))
        with sim.lock:
            return sim.record(a, include_body=False)
    if name == "add_sites":
        sites = sim.add_sites(int(args.get("n", 1)), args.get("template", "tandan"))
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
