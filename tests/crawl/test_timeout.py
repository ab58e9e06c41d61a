"""A crawl stopped at its timeout: the sites that finished keep their outcome, the one that did
not is that site's failure (and enough of them make it unreachable). Real crawls of the simulator
in a child process, a real SQLite file, `portalwatch crawl --timeout` through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.detect.events import detect

pytestmark = pytest.mark.slow


def rows(portal, sql: str) -> list[tuple]:
    db = portal.db()
    try:
        return db.execute(sql).fetchall()
    finally:
        db.conn.close()


def test_a_timeout_fails_only_the_site_that_did_not_finish(portal):
    portal.sim.set_faults(site="ea-kao", slow_ms=600_000)  # its list page never answers
    # the healthy ward needs a few seconds; a busy machine may need more: a longer timeout then
    for timeout in (20, 60, 240):
        result = portal.crawl(["vinh-hung", "ea-kao"], check=False, timeout=timeout)
        assert result.timed_out
        outcomes = {c["site_id"]: (c["outcome"], c["error_summary"]) for c in result.crawls}
        if outcomes["vinh-hung"][0] != "failed":
            break
    assert outcomes["vinh-hung"] == ("ok", None)  # finished in seconds: its outcome stays
    assert outcomes["ea-kao"][0] == "failed"
    assert outcomes["ea-kao"][1].startswith("timed out: not finished when the crawl was killed after the")
    assert rows(portal, "SELECT COUNT(*) FROM crawls WHERE outcome IN ('aborted', 'running')") == [(0,)]

    # the stuck site alone, twice more: each timeout is one more failure in a row (a timeout
    # that kills the child before it stored its crawl rows records nothing: then a longer one)
    def failures() -> int:
        return rows(portal, "SELECT COUNT(*) FROM crawls WHERE site_id = 'ea-kao' AND outcome = 'failed'")[0][0]

    for timeout in (5, 15, 60, 240):
        before = failures()
        res = CliRunner().invoke(cli, ["--config", str(portal.config), "--db", str(portal.db_path), "crawl",
                                       "--site", "ea-kao", "--timeout", str(timeout)])
        assert res.exit_code == 1 and f"crawl timed out after {timeout}s and was killed" in res.output, res.output
        if failures() > before:
            break
    assert "not finished, counted as failed: ea-kao" in res.output
    for timeout in (5, 15, 60, 240):
        before = failures()
        assert portal.crawl(["ea-kao"], check=False, timeout=timeout).timed_out
        if failures() > before:
            break
    db = portal.db()
    try:
        kinds = {(e["kind"], e["site_id"]) for e in detect(db, portal.load_config())}
    finally:
        db.conn.close()
    assert ("site_unreachable", "ea-kao") in kinds
    health = CliRunner().invoke(cli, ["--config", str(portal.config), "--db", str(portal.db_path),
                                      "sites", "health", "--json"])
    by_site = {h["site_id"]: h for h in json.loads(health.stdout)}
    assert by_site["ea-kao"]["status"] == "unreachable" and by_site["ea-kao"]["failure_streak"] >= 3
    assert by_site["vinh-hung"]["status"] == "ok" and by_site["vinh-hung"]["articles_seen"] > 0
