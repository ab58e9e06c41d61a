"""The cluster path of runner.crawl takes the per-site crawl leases too (no daemon needed: a site
another run holds is skipped before any node is contacted)."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta

from crawler import clock
from monitor.store.connect import open_db
from tests.cluster.test_cluster_units import _closed_port, _config
from tests.conftest import manual_crawl


def _lease_rows(db) -> list[tuple]:
    with closing(open_db(db)) as d:
        return d.conn.execute("SELECT site_id, holder, pid, hostname FROM crawl_leases").fetchall()


def test_a_cluster_cycle_skips_a_leased_site_and_releases_its_own(tmp_path):
    config, db = _config(tmp_path, [f"http://127.0.0.1:{_closed_port()}"]), str(tmp_path / "pw.db")
    now = datetime.now(UTC)
    with closing(open_db(db)) as d:
        d.conn.execute("INSERT INTO crawl_leases VALUES ('a', 'far-run', 4242, 'far-away', ?, ?, ?)",
                       (clock.iso(now), clock.iso(now), clock.iso(now + timedelta(minutes=5))))
    r = manual_crawl(config, db, None)
    assert r.returncode == 0 and r.crawls == [] and r.stderr_tail == ""  # no node was contacted
    assert r.skipped["a"].startswith("being crawled by pid 4242 on host far-away since ")
    with closing(open_db(db)) as d:
        assert d.conn.execute("SELECT COUNT(*) FROM cluster_jobs").fetchone()[0] == 0
    with closing(open_db(db)) as d:  # the holder's lease expired: now the cycle runs (and fails: no node)
        d.conn.execute("UPDATE crawl_leases SET expires_at = ?", (clock.iso(now - timedelta(seconds=1)),))
    r = manual_crawl(config, db, None)
    assert r.returncode == 2 and "no cluster node reachable" in r.stderr_tail and r.skipped == {}
    assert _lease_rows(db) == []  # the cycle released its lease
