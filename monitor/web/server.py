"""Serving the app with uvicorn: on a socket bound first (so `--port 0` and tests know the port
before the first request), in the foreground (`portalwatch web`) or in a thread (tests)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def server(app, *, proxy_headers: bool = False, forwarded_allow_ips: str = "127.0.0.1",
           log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server for the app. Behind a reverse proxy, `proxy_headers` trusts X-Forwarded-For
    and X-Forwarded-Proto from `forwarded_allow_ips` (the client's address for the login limit,
    https for the Secure cookie)."""
    config = uvicorn.Config(app, proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips,
                            log_level=log_level, server_header=False, date_header=True, access_log=log_level == "debug",
                            lifespan="off")
    return uvicorn.Server(config)


class Background:
    """The app served from a thread on 127.0.0.1 (port 0: a free one); `.url`, `.stop()`."""

    def __init__(self, app, host: str = "127.0.0.1", **kw):
        self.sock = bind(host, 0)
        self.url = url_of(self.sock)
        self.server = server(app, log_level="warning", **kw)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
