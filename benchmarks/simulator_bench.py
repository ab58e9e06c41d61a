"""Simulator benchmark: how fast a big world builds (the tests only check what it contains).

    python -m benchmarks.simulator_bench [--articles-per-site 1000] [--bulk-sites 50] [--repeat 3]

Prints the best of `--repeat` runs for building the world (10 core sites × articles-per-site)
and for adding `--bulk-sites` tandan sites of 20 articles, against a 2.0 s budget each.
"""

from __future__ import annotations

import argparse
import sys
import time

BUDGET_S = 2.0


def measure(articles_per_site: int, bulk_sites: int) -> tuple[float, float, int]:
    from simulator import Simulator

    t = time.perf_counter()
    sim = Simulator(seed=3, articles_per_site=articles_per_site)
    build = time.perf_counter() - t
    t = time.perf_counter()
    sim.add_sites(bulk_sites, "tandan", articles_per_site=20)
    add = time.perf_counter() - t
    return build, add, sim.total_articles()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.simulator_bench", description=__doc__)
    ap.add_argument("--articles-per-site", type=int, default=1000)
    ap.add_argument("--bulk-sites", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    runs = [measure(args.articles_per_site, args.bulk_sites) for _ in range(args.repeat)]
    build, add = min(r[0] for r in runs), min(r[1] for r in runs)
    print(f"world of {runs[0][2]:,} articles: built in {build:.2f} s (budget {BUDGET_S:g} s)"
          f"{'' if build < BUDGET_S else '  OVER BUDGET'}")
    print(f"add {args.bulk_sites} tandan sites: {add:.2f} s (budget {BUDGET_S:g} s)"
          f"{'' if add < BUDGET_S else '  OVER BUDGET'}")
    return 0 if build < BUDGET_S and add < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
