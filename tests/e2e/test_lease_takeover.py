"""A crawl paused past its lease (SIGSTOP: a frozen VM) whose sites another crawl took over stops
writing them when it runs again. Real `portalwatch crawl` processes (the CLI holds the lease, its
crawl child writes), a slowed simulator, real SQLite; waits poll conditions."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from crawler import clock
from tests.conftest import ROOT, make_portal
from tests.service.conftest import rows, wait_for

pytestmark = pytest.mark.slow
SITE = "vinh-hung"
COUNTERS = "articles_seen, articles_new, articles_updated, views_changed, list_pages, article_pages, errors"


def start_cli(portal, *sites: str, **env: str) -> subprocess.Popen:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **env}
    full.pop("PORTALWATCH_NOW", None)
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(portal.config), "--db",
                             str(portal.db_path), "crawl", "--no-detect", *(f"--site={s}" for s in sites)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full,
                            start_new_session=True)


def lease_of(portal) -> dict:
    got = rows(portal, "SELECT * FROM crawl_leases WHERE site_id = ?", [SITE])
    return got[0] if got else {}


def writable(portal) -> bool:
    """No paused process holds the write lock (SIGSTOP may land inside a batch's transaction)."""
    conn = sqlite3.connect(portal.db_path, timeout=0.5)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def signal_groups(groups: list[int], sig: int) -> None:
    for g in groups:
        try:
            os.killpg(g, sig)
        except ProcessLookupError:
            pass


@pytest.fixture
def portal(tmp_path):
    p = make_portal(tmp_path, articles_per_site=12)
    p.crawl(["hoang-mai"])  # the database exists
    yield p
    p.server.stop()


def test_a_holder_paused_past_its_lease_stops_writing_the_sites_a_new_holder_took(portal):
    p = portal
    p.sim.set_faults(SITE, slow_ms=1500)  # a crawl of the site lasts while the fault is on
    a = start_cli(p, SITE, PORTALWATCH_LEASE_TTL="3")
    b = None
    groups = [a.pid]
    try:
        wait_for(lambda: lease_of(p).get("pid") == a.pid, 240, "the first crawl to take the lease")
        row = wait_for(lambda: rows(p, "SELECT id, pid FROM crawls WHERE site_id = ? AND outcome = 'running'"
                                    " AND articles_seen > 0", [SITE]), 240, "the first crawl to store articles")[0]
        groups.append(row["pid"])  # the crawl child: its own process group
        holder = lease_of(p)["holder"]

        def pause() -> bool:
            signal_groups(groups, signal.SIGSTOP)
            if writable(p):
                return True
            signal_groups(groups, signal.SIGCONT)  # stopped inside a write: let it commit, pause again
            return False

        wait_for(pause, 240, "the first crawl paused outside a write transaction", interval=0.3)
        before = rows(p, f"SELECT outcome, {COUNTERS} FROM crawls WHERE id = ?", [row["id"]])[0]
        assert before["outcome"] == "running"
        wait_for(lambda: lease_of(p)["expires_at"] < clock.iso(datetime.now(UTC)), 240, "the paused lease to expire")

        b = start_cli(p, SITE)  # a new holder takes the site over
        wait_for(lambda: lease_of(p).get("pid") == b.pid, 240, "the second crawl to take the lease")
        assert lease_of(p)["holder"] != holder
        signal_groups(groups, signal.SIGCONT)

        out, err = a.communicate(timeout=240)  # the paused crawl stops: its site is not its own any more
        assert b.poll() is None, "the first crawl stopped while the second still crawls the site"
        after = rows(p, f"SELECT outcome, error_summary, {COUNTERS} FROM crawls WHERE id = ?", [row["id"]])[0]
        assert after["outcome"] == "aborted"
        assert after["error_summary"].startswith(f"its crawl lease was taken over by pid {b.pid} on host "), after
        assert {k: after[k] for k in before if k != "outcome"} == {k: v for k, v in before.items() if k != "outcome"}
        assert a.returncode == 1, (out, err)
        assert f"its crawl lease was taken over by pid {b.pid}" in out + err
        assert "Traceback" not in out + err

        p.sim.clear_faults(SITE)
        out, err = b.communicate(timeout=240)
        assert b.returncode == 0, (out, err)
        assert rows(p, "SELECT outcome FROM crawls WHERE site_id = ? AND pid != ? ORDER BY id DESC LIMIT 1",
                    [SITE, row["pid"]]) == [{"outcome": "ok"}]
        assert rows(p, "SELECT * FROM crawl_leases") == []
    finally:
        signal_groups(groups, signal.SIGCONT)
        for proc in (a, b):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_a_site_taken_over_mid_crawl_is_fetched_no_further_and_the_others_go_on(tmp_path):
    """A crawl of two sites loses one site's lease mid-crawl (another run's row in its place, as a
    takeover writes it): it sends that site nothing more — its queued pages are dropped, not
    fetched for nothing while the new holder crawls the site too — and finishes the other."""
    p = make_portal(tmp_path, articles_per_site=60)
    other = "ea-kao"
    try:
        p.sim.set_faults(SITE, slow_ms=2000)  # 60 article pages: half a minute at the least
        a = start_cli(p, SITE, other)
        try:
            def stored() -> list:
                try:
                    return rows(p, "SELECT id FROM crawls WHERE site_id = ? AND outcome = 'running'"
                                   " AND articles_seen > 0", [SITE])
                except Exception:  # noqa: BLE001 - the crawl is still creating the database
                    return []

            wait_for(stored, 240, "the crawl to store some of the slow site")
            sent_before = p.sim.get_stats().get(f"site:{SITE}", 0)
            db = sqlite3.connect(p.db_path, timeout=60)
            with db:
                db.execute("UPDATE crawl_leases SET holder = 'another-run', pid = 1, hostname = 'elsewhere'"
                           " WHERE site_id = ?", [SITE])
            db.close()
            out, err = a.communicate(timeout=240)
        finally:
            if a.poll() is None:
                os.killpg(a.pid, signal.SIGKILL)
                a.wait()
        sent = p.sim.get_stats().get(f"site:{SITE}", 0)
        assert sent < 60 - 10, (sent_before, sent)  # far from every article page: the rest was dropped
        got = {r["site_id"]: r for r in rows(p, "SELECT site_id, outcome, error_summary FROM crawls")}
        assert got[other]["outcome"] == "ok", got
        assert got[SITE]["outcome"] == "aborted"
        assert got[SITE]["error_summary"].startswith("its crawl lease was taken over by pid 1 on host elsewhere")
        assert "Traceback" not in out + err
        dropped = rows(p, "SELECT count(*) AS n FROM fetch_errors WHERE error LIKE '%site dropped%'")
        assert dropped == [{"n": 0}]  # giving a site up is not an error of the site
    finally:
        p.server.stop()
