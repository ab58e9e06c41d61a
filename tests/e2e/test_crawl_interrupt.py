"""`portalwatch crawl` as a real process: interrupts, a killed parent, exit codes."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def q(db_path, sql, params=()):
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # no tables yet
        return []
    finally:
        conn.close()


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_for(predicate, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


def start_cli(portal, *args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(portal.config), "--db",
                             str(portal.db_path), "crawl", "--no-detect", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=_as_from_a_terminal)


def _as_from_a_terminal() -> None:
    """SIGINT as an interactive shell leaves it: pytest-xdist workers ignore SIGINT, and an
    ignored signal stays ignored across exec (so Python would never raise KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def running_children(portal) -> set[int]:
    return {pid for (pid,) in q(portal.db_path, "SELECT DISTINCT pid FROM crawls WHERE outcome = 'running'")}


def stored_something(portal) -> bool:
    return bool(q(portal.db_path, "SELECT 1 FROM view_counts LIMIT 1")) and bool(running_children(portal))


@pytest.mark.parametrize("sig, code, processes", [(signal.SIGINT, 130, 1), (signal.SIGTERM, 143, 1),
                                                  (signal.SIGTERM, 143, 2)])
def test_interrupt_marks_crawls_aborted_at_once_and_says_what_was_kept(portal, sig, code, processes):
    portal.sim.set_faults(slow_ms=1500)  # slow enough that the crawl is still running when stopped
    proc = start_cli(portal, "-j", str(processes))
    try:
        wait_for(lambda: stored_something(portal), "a crawl that stored readings")
        children = running_children(portal)
        os.kill(proc.pid, sig)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == code, err
    assert "Aborted!" not in err and "Traceback" not in err
    line = next(ln for ln in err.splitlines() if "crawl interrupted" in ln)
    name = signal.Signals(sig).name
    m = re.search(rf"interrupted by {name}: kept what was stored before the stop: (\d+) articles seen "
                  r"\((\d+) new\), (\d+) view readings; (\d+) site crawl\(s\) marked aborted", line)
    assert m, line
    # at once: nothing is left 'running' for `status`, with no later crawl needed
    assert running_children(portal) == set()
    rows = q(portal.db_path, "SELECT id, outcome, error_summary, articles_seen FROM crawls")
    aborted = [r for r in rows if r[1] == "aborted"]
    assert aborted and all(r[2] == f"interrupted by {name}" for r in aborted)
    assert int(m.group(4)) == len(aborted)
    assert int(m.group(1)) == sum(r[3] for r in rows) > 0
    readings = q(portal.db_path, "SELECT COUNT(*) FROM view_counts")[0][0]
    assert int(m.group(3)) == readings > 0  # what it says was kept is what is stored
    assert not any(alive(pid) for pid in children)


def test_sigkill_of_the_cli_takes_the_crawl_child_with_it(portal):
    portal.sim.set_faults(slow_ms=1500)  # a crawl of many seconds
    proc = start_cli(portal)
    child = None
    try:
        wait_for(lambda: running_children(portal), "a running crawl child")
        (child,) = running_children(portal)
        os.kill(proc.pid, signal.SIGKILL)  # no handler can run in the CLI
        proc.wait(timeout=60)
        wait_for(lambda: not alive(child), "the orphaned crawl child to stop")
    finally:
        for group in (proc.pid, child):  # the CLI's group, and the child's own, if still there
            try:
                os.killpg(group, signal.SIGKILL) if group else None
            except ProcessLookupError:
                pass
    outcomes = {o for (o,) in q(portal.db_path, "SELECT outcome FROM crawls WHERE pid = ?", (child,))}
    assert outcomes == {"aborted"}  # it was stopped, it did not run to its end


def test_exit_status_is_1_when_a_site_failed_and_2_for_a_config_error(portal):
    portal.sim.set_faults(site="ea-kao", down=True)
    proc = start_cli(portal, "--site", "ea-kao", "--site", "vinh-hung")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, err
    assert "1 of 2 site crawl(s) failed: ea-kao" in err
    assert "vinh-hung" in out and "failed" in out  # the summary table is still printed
    proc = start_cli(portal, "--site", "no-such-site")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "no-such-site" in err and "Traceback" not in err
    portal.sim.clear_faults()
    proc = start_cli(portal, "--site", "vinh-hung")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
