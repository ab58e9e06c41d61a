"""One faulty node does not stop the cluster: a node answering what Scrapyd never answers (a
hostile fake on 127.0.0.1) is struck for the cycle and its hosts move to a real Scrapyd daemon;
the cycle stores what a local crawl stores. A job an earlier coordinator left on such a node is
resumed the same way. A paused daemon whose jobs moved is told to cancel them when it answers
again, so its crawl processes stop crawling hosts another node now crawls."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cluster.daemon import ScrapydDaemon
from monitor.cluster.node_job import SPIDER
from tests.cluster.conftest import assert_same, write_config
from tests.cluster.hostile_node import FAULTS, HostileNode
from tests.cluster.test_cluster import jobs_by_node, wait_for

pytestmark = pytest.mark.slow

WHY = {
    "listjobs-list": "not a Scrapyd answer on /listjobs.json (a JSON list, expected an object)",
    "listjobs-no-id": "not a Scrapyd answer on /listjobs.json (a finished job without an id",
    "feed-cut": "is malformed (line 4:",
    "feed-incomplete": "cut off (IncompleteRead",
}


@pytest.fixture
def real_node(tmp_path, national, site_ids):
    """One Scrapyd daemon with the egg deployed by `portalwatch cluster deploy`."""
    from monitor.cli import cli

    with ScrapydDaemon(tmp_path / "node", max_proc=2) as d:
        config = write_config(tmp_path / "deploy.toml", national[0], site_ids, [d.url])
        res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(tmp_path / "x.db"), "cluster", "deploy"])
        assert res.exit_code == 0, res.output
        yield d


def _rows(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("fault", FAULTS)
def test_a_node_answering_malformed_moves_its_hosts_and_the_cycle_stores_everything(
        fault, national, site_ids, local_db, real_node, tmp_path, caplog):
    from tests.conftest import manual_crawl

    w, _ = national
    db = tmp_path / "cluster.db"
    with HostileNode(fault) as bad:
        config = write_config(tmp_path / "sites.toml", w, site_ids, [real_node.url, bad.url])
        with caplog.at_level("WARNING", logger="monitor.cluster.coordinator"):
            result = manual_crawl(config, db)
        assert bad.jobs, "rendezvous hashing gave the faulty node some hosts"
    assert result.ok, result.stderr_tail
    assert_same(db, local_db)  # everything stored, the faulty node's hosts by the real node, no row 'running'
    jobs = jobs_by_node(db)
    assert {j["state"] for j in jobs[bad.url]} == {"moved"}
    assert all(WHY[fault] in j["error"] for j in jobs[bad.url]), [j["error"] for j in jobs[bad.url]]
    assert {j["state"] for j in jobs[real_node.url]} == {"ingested"}
    moved = {s for j in jobs[bad.url] for s in json.loads(j["sites"])}
    assert moved <= {s for j in jobs[real_node.url] if j["attempt"] == 2 for s in json.loads(j["sites"])}
    down = [r.getMessage() for r in caplog.records if r.getMessage().startswith("cluster node down: ")]
    assert len(down) == 1 and bad.url in down[0], down  # struck once for the cycle, one line
    if fault.startswith("feed"):  # the partial feed is never ingested: no item of site 'x'
        assert _rows(db, "SELECT COUNT(*) FROM crawls WHERE site_id = 'x'") == [(0,)]


def test_resume_moves_a_job_left_on_a_faulty_node(national, site_ids, real_node, tmp_path):
    """A coordinator died after dispatching to a node that now answers `[]`: `cluster resume`
    (and every cycle, which resumes first) moves the job to a node that works and ingests it."""
    from monitor.cli import cli
    from monitor.cluster.coordinator import Coordinator
    from monitor.config import load_config
    from monitor.crawl.planner import build_plan

    w, _ = national
    db = tmp_path / "cluster.db"
    ids = site_ids[:3]
    with HostileNode("listjobs-list") as bad:
        config = write_config(tmp_path / "sites.toml", w, ids, [real_node.url, bad.url])
        cfg = load_config(config)
        co = Coordinator(cfg.cluster, db, build_plan(cfg, None, ids, walks=False))
        try:
            co.store.sync_sites(co.plan.sites)
            crawl_ids = {s: co.store.begin_crawl(s) for s in ids}
            co.dispatch(bad.url, ids, crawl_ids, attempt=1, tried=[])  # ... and the coordinator dies here
        finally:
            co.close()
        res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "cluster", "resume"])
    assert res.exit_code == 0, res.output
    assert "resumed 1 job(s)" in res.output
    jobs = jobs_by_node(db)
    assert [j["state"] for j in jobs[bad.url]] == ["moved"]
    assert [(j["state"], sorted(json.loads(j["sites"]))) for j in jobs[real_node.url]] == [("ingested", sorted(ids))]
    rows = _rows(db, "SELECT site_id, outcome FROM crawls ORDER BY site_id")
    assert sorted(s for s, _ in rows) == sorted(ids) and "running" not in {o for _, o in rows}, rows
    assert _rows(db, "SELECT COUNT(*) FROM articles")[0][0] > 0


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            out |= {int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()}
        except FileNotFoundError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@contextmanager
def crawling(config: Path, db: Path):
    """A cluster crawl (`manual_crawl`) in a thread; the box holds its result after the block."""
    from tests.conftest import manual_crawl

    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("result", manual_crawl(config, db)))
    t.start()
    try:
        yield box
    finally:
        t.join()


def started_on(node) -> tuple[list, set[int]]:
    """The node's running jobs and its crawl processes, once it has both."""
    running = wait_for(lambda: node.node().listjobs("portalwatch")["running"], "a running job on node 2")
    return running, wait_for(lambda: _children(node.proc.pid), "node 2's crawl processes")


def slow_small_config(path: Path, w, nodes, delay: float) -> Path:
    """Six small sites on their own hosts (DNN and Tân Dân, the first two list pages each: 20–30
    articles), three whose host ranks each node first (so both nodes crawl, whatever ports the
    daemons got), `delay` seconds between requests to a host: each host's crawl lasts a minute or
    two, long enough for a node to be paused or killed mid-crawl and short enough to crawl again
    elsewhere (a shared host of 150 pages would take ten minutes at such a delay)."""
    from monitor.cluster.ring import ranking
    from monitor.config import load_config

    picked = [s.id for s in w.select(80, kind="healthy", smallest=True, distinct_hosts=True)
              if s.host.count(".") == 3 and not s.id.startswith("hanoi-")]
    config = write_config(path, w, picked, nodes, settings={"delay": delay})
    text = config.read_text(encoding="utf-8")
    hosts = {s.id: s.host for s in load_config(config).sites}
    fit = [i for i in picked if _profile(text, i) in ("dnn", "tandan")]
    ids = [i for node in nodes for i in [i for i in fit if ranking(hosts[i], nodes)[0] == node][:3]]
    assert len(ids) == 6, "six small sites, three first on each node"
    config = write_config(path, w, ids, nodes, settings={"delay": delay})
    config.write_text(config.read_text(encoding="utf-8").replace("[[site]]\n", "[[site]]\nmax_pages = 2\n"),
                      encoding="utf-8")
    return config


def _profile(text: str, site_id: str) -> str:
    block = text.split(f'id = "{site_id}"', 1)[1].split("[[", 1)[0]
    return block.split('profile = "', 1)[1].split('"', 1)[0]


def test_a_paused_node_cancels_its_moved_jobs_when_it_answers_again(national, nodes, tmp_path):
    """The daemon is paused (SIGSTOP, its crawl processes run on): its jobs move to the other
    node; once it answers again (SIGCONT) the coordinator cancels them there, so the moved hosts
    are not crawled to the end twice."""

    w, _ = national
    db = tmp_path / "cluster.db"
    # slow (3 s between requests to a host): the paused node's crawl is far from done when cancelled;
    # a node not answering within 8 s three times in a row counts as down
    config = slow_small_config(tmp_path / "sites.toml", w, [d.url for d in nodes], delay=3.0)
    text = config.read_text().replace("timeout = 20\n", "timeout = 8\n")
    config.write_text(text)
    victim = nodes[1]
    with crawling(config, db) as box:
        try:
            running, crawlers = started_on(victim)
            os.kill(victim.proc.pid, signal.SIGSTOP)  # the daemon alone: its crawl processes crawl on
            wait_for(lambda: _rows(db, "SELECT 1 FROM cluster_jobs WHERE node = ? AND state = 'moved'"
                                   " AND cancel_owed = 1", victim.url), "node 2's jobs moved with a cancel owed")
            assert any(_alive(p) for p in crawlers)
            os.kill(victim.proc.pid, signal.SIGCONT)
            wait_for(lambda: not _rows(db, "SELECT 1 FROM cluster_jobs WHERE node = ? AND cancel_owed = 1",
                                       victim.url), "the owed cancels sent")
            wait_for(lambda: not any(_alive(p) for p in crawlers), "node 2's crawl processes to stop")
        finally:
            os.kill(victim.proc.pid, signal.SIGCONT)
    result = box["result"]
    assert result.ok, result.stderr_tail
    jobs = jobs_by_node(db)
    cancelled = [j for j in jobs[victim.url] if j["job_id"] in {r["id"] for r in running}]
    assert cancelled and all(j["state"] == "moved" for j in cancelled)
    for j in cancelled:  # stopped before it finished its sites
        raw = victim.node().feed("portalwatch", SPIDER, j["job_id"]) or b""
        finished = {d["site_id"] for d in map(json.loads, raw.decode().splitlines()) if d["kind"] == "crawl_finished"}
        assert not set(json.loads(j["sites"])) <= finished, j["sites"]
    assert ("running",) not in _rows(db, "SELECT DISTINCT outcome FROM crawls")


def test_a_killed_daemons_crawl_processes_stop_and_their_hosts_are_crawled_elsewhere(national, nodes, tmp_path):
    """SIGKILL to the daemon alone (not its process group): the crawl processes it started lose
    their parent and stop, instead of crawling to the end hosts another node now crawls."""

    w, _ = national
    db = tmp_path / "cluster.db"
    config = slow_small_config(tmp_path / "sites.toml", w, [d.url for d in nodes], delay=1.5)
    victim = nodes[1]
    with crawling(config, db) as box:
        running, crawlers = started_on(victim)
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait()
        wait_for(lambda: not any(_alive(p) for p in crawlers), "the orphaned crawl processes to stop")
    result = box["result"]
    assert result.ok, result.stderr_tail
    assert ("running",) not in _rows(db, "SELECT DISTINCT outcome FROM crawls")
    moved = {j["job_id"]: json.loads(j["sites"]) for j in jobs_by_node(db)[victim.url] if j["state"] == "moved"}
    assert {r["id"] for r in running} <= set(moved)
    for r in running:  # stopped before finishing their sites (the feed is on the dead node's disk)
        feed = victim.home / "items" / "portalwatch" / SPIDER / f"{r['id']}.jl"
        lines = [json.loads(ln) for ln in feed.read_text().splitlines() if ln.strip()] if feed.exists() else []
        finished = {d["site_id"] for d in lines if d["kind"] == "crawl_finished"}
        assert not set(moved[r["id"]]) <= finished, (moved[r["id"]], finished)
