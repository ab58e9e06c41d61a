"""Run a crawl in a child process and report what it did.

The child gets a crawl plan (crawler.plan.CrawlPlan, built once here or by the caller with
monitor.crawl.planner.build_plan) in a temporary JSON file: sites.toml is not read again there.
Crawl rows are written only by the store (the child's pipeline, or Store.mark_aborted here).

The parent never imports the Twisted reactor: the scheduler and the CLI can crawl again and again.
A timeout kills the child's whole process group; rows already stored stay stored and the crawl
rows left 'running' are marked 'aborted' (here, or by the next crawl).

An interrupt of the parent (Ctrl-C, or SIGTERM inside `terminate_as_interrupt()`) kills the
children, marks their crawl rows 'aborted' at once and raises CrawlInterrupted, which says what
was kept. A parent that dies outright (SIGKILL) takes its children with it (monitor.procs).

Before a child starts (or the cluster dispatches) the run takes the per-site crawl leases
(monitor.store.lease): sites another run is crawling are skipped (CrawlResult.skipped says who
holds them since when), the rest are renewed from a heartbeat and released when the run ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from crawler.plan import CrawlPlan
from monitor import procs
from monitor.config import Config
from monitor.crawl.outcome import (
    CrawlResult,
    Terminated,
    interrupted,
    max_crawl_id,
)
from monitor.store.connect import open_db
from monitor.store.db import Store
from monitor.store.lease import SiteLeases, Taken

_live: set[subprocess.Popen] = set()  # running crawl children of this process
_live_lock = threading.Lock()
_interrupting = threading.Event()


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


def as_plan(plan: CrawlPlan | Config | str | os.PathLike, sites: list[str] | None = None) -> CrawlPlan:
    """A plan as given, narrowed to `sites`; or, given sites.toml, a full-walk plan of it."""
    if isinstance(plan, CrawlPlan):
        if not sites:
            return plan
        wanted = set(sites)
        kept = [s for s in plan.sites if s.id in wanted or wanted & set(s.aliases)]
        return replace(plan, sites=kept, units=[*plan.units, *(s for s in plan.sites if s not in kept)])
    from monitor.config import load_config
    from monitor.crawl.planner import build_plan

    config = plan if isinstance(plan, Config) else load_config(plan)
    return build_plan(config, None, sites, walks=False)


def crawl(
    plan: CrawlPlan | Config | str | os.PathLike,
    db: str | os.PathLike,
    sites: list[str] | None = None,
    *,
    timeout: float | None = None,
    on_progress: Callable[[dict], None] | None = None,
    env: dict[str, str] | None = None,
    log_level: str | None = None,
) -> CrawlResult:
    """Crawl the plan's sites (or these of them) in a child process; wait for it. `plan` may be
    a path to sites.toml: then its enabled (or the named) sites, full walks (a configuration
    error is then reported like the child reports one: exit status 2, the message on stderr)."""
    from monitor.config import ConfigError
    from monitor.crawl.remote import cluster_of, crawl_cluster

    if not isinstance(plan, CrawlPlan) and (cluster_config := cluster_of(plan)) is not None:
        # a [cluster] in the config: the cycle runs on its Scrapyd nodes (monitor.cluster)
        try:
            ids = [s.id for s in cluster_config.select(sites)]
        except ConfigError as e:
            return CrawlResult(returncode=2, seconds=0.0, stderr_tail=f"error: {e}\n")
        with SiteLeases(db, ids) as got:
            if got.held and not got.sites:
                return _all_skipped(got)
            result = crawl_cluster(cluster_config, db, got.sites, timeout=timeout, env=env, on_progress=on_progress)
        return _with_skipped(result, got)
    try:
        plan = as_plan(plan, sites)
    except ConfigError as e:
        return CrawlResult(returncode=2, seconds=0.0, stderr_tail=f"error: {e}\n")
    with SiteLeases(db, plan.site_ids()) as got:
        if got.held and not got.sites:
            return _all_skipped(got)
        if got.held:
            plan = as_plan(plan, got.sites)
        result = _crawl_plan(plan, db, timeout=timeout, on_progress=on_progress, env=env, log_level=log_level)
    return _with_skipped(result, got)


def _all_skipped(got: Taken) -> CrawlResult:
    """Every site is being crawled by another run: nothing to do, and nothing failed."""
    return CrawlResult(returncode=0, seconds=0.0, skipped={s: h.reason() for s, h in got.held.items()})


def _with_skipped(result: CrawlResult, got: Taken) -> CrawlResult:
    result.skipped.update({s: h.reason() for s, h in got.held.items()})
    return result


def _crawl_plan(plan: CrawlPlan, db, **kw) -> CrawlResult:
    fd, plan_file = tempfile.mkstemp(prefix="portalwatch-plan-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(plan.to_json())
    try:
        return _crawl(plan_file, db, **kw)
    finally:
        Path(plan_file).unlink(missing_ok=True)


def _crawl(plan_file: str, db, *, timeout, on_progress, env, log_level) -> CrawlResult:
    cmd = [sys.executable, "-m", "monitor.crawl.child", "--plan", plan_file, "--db", str(db), "--progress"]
    if log_level:
        cmd += ["--log-level", log_level]
    child_env = procs.child_env({**os.environ, **(env or {})})
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
        if timed_out:
            store = Store(db)
            try:
                store.mark_aborted([proc.pid], f"killed after the {timeout:g}s crawl timeout")
            finally:
                store.close()
        with closing(open_db(db)) as database:
            result.crawls = [
                dict(r) for r in database.query(
                    "SELECT * FROM crawls WHERE pid = ? AND id > ? ORDER BY id", [proc.pid, before]
                )
            ]
    return result


def shard_sites(plan, sites: list[str] | None, processes: int) -> list[list[str]]:
    """Split sites into at most `processes` groups, keeping every host in one group (so its
    politeness limits hold) and balancing the groups by number of sites."""
    by_host: dict[str, list[str]] = {}
    for site in as_plan(plan, sites).sites:
        by_host.setdefault(site.host, []).append(site.id)
    groups: list[list[str]] = [[] for _ in range(max(1, min(processes, len(by_host))))]
    for ids in sorted(by_host.values(), key=len, reverse=True):
        min(groups, key=len).extend(ids)
    return [g for g in groups if g]


def crawl_parallel(config, db, sites: list[str] | None = None, *, processes: int = 2, **kw) -> CrawlResult:
    """Crawl in several child processes at once (sites sharded by host); one combined result.

    The children share the database: SQLite in WAL mode lets one write at a time, and each
    batch is a short transaction, so they take turns without losing anything.
    """
    if not isinstance(config, CrawlPlan) and _has_cluster(config):  # the nodes share the sites out
        return crawl(config, db, sites, **kw)
    plan = as_plan(config, sites)
    groups = shard_sites(plan, None, processes)
    if len(groups) == 1:
        return crawl(plan, db, groups[0], **kw)
    results: list[CrawlResult | None] = [None] * len(groups)
    lock = threading.Lock()
    on_progress = kw.pop("on_progress", None)

    def progress(event: dict) -> None:
        if on_progress:
            with lock:
                on_progress(event)

    def run(i: int, group: list[str]) -> None:
        results[i] = crawl(plan, db, group, on_progress=progress, **kw)

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


def _has_cluster(config) -> bool:
    from monitor.crawl.remote import cluster_of

    return cluster_of(config) is not None


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
