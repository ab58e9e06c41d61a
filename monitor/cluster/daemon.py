"""A Scrapyd daemon on this machine, for tests, benchmarks and trying a cluster out: its own
folder with a scrapyd.conf (127.0.0.1, a free port, items_dir set), started as a child that dies
with its parent, stopped with its whole process group (the daemon and its crawl processes)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from monitor import procs
from monitor.cluster.scrapyd import Node, NodeError

CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
max_proc = {max_proc}
poll_interval = {poll_interval}
items_dir = {home}/items
logs_dir = {home}/logs
eggs_dir = {home}/eggs
dbs_dir = {home}/dbs
jobs_to_keep = 1000
finished_to_keep = 1000
username = {username}
password = {password}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScrapydDaemon:
    def __init__(self, home: Path, *, max_proc: int = 2, poll_interval: float = 0.2,
                 auth: tuple[str, str] | None = None):
        self.home = Path(home)
        self.auth = auth
        self.max_proc = max_proc
        self.poll_interval = poll_interval
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def node(self, timeout: float = 30.0) -> Node:
        return Node(self.url, timeout=timeout, auth=self.auth)

    def start(self, deadline: float = 120.0) -> ScrapydDaemon:
        self.home.mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):  # a free port can be taken before the daemon binds it
            self.port = free_port()
            (self.home / "scrapyd.conf").write_text(CONF.format(
                port=self.port, max_proc=self.max_proc, poll_interval=self.poll_interval, home=self.home,
                username=self.auth[0] if self.auth else "", password=self.auth[1] if self.auth else ""))
            log = open(self.home / "scrapyd.out", "ab")
            env = dict(os.environ)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "scrapyd", "--pidfile", str(self.home / "twistd.pid")],
                cwd=self.home, stdout=log, stderr=subprocess.STDOUT, env=env,
                preexec_fn=_own_group_dying_with(os.getpid()))
            log.close()
            end = time.monotonic() + deadline
            while time.monotonic() < end and self.proc.poll() is None:
                try:
                    self.node(timeout=5).daemonstatus()
                    return self
                except NodeError:
                    time.sleep(0.1)
            if self.proc.poll() is None:
                self.kill()
                raise RuntimeError(f"scrapyd on port {self.port} did not answer within {deadline:g}s")
        raise RuntimeError(f"scrapyd would not start: see {self.home / 'scrapyd.out'}")

    def kill(self) -> None:
        """SIGKILL the daemon and its crawl processes (its process group)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def __enter__(self) -> ScrapydDaemon:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()


def _own_group_dying_with(parent: int):
    def preexec() -> None:
        os.setsid()  # its own process group: kill() reaches the crawl processes too
        procs.pdeathsig(signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)
    return preexec
