"""Two real Scrapyd daemons on 127.0.0.1 (each its own scrapyd.conf, items_dir set), the project's
egg uploaded to them with `portalwatch cluster deploy`, the national simulator over HTTP, and a
local crawl of the same sites to compare with."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cluster.daemon import ScrapydDaemon
from simulator.hosts import serve_national
from simulator.national import NationalWorld

SETTINGS = {"delay": 0.0, "concurrency_per_domain": 1, "concurrency": 16}


def pick_sites(w: NationalWorld) -> list[str]:
    """14 small healthy sites on their own hosts, two sharing one Hanoi host, one that is down."""
    ids = [s.id for s in w.select(14, kind="healthy", smallest=True, distinct_hosts=True)
           if s.host != "unghoa.hanoi.sim.test"]
    ids += ["hanoi-xa-van-son", "hanoi-xa-long-thinh"]
    ids += [next(s.id for s in w.select(kind="down", smallest=True))]
    return ids


@pytest.fixture(scope="module")
def national():
    w = NationalWorld(seed=1)
    with serve_national(w) as h:
        yield w, h


@pytest.fixture(scope="module")
def site_ids(national):
    return pick_sites(national[0])


def write_config(path: Path, w: NationalWorld, ids: list[str], nodes: list[str] | None = None,
                 settings: dict | None = None, extra: str = "") -> Path:
    text = w.sites_toml(ids, settings={**SETTINGS, **(settings or {})})
    if nodes:
        text += "\n[cluster]\nnodes = [" + ", ".join(f'"{n}"' for n in nodes) + "]\n"
        text += "poll_interval = 0.2\njobs_per_node = 2\ntimeout = 20\n" + extra
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def local_db(national, site_ids, tmp_path_factory):
    """The same sites crawled by a local crawl child: what a cluster cycle must reproduce."""
    from tests.conftest import manual_crawl

    w, _ = national
    tmp = tmp_path_factory.mktemp("local")
    config = write_config(tmp / "sites.toml", w, site_ids)
    result = manual_crawl(config, tmp / "local.db")
    assert result.ok, result.stderr_tail
    return tmp / "local.db"


@pytest.fixture
def nodes(tmp_path, national, site_ids):
    """Two Scrapyd daemons with the egg deployed by `portalwatch cluster deploy`; stopped after."""
    from monitor.cli import cli

    daemons = [ScrapydDaemon(tmp_path / f"node{i}", max_proc=2) for i in (1, 2)]
    try:
        for d in daemons:
            d.start()
        config = write_config(tmp_path / "deploy.toml", national[0], site_ids, [d.url for d in daemons])
        res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(tmp_path / "x.db"), "cluster", "deploy"])
        assert res.exit_code == 0, res.output
        assert "deployed portalwatch version" in res.output
        yield daemons
    finally:
        for d in daemons:
            d.kill()


def snapshot(db_path: Path) -> dict:
    """The database content a crawl decides (no timestamps, no row ids)."""
    conn = sqlite3.connect(db_path)
    try:
        q = lambda sql: sorted(tuple(r) for r in conn.execute(sql))  # noqa: E731
        return {
            "sites": q("SELECT id, name, level, parent, profile, host, start_urls, enabled, config FROM sites"),
            "articles": q("SELECT site_id, key, url, title, list_title, category, published_at, published_text,"
                          " summary, content_hash, author, views, status, gone_checks, etag, last_modified FROM articles"),
            "view_counts": q("SELECT a.site_id, a.key, v.views, v.source FROM view_counts v JOIN articles a"
                             " ON a.id = v.article_id"),
            "revisions": q("SELECT a.site_id, a.key, r.field FROM article_revisions r JOIN articles a"
                           " ON a.id = r.article_id"),
            "fetch_errors": q("SELECT site_id, url, status, error FROM fetch_errors"),
            "samples": q("SELECT site_id, url, kind, reason FROM html_samples"),
            "crawls": q("SELECT site_id, outcome, pages_fetched, list_pages, article_pages, articles_seen,"
                        " articles_new, articles_updated, views_changed, not_modified, missing_date,"
                        " missing_views, missing_title, errors, error_summary FROM crawls"),
        }
    finally:
        conn.close()


def assert_same(cluster_db: Path, local_db: Path) -> None:
    got, want = snapshot(cluster_db), snapshot(local_db)
    assert len(want["articles"]) > 500 and len(want["crawls"]) >= 15
    for table in want:
        assert got[table] == want[table], table
