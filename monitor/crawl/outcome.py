"""What a crawl run comes back with: its result, or the interrupt that stopped it (and what the
interrupted children had stored); SIGTERM delivered as that interrupt. Shared by every backend."""

from __future__ import annotations

import signal
import threading
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from monitor.store.connect import open_db
from monitor.store.db import Store


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered like Ctrl-C (see terminate_as_interrupt)."""


class terminate_as_interrupt:  # noqa: N801 - used as a context manager, like a function
    """Within this block (main thread only), SIGTERM raises Terminated, so `timeout`, `kill` and
    systemd stop a crawl the way Ctrl-C does."""

    def __enter__(self):
        self._old = None
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise Terminated()

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGTERM, self._old)


class CrawlInterrupted(KeyboardInterrupt):
    """The crawl was stopped by SIGINT/SIGTERM; what had been stored stays stored. Still an
    interrupt: callers that do not handle it stop as on Ctrl-C."""

    def __init__(self, signal_name: str, crawls: list[dict], articles: int, new: int, readings: int):
        self.signal_name, self.crawls = signal_name, crawls
        self.articles, self.new, self.readings = articles, new, readings
        super().__init__(self.summary())

    @property
    def exit_code(self) -> int:
        return 128 + (signal.SIGTERM if self.signal_name == "SIGTERM" else signal.SIGINT)

    def summary(self) -> str:
        return (f"crawl interrupted by {self.signal_name}: kept what was stored before the stop: "
                f"{self.articles} articles seen ({self.new} new), {self.readings} view readings; "
                f"{len(self.crawls)} site crawl(s) marked aborted")


@dataclass
class CrawlResult:
    returncode: int
    seconds: float
    crawls: list[dict] = field(default_factory=list)  # the `crawls` rows this run wrote
    timed_out: bool = False
    stderr_tail: str = ""
    skipped: dict[str, str] = field(default_factory=dict)  # site id -> why (another run holds its lease)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def error(self) -> str | None:
        """The child's own last word when it failed ("error: disk full: …" on stderr), without
        the prefix; None when it said none."""
        if self.returncode == 0:
            return None
        said = [ln.strip() for ln in self.stderr_tail.splitlines() if ln.startswith("error: ")]
        return said[-1].removeprefix("error: ") if said else None

    def summary(self) -> str:
        """The run in one line, for a log: "12 sites (11 ok, 1 failed: site-id), 245 pages,
        3 new posts, 4 fetch errors"."""
        by: dict[str, list[str]] = {}
        for c in self.crawls:
            by.setdefault(c["outcome"] or "running", []).append(c["site_id"])
        outcomes = ", ".join(
            f"{len(ids)} {what}" + ("" if what in ("ok", "partial") else f": {', '.join(ids)}")
            for what, ids in sorted(by.items(), key=lambda kv: kv[0] != "ok"))
        n = len(self.crawls)
        pages = sum(c["pages_fetched"] or 0 for c in self.crawls)
        new = sum(c["articles_new"] or 0 for c in self.crawls)
        errors = sum(c["errors"] or 0 for c in self.crawls)
        line = (f"{n} site{'s' if n != 1 else ''} ({outcomes or 'none crawled'}), {pages} page{'s' if pages != 1 else ''}"
                f", {new} new post{'s' if new != 1 else ''}, {errors} fetch error{'s' if errors != 1 else ''}")
        if self.skipped:
            line += f", {len(self.skipped)} skipped (crawled by another run)"
        return line


def interrupted(db, pids: list[int], before: int, exc: BaseException) -> CrawlInterrupted:
    """Mark the crawl rows of these (killed) children aborted and count what they stored."""
    name = "SIGTERM" if isinstance(exc, Terminated) else "SIGINT"
    crawls: list[dict] = []
    articles = new = readings = 0
    if Path(db).exists() and pids:
        store = Store(db)
        try:
            store.mark_aborted(pids, f"interrupted by {name}", after_id=before)
        finally:
            store.close()
        with closing(open_db(db)) as database:
            marks = ", ".join("?" * len(pids))
            crawls = [dict(r) for r in database.query(
                f"SELECT * FROM crawls WHERE pid IN ({marks}) AND id > ? ORDER BY id", [*pids, before])]
            ids = [c["id"] for c in crawls]
            articles = sum(c["articles_seen"] for c in crawls)
            new = sum(c["articles_new"] for c in crawls)
            if ids:
                readings = database.conn.execute(
                    f"SELECT COUNT(*) FROM view_counts WHERE crawl_id IN ({', '.join('?' * len(ids))})", ids
                ).fetchone()[0]
    return CrawlInterrupted(name, [c for c in crawls if c["outcome"] == "aborted"], articles, new, readings)


def max_crawl_id(db) -> int:
    if not Path(db).exists():
        return 0
    with closing(open_db(db)) as database:
        return database.conn.execute("SELECT COALESCE(MAX(id), 0) FROM crawls").fetchone()[0]
