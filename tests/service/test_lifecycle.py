"""`portalwatch run` killed outright: its crawl child must not live on and overlap the next crawl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.e2e.test_crawl_interrupt import alive
from tests.service.conftest import rows, wait_for

pytestmark = pytest.mark.slow


def test_sigkill_of_the_service_takes_its_crawl_child_with_it(svc_portal):
    p = svc_portal
    p.sim.set_faults(slow_ms=1500)  # every crawl takes many seconds
    log = open(p.config.parent / "service.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(p.config), "--db", str(p.db_path), "run"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    child = None
    try:
        def running():
            if not p.db_path.exists():
                return None
            return {r["pid"] for r in rows(p, "SELECT DISTINCT pid FROM crawls WHERE outcome = 'running'")}

        (child,) = wait_for(running, 120, "the service's first crawl child")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        wait_for(lambda: not alive(child), 120, "the orphaned crawl child to stop")
    finally:
        for group in (proc.pid, child):
            try:
                if group:
                    os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
    outcomes = {r["outcome"] for r in rows(p, "SELECT outcome FROM crawls WHERE pid = ?", (child,))}
    assert outcomes == {"aborted"}  # stopped when the service died, not run to its end


def test_status_while_the_first_crawl_is_creating_the_database(tmp_path):
    """The database file exists but its tables do not yet (a first crawl is creating them):
    `status` shows the sites as never crawled instead of failing on "no such table"."""
    import sqlite3

    from monitor.service.status import status

    config = tmp_path / "sites.toml"
    config.write_text('[[site]]\nid = "vinh-hung"\nname = "Phường Vĩnh Hưng"\n'
                      'start_urls = ["https://vinhhung.hanoi.gov.vn/tin-tuc"]\n', encoding="utf-8")
    db = tmp_path / "portalwatch.db"
    sqlite3.connect(db).execute("PRAGMA journal_mode = WAL").close()  # the file, no table yet
    out = status(config, db)
    assert [(s["id"], s["last_crawl"]) for s in out["sites"]] == [("vinh-hung", None)]
    assert out["leases"] == [] and out["deliveries"] is None
