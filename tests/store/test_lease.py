"""Per-site crawl leases (monitor.store.lease) on a real SQLite file: take / renew / release,
take-over of dead or expired holders, and `take` raced by threads and by processes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta

from crawler import clock
from monitor.store import lease
from monitor.store.connect import open_db

SITES = ["a", "b", "c", "d"]


def lease_rows(db_path) -> dict[str, dict]:
    with closing(open_db(db_path)) as db:
        return {r["site_id"]: dict(r) for r in db.query("SELECT * FROM crawl_leases")}


def insert(db_path, site_id, *, pid, hostname, expires_in: float, holder="someone-else") -> None:
    """A lease row as another process would have left it (times relative to the real clock)."""
    now = datetime.now(UTC)
    with closing(open_db(db_path)) as db:
        db.conn.execute(
            "INSERT INTO crawl_leases (site_id, holder, pid, hostname, taken_at, renewed_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (site_id, holder, pid, hostname, clock.iso(now - timedelta(minutes=5)), clock.iso(now),
             clock.iso(now + timedelta(seconds=expires_in))),
        )


def dead_pid() -> int:
    """The pid of a process that has just ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_take_skips_held_sites_and_release_frees_them(tmp_path):
    db = tmp_path / "p.db"
    first = lease.take(db, ["a", "b"], "h1")
    assert first.sites == ["a", "b"] and first.held == {}
    second = lease.take(db, ["b", "c"], "h2")
    assert second.sites == ["c"]
    held = second.held["b"]
    assert (held.holder, held.pid, held.hostname) == ("h1", os.getpid(), lease.hostname())
    assert held.reason().startswith(f"being crawled by pid {os.getpid()} on host {lease.hostname()} since ")
    rows = lease_rows(db)
    assert {s: r["holder"] for s, r in rows.items()} == {"a": "h1", "b": "h1", "c": "h2"}
    assert rows["a"]["expires_at"] > rows["a"]["taken_at"]
    assert lease.release(db, "h1", ["a"]) == 1
    assert set(lease_rows(db)) == {"b", "c"}
    assert lease.release(db, "h1") == 1
    assert lease.take(db, ["b"], "h2").sites == ["b"]
    assert lease.release(db, "h2") == 2
    assert lease_rows(db) == {}


def test_renew_pushes_expiry_and_retake_by_the_same_holder_renews(tmp_path):
    db = tmp_path / "p.db"
    lease.take(db, ["a", "b"], "h1", ttl=1)
    before = lease_rows(db)["a"]
    assert lease.renew(db, "h1", ttl=3600) == 2
    after = lease_rows(db)["a"]
    assert after["expires_at"] > before["expires_at"] and after["taken_at"] == before["taken_at"]
    again = lease.take(db, ["a"], "h1", ttl=7200)
    assert again.sites == ["a"] and lease_rows(db)["a"]["expires_at"] > after["expires_at"]
    assert lease.renew(db, "nobody") == 0


def test_lease_times_are_the_real_clock_not_portalwatch_now(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", "2001-01-01T00:00:00Z")  # a simulated past
    db = tmp_path / "p.db"
    lease.take(db, ["a"], "h1")
    row = lease_rows(db)["a"]
    assert row["taken_at"] >= clock.iso(datetime.now(UTC) - timedelta(minutes=1))
    # a pinned clock must not make a live lease look expired to the next taker
    assert lease.take(db, ["a"], "h2").sites == []


def test_other_host_blocks_until_expired_then_is_taken_over(tmp_path):
    db = tmp_path / "p.db"
    insert(db, "a", pid=4242, hostname="far-away", expires_in=600)
    insert(db, "b", pid=4242, hostname="far-away", expires_in=-1)
    got = lease.take(db, ["a", "b"], "me")
    assert got.sites == ["b"]
    assert got.held["a"].reason().startswith("being crawled by pid 4242 on host far-away since ")
    assert lease_rows(db)["b"]["holder"] == "me"


def test_dead_pid_on_this_host_is_taken_over_at_once_a_live_one_blocks(tmp_path):
    db = tmp_path / "p.db"
    insert(db, "a", pid=dead_pid(), hostname=lease.hostname(), expires_in=600)
    insert(db, "b", pid=os.getppid(), hostname=lease.hostname(), expires_in=600)  # alive
    insert(db, "c", pid=dead_pid(), hostname="far-away", expires_in=600)  # a pid there says nothing here
    got = lease.take(db, ["a", "b", "c"], "me")
    assert got.sites == ["a"]
    assert set(got.held) == {"b", "c"}


def test_site_leases_context_renews_from_a_heartbeat_and_releases_on_error(tmp_path):
    db = tmp_path / "p.db"
    sl = lease.SiteLeases(db, ["a", "b"], ttl=0.6)  # renews every 0.2 s
    try:
        with sl as got:
            assert got.sites == ["a", "b"]
            first = lease_rows(db)["a"]["renewed_at"]
            deadline = datetime.now(UTC) + timedelta(seconds=60)
            while lease_rows(db)["a"]["renewed_at"] == first:  # the heartbeat moves it (seconds precision)
                assert datetime.now(UTC) < deadline, "the heartbeat never renewed the lease"
                threading.Event().wait(0.1)
            raise RuntimeError("the crawl blew up")
    except RuntimeError:
        pass
    assert lease_rows(db) == {}


def _race_threads(db, sets) -> list[lease.Taken]:
    start = threading.Barrier(len(sets))
    out: list = [None] * len(sets)

    def run(i):
        start.wait()
        out[i] = lease.take(db, sets[i], f"t{i}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sets))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_threads_racing_take_get_each_site_once(tmp_path):
    db = tmp_path / "p.db"
    lease.take(db, [], "warm-up")  # the database exists before the race
    sets = [SITES, SITES[1:], SITES[:2], ["d", "a"], ["c"], SITES[::-1]]
    for _round in range(5):
        got = _race_threads(db, sets)
        owners: dict[str, list[int]] = {}
        for i, g in enumerate(got):
            for s in g.sites:
                owners.setdefault(s, []).append(i)
            assert set(g.sites) | set(g.held) == set(sets[i])
        assert {s: len(v) for s, v in owners.items()} == dict.fromkeys(SITES, 1)
        assert {s: r["holder"] for s, r in lease_rows(db).items()} == {s: f"t{v[0]}" for s, v in owners.items()}
        for i in range(len(sets)):
            lease.release(db, f"t{i}")


def _take_in_process(db, sites, holder, start, done, results) -> None:
    start.wait()
    got = lease.take(db, sites, holder)
    results.put((holder, got.sites, sorted(got.held)))
    done.wait()  # stay alive until every racer has taken: a dead pid's leases are free at once


def test_processes_racing_take_get_each_site_once(tmp_path):
    db = tmp_path / "p.db"
    lease.take(db, [], "warm-up")
    ctx = multiprocessing.get_context("spawn")
    sets = [SITES, SITES[2:], ["b", "c"], ["a", "d"]]
    start, done, results = ctx.Barrier(len(sets)), ctx.Barrier(len(sets) + 1), ctx.Queue()
    procs = [ctx.Process(target=_take_in_process, args=(str(db), s, f"p{i}", start, done, results))
             for i, s in enumerate(sets)]
    for p in procs:
        p.start()
    got = [results.get(timeout=120) for _ in procs]
    rows = lease_rows(db)
    done.wait()
    for p in procs:
        p.join()
    owners = [(s, holder) for holder, taken, _held in got for s in taken]
    assert sorted(s for s, _ in owners) == SITES  # every site to exactly one process
    assert {s: r["holder"] for s, r in rows.items()} == dict(owners)
    for holder, taken, held in got:
        assert set(taken) | set(held) == set(sets[int(holder[1:])])
    assert lease.take(db, SITES, "after").sites == SITES  # their pids are dead now: taken over at once
