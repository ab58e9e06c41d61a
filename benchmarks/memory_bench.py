"""Memory benchmark: the crawl child's peak RSS over an empty database and over a long history.

    python -m benchmarks.memory_bench [--stored 2000000] [--articles-per-site 40]

The spider must not load every known article up front. The simulator (its 10 sites)
is crawled twice by `python -m monitor.crawl.child --plan … --db …`, each time in a fresh child process:
once into an empty database, once into a database that already holds `--stored` old articles of
the crawled sites (inserted with SQL: dates long past; the lists are walked one page deep, so the
history lies beyond the walk's horizon and is not checked for removal). The child's
peak RSS (ru_maxrss) is printed for both; the history should cost (almost) nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._national import ROOT, add_history, serve_core_simulator


def _child(plan: str, db: str) -> None:
    """Run one crawl in this process; print its peak RSS as JSON."""
    from monitor.crawl.child import main

    t = time.perf_counter()
    from scrapy.statscollectors import MemoryStatsCollector

    seen: dict = {}
    close = MemoryStatsCollector._persist_stats
    MemoryStatsCollector._persist_stats = lambda self, stats, *a: (seen.update(stats), close(self, stats, *a))
    rc = main(["--plan", plan, "--db", db])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"rc": rc, "seconds": time.perf_counter() - t, "maxrss_mb": usage.ru_maxrss / 1024,
                      "requests": seen.get("scheduler/enqueued", 0), "responses": seen.get("downloader/response_count", 0), "offsite": seen.get("offsite/filtered", 0)}))


def _run_child(plan: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory_bench", "--child", "--plan", str(plan), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stored", type=int, default=2_000_000)
    ap.add_argument("--articles-per-site", type=int, default=80)  # every list longer than one page
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--insert", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--site", action="append", help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.plan, args.db)
        return 0
    if args.insert:
        add_history(Path(args.db), args.site, args.insert)
        return 0

    from monitor.config import load_config
    from monitor.crawl.planner import build_plan
    from monitor.demo import simulator_config
    from monitor.store.db import Store
    from simulator import Simulator

    sim_proc, base_url = serve_core_simulator(args.articles_per_site)
    try:
        sim = Simulator(articles_per_site=args.articles_per_site)
        tmp = Path(tempfile.mkdtemp(prefix="pw-membench-"))
        config = tmp / "sites.toml"
        config.write_text(simulator_config(sim, base_url, recipients=False), encoding="utf-8")
        cfg = load_config(config)
        plan = build_plan(cfg, None, None, walks=False)
        # one list page per list: the walk stops early, so its horizon is the page's oldest date
        # and the history (older) is not checked for removal (a full walk would check it all)
        plan.pages = {sid: 1 for sid in plan.site_ids()}
        plan_file = tmp / "plan.json"
        plan_file.write_text(plan.to_json(), encoding="utf-8")
        results = {}
        for label, stored in (("empty", 0), ("history", args.stored)):
            db = tmp / f"{label}.db"
            store = Store(db)
            store.sync_sites(plan.sites)
            store.close()
            note = ""
            if stored:  # in another process: a child's ru_maxrss starts at its parent's size at fork
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "benchmarks.memory_bench", "--insert", str(stored), "--db", str(db),
                                *(f"--site={sid}" for sid in plan.site_ids())], cwd=ROOT, check=True)
                note = f" (inserted in {time.perf_counter() - t:.0f} s)"
            rows = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            res = _run_child(plan_file, db)
            results[label] = res
            print(f"{label:>8}: {rows:>9} stored articles{note}; crawl {res['seconds']:.1f} s, "
                  f"{res['requests']} requests, exit {res['rc']}, peak RSS {res['maxrss_mb']:.0f} MB", flush=True)
        print(f"\npeak RSS with {args.stored} stored articles vs none: "
              f"{results['history']['maxrss_mb']:.0f} MB vs {results['empty']['maxrss_mb']:.0f} MB "
              f"(+{results['history']['maxrss_mb'] - results['empty']['maxrss_mb']:.0f} MB)")
    finally:
        sim_proc.terminate()
        sim_proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
