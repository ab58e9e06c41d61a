"""A faulty Scrapyd node on 127.0.0.1 (a real Scrapyd cannot be made to answer this): it accepts
jobs like Scrapyd, then answers one malformed thing, chosen by `fault`:

- `listjobs-list`: listjobs.json answers a JSON list (`[]`) instead of an object;
- `listjobs-no-id`: listjobs.json lists the node's jobs as finished, without their `id`;
- `feed-cut`: the jobs are finished; each feed ends in the middle of a line;
- `feed-incomplete`: the jobs are finished; the feed's connection is cut before Content-Length.

Every request is recorded (`requests`: (method, path)); cancel.json answers like Scrapyd.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("listjobs-list", "listjobs-no-id", "feed-cut", "feed-incomplete")
FEED_LINE = json.dumps({"kind": "crawl_started", "site_id": "x", "started_at": "2026-12-06T00:00:00+00:00"})


class HostileNode:
    def __init__(self, fault: str):
        assert fault in FAULTS, fault
        self.fault = fault
        self.jobs: list[str] = []
        self.requests: list[tuple[str, str]] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, body: bytes, length: int | None = None, ctype: str = "application/json") -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def _json(self, obj) -> None:
                self._send(json.dumps(obj).encode())

            def do_GET(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                node.requests.append(("GET", path))
                if path == "/daemonstatus.json":
                    self._json({"status": "ok", "running": 0, "pending": 0, "finished": 0, "node_name": "hostile"})
                elif path == "/listjobs.json":
                    if node.fault == "listjobs-list":
                        self._json([])
                    elif node.fault == "listjobs-no-id":
                        self._json({"status": "ok", "pending": [], "running": [],
                                    "finished": [{"spider": "portal-node"} for _ in node.jobs]})
                    else:
                        self._json({"status": "ok", "pending": [], "running": [],
                                    "finished": [{"id": j, "spider": "portal-node"} for j in node.jobs]})
                elif path.startswith("/items/"):
                    whole = (FEED_LINE + "\n").encode() * 3
                    if node.fault == "feed-cut":
                        self._send(whole + FEED_LINE[:25].encode())
                    else:  # feed-incomplete: promise more than is sent, then drop the connection
                        self._send(whole, length=len(whole) + 5000)
                        self.close_connection = True
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                node.requests.append(("POST", path))
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if path == "/schedule.json":
                    job = form["jobid"][0]
                    node.jobs.append(job)
                    self._json({"status": "ok", "jobid": job})
                elif path == "/cancel.json":
                    self._json({"status": "ok", "prevstate": None})
                else:
                    self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostileNode:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
