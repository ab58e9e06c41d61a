"""Crawl backends on this machine: one child process (`LocalChild`), or several at once with the
sites sharded by host (`ShardedChildren`, `portalwatch crawl -j N`).

The child gets the crawl plan in a temporary JSON file (`python -m monitor.crawl.child --plan
FILE`): sites.toml is not read again there. Crawl rows are written only by the store (the child's
pipeline, or Store.mark_aborted here). The parent never imports the Twisted reactor: the
scheduler and the CLI can crawl again and again.

A timeout kills the child's whole process group; rows already stored stay stored, the sites
that finished keep their outcome (the spider reports each site's end as soon as it is done) and
the crawl rows left 'running' are marked 'failed' ("timed out: …"): a site that does not finish
in time is that site's failure, and enough of them in a row make it `unreachable`. An interrupt of the parent
(Ctrl-C, or SIGTERM inside `terminate_as_interrupt()`) kills the children, marks their crawl rows
'aborted' at once and raises CrawlInterrupted, which says what was kept. A parent that dies
outright (SIGKILL) takes its children with it (monitor.procs).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from crawler.plan import CrawlPlan
from monitor import procs
from monitor.crawl.outcome import CrawlResult, interrupted, max_crawl_id
from monitor.store.connect import open_db
from monitor.store.db import Store

Progress = Callable[[dict], None]
log = logging.getLogger(__name__)
STORAGE_FAILED = 4  # the child's exit status when storing failed (monitor.crawl.child)
# the crawl row of a site still crawling when the timeout killed the child: that site's failure
TIMED_OUT = "timed out: not finished when the crawl was killed after the {timeout:g}s crawl timeout"

_live: set[subprocess.Popen] = set()  # running crawl children of this process
_live_lock = threading.Lock()
_interrupting = threading.Event()


class LocalChild:
    """One child process crawls the whole plan; its JSON progress lines go to `on_progress`."""

    follows_revisit = True  # each site's lists are walked as deep as the plan says

    def run(self, plan: CrawlPlan, db: str | os.PathLike, timeout: float | None = None,
            on_progress: Progress | None = None) -> CrawlResult:
        return _run_child(plan, db, timeout, on_progress)


class ShardedChildren:
    """`processes` children at once, the sites split between them by host (a host's politeness
    limits hold inside one child); one combined result.

    The children share the database: SQLite in WAL mode lets one write at a time, and each
    batch is a short transaction, so they take turns without losing anything.
    """

    follows_revisit = True

    def __init__(self, processes: int):
        self.processes = processes

    def run(self, plan: CrawlPlan, db: str | os.PathLike, timeout: float | None = None,
            on_progress: Progress | None = None) -> CrawlResult:
        groups = shard_sites(plan, self.processes)
        if len(groups) <= 1:  # one host (or no site: the child says so, as with one process)
            return LocalChild().run(plan, db, timeout, on_progress)
        results: list[CrawlResult | None] = [None] * len(groups)
        lock = threading.Lock()

        def progress(event: dict) -> None:
            if on_progress:
                with lock:
                    on_progress(event)

        def run(i: int, group: list[str]) -> None:
            results[i] = LocalChild().run(plan.only(group), db, timeout, progress)

        threads = [threading.Thread(target=run, args=(i, g)) for i, g in enumerate(groups)]
        before = max_crawl_id(db)
        for t in threads:
            t.start()
        pids: set[int] = set()
        try:
            while alive := [t for t in threads if t.is_alive()]:
                with _live_lock:
                    pids |= {p.pid for p in _live}
                alive[0].join(0.2)  # short joins: Ctrl-C / SIGTERM reach this (main) thread at once
        except KeyboardInterrupt as e:
            with _live_lock:
                _interrupting.set()  # a group not started yet never starts
                children = list(_live)
            try:
                for proc in children:
                    _kill_group(proc)
                for t in threads:
                    t.join()
            finally:
                _interrupting.clear()
            raise interrupted(db, sorted(pids | {p.pid for p in children}), before, e) from None
        done = [r for r in results if r is not None]
        worst = max(done, key=lambda r: (r.timed_out, r.returncode != 0))
        return CrawlResult(
            returncode=worst.returncode, seconds=max(r.seconds for r in done), timed_out=any(r.timed_out for r in done),
            crawls=sorted((c for r in done for c in r.crawls), key=lambda c: c["id"]),
            stderr_tail="".join(r.stderr_tail for r in done),
            skipped={s: why for r in done for s, why in r.skipped.items()},
        )


def shard_sites(plan: CrawlPlan, processes: int) -> list[list[str]]:
    """Split the plan's sites into at most `processes` groups, keeping every host in one group (so
    its politeness limits hold) and balancing the groups by number of sites."""
    by_host: dict[str, list[str]] = {}
    for site in plan.sites:
        by_host.setdefault(site.host, []).append(site.id)
    groups: list[list[str]] = [[] for _ in range(max(1, min(processes, len(by_host))))]
    for ids in sorted(by_host.values(), key=len, reverse=True):
        min(groups, key=len).extend(ids)
    return [g for g in groups if g]


def _run_child(plan: CrawlPlan, db, timeout: float | None, on_progress: Progress | None) -> CrawlResult:
    """Write the plan to a temporary file, run one child on it, wait; the crawl rows it wrote."""
    fd, plan_file = tempfile.mkstemp(prefix="portalwatch-plan-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(plan.to_json())
    try:
        return _wait_child(plan_file, db, timeout, on_progress)
    finally:
        Path(plan_file).unlink(missing_ok=True)


def _wait_child(plan_file: str, db, timeout: float | None, on_progress: Progress | None) -> CrawlResult:
    cmd = [sys.executable, "-m", "monitor.crawl.child", "--plan", plan_file, "--db", str(db), "--progress"]
    child_env = procs.child_env(dict(os.environ))
    root = str(Path(__file__).resolve().parent.parent)
    child_env["PYTHONPATH"] = root + os.pathsep + child_env.get("PYTHONPATH", "")
    started = time.monotonic()
    before = max_crawl_id(db)
    with _live_lock:
        if _interrupting.is_set():
            return CrawlResult(returncode=-signal.SIGINT, seconds=0.0, stderr_tail="interrupted before it started")
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env,
            start_new_session=True, text=True, encoding="utf-8",
        )
        _live.add(proc)
    stderr_lines: list[str] = []
    t = threading.Thread(target=_drain, args=(proc.stderr, stderr_lines), daemon=True)
    t.start()
    timed_out = False
    timer = None
    if timeout:
        def kill():
            nonlocal timed_out
            timed_out = True
            _kill_group(proc)
        timer = threading.Timer(timeout, kill)
        timer.start()
    assert proc.stdout is not None  # stdout=PIPE
    try:
        for line in proc.stdout:
            if on_progress and line.startswith("{"):
                try:
                    on_progress(json.loads(line))
                except ValueError:
                    pass
        proc.wait()
    except KeyboardInterrupt as e:
        _kill_group(proc)
        proc.wait()
        raise interrupted(db, [proc.pid], before, e) from None
    finally:
        if timer:
            timer.cancel()
        if proc.poll() is None:
            _kill_group(proc)
            proc.wait()
        with _live_lock:
            _live.discard(proc)
    t.join(timeout=5)
    result = CrawlResult(
        returncode=proc.returncode, seconds=time.monotonic() - started, timed_out=timed_out,
        stderr_tail="".join(stderr_lines[-20:]),
    )
    if Path(db).exists():
        # the rows a killed child (timeout) or a child that could not store left 'running' are
        # failures of those sites, in words; when the disk is still full this fails too, and the
        # next crawl marks them 'aborted'
        why = TIMED_OUT.format(timeout=timeout) if timed_out else result.error
        if why and (timed_out or proc.returncode == STORAGE_FAILED):
            try:
                store = Store(db)
                try:
                    store.mark_aborted([proc.pid], why, outcome="failed")
                finally:
                    store.close()
            except Exception as e:  # noqa: BLE001 - the child's own error is what the caller reports
                if not timed_out:
                    log.warning("could not mark the crawl rows failed: %s", e)
                else:
                    raise
        with closing(open_db(db)) as database:
            result.crawls = [
                dict(r) for r in database.query(
                    "SELECT * FROM crawls WHERE pid = ? AND id > ? ORDER BY id", [proc.pid, before]
                )
            ]
    return result


def _drain(stream, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)
        if len(sink) > 200:
            del sink[:100]


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
