"""The parts of the cluster that need no daemon: the ring, the [cluster] table, the plan and feed
round trip, the ingest mark's transaction, and one-line errors for unreachable nodes."""

from __future__ import annotations

import json
import socket
import string
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from itemadapter import ItemAdapter

from crawler.items import (
    ArticleItem,
    CrawlFinishedItem,
    CrawlStartedItem,
    FetchErrorItem,
    ListPageItem,
    from_dict,
)
from crawler.plan import CrawlPlan
from monitor.cluster import node_job
from monitor.cluster.ring import assign, next_node, ranking
from monitor.config import ConfigError, parse_config
from monitor.crawl.planner import build_plan
from monitor.store.db import Store

SITE = {"id": "a", "name": "A", "start_urls": ["http://a.example/list"]}


def test_adding_a_node_moves_only_its_share_and_removing_one_only_its_hosts():
    hosts = [f"h{i}.sim.test" for i in range(3000)]
    three = ["http://n1:6800", "http://n2:6800", "http://n3:6800"]
    before = assign(hosts, three)
    after = assign(hosts, [*three, "http://n4:6800"])
    moved = [h for h in hosts if before[h] != after[h]]
    assert all(after[h] == "http://n4:6800" for h in moved)
    assert 0.2 < len(moved) / len(hosts) < 0.3  # about a quarter
    down = assign(hosts, three, down={"http://n2:6800"})
    assert all(down[h] == before[h] for h in hosts if before[h] != "http://n2:6800")
    assert {down[h] for h in hosts if before[h] == "http://n2:6800"} == {"http://n1:6800", "http://n3:6800"}
    counts = {n: sum(1 for h in hosts if before[h] == n) for n in three}
    assert min(counts.values()) > 900  # balanced


def test_next_node_follows_the_hosts_ranking():
    nodes = ["http://n1:6800", "http://n2:6800", "http://n3:6800"]
    order = ranking("x.sim.test", nodes)
    assert next_node("x.sim.test", nodes, set()) == order[0]
    assert next_node("x.sim.test", nodes, {order[0]}) == order[1]
    assert next_node("x.sim.test", nodes, set(nodes)) is None


@pytest.mark.parametrize("table, message", [
    ({"node": ["http://a:6800"]}, "unknown key 'node' (did you mean 'nodes'?)"),
    ({"nodes": ["ftp://a"]}, "key 'nodes': expected an http(s) URL, got 'ftp://a'"),
    ({"nodes": "http://a:6800"}, "key 'nodes': expected a list of Scrapyd URLs"),
    ({"nodes": ["http://a:6800", "http://a:6800/"]}, "is listed twice"),
    ({"nodes": ["http://a:6800"], "jobs_per_node": 0}, "key 'jobs_per_node': expected a number ≥ 1"),
    ({"nodes": ["http://a:6800"], "job_timeout": -1}, "key 'job_timeout': expected seconds (number > 0)"),
    ({"nodes": ["http://a:6800"], "project": "a b"}, "key 'project'"),
    ({"project": "x"}, "missing required key 'nodes'"),
])
def test_bad_cluster_tables_get_one_clear_line(table, message):
    with pytest.raises(ConfigError) as e:
        parse_config({"cluster": table, "site": [SITE]}, "sites.toml")
    assert message in str(e.value) and "sites.toml: [cluster]" in str(e.value) and "\n" not in str(e.value)


def test_a_cluster_table_and_its_credentials_from_the_environment(monkeypatch):
    c = parse_config({"cluster": {"nodes": ["http://a:6800/"], "username_env": "PW_U", "password_env": "PW_P"},
                      "site": [SITE]}).cluster
    assert c.nodes == ["http://a:6800"] and c.project == "portalwatch"
    with pytest.raises(ConfigError, match="username_env = 'PW_U': environment variable not set"):
        c.auth()
    monkeypatch.setenv("PW_U", "crawler")
    monkeypatch.setenv("PW_P", "s3cret")
    assert c.auth() == ("crawler", "s3cret")
    assert parse_config({"cluster": {"nodes": []}, "site": [SITE]}).cluster is None  # empty: crawl locally
    assert parse_config({"site": [SITE]}).cluster is None


def test_the_node_plan_and_its_feed_lines_round_trip(tmp_path):
    cfg = parse_config({"site": [SITE]})
    store = Store(tmp_path / "pw.db")
    try:
        store.sync_sites(cfg.sites)
        store.apply([ArticleItem("a", "k", "http://a.example/1", "list", "2026-01-01T00:00:00Z", title="Tin")])
        cycle = build_plan(cfg, None, None, walks=False)
        plan = node_job.job_plan(cycle, cfg.sites, store, datetime(2026, 1, 2, tzinfo=UTC))
    finally:
        store.close()
    encoded = plan.encode()
    assert encoded.startswith("z:") and set(encoded[2:]) <= set(string.ascii_letters + string.digits + "+/=")
    back = CrawlPlan.load(encoded)
    assert back == plan and back.planned_at == "2026-01-02T00:00:00Z" and back.walk("a") == "full"
    assert back.known is not None and back.known["a"]["k"].title == "Tin" and back.list_views == {"a": None}
    with pytest.raises(ValueError, match="not an encoded crawl plan"):
        CrawlPlan.load("z:not base64!")
    art = ArticleItem("a", "k", "http://a.example/1", "list", "2026-01-01T00:00:00Z", title="Tin", views=3,
                      missing=["published_at"])
    for item in (CrawlStartedItem("a", "2026-01-01T00:00:00Z", 7), art, ListPageItem("a", "http://a.example/list", [art]),
                 FetchErrorItem("a", "http://a.example/x", "HTTP 500", "2026-01-01T00:00:00Z", 500),
                 CrawlFinishedItem("a", "2026-01-01T00:01:00Z", "ok", list_pages=1)):
        line = json.loads(json.dumps(ItemAdapter(item).asdict()))  # what the node's feed exporter writes
        assert "kind" in line and from_dict(line) == item
    with pytest.raises(ValueError, match="not a portalwatch item"):
        from_dict({"kind": "nope"})


def test_a_jobs_crawl_items_fill_the_row_the_coordinator_opened(tmp_path):
    store = Store(tmp_path / "pw.db")
    try:
        store.sync_sites(parse_config({"site": [SITE]}).sites)
        cid = store.begin_crawl("a")
        art = ArticleItem("a", "k", "http://a.example/1", "list", "2026-01-01T00:00:00Z", title="Tin")
        store.apply([CrawlStartedItem("a", "2026-01-01T00:00:00Z", 99999), art], {"a": cid})
        store.apply([FetchErrorItem("a", "http://a.example/x", "HTTP 500", "2026-01-01T00:00:30Z", 500),
                     CrawlFinishedItem("a", "2026-01-01T00:01:00Z", "ok", list_pages=2, article_pages=3)], {"a": cid})
        rows = store.conn.execute("SELECT id, outcome, list_pages, article_pages, pages_fetched, articles_new, errors,"
                                  " error_summary, finished_at FROM crawls").fetchall()
        assert rows == [(cid, "partial", 2, 3, 5, 1, 1, "HTTP 500", "2026-01-01T00:01:00Z")]  # no second row
    finally:
        store.close()


def test_the_ingest_mark_is_in_the_items_transaction(tmp_path):
    store = Store(tmp_path / "pw.db")
    try:
        store.sync_sites(parse_config({"site": [SITE]}).sites)
        cid = store.begin_crawl("a")
        art = ArticleItem("a", "k", "http://a.example/1", "list", "2026-01-01T00:00:00Z", title="Tin")
        store.apply([art], {"a": cid}, ingest_mark=("job1", 1))
        assert store.ingest_mark("job1") == 1
        with pytest.raises(AttributeError):  # a batch that fails stores neither its items nor its mark
            store.apply([ArticleItem("a", "k2", "http://a.example/2", "list", "2026-01-01T00:00:00Z"), object()],
                        {"a": cid}, ingest_mark=("job1", 3))
        assert store.ingest_mark("job1") == 1
        assert store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1
    finally:
        store.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path, nodes) -> str:
    p = tmp_path / "sites.toml"
    p.write_text('[cluster]\nnodes = [' + ", ".join(f'"{n}"' for n in nodes) + ']\ntimeout = 5\n'
                 '[[site]]\nid = "a"\nname = "A"\nstart_urls = ["http://a.sim.test/list"]\n', encoding="utf-8")
    return str(p)


def test_unreachable_nodes_give_one_line_not_a_traceback(tmp_path):
    from monitor.cli import cli

    nodes = [f"http://127.0.0.1:{_closed_port()}", f"http://127.0.0.1:{_closed_port()}"]
    config, db = _config(tmp_path, nodes), str(tmp_path / "pw.db")
    res = CliRunner().invoke(cli, ["--config", config, "--db", db, "crawl"])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: no cluster node reachable: ")
    assert "unreachable (Connection refused)" in lines[0] and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["--config", config, "--db", db, "cluster", "status", "--json"])
    assert res.exit_code == 0, res.output
    assert "unreachable" in res.output and '"reachable": false' in res.output
    res = CliRunner().invoke(cli, ["--config", config, "--db", db, "cluster", "deploy"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "deploy of version" in res.output and "failed on 2 of 2 node(s)" in res.output
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "none.toml"), "cluster", "status"])
    assert res.exit_code == 2


def test_cluster_commands_without_a_cluster_say_so(tmp_path):
    from monitor.cli import cli

    p = tmp_path / "sites.toml"
    p.write_text('[[site]]\nid = "a"\nname = "A"\nstart_urls = ["http://a.sim.test/list"]\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(p), "cluster", "status"])
    assert res.exit_code == 2 and "no [cluster] table with nodes" in res.output


def test_the_plan_keeps_the_stored_articles_a_list_walk_can_meet():
    from crawler.plan import Known
    from crawler.sites import Site

    site = Site(id="a", name="A", start_urls=["http://a.example/list"], max_pages=10)
    known = {f"k{i}": Known(i, f"http://a.example/{i}", None, None, f"2026-01-{1 + i % 28:02d}T00:00:00Z", None,
                            None, None, "2026-02-01T00:00:00Z", None, None, None, "live", True)
             for i in range(1500)}
    kept = node_job._reachable(known, site)
    assert len(kept) == 1000
    dates = sorted(k.published_at for k in known.values())
    assert min(v.published_at or "" for v in kept.values()) >= dates[500]  # the newest
    assert list(kept) == [k for k in known if k in kept]  # in the store's order
    few = dict(list(known.items())[:10])
    assert list(node_job._reachable(few, site)) == list(few)
