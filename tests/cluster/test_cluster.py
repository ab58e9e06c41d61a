"""A crawl cycle on two real Scrapyd daemons gives the database a local crawl gives; a node killed
mid-cycle and a coordinator killed mid-ingest lose nothing and double nothing; a host is only
ever crawled by one node."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from monitor.cluster.node_job import SPIDER
from tests.cluster.conftest import assert_same, write_config

pytestmark = pytest.mark.slow
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wait_for(cond, what: str, deadline: float = 300.0, every: float = 0.1):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what} after {deadline:g}s")


def jobs_by_node(db_path) -> dict[str, list[dict]]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        out: dict[str, list[dict]] = {}
        for r in conn.execute("SELECT * FROM cluster_jobs ORDER BY created_at"):
            out.setdefault(r["node"], []).append(dict(r))
        return out
    finally:
        conn.close()


def feed_hosts(daemon, job_id: str) -> set[str]:
    """The host names of every URL in a job's feed (fetched over HTTP from the node)."""
    raw = daemon.node().feed("portalwatch", SPIDER, job_id)
    assert raw is not None
    hosts = set()
    for line in raw.decode().splitlines():
        d = json.loads(line)
        for url in [d.get("url")] + [e["url"] for e in d.get("entries", [])]:
            if url:
                hosts.add(urlsplit(url).hostname)
    return hosts


def test_cycle_on_two_nodes_matches_a_local_crawl_and_no_host_is_shared(national, site_ids, local_db, nodes, tmp_path):
    from tests.conftest import manual_crawl

    w, h = national
    config = write_config(tmp_path / "sites.toml", w, site_ids, [d.url for d in nodes])
    h.recorder.reset()
    result = manual_crawl(config, tmp_path / "cluster.db")
    assert result.ok, result.stderr_tail
    assert sorted(c["site_id"] for c in result.crawls) == sorted(site_ids)
    assert_same(tmp_path / "cluster.db", local_db)

    jobs = jobs_by_node(tmp_path / "cluster.db")
    assert set(jobs) == {d.url for d in nodes}, "both nodes got jobs"
    assert all(j["state"] == "ingested" for js in jobs.values() for j in js)
    # a host is only ever crawled by one node: by the jobs' sites, by the URLs in the feeds, and
    # on the wire (concurrency_per_domain = 1: two nodes on one host would show 2 in flight)
    by_node = {}
    for d in nodes:
        sites = [s for j in jobs[d.url] for s in json.loads(j["sites"])]
        by_node[d.url] = {w.sites[s].host for s in sites}
        assert set().union(*(feed_hosts(d, j["job_id"]) for j in jobs[d.url])) == by_node[d.url]
    a, b = by_node.values()
    assert a and b and not (a & b)
    shared = w.sites["hanoi-xa-van-son"].host
    assert sum(shared in hosts for hosts in by_node.values()) == 1
    report = h.recorder.report()
    assert report["max_in_flight"] == 1, {k: v for k, v in report["hosts"].items() if v["max_in_flight"] > 1}


def test_a_node_killed_mid_cycle_still_completes_the_cycle(national, site_ids, local_db, nodes, tmp_path):
    """Through the service's crawl job (monitor.service.jobs.run_crawl), as `portalwatch run` does."""
    from monitor.config import load_config
    from monitor.service.jobs import run_crawl

    w, _ = national
    # slow enough (0.2 s between requests to a host) that the node dies in the middle of its jobs
    config = write_config(tmp_path / "sites.toml", w, site_ids, [d.url for d in nodes], settings={"delay": 0.2})
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("run", run_crawl(load_config(config), tmp_path / "cluster.db",
                                                                         site_ids)))
    t.start()
    victim = nodes[1]
    try:
        wait_for(lambda: victim.node().listjobs("portalwatch")["running"], "a running job on node 2")
        victim.kill()  # the daemon and its crawl processes, SIGKILL
    finally:
        t.join()
    result = box["run"].result
    assert result.ok, result.stderr_tail
    assert sorted(c["site_id"] for c in result.crawls) == sorted(site_ids)
    assert {c["list_walk"] for c in result.crawls} == {"full"}
    assert_same(tmp_path / "cluster.db", local_db)
    jobs = jobs_by_node(tmp_path / "cluster.db")
    moved = [j for j in jobs[victim.url] if j["state"] == "moved"]
    assert moved and all("unreachable" in j["error"] or "ended" in j["error"] for j in moved)
    retried = [j for j in jobs[nodes[0].url] if j["attempt"] == 2]
    assert {s for j in retried for s in json.loads(j["sites"])} >= {s for j in moved for s in json.loads(j["sites"])}
    assert all(victim.url in json.loads(j["tried"]) for j in retried)


def test_coordinator_killed_mid_ingest_resumes_exactly(national, site_ids, local_db, nodes, tmp_path):
    w, _ = national
    config = write_config(tmp_path / "sites.toml", w, site_ids, [d.url for d in nodes])
    db = tmp_path / "cluster.db"
    env = {**os.environ, "PYTHONPATH": ROOT, "PORTALWATCH_INGEST_HOLD": "3", "PORTALWATCH_INGEST_BATCH": "20"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from monitor.cli import main; main()", "--config", str(config), "--db", str(db), "crawl", "--no-detect"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, cwd=ROOT, start_new_session=True)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        line = wait_for(lambda: next((ln for ln in out if "holding in batch 3" in ln), None)
                        or (proc.poll() is not None and _ended(proc, out)), "the coordinator to hold mid-ingest")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    held_job = line.split()[-1].strip()
    conn = sqlite3.connect(db)
    try:
        mark = conn.execute("SELECT seq FROM ingest_marks WHERE job_id = ?", (held_job,)).fetchone()
        running = conn.execute("SELECT COUNT(*) FROM crawls WHERE outcome = 'running'").fetchone()[0]
    finally:
        conn.close()
    assert mark == (2 * 20,), "two batches committed, the third rolled back by the kill"
    assert running > 0
    # a second coordinator finishes the cycle from the marks
    from monitor.cli import cli

    res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "cluster", "resume"])
    assert res.exit_code == 0, res.output
    assert "resumed" in res.output
    assert_same(db, local_db)
    res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "cluster", "status", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["reachable"] for r in rows] == [True, True]
    assert sum(r["ingested"] for r in rows) == sum(len(js) for js in jobs_by_node(db).values())
    assert all(r["dispatched"] == 0 for r in rows)


def _ended(proc: subprocess.Popen, out: list[str]):
    raise AssertionError(f"the coordinator ended (status {proc.returncode}) before holding:\n{''.join(out)[-2000:]}")


def test_a_node_with_http_auth_takes_credentials_from_the_environment(tmp_path, monkeypatch):
    from monitor.cli import cli
    from monitor.cluster.daemon import ScrapydDaemon

    with ScrapydDaemon(tmp_path / "node", max_proc=1, auth=("crawler", "s3cret")) as d:
        config = tmp_path / "sites.toml"
        config.write_text(f'[cluster]\nnodes = ["{d.url}"]\nusername_env = "PW_SCRAPYD_USER"\n'
                          'password_env = "PW_SCRAPYD_PASS"\n[[site]]\nid = "a"\nname = "A"\n'
                          'start_urls = ["http://a.sim.test/list"]\n', encoding="utf-8")
        args = ["--config", str(config), "--db", str(tmp_path / "pw.db"), "cluster", "status", "--json"]
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 2 and "username_env = 'PW_SCRAPYD_USER': environment variable not set" in res.output
        monkeypatch.setenv("PW_SCRAPYD_USER", "crawler")
        monkeypatch.setenv("PW_SCRAPYD_PASS", "wrong")
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0 and json.loads(res.output)[0]["reachable"] is False
        assert "HTTP 401" in json.loads(res.output)[0]["last_error"]
        monkeypatch.setenv("PW_SCRAPYD_PASS", "s3cret")
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0, res.output
        row = json.loads(res.output)[0]
        assert row["reachable"] is True and row["version"] is None and row["last_error"] is None, row
        res = CliRunner().invoke(cli, args[:-2] + ["deploy", "--version", "7"])
        assert res.exit_code == 0 and "deployed portalwatch version 7" in res.output, res.output
        row = json.loads(CliRunner().invoke(cli, args).output)[0]
        assert (row["version"], row["pending"], row["running"], row["finished"]) == ("7", 0, 0, 0), row


def test_a_second_cycle_gets_the_revisit_state_through_the_plan(national, site_ids, nodes, tmp_path):
    """The node has no database: what it knows of stored articles comes in the plan. With the
    clock pinned, the second cycle revisits nothing (every article was just fetched), locally and
    on the cluster alike, and both databases stay the same."""
    from crawler import clock
    from tests.conftest import manual_crawl

    w, _ = national
    now = clock.now_iso()
    local = write_config(tmp_path / "local.toml", w, site_ids)
    cluster = write_config(tmp_path / "cluster.toml", w, site_ids, [d.url for d in nodes])
    second = {}
    for name, config in (("local", local), ("cluster", cluster)):
        for _cycle in (1, 2):
            result = manual_crawl(config, tmp_path / f"{name}.db", now=now)
            assert result.ok, result.stderr_tail
        second[name] = result.crawls
    assert_same(tmp_path / "cluster.db", tmp_path / "local.db")
    for name, rows in second.items():
        assert sum(c["article_pages"] for c in rows) == 0, name  # nothing new, nothing due
        assert sum(c["articles_new"] for c in rows) == 0 and sum(c["articles_seen"] for c in rows) > 500, name
