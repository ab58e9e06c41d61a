"""The real scheduler in-process (and `portalwatch run` as a process) against the simulator:
real child crawls, real SQLite, real job store. Waits poll with generous deadlines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import clock
from monitor.cli import cli
from monitor.service.status import status
from tests.service.conftest import pin_clock, real_clock, rows, set_service_settings, wait_for

pytestmark = pytest.mark.slow
SITES = 12  # the simulator's core sites (incl. the second Tân Dân and DNN flavours)


def batches(portal) -> list[dict]:
    """Finished crawl children, oldest first: the sites each one took."""
    out: dict[int, dict] = {}
    for r in rows(portal, "SELECT pid, site_id, outcome, started_at, finished_at FROM crawls ORDER BY id"):
        b = out.setdefault(r["pid"], {"pid": r["pid"], "sites": set(), "outcomes": set(), "start": r["started_at"],
                                      "end": r["finished_at"]})
        b["sites"].add(r["site_id"])
        b["outcomes"].add(r["outcome"])
        b["end"] = max(b["end"] or "", r["finished_at"] or "")
    return [b for b in out.values() if "running" not in b["outcomes"]]


def digests(portal) -> list[dict]:
    return rows(portal, "SELECT d.id, d.recipient_id, d.window_end, v.status, v.delivered_at FROM digests d"
                        " LEFT JOIN deliveries v ON v.digest_id = d.id ORDER BY d.id")


def test_crawls_on_schedule_digest_at_send_time_restart_without_duplicates(svc_portal, monkeypatch):
    p = svc_portal
    real_clock(monkeypatch)  # the digest fires at a real minute: the ledger must see the same time
    # the digest goes out at the next minute boundary at least 8 s away (Vietnam time)
    now = datetime.now(clock.VN_TZ)
    send = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (send - now).total_seconds() < 8:
        send += timedelta(minutes=1)
    text = p.config.read_text(encoding="utf-8").replace('send_at = "07:30"', f'send_at = "{send:%H:%M}"')
    p.config.write_text(text, encoding="utf-8")

    svc = p.start()
    jobs = {j.id: j for j in svc.scheduler.get_jobs()}
    assert set(jobs) == {"crawl:every 3s", "digest:ubnd-hoang-mai"}
    assert jobs["digest:ubnd-hoang-mai"].next_run_time == send
    assert jobs["crawl:every 3s"].coalesce and jobs["crawl:every 3s"].max_instances == 1

    # crawls happen on schedule, one child taking every site, never two children at once
    wait_for(lambda: len(batches(p)) >= 1, 60, "the first scheduled crawl")
    assert not digests(p), "no digest before its send time"
    wait_for(lambda: digests(p) and digests(p)[0]["status"] == "delivered", 90, "the digest at its send time")
    sent = clock.parse_iso(digests(p)[0]["delivered_at"])
    assert send <= sent < send + timedelta(seconds=30)
    # crawling goes on every 3 s (a loaded machine may have finished only one batch by send time)
    wait_for(lambda: len(batches(p)) >= 2, 90, "a second scheduled crawl")
    done = batches(p)
    for b in done:
        assert len(b["sites"]) == SITES and b["outcomes"] == {"ok"}, b
    for a, b in zip(done, done[1:], strict=False):
        assert a["end"] <= b["start"], f"two crawl children overlapped: {a} {b}"
    files = list((p.config.parent / "digests").glob("ubnd-hoang-mai-*.html"))
    assert len(files) == 1

    # stop and start again: the digest is not sent again, crawling carries on
    svc.stop()
    before = len(batches(p))
    svc2 = p.start()
    assert sorted(svc2.last_reload["kept"]) == ["crawl:every 3s", "digest:ubnd-hoang-mai"]
    assert svc2.scheduler.get_job("digest:ubnd-hoang-mai").next_run_time == send + timedelta(days=1)
    wait_for(lambda: len(batches(p)) >= before + 2, 60, "crawls after the restart")
    svc2.stop()
    assert len(digests(p)) == 1 and len(files) == 1
    assert rows(p, "SELECT COUNT(*) AS n FROM deliveries")[0]["n"] == 1


def test_downtime_catch_up_runs_once_and_no_digest_is_lost(svc_portal, monkeypatch):
    """Jobs that fell due while the service was down run once at start (coalesced), not N times."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    p = svc_portal
    pin_clock(monkeypatch)  # the missed digest is due by the project's clock at any hour of the night
    text = p.config.read_text(encoding="utf-8")
    p.config.write_text(text.replace('schedule = "every 3s"', 'schedule = "every 1h"'), encoding="utf-8")
    svc = p.start()
    svc.stop()
    # the service was down for 5 hours: both jobs' stored next run lies in the past
    store = SQLAlchemyJobStore(url=f"sqlite:///{svc.jobstore}")
    store.start(BackgroundScheduler(timezone="Asia/Ho_Chi_Minh"), "default")
    past = datetime.now(clock.VN_TZ) - timedelta(hours=5)
    for job in store.get_all_jobs():
        job.next_run_time = past
        store.update_job(job)
    store.shutdown()

    svc2 = p.start()
    wait_for(lambda: digests(p) and digests(p)[0]["status"] == "delivered", 60, "the missed digest")
    wait_for(lambda: len(batches(p)) == 1, 60, "the catch-up crawl")
    time.sleep(2)  # a replay of 5 missed runs would start more children right away
    assert len(batches(p)) == 1
    crawl_job = svc2.scheduler.get_job("crawl:every 1h")
    assert crawl_job.next_run_time > datetime.now(clock.VN_TZ)
    assert len(digests(p)) == 1


TIMEOUT = 20  # seconds; the child needs a few to start Scrapy and crawl the healthy site


def test_hanging_crawl_is_killed_at_its_timeout_and_reported(svc_portal):
    p = svc_portal
    # long enough for the other site to be crawled and stored first, even on a busy machine
    set_service_settings(p, crawl_timeout=TIMEOUT)
    text = p.config.read_text(encoding="utf-8").replace('schedule = "every 3s"', 'schedule = "every 1h"')
    p.config.write_text(text.replace('crawl_timeout = 60\n', ""), encoding="utf-8")
    p.sim.set_faults(site="ea-kao", slow_ms=600_000)  # one site never answers
    svc = p.start()
    t0 = time.monotonic()
    worker = threading.Thread(target=svc.crawl, args=(["ea-kao", "vinh-hung"],))
    worker.start()
    worker.join(600)  # a generous bound: the timeout, not this, ends the crawl
    assert not worker.is_alive()
    assert time.monotonic() - t0 >= TIMEOUT  # killed by the timeout, not before it
    crawls = rows(p, "SELECT site_id, outcome, error_summary FROM crawls ORDER BY id")
    hung = [c for c in crawls if c["site_id"] == "ea-kao"]
    # the site still crawling at the timeout failed (it counts toward unreachable), the other
    # site finished before: its crawl keeps its outcome and its rows stay stored
    assert hung and hung[-1]["outcome"] == "failed"
    assert hung[-1]["error_summary"].startswith("timed out: ") and f"{TIMEOUT}s crawl timeout" in hung[-1]["error_summary"]
    assert [c["outcome"] for c in crawls if c["site_id"] == "vinh-hung"] == ["ok"]
    assert rows(p, "SELECT COUNT(*) AS n FROM articles WHERE site_id = 'vinh-hung'")[0]["n"] > 0
    st = status(p.config, p.db_path)
    run = {r["job"]: r for r in st["last_runs"]}["crawl"]
    assert run["outcome"] == "timeout" and f"killed after the {TIMEOUT}s crawl timeout" in run["detail"]
    site = {s["id"]: s for s in st["sites"]}["ea-kao"]
    assert site["last_crawl"]["outcome"] == "failed"
    # and the table output says so
    out = CliRunner().invoke(cli, ["--config", str(p.config), "--db", str(p.db_path), "status"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    shown = " ".join(out.output.split())  # a long detail wraps even at 200 columns
    assert "running (pid" in shown and "failed" in shown and "crawl timeout" in shown


def _cli(p, *args, check=True):
    r = subprocess.run([sys.executable, "-m", "monitor", "--config", str(p.config), "--db", str(p.db_path), *args],
                       capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_portalwatch_run_reload_sighup_status_and_sigterm(svc_portal):
    p = svc_portal
    text = p.config.read_text(encoding="utf-8").replace('schedule = "every 3s"', 'schedule = "every 1h"')
    p.config.write_text(text, encoding="utf-8")
    log = open(p.config.parent / "service.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(p.config), "--db", str(p.db_path), "run"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        def job_ids():
            data = json.loads(_cli(p, "status", "--json").stdout)
            return data["service"]["running"] and {j["id"] for j in data["jobs"]}

        wait_for(lambda: job_ids() == {"crawl:every 1h", "digest:ubnd-hoang-mai"}, 60, "the service's jobs")

        # `portalwatch reload`: one site moves to its own schedule, the recipient is dropped
        text = p.config.read_text(encoding="utf-8")
        text = text.replace('id = "ea-kao"\n', 'id = "ea-kao"\nschedule = "0 6 * * 1-5"\n')
        text = text[: text.index("[[recipient]]")]
        p.config.write_text(text, encoding="utf-8")
        out = _cli(p, "reload")
        assert "sent SIGHUP" in out.stdout
        wait_for(lambda: job_ids() == {"crawl:every 1h", "crawl:0 6 * * 1-5"}, 30, "the reloaded jobs")
        data = json.loads(_cli(p, "status", "--json").stdout)
        ea = {s["id"]: s for s in data["sites"]}["ea-kao"]
        nxt = clock.parse_iso(ea["next_crawl_at"]).astimezone(clock.VN_TZ)
        assert (nxt.hour, nxt.minute) == (6, 0) and nxt.weekday() < 5  # crontab 1-5 = Monday to Friday

        # a broken file: `reload` refuses; a raw SIGHUP is logged and the jobs stay
        p.config.write_text(text.replace("[portalwatch]", "[portalwatch]\nbogus_key = 1"), encoding="utf-8")
        bad = _cli(p, "reload", check=False)
        assert bad.returncode != 0 and "bogus_key" in bad.stderr
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: {r["job"]: r for r in json.loads(_cli(p, "status", "--json").stdout)["last_runs"]}
                 .get("reload", {}).get("outcome") == "failed", 30, "the refused reload")
        assert job_ids() == {"crawl:every 1h", "crawl:0 6 * * 1-5"}
        p.config.write_text(text, encoding="utf-8")

        # SIGTERM in the middle of a crawl: the child stops, stored rows stay, the service exits
        p.sim.set_faults(site="vinh-hung", slow_ms=2000)
        p.config.write_text(text.replace('schedule = "every 1h"', 'schedule = "every 2s"'), encoding="utf-8")
        _cli(p, "reload")
        wait_for(lambda: rows(p, "SELECT COUNT(*) AS n FROM crawls WHERE outcome = 'running'")[0]["n"] > 0
                 if p.db_path.exists() else False, 60, "a running crawl")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    assert rows(p, "SELECT COUNT(*) AS n FROM crawls WHERE outcome = 'running'")[0]["n"] == 0
    assert rows(p, "SELECT COUNT(*) AS n FROM articles")[0]["n"] > 0
    data = json.loads(_cli(p, "status", "--json").stdout)
    assert data["service"]["running"] is False
    text_out = _cli(p, "status").stdout
    assert "not running" in text_out and "vinh-hung" in text_out


def test_housekeeping_and_backup(svc_portal, tmp_path):
    from monitor.config import load_config
    from monitor.store import maintenance

    p = svc_portal
    p.crawl()
    db = p.db()
    db.conn.execute("INSERT INTO html_samples (site_id, url, kind, reason, html, saved_at) VALUES"
                    " ('vinh-hung', 'http://x/', 'list', 'test', '<html>', '2020-01-01T00:00:00Z')")
    for kind, key in (("views_changed", "old-reading"), ("new_article", "old-post")):
        db.conn.execute("INSERT INTO events (kind, site_id, observed_at, detected_at, dedupe_key, details)"
                        " VALUES (?, 'vinh-hung', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', ?, '{}')",
                        (kind, key))
    readings = db.conn.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0]
    db.conn.close()
    settings = load_config(p.config).service
    out = maintenance.housekeeping(p.db_path, settings)
    assert out["samples_deleted"] == 1 and out["analyze"] == "ANALYZE"
    assert out["events_deleted"] == 1  # the old per-reading event; the old new_article stays
    assert rows(p, "SELECT dedupe_key FROM events WHERE dedupe_key LIKE 'old-%'") == [{"dedupe_key": "old-post"}]
    assert rows(p, "SELECT COUNT(*) AS n FROM view_counts")[0]["n"] == readings
    assert maintenance.housekeeping(p.db_path, settings)["analyze"] == "PRAGMA optimize"
    from monitor.web.users import add_user, authenticate, users_path

    add_user(p.db_path, "ops", "operator", "a long password")  # portalwatch web's users: backed up too
    Path(str(p.db_path) + ".web-secret").write_bytes(b"k" * 32)
    dest = tmp_path / "backups"
    made = [maintenance.backup(p.db_path, dest, keep=2, now=datetime(2026, 1, d, tzinfo=clock.VN_TZ)) for d in (1, 2, 3)]
    assert sorted(dest.glob("*.db")) == made[1:]
    assert sorted(x.name for x in dest.iterdir()) == sorted(
        m.name + s for m in made[1:] for s in ("", ".web-users", ".web-secret"))  # the oldest went with its own
    for m in made[1:]:
        assert users_path(m).stat().st_mode & 0o777 == 0o600 and (dest / (m.name + ".web-secret")).read_bytes() == b"k" * 32
    assert authenticate(made[-1], "ops", "a long password") is not None  # restored beside the copy, the users log in
    import sqlite3

    copy = sqlite3.connect(made[-1])
    n = copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    copy.close()
    assert n == rows(p, "SELECT COUNT(*) AS n FROM articles")[0]["n"] > 0
