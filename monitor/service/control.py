"""Telling a running service to re-read its configuration (`portalwatch reload`, the web
console after an edit) and waiting for its answer in the job store's last runs."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from monitor.config import load_config
from monitor.service.jobs_wanted import desired_jobs
from monitor.service.jobstore import jobstore_path, last_runs, read_pid, wall


class NotRunning(RuntimeError):
    """No service holds the job store of this configuration and database."""


@dataclass
class Reload:
    pid: int
    jobstore: Path
    sent_at: str  # real clock, UTC ISO (the job store's `record` times)


def request_reload(config_path: str | os.PathLike, db_path: str | os.PathLike) -> Reload:
    """Validate the file (ConfigError: nothing sent), then SIGHUP the service holding its job
    store (NotRunning when there is none)."""
    config = load_config(config_path)
    desired_jobs(config)
    store = jobstore_path(config, db_path)
    pid = read_pid(store)
    if pid is None:
        raise NotRunning(f"no portalwatch service is running for {store} (start it with `portalwatch run`)")
    sent = wall()
    os.kill(pid, signal.SIGHUP)
    return Reload(pid, store, sent)


def last_reload(jobstore: Path) -> dict | None:
    """The service's last reload: {job, at, outcome ('ok'/'failed'), detail}, None if none yet."""
    return next((r for r in last_runs(jobstore) if r["job"] == "reload"), None)


def wait_for_reload(sent: Reload, timeout: float = 10.0) -> dict | None:
    """The reload the service recorded after `sent`, or None if it did not answer in time."""
    deadline = time.monotonic() + timeout
    while True:
        done = last_reload(sent.jobstore)
        if done and done["at"] >= sent.sent_at:
            return done
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)
