"""Crash safety and crawl bounds: kill -9 mid-crawl, robots.txt, max_pages, max_age_days."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow


def count(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_kill_9_mid_crawl_then_next_crawl_completes(portal):
    portal.sim.set_faults(slow_ms=300)  # slow enough to be killed in the middle
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor.crawl.child", "--config", str(portal.config), "--db", str(portal.db_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while count(portal.db_path, "SELECT COUNT(*) FROM articles WHERE body IS NOT NULL") < 10:
        assert time.monotonic() < deadline, "crawl never stored anything"
        assert proc.poll() is None, "crawl finished before it could be killed"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    total = len(portal.sim.truth(include_removed=False))
    fetched = count(portal.db_path, "SELECT COUNT(*) FROM articles WHERE body IS NOT NULL")
    assert 0 < fetched < total  # killed in the middle: some article pages stored, not all
    conn = sqlite3.connect(portal.db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM crawls WHERE outcome = 'running'").fetchone()[0] > 0
    conn.close()

    portal.sim.clear_faults()
    result = portal.crawl()
    assert all(c["outcome"] == "ok" for c in result.crawls)
    conn = sqlite3.connect(portal.db_path)
    assert conn.execute("SELECT COUNT(*) FROM crawls WHERE outcome = 'running'").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM crawls WHERE outcome = 'aborted'").fetchone()[0] > 0
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == total
    assert conn.execute("SELECT COUNT(*) FROM articles WHERE body IS NULL").fetchone()[0] == 0
    # exactly one reading per article that shows a count: nothing duplicated by the restart
    dup = conn.execute("SELECT COUNT(*) FROM (SELECT article_id, views FROM view_counts"
                       " GROUP BY article_id, views HAVING COUNT(*) > 1)").fetchone()[0]
    assert dup == 0
    conn.close()


def test_robots_txt_is_obeyed(portal):
    text = portal.config.read_text(encoding="utf-8")
    text += f'''
[[site]]
id = "private"
name = "Khu vực riêng"
start_urls = ["{portal.url}/hoangmai/private/tin-tuc"]
profile = "liferay"
'''
    portal.config.write_text(text, encoding="utf-8")
    before = portal.sim.get_stats().get("not_found", 0)
    result = portal.crawl(["private"])
    assert result.crawls[0]["outcome"] == "failed"
    assert "robots.txt" in (result.crawls[0]["error_summary"] or "")
    assert portal.sim.get_stats().get("not_found", 0) == before  # never requested


def test_max_pages_and_max_age_bound_the_crawl(tmp_path):
    from tests.conftest import make_portal

    p = make_portal(tmp_path, articles_per_site=60)
    try:
        text = p.config.read_text(encoding="utf-8")
        text = text.replace('id = "vinh-hung"', 'id = "vinh-hung"\nmax_pages = 1')
        text = text.replace('id = "xa-quang-phu"', 'id = "xa-quang-phu"\nmax_age_days = 30')
        p.config.write_text(text, encoding="utf-8")
        p.crawl(["vinh-hung", "xa-quang-phu"], now=p.sim.clock()["now_utc"])
        db = p.db()
        vh_pages = db.execute("SELECT list_pages FROM crawls WHERE site_id = 'vinh-hung'").fetchone()[0]
        assert vh_pages == len(p.load_config().site("vinh-hung").start_urls)  # one page per list
        cutoff = "2026-10-21T01:00:00Z"  # 30 days before the simulator's start (08:00 +07)
        truth_recent = [t for t in p.sim.truth(site="xa-quang-phu", include_body=False) if t["published_at"] >= cutoff]
        stored = [r[0] for r in db.execute("SELECT published_at FROM articles WHERE site_id = 'xa-quang-phu'")]
        assert len(stored) == len(truth_recent) and all(s >= cutoff for s in stored)
        db.conn.close()
    finally:
        p.server.stop()


def test_two_processes_share_the_database(tmp_path):
    """Sites on different hosts crawled by two children at once into one SQLite file."""
    from monitor.crawl.local import shard_sites
    from monitor.crawl.planner import build_plan
    from tests.conftest import make_portal, manual_crawl

    p = make_portal(tmp_path)
    try:
        # the same simulator reached as 127.0.0.1 and as localhost: two hosts, two shards
        text = p.config.read_text(encoding="utf-8")
        ea = text.index('id = "ea-kao"')
        end = text.find("\n[[", ea)
        end = len(text) if end < 0 else end
        text = text[:ea] + text[ea:end].replace("http://127.0.0.1:", "http://localhost:") + text[end:]
        p.config.write_text(text, encoding="utf-8")
        groups = shard_sites(build_plan(p.load_config(), None, None, walks=False), 2)
        assert len(groups) == 2 and ["ea-kao"] in groups
        result = manual_crawl(p.config, p.db_path, processes=2)
        assert result.ok and len({c["pid"] for c in result.crawls}) == 2
        assert all(c["outcome"] == "ok" for c in result.crawls)
        db = p.db()
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(p.sim.truth(include_removed=False))
        db.conn.close()
    finally:
        p.server.stop()
