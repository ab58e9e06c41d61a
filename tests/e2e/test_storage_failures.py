"""A crawl that cannot store what it fetched fails loudly: a non-zero exit naming the cause
("disk full: …"), its crawl rows `failed` with that sentence, the service's job record `failed`
with it too; nothing stored before is lost and the next crawl, with room again, completes.

The full disk is SQLite's own SQLITE_FULL ("database or disk is full") on the crawl child's
connections: tests/e2e/sqlite_quota/sitecustomize.py caps the file's pages (PRAGMA max_page_count)
in any process started with that folder first on PYTHONPATH. Where the tests run as root with
mount namespaces (`unshare -m`), a real full tmpfs is used as well.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from monitor.store.db import Store
from tests.conftest import ROOT, manual_crawl

pytestmark = pytest.mark.slow

QUOTA = Path(__file__).resolve().parent / "sqlite_quota"
ROWS = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " print(*(f'{o}|{s}' for o, s in c.execute('SELECT outcome, error_summary FROM crawls')), sep=chr(10))")


def quota_env(db: Path, pages: int = 0) -> dict[str, str]:
    """The environment of a process whose connections to `db` may add at most `pages` pages."""
    return {"PYTHONPATH": f"{QUOTA}{os.pathsep}{ROOT}", "PORTALWATCH_TEST_QUOTA_DB": str(db),
            "PORTALWATCH_TEST_QUOTA_PAGES": str(pages)}


def query(db: Path, sql: str, args=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def snapshot(db: Path) -> dict[str, int]:
    return {t: query(db, f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("articles", "view_counts", "crawls")}


def test_a_crawl_on_a_full_disk_fails_naming_the_cause_and_loses_nothing(portal, monkeypatch):
    """The crawl child stops at the first batch it cannot store and exits non-zero, saying
    "disk full: … database or disk is full"; the sites not finished by then failed, in words; what the first
    crawl stored is all there, the file is sound, and a crawl with room again completes."""
    portal.crawl()
    before = snapshot(portal.db_path)
    portal.sim.advance(hours=48)  # new posts and grown counts: rows the full disk cannot take
    last = query(portal.db_path, "SELECT MAX(id) FROM crawls")[0][0]

    with monkeypatch.context() as env:  # inherited by the crawl child only while it runs
        for key, value in quota_env(portal.db_path).items():
            env.setenv(key, value)
        result = manual_crawl(portal.config, portal.db_path)

    assert result.returncode != 0, result.stderr_tail
    assert result.error is not None and result.error.startswith("disk full: "), result.stderr_tail
    assert "database or disk is full" in result.error and str(portal.db_path) in result.error
    assert "cannot rollback" not in result.stderr_tail and "NoneType" not in result.stderr_tail
    rows = query(portal.db_path, "SELECT outcome, error_summary FROM crawls WHERE id > ?", (last,))
    # a site whose end was stored before the disk filled keeps its outcome (its rows are all in);
    # every other site of the run failed, saying why; none is left 'running'
    failed = [r for r in rows if r[0] == "failed"]
    assert failed and all(summary.startswith("disk full: ") for _, summary in failed), rows
    assert all(outcome in ("failed", "ok", "partial") for outcome, _ in rows), rows
    assert query(portal.db_path, "PRAGMA integrity_check") == [("ok",)]
    after = snapshot(portal.db_path)
    assert after["articles"] >= before["articles"] and after["view_counts"] >= before["view_counts"]

    again = portal.crawl()  # room again: the crawl completes and stores what was missed
    assert {c["outcome"] for c in again.crawls} <= {"ok", "partial"}
    assert snapshot(portal.db_path)["articles"] > before["articles"]


def test_portalwatch_crawl_on_a_full_disk_exits_1_with_one_line(portal):
    """`portalwatch crawl` on a database that cannot grow at all (every process of the command
    under the quota): exit 1 and an `Error: disk full: …` line; never exit 0 with an empty table,
    never a traceback."""
    Store(portal.db_path).close()  # a new, migrated database: the crawl must add to it
    env = {**os.environ, **quota_env(portal.db_path), "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(portal.config), "--db",
                           str(portal.db_path), "crawl", "--no-detect"],
                          capture_output=True, text=True, env=env, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out, out
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error: ")]
    assert len(errors) == 1 and errors[0].startswith("Error: disk full: "), out
    assert "database or disk is full" in errors[0] and "not damaged" in errors[0], out
    assert "restore" not in out.lower()
    assert query(portal.db_path, "PRAGMA integrity_check") == [("ok",)]


def test_the_service_records_a_crawl_on_a_full_disk_as_failed_with_the_cause(portal, monkeypatch):
    """The service's crawl job: its last run is `failed` and the detail names the cause."""
    from monitor.service.service import Service
    from monitor.service.status import status
    from tests.service.conftest import FAST, set_service_settings

    set_service_settings(portal, **{**FAST, "schedule": "every 1h"})
    portal.crawl()
    portal.sim.advance(hours=48)
    for key, value in quota_env(portal.db_path).items():  # inherited by the service's crawl child
        monkeypatch.setenv(key, value)
    svc = Service(portal.config, portal.db_path)
    svc.start()
    try:
        worker = threading.Thread(target=svc.crawl, args=(["hoang-mai", "vinh-hung"],))
        worker.start()
        worker.join(600)
        assert not worker.is_alive()
    finally:
        svc.stop()
    run = {r["job"]: r for r in status(portal.config, portal.db_path)["last_runs"]}["crawl"]
    assert run["outcome"] == "failed", run
    assert "disk full: " in run["detail"] and "database or disk is full" in run["detail"], run


def _unshare_mount() -> None:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("a real tmpfs needs root and unshare (the SQLite quota tests above run everywhere)")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {probe.stderr.strip()}")


@pytest.mark.parametrize("room_kb", [0, 300])
def test_a_crawl_onto_a_really_full_tmpfs(portal, tmp_path, room_kb):
    """A real full file system (a 1 MB tmpfs in a private mount namespace): full from the start
    (SQLite cannot even create pw.db-shm: "disk I/O error") or full in the middle of the crawl
    ("database or disk is full"): `portalwatch crawl` exits 1 and says "disk full"."""
    _unshare_mount()
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = f"""
set -e
mount -t tmpfs -o size=1m tmpfs {mnt}
cp {fresh} {mnt}/pw.db
dd if=/dev/zero of={mnt}/filler bs=1k count={1024 - room_kb} 2>/dev/null || true
set +e
{sys.executable} -m monitor --config {portal.config} --db {mnt}/pw.db crawl --no-detect
echo "exit=$?"
rm {mnt}/filler
{sys.executable} -c "{ROWS}" {mnt}/pw.db
"""
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env,
                          timeout=600)
    out = proc.stdout + proc.stderr
    assert "exit=1" in proc.stdout, out
    assert "Traceback" not in out and "restore" not in out.lower(), out
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error: ")]
    assert len(errors) == 1 and errors[0].startswith("Error: disk full: "), out
    assert "not damaged" in errors[0], out
    rows = [ln for ln in proc.stdout.splitlines() if "|" in ln]  # read once the filler is gone
    assert all(ln.startswith("failed|disk full: ") for ln in rows), out
    assert proc.returncode == 0, out


SERVICE_ON_A_FULL_DISK = """
import json, subprocess, sys
from monitor.service.service import Service
from monitor.service.status import status

config, db, filler = sys.argv[1:4]
svc = Service(config, db)
svc.start()
subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1k", "count=2048"], capture_output=True)
try:
    svc.crawl(["hoang-mai", "vinh-hung"])  # this process's own writes (the sites' leases) fail
finally:
    svc.stop()
    subprocess.run(["rm", filler])
print(json.dumps({r["job"]: r for r in status(config, db)["last_runs"]}["crawl"]))
"""


def test_the_service_on_a_really_full_disk_records_the_crawl_job_failed(portal, tmp_path):
    """The service itself cannot write (a real full tmpfs under the database, filled after the
    service started: even the sites' leases cannot be taken): the crawl job is recorded `failed`
    with "disk full: …" and logged in one ERROR line; it is not left `running` with a traceback."""
    _unshare_mount()
    from tests.service.conftest import FAST, set_service_settings

    set_service_settings(portal, **{**FAST, "schedule": "every 1h", "jobstore": str(tmp_path / "jobs.sqlite")})
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "service_on_a_full_disk.py"
    script.write_text(SERVICE_ON_A_FULL_DISK, encoding="utf-8")
    shell = f"""
set -e
mount -t tmpfs -o size=1m tmpfs {mnt}
cp {fresh} {mnt}/pw.db
{sys.executable} {script} {portal.config} {mnt}/pw.db {mnt}/filler
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["unshare", "-m", "sh", "-c", shell], capture_output=True, text=True, env=env,
                          timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    assert run["outcome"] == "failed", run
    assert run["detail"].startswith("disk full: ") and "not damaged" in run["detail"], run
    errors = [ln for ln in proc.stderr.splitlines() if "crawl failed: disk full: " in ln]
    assert len(errors) == 1, out
