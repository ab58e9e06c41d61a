"""The service says when things fail: a log line per failed site crawl and per failed delivery,
the crawl job's real outcome in the job log, and ticks that could not run as `crawl:skipped`.
The real scheduler in-process against the simulator: real child crawls, real SQLite."""

from __future__ import annotations

import logging

import pytest

from monitor.service.jobstore import default_jobstore, last_runs
from tests.service.conftest import rows, wait_for

pytestmark = pytest.mark.slow


def last_run(p, job: str) -> dict | None:
    """The job log's last run of `job` (what `portalwatch status` shows under Last runs)."""
    return {r["job"]: r for r in last_runs(default_jobstore(p.db_path))}.get(job)


def test_a_crawl_where_every_site_failed_is_a_failed_job_with_a_line_per_site(svc_portal, caplog):
    p = svc_portal
    text = p.config.read_text(encoding="utf-8").replace('schedule = "every 3s"', 'schedule = "every 1h"')
    p.config.write_text(text, encoding="utf-8")
    p.sim.set_faults(down=True)  # every site answers 503
    svc = p.start()
    with caplog.at_level(logging.INFO, logger="portalwatch.service"):
        svc.crawl(["vinh-hung", "ea-kao"])
    outcomes = {r["site_id"]: r["outcome"] for r in rows(p, "SELECT site_id, outcome FROM crawls")}
    assert outcomes == {"vinh-hung": "failed", "ea-kao": "failed"}
    run = last_run(p, "crawl")
    assert run["outcome"] == "failed", run
    lines = [r for r in caplog.records if r.name == "portalwatch.service" and r.levelno >= logging.WARNING]
    per_site = {sid: [r.getMessage() for r in lines if r.getMessage().startswith(f"crawl of {sid} failed: ")]
                for sid in outcomes}
    assert all(len(v) == 1 for v in per_site.values()), per_site
    assert "503" in per_site["vinh-hung"][0]

    p.sim.clear_faults()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portalwatch.service"):
        svc.crawl(["vinh-hung", "ea-kao"])
    assert last_run(p, "crawl")["outcome"] == "ok"
    assert not [r for r in caplog.records if r.name == "portalwatch.service" and r.levelno >= logging.WARNING]


def test_a_failed_delivery_is_an_error_line(svc_portal, caplog, monkeypatch):
    p = svc_portal
    monkeypatch.delenv("PW_LOUD_UNSET_SECRET", raising=False)
    text = p.config.read_text(encoding="utf-8").replace('schedule = "every 3s"', 'schedule = "every 1h"')
    text = text.replace("channels = [", 'channels = [{ type = "webhook", url = "http://127.0.0.1:9/x",'
                        ' secret_env = "PW_LOUD_UNSET_SECRET" }, ', 1)
    p.config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PORTALWATCH_NOW", "2026-03-02T01:30:00Z")  # after the recipient's send_at
    svc = p.start()
    recipient = svc.config.recipients[0].id
    with caplog.at_level(logging.INFO, logger="portalwatch.service"):
        svc.digest(recipient)
    errors = [r.getMessage() for r in caplog.records if r.name == "portalwatch.service" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and f"of {recipient}'s digest by webhook" in errors[0] and " failed: " in errors[0], errors
    assert "PW_LOUD_UNSET_SECRET" in errors[0]
    assert last_run(p, f"digest:{recipient}")["outcome"] == "failed"


def test_a_tick_that_cannot_run_is_recorded_as_crawl_skipped(svc_portal, caplog):
    """A crawl job's tick while its previous run is still going (max_instances = 1) does not run:
    the job log says so, and a WARNING line too."""
    p = svc_portal
    p.sim.set_faults(site="ea-kao", slow_ms=1500)  # the crawl outlasts a few 3 s ticks
    with caplog.at_level(logging.WARNING, logger="portalwatch.service"):
        p.start()
        run = wait_for(lambda: last_run(p, "crawl:skipped"), 300, "a skipped tick")
    assert run["outcome"] == "skipped"
    assert run["detail"].startswith("tick of crawl:every 3s due ") and "its previous run was still going" in run["detail"]
    assert any("its previous run was still going" in r.getMessage() for r in caplog.records)
