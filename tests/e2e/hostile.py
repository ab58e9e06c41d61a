"""A small hostile portal on 127.0.0.1: Liferay-style list and article pages whose routes a
test sets one by one (absurd counts, garbage bytes, redirect loops, off-host redirects, huge
bodies without Content-Length, 429 with Retry-After).

    srv = HostileServer()
    srv.page("/tin-tuc", liferay_list([("/-/view_content/1-a.html", "Tin A", "View count: 12")]))
    srv.page("/-/view_content/1-a.html", liferay_article("Tin A", "View count: 12"))
    srv.route("/x", status=302, headers={"Location": "/x"})
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Callable[[], bytes] = b""
    stream: int = 0  # > 0: write this many bytes of filler, chunk by chunk, without Content-Length


class HostileServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, float]] = []  # (path, monotonic time)
        self.sequences: dict[str, list[Route]] = {}  # answered first, one per request, then routes
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *a):
                pass

            def do_GET(self):
                server.requests.append((self.path, time.monotonic()))
                queue = server.sequences.get(self.path)
                route = queue.pop(0) if queue else server.routes.get(self.path)
                if route is None:
                    route = Route(404, {"Content-Type": "text/html"}, b"<html><body>not found</body></html>")
                self.send_response(route.status)
                for k, v in route.headers.items():
                    self.send_header(k, v)
                if route.stream:
                    self.end_headers()
                    chunk = b"<p>" + b"x" * 65530 + b"</p>\n"
                    try:
                        for _ in range(route.stream // len(chunk) + 1):
                            self.wfile.write(chunk)
                    except OSError:
                        pass  # the crawler hung up: that is the point
                    return
                body = route.body() if callable(route.body) else route.body
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.page("/robots.txt", b"User-agent: *\nAllow: /\n", content_type="text/plain")
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def route(self, path: str, **kw) -> None:
        self.routes[path] = Route(**kw)

    def first(self, path: str, *routes: Route) -> None:
        """Answer the next requests for `path` with these routes, then with its page again."""
        self.sequences[path] = list(routes)

    def page(self, path: str, body: str | bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, {"Content-Type": content_type, **(headers or {})}, data)

    def hits(self, path: str) -> list[float]:
        return [t for p, t in self.requests if p == path]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def liferay_list(items: list[tuple[str, str, str]]) -> str:
    """A Liferay list page; items are (href, title, views text such as "View count: 12")."""
    out = []
    for href, title, views in items:
        out.append(
            f'<div class="asset-abstract"><h3 class="asset-title"><a href="{html.escape(href)}">{html.escape(title)}</a></h3>'
            f'<div class="assetPublishDate block_timer"> Ngày đăng 14/11/2026 | 09:30 &nbsp;|&nbsp;{views} </div>'
            f'<div class="asset-summary">Tóm tắt {html.escape(title)}</div></div>\n'
        )
    return (
        '<html class="aui ltr" lang="vi-VN"><head><title>Tin tức</title>'
        '<script>Liferay.currentURL = "/tin-tuc";</script></head><body>'
        '<div id="p_p_id_101_">' + "".join(out) + "</div></body></html>"
    )


def liferay_article(title: str, views: str = "View count: 12", body: str = "Nội dung bài viết.",
                    date: str = "14/11/2026 | 09:30") -> str:
    return (
        '<html class="aui ltr" lang="vi-VN"><head><title>' + html.escape(title) + '</title>'
        '<script>Liferay.currentURL = "/x";</script></head><body><div id="p_p_id_101_">'
        f'<div class="asset-full-content-title">{html.escape(title)}</div>'
        f'<div class="assetPublishDate block_timer"> Ngày đăng {date} &nbsp;|&nbsp;{views} </div>'
        f'<div class="journal-content-article"><p>{html.escape(body)}</p><p>Đoạn hai của bài viết.</p></div>'
        "</div></body></html>"
    )


def write_config(path: Path, sites: dict[str, list[str]], extra: str = "") -> Path:
    """sites.toml with one Liferay site per id (its start URLs): no delay, one retry, and
    article pages fetched on every crawl."""
    text = "[portalwatch]\ndelay = 0\nretries = 1\ntimeout = 20\nautothrottle = false\n" + extra + "\n"
    for sid, urls in sites.items():
        quoted = ", ".join(f'"{u}"' for u in urls)
        text += (f'\n[[site]]\nid = "{sid}"\nname = "Phường {sid}"\nstart_urls = [{quoted}]\nprofile = "liferay"\n'
                 'revisit = { mode = "always" }\n')
    path.write_text(text, encoding="utf-8")
    return path
