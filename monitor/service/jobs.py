"""What each of the service's jobs does, and the entry points the job store names.

The work is plain functions of a config and a database path (tests and benchmarks call them
directly); the store's own upkeep (housekeeping, backups) is monitor.store.maintenance.

Entry points (`crawl_job` …) are module-level functions with plain, picklable arguments, as the
SQLAlchemy job store needs. A job reaches the service that scheduled it through a small registry
keyed by the job store path: the service registers itself while it runs and adds its job store
path to every job's arguments (`jobstore=`). Why a registry and not paths to rebuild from: the
crawl lane (one crawl child at a time, groups due together batched into it) and a digest waiting
for the crawl in progress are state of the running service, not of the files. Keyed by job store
rather than one global, two services in one process (tests) each get their own jobs, and a job
whose service has stopped fails loudly instead of reaching another one. Jobs stored without the
key (or for a moved job store) get it at start and keep their next run time.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import Config
from monitor.crawl.backends import backend_for
from monitor.crawl.outcome import CrawlResult
from monitor.crawl.planner import build_plan
from monitor.crawl.runner import crawl
from monitor.store.connect import open_db

log = logging.getLogger("portalwatch.jobs")


# -- crawling -----------------------------------------------------------------------------------------
@dataclass
class CrawlRun:
    """One child crawl of several sites, with how deep each site's lists were walked."""

    result: CrawlResult
    walks: dict[str, str] = field(default_factory=dict)  # site id -> 'full' | 'shallow'
    sites: list[str] = field(default_factory=list)


def run_crawl(
    config: Config,
    db_path: str | os.PathLike,
    site_ids: list[str],
    *,
    timeout: float | None = None,
    now: datetime | None = None,
) -> CrawlRun:
    """Crawl these sites in ONE run of the configuration's backend (a local child, or the
    `[cluster]` nodes), each walking its lists as deep as its revisit policy says for this run
    (the nodes walk every list fully): the crawl plan carries the depth and the `list_walk`
    label each crawl row gets. `now` pins the crawl's clock (a replay, a simulation)."""
    backend = backend_for(config)
    plan = build_plan(config, db_path, site_ids, now, walks=backend.follows_revisit)
    result = crawl(plan, db_path, backend, timeout=timeout)
    return CrawlRun(result, {sid: plan.walk(sid) for sid in plan.site_ids()}, list(site_ids))


def detect_after(config: Config, db_path) -> int:
    """Change detection after a crawl (when configured); returns the number of new events."""
    if not config.service.detect_after_crawl:
        return 0
    from monitor.detect import events as detect

    db = open_db(db_path)
    try:
        found = len(detect.detect(db, config))
        if found:
            _alerts(config, db)
        return found
    finally:
        db.conn.close()


def _alerts(config: Config, db) -> None:
    """Immediate alerts for what detect just found (monitor/notify/alerts.py); never stops a crawl."""
    from monitor.notify import alerts

    if alerts.wanted(config):
        try:
            results = alerts.run(db, config)
        except Exception:  # noqa: BLE001 - a failing alert is logged; the ledger retries its deliveries
            log.exception("alerts after detect failed")
            return
        for r in results or []:  # one line per alert delivery that failed
            if r.status != "delivered":
                log.error("delivery %s of %s's alert by %s %s: %s", r.delivery_id, r.recipient_id, r.channel, r.status,
                          " ".join(r.detail.split())[:300])


# -- digests ----------------------------------------------------------------------------------------
def send_digests(config: Config, db_path, recipient_id: str | None = None, now: datetime | None = None,
                 kind: str = "daily") -> list:
    """Plan the recipient's digest (or its weekly / monthly report: `kind`) if due (once per send
    time, however often this runs) and send every pending delivery, through the exactly-once ledger."""
    from monitor.notify import ledger, reports

    db = open_db(db_path)
    try:
        if config.service.detect_after_crawl:
            from monitor.detect import events as detect

            detect.detect(db, config)
        ids = [recipient_id] if recipient_id else None
        if kind in reports.KINDS:
            return reports.run(db, config, now, recipient_ids=ids, kinds=(kind,))
        return ledger.run(db, config, now, recipient_ids=ids)
    finally:
        db.conn.close()


def retry_deliveries(config: Config, db_path, now: datetime | None = None) -> list:
    """Send deliveries that are pending or failed and due for their retry (no new digests; held
    alerts and missed reports are planned)."""
    from monitor.notify import alerts, ledger, reports

    db = open_db(db_path)
    try:
        ledger.recover_stale(db, now)
        alerts.plan(db, config, now)  # alerts held by quiet hours or the interval go out when they may
        reports.plan(db, config, now)  # a report whose send time passed while a job was missed
        return ledger.send_pending(db, config, now)
    finally:
        db.conn.close()


# -- job entry points (referenced by name in the job store) --------------------------------------------
_running: dict[str, object] = {}  # job store path -> the monitor.service.service.Service holding it
_running_lock = threading.Lock()


def register(jobstore: str | os.PathLike, service) -> None:
    """Route the jobs of this job store to `service` (called by Service.start)."""
    with _running_lock:
        _running[os.fspath(jobstore)] = service


def unregister(jobstore: str | os.PathLike, service) -> None:
    """Stop routing this job store's jobs to `service` (called by Service.stop)."""
    with _running_lock:
        if _running.get(os.fspath(jobstore)) is service:
            del _running[os.fspath(jobstore)]


def service_for(jobstore: str | os.PathLike):
    """The running service that holds this job store, in this process."""
    with _running_lock:
        svc = _running.get(os.fspath(jobstore))
    if svc is None:
        raise RuntimeError(f"no portalwatch service is running in this process for {jobstore}")
    return svc


def crawl_job(sites: list[str], jobstore: str) -> None:
    """Crawl these sites (one schedule group); batched with any other group due now."""
    service_for(jobstore).crawl(sites)


def digest_job(recipient: str, jobstore: str, kind: str = "daily") -> None:
    """A recipient's send time: plan and deliver its digest, or its weekly / monthly report (exactly once)."""
    service_for(jobstore).digest(recipient, kind)


def deliveries_job(jobstore: str) -> None:
    service_for(jobstore).retry_deliveries()


def housekeeping_job(jobstore: str) -> None:
    service_for(jobstore).housekeeping()


def backup_job(jobstore: str) -> None:
    service_for(jobstore).backup()
