"""HTTP front of the national simulator: one server, many host names, a politeness recorder.

The crawl connects to 127.0.0.1:PORT and sends ``Host: xa-ea-kao.daklak.sim.test:PORT``; the
server routes by host name, then path. :class:`Recorder` keeps, per host, the requests in
flight (current, maximum) and the gaps between request starts, so tests can assert politeness.

    world = NationalWorld(seed=1)
    with serve_national(world) as h:
        fetch(world.sites["daklak"].start_urls[0])   # resolves *.sim.test to 127.0.0.1
        h.recorder.report()["max_in_flight"]
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import threading
import time
from array import array
from collections import OrderedDict
from dataclasses import asdict
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from .national.units import SUFFIX
from .national.world import NationalWorld
from .server import ROBOTS_TXT, SimHandler, _Cached, _flag, _Running

_CACHE_MAX = 4096


class _HostRecord:
    __slots__ = ("requests", "in_flight", "max_in_flight", "last_start", "gaps")

    def __init__(self):
        self.requests = self.in_flight = self.max_in_flight = 0
        self.last_start: float | None = None
        self.gaps = array("d")


class Recorder:
    """Per host: requests, current and maximum in flight, gaps (s) between request starts."""

    def __init__(self):
        self._lock = threading.Lock()
        self._hosts: dict[str, _HostRecord] = {}

    def begin(self, host: str) -> None:
        now = time.monotonic()
        with self._lock:
            r = self._hosts.get(host)
            if r is None:
                r = self._hosts[host] = _HostRecord()
            if r.last_start is not None:
                r.gaps.append(now - r.last_start)
            r.last_start = now
            r.requests += 1
            r.in_flight += 1
            r.max_in_flight = max(r.max_in_flight, r.in_flight)

    def end(self, host: str) -> None:
        with self._lock:
            self._hosts[host].in_flight -= 1

    def reset(self) -> None:
        with self._lock:
            self._hosts.clear()

    def host(self, host: str) -> dict:
        """One host: requests, in_flight, max_in_flight, min_gap, gaps (all, sorted)."""
        with self._lock:
            r = self._hosts.get(host) or _HostRecord()
            gaps = sorted(r.gaps)
            return {"requests": r.requests, "in_flight": r.in_flight, "max_in_flight": r.max_in_flight,
                    "min_gap": gaps[0] if gaps else None, "gap_count": len(gaps), "gaps": gaps}  # fmt: skip

    def report(self, gaps: int = 10) -> dict:
        """All hosts (each with its ``gaps`` smallest gaps) and the worst values over them."""
        with self._lock:
            names = list(self._hosts)
        hosts = {}
        for name in names:
            h = self.host(name)
            h["gaps"] = h["gaps"][:gaps]
            hosts[name] = h
        mins = [h["min_gap"] for h in hosts.values() if h["min_gap"] is not None]
        return {
            "hosts": hosts,
            "requests": sum(h["requests"] for h in hosts.values()),
            "max_in_flight": max((h["max_in_flight"] for h in hosts.values()), default=0),
            "min_gap": min(mins) if mins else None,
        }


class NationalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, addr, world: NationalWorld):
        super().__init__(addr, NationalHandler)
        self.world = world
        self.recorder = Recorder()
        self.cache: OrderedDict[tuple, _Cached] = OrderedDict()
        self.cache_lock = threading.Lock()
        self.stats: dict[str, int] = {}
        self.stats_lock = threading.Lock()

    def handle_error(self, request, client_address):
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def count(self, kind: str) -> None:
        with self.stats_lock:
            self.stats[kind] = self.stats.get(kind, 0) + 1

    def render(self, host: str, path: str, query: str) -> _Cached:
        w = self.world
        key = (host, path, query, w.clock_ver, w.fault_ver)
        with self.cache_lock:
            hit = self.cache.get(key)
            if hit is not None:
                self.cache.move_to_end(key)
                return hit
        page = w.respond(host, path, query)
        body = page.html.encode("utf-8")
        etag = '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'
        with w.lock:
            lm = w.last_modified(page.article) if page.article is not None else None
        entry = _Cached(page.status, body, etag, lm, page.kind, page.site.id if page.site else None)
        with self.cache_lock:
            self.cache[key] = entry
            if len(self.cache) > _CACHE_MAX:
                self.cache.popitem(last=False)
        return entry


class NationalHandler(SimHandler):
    """SimHandler's HTTP plumbing; routing by the Host header; every request recorded."""

    server: NationalServer  # type: ignore[assignment]
    _recording: str | None = None

    def _send(self, status, body, headers=None, ctype="text/html; charset=utf-8") -> None:
        self._end_record()  # the answer is ready: the request is no longer in flight
        super()._send(status, body, headers, ctype)

    def _end_record(self) -> None:
        if self._recording is not None:
            self.server.recorder.end(self._recording)
            self._recording = None

    def _handle(self) -> None:
        raw = self.path
        if raw.startswith("http://") or raw.startswith("https://"):
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        path, _, query = raw.partition("?")
        path = path.split("#", 1)[0] or "/"
        if path.startswith("/_sim/"):
            self._control(path, query)
            return
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower().rstrip(".")
        self.server.recorder.begin(host)
        self._recording = host
        try:
            self._serve(host, raw, path, query)
        finally:
            self._end_record()

    def _serve(self, host: str, raw: str, path: str, query: str) -> None:
        srv, world = self.server, self.server.world
        site, district = world.route(host, path)
        if host not in world.hosts and host not in world.districts:
            srv.count("unknown_host")
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>")
            return
        faults = world.effective_faults(site.id if site else None)
        if faults.down:
            srv.count("down_503")
            self._send(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>", [("Retry-After", "3600")])
            return
        if faults.error_rate > 0 and world.should_fail((host, raw), faults.error_rate):
            srv.count("errors_500")
            self._send(500, b"<html><head><title>Runtime Error</title></head><body><h1>Server Error in '/' "
                            b"Application.</h1></body></html>")  # fmt: skip
            return
        if faults.slow_ms > 0:
            time.sleep(faults.slow_ms / 1000.0)
        if path == "/robots.txt":
            srv.count("robots")
            self._send(200, ROBOTS_TXT.encode(), ctype="text/plain; charset=utf-8")
            return
        if site is None and district is None:
            srv.count("not_found")
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>")
            return
        entry = srv.render(host, path, query)
        srv.count(entry.kind)
        headers = [("ETag", entry.etag), ("Cache-Control", "private, max-age=0")]
        if entry.last_modified is not None:
            headers.append(("Last-Modified", email.utils.formatdate(entry.last_modified, usegmt=True)))
        if entry.status == 200 and self._not_modified(entry):
            srv.count("not_modified")
            self._send(304, b"", headers)
            return
        self._send(entry.status, entry.body, headers if entry.status == 200 else [])

    def _control(self, path: str, query: str) -> None:
        self._answer_control(path, query)

    def _run_control(self, name: str, q: dict, data: dict, post: bool):
        return control(self.server, name, q, data, post)


def control(srv: NationalServer, name: str, q: dict, data: dict, post: bool):
    """The national /_sim/<name> endpoints (any host); JSON-able, str, or None (404)."""
    w = srv.world
    arg = {**q, **data}
    if name == "politeness":
        if post or _flag(q.get("reset")):
            srv.recorder.reset()
        return srv.recorder.host(arg["host"]) if arg.get("host") else srv.recorder.report(int(arg.get("gaps", 10)))
    if name == "politeness/reset" and post:
        srv.recorder.reset()
        return srv.recorder.report()
    if name == "clock" and not post:
        return w.clock()
    if name == "advance" and post:
        return w.advance(float(arg.get("hours", 0)), days=float(arg.get("days", 0)))
    if name == "stats" and not post:
        with srv.stats_lock:
            return {**w.stats(), "requests": dict(srv.stats)}
    if name == "sites" and not post:
        return [s.info() for s in w.select(_opt_int(arg.get("n")), kind=arg.get("kind"),
                                           smallest=_flag(arg.get("smallest")))]  # fmt: skip
    if name == "sites.toml" and not post:
        sites = w.select(_opt_int(arg.get("n")), kind=arg.get("kind"), smallest=_flag(arg.get("smallest")),
                         distinct_hosts=_flag(arg.get("distinct_hosts")))  # fmt: skip
        return w.sites_toml([s.id for s in sites])
    if name == "truth" and not post:
        return w.truth(arg["site"], include_body=_flag(arg.get("body"), True))
    if name == "posts" and not post:
        sites = arg["sites"].split(",") if arg.get("sites") else None
        return w.posts_between(int(arg["from"]), int(arg["to"]), sites)
    if name == "faults":
        if post:
            site = arg.pop("site")
            if _flag(arg.pop("clear", None)):
                w.clear_faults(site)
            else:
                w.set_faults(site, **arg)
        site = q.get("site") or data.get("site")
        out: dict = {"site_overrides": dict(w.site_faults)}
        if site:
            out["effective"] = asdict(w.effective_faults(site))
        return out
    return None


def _opt_int(v) -> int | None:
    return int(v) if v not in (None, "") else None


class NationalHandle(_Running):
    """A running national server: ``.port``, ``.world``, ``.recorder``, ``.stop()``."""

    def __init__(self, server: NationalServer, thread: threading.Thread):
        self.server, self.thread = server, thread
        self.port = server.server_address[1]
        self.world = server.world
        self.recorder = server.recorder
        self.control_url = f"http://127.0.0.1:{self.port}/_sim"


def make_national_server(world: NationalWorld, host: str = "127.0.0.1", port: int = 0) -> NationalServer:
    server = NationalServer((host, port), world)
    world.port = server.server_address[1]
    return server


def serve_national(world: NationalWorld, host: str = "127.0.0.1", port: int = 0) -> NationalHandle:
    """Serve ``world`` in a background thread (port 0 = any free port); sets ``world.port``."""
    server = make_national_server(world, host, port)
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                         name="national-http", daemon=True)  # fmt: skip
    t.start()
    return NationalHandle(server, t)


def fetch(url: str, headers: dict | None = None, timeout: float = 30.0, address: str = "127.0.0.1"):
    """GET ``url`` with ``*.sim.test`` resolved to ``address``: (status, headers, text)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    target = address if host == SUFFIX or host.endswith("." + SUFFIX) else host
    conn = http.client.HTTPConnection(target, parts.port or 80, timeout=timeout)
    try:
        path = parts.path or "/"
        conn.request("GET", path + (f"?{parts.query}" if parts.query else ""), headers={"Host": parts.netloc, **(headers or {})})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def main_national(seed: int, host: str, port: int, toml_out: str | None, quiet: bool) -> int:
    """``python -m simulator --national``: serve the national world until Ctrl-C."""
    started = time.monotonic()
    world = NationalWorld(seed=seed)
    server = make_national_server(world, host, port)
    if toml_out:
        with open(toml_out, "w", encoding="utf-8") as f:
            f.write(world.sites_toml())
    print(f"http://{host}:{world.port}/_sim/", flush=True)
    if not quiet:
        st = world.stats()
        print(f"# {st['sites']} sites on {st['hosts']} hosts (*.{SUFFIX} -> {host}), built in "
              f"{time.monotonic() - started:.2f}s; e.g. {world.sites['daklak'].start_urls[0]}", flush=True)  # fmt: skip
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
