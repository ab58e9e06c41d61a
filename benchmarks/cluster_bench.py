"""Cluster benchmark: the same national crawl cycle on 1 Scrapyd node and on 2 (each its own
daemon with `max_proc`), on this machine; then the coordinator's ingest rate alone.

    python -m benchmarks.cluster_bench [--sites 64] [--max-proc 1] [--concurrency 8] [--delay 0.25] [--kind all]
                                       [--max-pages 1000]

Defaults are sized for a small shared machine (a few minutes): 64 healthy national sites, more
hosts than one node keeps in flight (max_proc x concurrency), so a second node has work to take.

The national simulator runs in its own process; each cycle crawls into a fresh SQLite file
through `portalwatch crawl`'s path (the plan, the [cluster] backend, monitor.crawl.runner.crawl). Printed:
seconds and pages/s per cycle, the ratio 1-node/2-node, and the ingest rate (feed lines and
pages stored per second) measured by re-ingesting the 2-node cycle's feeds into a fresh database.

On one machine both nodes share its cores, so the ratio says how far the work parallelises here,
not what two machines give; docs/scaling-out.md explains the difference.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._national import ROOT, serve_simulator


def _config(path: Path, world, ids, port: int, nodes: list[str], args) -> Path:
    text = world.sites_toml(ids, port=port, settings={"delay": args.delay, "concurrency_per_domain": 1,
                                                       "concurrency": args.concurrency})
    if args.max_pages:  # every list page up to this many: the archive, not only the newest posts
        import tomlkit

        doc = tomlkit.parse(text)
        for site in doc.get("site", []):
            site["max_pages"] = args.max_pages
        text = tomlkit.dumps(doc)
    text += ("\n[cluster]\nnodes = [" + ", ".join(f'"{n}"' for n in nodes) + "]\n"
             f"jobs_per_node = {args.max_proc}\npoll_interval = 0.5\n")
    path.write_text(text, encoding="utf-8")
    return path


def _cycle(tmp: Path, name: str, world, ids, port: int, daemons, args) -> dict:
    from monitor.config import load_config
    from monitor.crawl.backends import backend_for
    from monitor.crawl.planner import build_plan
    from monitor.crawl.runner import crawl

    config = _config(tmp / f"{name}.toml", world, ids, port, [d.url for d in daemons], args)
    db = tmp / f"{name}.db"
    t0 = time.monotonic()
    loaded = load_config(config)
    result = crawl(build_plan(loaded, None, None, walks=False), db, backend_for(loaded))
    seconds = time.monotonic() - t0
    if not result.ok:
        raise SystemExit(f"{name}: cycle failed: {result.stderr_tail}")
    pages = sum(c["pages_fetched"] for c in result.crawls)
    outcomes: dict[str, int] = {}
    for c in result.crawls:
        outcomes[c["outcome"]] = outcomes.get(c["outcome"], 0) + 1
    return {"name": name, "seconds": seconds, "pages": pages, "pages_per_s": pages / seconds,
            "articles": sum(c["articles_seen"] for c in result.crawls), "outcomes": outcomes,
            "config": config, "db": db}


def _ingest_rate(tmp: Path, cycle: dict, daemons) -> dict:
    """Re-ingest the cycle's feeds (fetched again over HTTP) into a fresh database, timed."""
    import sqlite3

    from monitor.cluster.coordinator import Coordinator, Job
    from monitor.config import load_config
    from monitor.crawl.planner import build_plan

    conn = sqlite3.connect(cycle["db"])
    jobs = conn.execute("SELECT job_id, node, sites FROM cluster_jobs WHERE state = 'ingested'").fetchall()
    conn.close()
    by_url = {d.url: d for d in daemons}
    feeds = []
    for job_id, node, sites in jobs:
        raw = by_url[node].node().feed("portalwatch", "portal-node", job_id)
        feeds.append((job_id, json.loads(sites), raw.decode().splitlines()))
    config = load_config(cycle["config"])
    assert config.cluster is not None
    co = Coordinator(config.cluster, tmp / "ingest.db", build_plan(config, None, None, walks=False))
    try:
        co.store.sync_sites(config.sites)
        lines = pages = 0
        t0 = time.monotonic()
        for job_id, sites, feed in feeds:
            job = Job(job_id, "bench", sites, {s: co.store.begin_crawl(s) for s in sites})
            co.ingest(job, feed)
            lines += len(feed)
        seconds = time.monotonic() - t0
        pages = co.store.conn.execute("SELECT COALESCE(SUM(pages_fetched), 0) FROM crawls").fetchone()[0]
    finally:
        co.close()
    return {"lines": lines, "seconds": seconds, "lines_per_s": lines / seconds, "pages_per_s": pages / seconds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=64, help="national sites in the cycle (3355: all)")
    ap.add_argument("--max-proc", type=int, default=1, help="crawl processes per node (scrapyd max_proc)")
    ap.add_argument("--delay", type=float, default=0.25, help="seconds between requests to one host")
    ap.add_argument("--concurrency", type=int, default=8, help="requests (= hosts) in flight per crawl process")
    ap.add_argument("--kind", choices=["healthy", "slow", "flaky", "down", "all"], default="healthy",
                    help="sites of this simulated kind (all: the national mix, where the slowest host "
                         "bounds the cycle)")
    ap.add_argument("--max-pages", type=int, default=None,
                    help="list pages walked per site (default: the site's own, 20); 1000: the whole archive")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    from monitor.cluster.daemon import ScrapydDaemon
    from monitor.cluster.egg import build_egg, deploy
    from simulator.national import NationalWorld

    world = NationalWorld(seed=args.seed)
    ids = [s.id for s in world.select(args.sites, kind=None if args.kind == "all" else args.kind, smallest=True)]
    hosts = len({world.sites[i].host for i in ids})
    sim, port = serve_simulator(args.seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="portalwatch-cluster-bench-") as tmpdir:
        tmp = Path(tmpdir)
        daemons = [ScrapydDaemon(tmp / f"node{i}", max_proc=args.max_proc, poll_interval=0.5) for i in (1, 2)]
        try:
            for d in daemons:
                d.start()
            egg, version = build_egg()
            for url, res in deploy([d.node() for d in daemons], "portalwatch", egg, version).items():
                if not res.startswith("ok"):
                    raise SystemExit(f"deploy to {url}: {res}")
            print(f"# {len(ids)} national sites ({args.kind}) on {hosts} hosts, delay {args.delay:g}s per host, "
                  f"max_proc {args.max_proc} per node, concurrency {args.concurrency} per process, "
                  f"{os.cpu_count()} CPU(s) on this machine")
            for name, nodes in (("1 node", daemons[:1]), ("2 nodes", daemons)):
                r = _cycle(tmp, name.replace(" ", ""), world, ids, port, nodes, args)
                results.append(r)
                print(f"{name:8s} {r['seconds']:7.1f} s  {r['pages']:6d} pages  {r['pages_per_s']:6.1f} pages/s  "
                      f"{r['articles']} articles  {r['outcomes']}", flush=True)
            rate = _ingest_rate(tmp, results[1], daemons)
        finally:
            for d in daemons:
                d.kill()
            sim.kill()
            sim.wait()
    one, two = results
    print(f"ratio 1-node/2-node time: {one['seconds'] / two['seconds']:.2f}x")
    print(f"ingest alone: {rate['lines']} feed lines in {rate['seconds']:.2f} s = {rate['lines_per_s']:.0f} lines/s "
          f"({rate['pages_per_s']:.0f} crawled pages/s stored)")
    per_host = one["pages"] / hosts * args.delay
    print(f"per-host floor: ~{per_host:.1f} s of politeness per host ({one['pages'] / hosts:.0f} pages x "
          f"{args.delay:g} s); the cycle cannot be shorter than its largest host")
    return 0


if __name__ == "__main__":
    sys.exit(main())
