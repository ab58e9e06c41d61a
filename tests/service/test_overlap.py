"""Crawl leases in the service: a tick for a site still being crawled is skipped, not run twice;
a site another process holds (its crawl lease) is skipped by the lease. Real APScheduler, real
crawl children, real SQLite; waits poll conditions."""

from __future__ import annotations

import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED

from crawler import clock
from monitor.service.jobstore import last_runs
from monitor.service.status import status
from tests.service.conftest import real_clock, rows, set_service_settings, wait_for

TZ = clock.VN_TZ

pytestmark = pytest.mark.slow
SLOW = "vinh-hung"


def far_crons() -> tuple[str, str]:
    """Two daily cron lines about 12 hours away: they fire only when the test says so."""
    hour = (datetime.now(TZ).hour + 12) % 24
    return f"0 {hour} * * *", f"30 {hour} * * *"


def fire(svc, job_id: str) -> None:
    """A tick, now: the scheduler runs the job as at its trigger time."""
    svc.scheduler.modify_job(job_id, next_run_time=datetime.now(TZ))


def executed(svc) -> dict[str, threading.Event]:
    done: dict[str, threading.Event] = {}
    lock = threading.Lock()

    def listener(event) -> None:
        with lock:
            done.setdefault(event.job_id, threading.Event()).set()

    svc.scheduler.add_listener(listener, EVENT_JOB_EXECUTED)

    def event(job_id: str) -> threading.Event:
        with lock:
            return done.setdefault(job_id, threading.Event())

    return event  # type: ignore[return-value]


def crawl_counts(p) -> dict[str, int]:
    return {r["site_id"]: r["n"] for r in rows(p, "SELECT site_id, COUNT(*) AS n FROM crawls GROUP BY site_id")}


def test_a_tick_for_a_site_still_being_crawled_is_skipped_not_run_again(svc_portal, monkeypatch):
    p = svc_portal
    real_clock(monkeypatch)
    first, second = far_crons()
    set_service_settings(p, schedule=first)
    p.sim.set_faults(SLOW, slow_ms=1500)  # the first batch lasts until the faults are cleared
    svc = p.start()
    event = executed(svc)
    fire(svc, f"crawl:{first}")
    wait_for(lambda: rows(p, "SELECT 1 FROM crawls WHERE site_id = ? AND outcome = 'running'", [SLOW]), 240,
             "the first batch to crawl the slowed site")

    # a reload moves every site to another schedule: its job ticks while the batch still runs
    p.config.write_text(p.config.read_text(encoding="utf-8").replace(f'"{first}"', f'"{second}"'), encoding="utf-8")
    assert svc.reload()["added"] == [f"crawl:{second}"]
    fire(svc, f"crawl:{second}")
    assert event(f"crawl:{second}").wait(240), "the second tick never returned"
    skip = wait_for(lambda: {r["job"]: r for r in last_runs(svc.jobstore)}.get("crawl:skipped"), 60, "the skip record")
    assert skip["outcome"] == "skipped" and SLOW in skip["detail"] and "still being crawled" in skip["detail"]

    p.sim.clear_faults(SLOW)
    assert event(f"crawl:{first}").wait(240), "the first batch never finished"
    wait_for(lambda: not rows(p, "SELECT 1 FROM crawls WHERE outcome = 'running'"), 240, "no crawl running")
    counts = crawl_counts(p)
    assert counts[SLOW] == 1 and set(counts.values()) == {1}, counts  # nobody was crawled twice
    assert {r["job"] for r in status(p.config, p.db_path)["last_runs"]} >= {"crawl", "crawl:skipped"}


def test_a_site_leased_by_another_process_is_skipped_and_shown_in_status(svc_portal, monkeypatch):
    p = svc_portal
    real_clock(monkeypatch)
    first, _ = far_crons()
    set_service_settings(p, schedule=first)
    now = datetime.now(UTC)
    with closing(p.db()) as db:  # a crawl on another machine holds vinh-hung
        db.conn.execute(
            "INSERT INTO crawl_leases (site_id, holder, pid, hostname, taken_at, renewed_at, expires_at)"
            " VALUES (?, 'far-run', 4242, 'far-away', ?, ?, ?)",
            (SLOW, clock.iso(now), clock.iso(now), clock.iso(now + timedelta(minutes=10))),
        )
    svc = p.start()
    event = executed(svc)
    fire(svc, f"crawl:{first}")
    assert event(f"crawl:{first}").wait(240), "the crawl tick never returned"
    crawl = {r["job"]: r for r in last_runs(svc.jobstore)}["crawl"]
    assert crawl["outcome"] == "ok", crawl
    assert f"{SLOW} skipped: being crawled by pid 4242 on host far-away since " in crawl["detail"]
    counts = crawl_counts(p)
    assert SLOW not in counts and counts and set(counts.values()) == {1}, counts
    data = status(p.config, p.db_path)
    assert [(x["site_id"], x["pid"], x["hostname"]) for x in data["leases"]] == [(SLOW, 4242, "far-away")]
