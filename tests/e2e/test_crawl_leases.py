"""Two crawls never write the same site at once (per-site leases, monitor.store.lease).
Real `portalwatch crawl` processes, a slowed simulator, real SQLite; waits poll conditions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from crawler import clock
from monitor.store import lease
from monitor.store.dbutil import pid_alive
from tests.conftest import ROOT, make_portal, manual_crawl
from tests.service.conftest import rows, wait_for

pytestmark = pytest.mark.slow
SITES = ["vinh-hung", "tuong-mai", "ea-kao"]


def start_cli(portal, *sites: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("PORTALWATCH_NOW", None)
    args = [a for s in sites for a in ("--site", s)]
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(portal.config), "--db",
                             str(portal.db_path), "crawl", "--no-detect", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def leases(portal) -> dict[str, dict]:
    return {r["site_id"]: r for r in rows(portal, "SELECT * FROM crawl_leases")}


def foreign_lease(portal, site_id: str, *, expires_in: float) -> None:
    """The lease row a crawl on another machine would hold (pid 4242 on host far-away)."""
    now = datetime.now(UTC)
    with closing(portal.db()) as db:
        db.conn.execute(
            "INSERT INTO crawl_leases (site_id, holder, pid, hostname, taken_at, renewed_at, expires_at)"
            " VALUES (?, 'far-run', 4242, 'far-away', ?, ?, ?)",
            (site_id, clock.iso(now - timedelta(minutes=3)), clock.iso(now), clock.iso(now + timedelta(seconds=expires_in))),
        )


@pytest.fixture
def slow_portal(tmp_path):
    p = make_portal(tmp_path, articles_per_site=12)
    p.crawl(["hoang-mai"])  # the database exists; the race is on SITES
    yield p
    p.server.stop()


def test_two_crawl_processes_at_once_each_site_crawled_by_one_the_other_skips(slow_portal):
    p = slow_portal
    for s in SITES:  # a crawl lasts until the faults are cleared: both processes surely overlap
        p.sim.set_faults(s, slow_ms=1500)
    procs = [start_cli(p, *SITES), start_cli(p, *SITES)]
    try:
        # the one that finds the leases taken skips every site and exits at once
        wait_for(lambda: any(pr.poll() is not None for pr in procs), 240, "one crawl process to skip and end")
        for s in SITES:
            p.sim.clear_faults(s)
        outs = [pr.communicate(timeout=240) for pr in procs]
    finally:
        for pr in procs:
            if pr.poll() is None:
                os.killpg(pr.pid, signal.SIGKILL)
    assert [pr.returncode for pr in procs] == [0, 0], outs
    skipper = next(i for i, pr in enumerate(procs) if "skipped" in outs[i][0])
    crawler = 1 - skipper
    out = outs[skipper][0]
    for s in SITES:
        assert f"{s}: bỏ qua, đang được thu thập — skipped, being crawled by pid {procs[crawler].pid} on host " \
               f"{lease.hostname()} since " in out, out
        assert "skipped" not in outs[crawler][0]
    crawls = rows(p, "SELECT site_id, pid, outcome, started_at, finished_at FROM crawls WHERE site_id IN (?, ?, ?)"
                     " ORDER BY id", SITES)
    assert sorted(c["site_id"] for c in crawls) == sorted(SITES)  # each site crawled exactly once
    assert len({c["pid"] for c in crawls}) == 1 and {c["outcome"] for c in crawls} == {"ok"}
    for s in SITES:  # no two crawl rows of one site overlap in time (here: there is one)
        spans = sorted((c["started_at"], c["finished_at"]) for c in crawls if c["site_id"] == s)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert leases(p) == {}  # both released


def test_killed_holder_is_taken_over_at_once_foreign_leases_wait_for_expiry(slow_portal):
    p = slow_portal
    site = SITES[0]
    p.sim.set_faults(site, slow_ms=1500)
    holder = start_cli(p, site)
    try:
        wait_for(lambda: leases(p).get(site, {}).get("pid") == holder.pid, 240, "the CLI to take the lease")
        running = wait_for(lambda: rows(p, "SELECT pid FROM crawls WHERE site_id = ? AND outcome = 'running'", [site]),
                           240, "the crawl child to open its crawl row")
        os.kill(holder.pid, signal.SIGKILL)  # the holder dies without releasing; its child dies with it
        holder.wait()
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
    child = running[0]["pid"]
    wait_for(lambda: not pid_alive(child), 240, "the crawl child to die with its parent")
    with closing(p.db()) as db:  # kill -9 left the database consistent: the lease row is whole
        assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert leases(p)[site]["pid"] == holder.pid
    p.sim.clear_faults(site)

    # same host, holder pid dead: taken over at once, long before the lease expires
    assert leases(p)[site]["expires_at"] > clock.iso(datetime.now(UTC))
    r = manual_crawl(p.config, p.db_path, [site])
    assert r.ok and r.skipped == {}, r.stderr_tail
    assert [c["outcome"] for c in r.crawls] == ["ok"]
    assert leases(p) == {}

    # another host's lease that has not expired blocks: the CLI skips the site, exit 0
    foreign_lease(p, site, expires_in=600)
    before = rows(p, "SELECT COUNT(*) AS n FROM crawls WHERE site_id = ?", [site])[0]["n"]
    cli = start_cli(p, site, SITES[1])
    out, err = cli.communicate(timeout=240)
    assert cli.returncode == 0, err
    assert f"{site}: bỏ qua, đang được thu thập — skipped, being crawled by pid 4242 on host far-away since " in out
    assert rows(p, "SELECT COUNT(*) AS n FROM crawls WHERE site_id = ?", [site])[0]["n"] == before
    assert rows(p, "SELECT outcome FROM crawls WHERE site_id = ? ORDER BY id DESC LIMIT 1", [SITES[1]]) == [{"outcome": "ok"}]
    assert leases(p)[site]["holder"] == "far-run"

    # once past its expiry it is taken over
    with closing(p.db()) as db:
        db.conn.execute("UPDATE crawl_leases SET expires_at = ? WHERE site_id = ?",
                        (clock.iso(datetime.now(UTC) - timedelta(seconds=1)), site))
    r = manual_crawl(p.config, p.db_path, [site])
    assert r.ok and r.skipped == {} and [c["site_id"] for c in r.crawls] == [site]
    assert leases(p) == {}


def test_crawl_result_lists_skipped_sites_and_crawls_the_rest(slow_portal):
    p = slow_portal
    foreign_lease(p, SITES[0], expires_in=600)
    r = manual_crawl(p.config, p.db_path, SITES)
    assert r.ok
    assert sorted(c["site_id"] for c in r.crawls) == sorted(SITES[1:])
    assert list(r.skipped) == [SITES[0]]
    assert r.skipped[SITES[0]].startswith("being crawled by pid 4242 on host far-away since ")
    assert set(leases(p)) == {SITES[0]}  # ours released, the foreign one untouched


def test_leases_are_released_when_the_child_is_killed_by_the_timeout(slow_portal):
    p = slow_portal
    p.sim.set_faults(SITES[0], slow_ms=5000)  # one page outlasts half the timeout
    seen: list[dict] = []
    watcher = threading.Thread(target=lambda: seen.extend(
        wait_for(lambda: list(leases(p).values()), 240, "the run to take its lease")))
    watcher.start()
    r = manual_crawl(p.config, p.db_path, [SITES[0]], timeout=8)
    watcher.join()
    assert r.timed_out
    assert [x["site_id"] for x in seen] == [SITES[0]] and seen[0]["pid"] == os.getpid()  # held while it ran
    assert leases(p) == {}  # released after the kill
    p.sim.clear_faults(SITES[0])
    assert manual_crawl(p.config, p.db_path, [SITES[0]]).skipped == {}
