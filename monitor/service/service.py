"""`portalwatch run`: the Service — the scheduler's lifecycle, reload, signals, the single crawl
lane and the job store lock. It decides *when*; monitor.service.jobs says *what*.

- An APScheduler 3.x BackgroundScheduler, every trigger in Asia/Ho_Chi_Minh; the jobs are the
  plan of monitor.service.jobs_wanted, persisted in their own SQLite job store (explicit ids, added with
  replace_existing). A job whose definition did not change keeps its stored next run time
  across restarts.
- ONE crawl child at a time: crawl jobs due together are batched into one child, so Scrapy's
  global concurrency and per-domain politeness hold across every site; a later group waits.
  A tick for a site of the batch running now is skipped ("still being crawled"), not queued to
  run again right after; a site another process is crawling is skipped by its lease (runner).
- SIGHUP (or `portalwatch reload`) re-reads the TOML file and applies the change; a file that
  does not validate is reported and the running jobs stay. SIGTERM/SIGINT stop cleanly: the
  running crawl child is asked to stop (SIGTERM; stored rows stay), killed after a grace period.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from crawler import clock
from monitor.config import Config, ConfigError, load_config
from monitor.service import jobs
from monitor.service.jobs_wanted import JOB_DEFAULTS, desired_jobs
from monitor.service.jobstore import (
    init_runs_table,
    jobstore_path,
    pidfile_path,
    read_pid,
    record,
    wall,
)
from monitor.service.triggers import TZ
from monitor.store import maintenance
from monitor.store.dbfile import explain, is_storage_error

log = logging.getLogger("portalwatch.service")


@dataclass
class _Request:
    sites: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    run: object = None


def _log_failed(results: list) -> list:
    """One ERROR line per delivery that was not delivered; returns those."""
    bad = [r for r in results if r.status != "delivered"]
    for r in bad:
        log.error("delivery %s of %s's digest by %s %s: %s", r.delivery_id, r.recipient_id, r.channel, r.status,
                  " ".join(r.detail.split())[:300])
    return bad


class ServiceError(RuntimeError):
    """The service cannot start (another instance holds the job store, bad configuration …)."""


class Service:
    """The scheduler plus the single crawl lane; `start()`, `reload()`, `stop()`."""

    def __init__(self, config_path: str | os.PathLike, db_path: str | os.PathLike, *,
                 gather_seconds: float = 1.0, stop_grace: float = 20.0):
        self.config_path = str(config_path)
        self.db_path = str(db_path)
        self.gather_seconds = gather_seconds
        self.stop_grace = stop_grace
        self.config: Config = load_config(self.config_path)
        desired_jobs(self.config)  # validate before taking any lock
        self.jobstore = jobstore_path(self.config, self.db_path)
        self.scheduler: BackgroundScheduler | None = None
        self._queue: list[_Request] = []
        self._crawling: set[str] = set()  # the sites of the batch running now (a tick for them is skipped)
        self._qlock = threading.Lock()
        self._lane = threading.Lock()
        self._batch_cv = threading.Condition()
        self._batch_gen = 0
        self._stopping = threading.Event()
        self._reload = threading.Event()
        self._pidfile: TextIO | None = None
        self.last_reload: dict = {}

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self.jobstore.parent.mkdir(parents=True, exist_ok=True)
        self._lock_pidfile()
        init_runs_table(self.jobstore)
        jobs.register(self.jobstore, self)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{self.jobstore}")},
            executors={"default": ThreadPoolExecutor(4), "crawl": ThreadPoolExecutor(8)},
            job_defaults=JOB_DEFAULTS, timezone=TZ,
        )
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        self.scheduler.start(paused=True)  # reconcile the stored jobs before anything fires
        self.last_reload = self.apply(self.config)
        self.scheduler.resume()
        log.info("service started: %d jobs, job store %s", len(self.scheduler.get_jobs()), self.jobstore)

    def stop(self) -> None:
        """Stop: no new jobs; the running crawl child is asked to stop, then killed."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        log.info("stopping")
        aborter = threading.Thread(target=self._abort_running_crawl, daemon=True)
        aborter.start()
        if self.scheduler and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        aborter.join(self.stop_grace + 10)
        jobs.unregister(self.jobstore, self)
        self._unlock_pidfile()
        log.info("stopped")

    def run_forever(self) -> None:
        """Start, then serve signals until SIGTERM/SIGINT: SIGHUP reloads the configuration."""
        self.start()
        signal.signal(signal.SIGTERM, lambda *_: self._stopping.set())
        signal.signal(signal.SIGINT, lambda *_: self._stopping.set())
        signal.signal(signal.SIGHUP, lambda *_: self._reload.set())
        try:
            while not self._stopping.is_set():
                if self._reload.wait(0.5):
                    self._reload.clear()
                    self.reload()
        finally:
            self._stopping.clear()
            self.stop()

    def _missed(self, event) -> None:
        """A tick that did not run: its previous run was still going (max_instances), or it came
        too late. One WARNING line, and a `<job kind>:skipped` row in the job log."""
        kind = "crawl" if event.job_id.startswith("crawl:") else event.job_id
        why = ("its previous run was still going" if event.code == EVENT_JOB_MAX_INSTANCES
               else "it was missed (the service was busy or stopped)")
        due = getattr(event, "scheduled_run_times", None) or [getattr(event, "scheduled_run_time", None)]
        at = due[-1].astimezone(clock.VN_TZ).strftime("%d/%m/%Y %H:%M:%S") if due[-1] else "?"
        detail = f"tick of {event.job_id} due {at} skipped: {why}"
        log.warning(detail)
        record(self.jobstore, f"{kind}:skipped", "skipped", detail)

    # -- configuration -------------------------------------------------------------------------------
    def reload(self) -> dict:
        """Re-read the TOML file and apply it; on a bad file keep everything and log why."""
        try:
            config = load_config(self.config_path)
            desired_jobs(config)
        except ConfigError as e:
            log.error("reload refused, keeping the running configuration: %s", e)
            self.last_reload = {"error": str(e), "at": wall()}
            record(self.jobstore, "reload", "failed", str(e))
            return self.last_reload
        self.config = config
        self.last_reload = self.apply(config)
        record(self.jobstore, "reload", "ok", json.dumps(self.last_reload))
        log.info("reloaded %s: %s", self.config_path, self.last_reload)
        return self.last_reload

    def apply(self, config: Config) -> dict:
        """Make the stored jobs match the configuration: add, replace changed, remove stale;
        unchanged jobs keep their next run time."""
        specs = desired_jobs(config)
        scheduler = self.scheduler
        assert scheduler is not None, "apply() needs a started service"
        existing = {j.id: j for j in scheduler.get_jobs()}
        out: dict[str, list[str]] = {"added": [], "changed": [], "removed": [], "kept": []}
        for jid in existing:
            if jid not in specs:
                scheduler.remove_job(jid)
                out["removed"].append(jid)
        for jid, spec in specs.items():
            old = existing.get(jid)
            kwargs = {**spec.kwargs, "jobstore": str(self.jobstore)}  # routes the job to this service
            if old is not None and old.func_ref == spec.func and old.name == spec.name and old.executor == spec.executor \
                    and {k: v for k, v in old.kwargs.items() if k != "jobstore"} == spec.kwargs:
                if old.kwargs != kwargs:  # a store from before the routing key, or moved: same job, same next run
                    scheduler.modify_job(jid, kwargs=kwargs)
                out["kept"].append(jid)
                continue
            scheduler.add_job(spec.func, spec.trigger(), id=jid, name=spec.name, kwargs=kwargs,
                                   executor=spec.executor, replace_existing=True, **JOB_DEFAULTS)
            out["changed" if old is not None else "added"].append(jid)
        return out

    # -- the crawl lane -------------------------------------------------------------------------------
    def crawl(self, sites: list[str]) -> None:
        """Queue these sites and make sure a child crawls them: whoever holds the lane takes
        every queued site at once, so groups due together share one child process."""
        with self._qlock:
            busy = [s for s in sites if s in self._crawling]
            req = _Request([s for s in sites if s not in self._crawling])
            if req.sites:
                self._queue.append(req)
        if busy:
            detail = f"{', '.join(busy)}: still being crawled (the batch running now), not queued again"
            log.info("crawl tick skipped for %s", detail)
            record(self.jobstore, "crawl:skipped", "skipped", detail)
        if not req.sites:
            return
        with self._lane:
            if req.done.is_set() or self._stopping.is_set():
                return
            self._stopping.wait(self.gather_seconds)  # let other groups due now join
            with self._qlock:
                batch, self._queue = self._queue, []
                self._crawling = {sid for r in batch for sid in r.sites}
            try:
                self._run_batch(batch)
            finally:
                with self._qlock:
                    self._crawling = set()
                for r in batch:
                    r.done.set()
                with self._batch_cv:
                    self._batch_gen += 1
                    self._batch_cv.notify_all()

    def _run_batch(self, batch: list[_Request]) -> None:
        if self._stopping.is_set():
            return
        config = self.config
        enabled = {s.id for s in config.sites if s.enabled}
        wanted = {sid for r in batch for sid in r.sites if sid in enabled}
        ids = [s.id for s in config.sites if s.id in wanted]  # config order
        if not ids:
            return
        t0 = time.monotonic()
        record(self.jobstore, "crawl", "running", ", ".join(ids))
        try:
            run = jobs.run_crawl(config, self.db_path, ids, timeout=config.service.crawl_timeout)
        except (sqlite3.Error, OSError) as e:  # this process could not write (leases, a cluster's ingest)
            if not is_storage_error(e):
                record(self.jobstore, "crawl", "failed", f"{type(e).__name__}: {e} ({', '.join(ids)})")
                raise
            detail = explain(self.db_path, e)
            log.error("crawl failed: %s", detail)
            record(self.jobstore, "crawl", "failed", f"{detail} ({time.monotonic() - t0:.1f}s)")
            return
        res = run.result
        if res.timed_out:
            outcome = "timeout"
            detail = f"crawl child killed after the {config.service.crawl_timeout:g}s crawl timeout ({', '.join(ids)})"
            log.error(detail)
        elif not res.ok:
            outcome = "failed"
            detail = f"crawl child exited with {res.returncode}: {res.error or res.stderr_tail.strip()[-500:]}"
            log.error(detail)
        else:
            outcome = "ok"
            detail = res.summary()  # one line whatever the number of sites; failed ones named
        failed = [c for c in res.crawls if c["outcome"] in ("failed", "aborted")]
        for c in failed:  # one line per failed site crawl
            (log.error if c["outcome"] == "failed" else log.warning)(
                "crawl of %s %s: %s", c["site_id"], c["outcome"], " ".join((c["error_summary"] or "no error recorded").split())[:300])
        if outcome == "ok" and failed:  # the job's real outcome: every site failed, or some did
            outcome = "failed" if len(failed) == len(res.crawls) else "partial"
        if res.skipped:  # another process holds these sites' leases (monitor.store.lease)
            skips = "; ".join(f"{sid} skipped: {why}" for sid, why in res.skipped.items())
            log.info("crawl: %s", skips)
            detail = f"{detail}; {skips}" if detail else skips
        try:
            events = jobs.detect_after(config, self.db_path) if not self._stopping.is_set() else 0
            if events:
                detail += f"; {events} events"
        except Exception as e:  # noqa: BLE001 - detection failing must not stop crawling
            log.exception("detect after crawl failed")
            detail += f"; detect failed: {e}"
        seconds = time.monotonic() - t0
        log.log(logging.WARNING if failed or outcome != "ok" else logging.INFO,
                "crawl %s in %.1fs: %s", "finished" if outcome == "ok" else outcome, seconds, res.summary())
        record(self.jobstore, "crawl", outcome, f"{detail} ({seconds:.1f}s)")
        for r in batch:
            r.run = run

    def _abort_running_crawl(self) -> None:
        """SIGTERM to running crawl children (their own process groups), SIGKILL after the grace."""
        from monitor.store.db import Store

        if not Path(self.db_path).exists():
            return
        deadline = time.monotonic() + self.stop_grace
        signalled: set[int] = set()
        while self._lane.locked() and time.monotonic() < deadline:
            for pid in _running_crawl_pids(self.db_path):
                if pid not in signalled:
                    _killpg(pid, signal.SIGTERM)
                    signalled.add(pid)
            time.sleep(0.2)
        for pid in signalled | set(_running_crawl_pids(self.db_path)):
            _killpg(pid, signal.SIGKILL)
        time.sleep(0.2)
        try:
            store = Store(self.db_path)
        except (sqlite3.Error, OSError) as e:  # cannot write (disk full …): the next crawl marks them
            log.error("stopping: crawl rows left running not marked aborted: %s", explain(self.db_path, e))
            return
        try:
            store.abort_stale_crawls()
        finally:
            store.close()

    # -- other jobs -------------------------------------------------------------------------------------
    def digest(self, recipient: str, kind: str = "daily") -> None:
        """Send a recipient's digest; a crawl in progress finishes first (fresher numbers)."""
        with self._batch_cv:  # wait for the crawl in progress, not for every later one
            gen = self._batch_gen
            if self._lane.locked():
                self._batch_cv.wait_for(lambda: self._batch_gen != gen or self._stopping.is_set(),
                                        timeout=self.config.service.crawl_timeout + 30)
        job = f"digest:{recipient}" if kind == "daily" else f"{kind}:{recipient}"
        try:
            results = jobs.send_digests(self.config, self.db_path, recipient, kind=kind)
        except Exception as e:
            record(self.jobstore, job, "failed", f"{type(e).__name__}: {e}")
            raise
        bad = _log_failed(results)
        detail = "; ".join(f"{r.channel} {r.status}" + (f" ({r.detail})" if r.status != "delivered" else "")
                           for r in results) or "nothing due"
        record(self.jobstore, job, "failed" if bad else "ok", detail)

    def retry_deliveries(self) -> None:
        results = jobs.retry_deliveries(self.config, self.db_path)
        _log_failed(results)
        if results:
            record(self.jobstore, "deliveries", "ok" if all(r.status == "delivered" for r in results) else "failed",
                    "; ".join(f"{r.recipient_id} {r.channel} {r.status}" for r in results))

    def housekeeping(self) -> None:
        out = maintenance.housekeeping(self.db_path, self.config.service)
        record(self.jobstore, "housekeeping", "ok", json.dumps(out))

    def backup(self) -> None:
        try:
            path = maintenance.backup(self.db_path, maintenance.backup_dir(self.config, self.db_path),
                                      self.config.service.backup_keep)
        except Exception as e:
            record(self.jobstore, "backup", "failed", f"{type(e).__name__}: {e}")
            raise
        record(self.jobstore, "backup", "ok", str(path))

    # -- one service per job store ---------------------------------------------------------------------
    def _lock_pidfile(self) -> None:
        path = pidfile_path(self.jobstore)
        f = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the lifetime
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            f.close()
            if e.errno in (errno.EAGAIN, errno.EACCES):
                raise ServiceError(f"another portalwatch service (pid {read_pid(self.jobstore)}) uses {self.jobstore}") from None
            raise
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        self._pidfile = f

    def _unlock_pidfile(self) -> None:
        if self._pidfile is not None:
            try:
                self._pidfile.seek(0)
                self._pidfile.truncate()
            finally:
                self._pidfile.close()
                self._pidfile = None


def _running_crawl_pids(db_path) -> list[int]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return [r[0] for r in conn.execute("SELECT DISTINCT pid FROM crawls WHERE outcome = 'running' AND pid IS NOT NULL")
                if r[0] != os.getpid()]
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def _killpg(pid: int, sig: int) -> None:
    """Signal the process group of one of OUR crawl children (never a pid reused by another)."""
    if not _is_child(pid):
        return
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _is_child(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid()
