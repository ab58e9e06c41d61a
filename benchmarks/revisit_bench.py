"""Revisit benchmark: a simulated week of hourly crawls with the smart revisit policy, against
re-fetching everything every hour.

    python -m benchmarks.revisit_bench [--articles-per-site 1000] [--days 7] [--digest-at 07:30]

The simulator (10 sites; 1,000 articles each by default, ≥ 10,000 in all) serves over HTTP in
this process. Each cycle advances the simulated clock one hour and runs one real child crawl of
every site (monitor.service.jobs.run_crawl, the service's crawl) with PORTALWATCH_NOW = simulator time.
Sites use `revisit = { list_pages = 2, deep_every_hours = 24 }`: the first two pages of every
list each hour, the full list walk once a day (the first crawl, timed just before the digest).

Measured:
- requests per cycle (the simulator's counters: list + article + other pages) vs the cost of
  re-fetching everything (every page of every list + every live article page, per cycle; the
  first crawl is such a full fetch and is printed as the check of that figure);
- new posts: found by the crawl of the cycle in which they appeared (target 100 %);
- view growth captured by the daily digest time: for each day, the growth of the stored counts
  of all articles vs the true growth in the simulator (target ≥ 95 %).
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _config(sim, base_url: str, max_pages: int) -> str:
    from monitor.demo import simulator_config

    text = simulator_config(sim, base_url, recipients=False)
    extra = f"max_pages = {max_pages}\nrevisit = {{ list_pages = 2, deep_every_hours = 24 }}\nprofile = "
    return text.replace("\nprofile = ", "\n" + extra)


def _live(sim) -> list:
    return [a for s in sim.sites.values() for a in s.articles if a.published <= sim.now and a.removed is None]


def _truth_views(sim) -> dict[str, int]:
    """Every live article's true count now (by URL)."""
    base = sim.base_url
    return {base + a.path: a.views_at(sim.now) for a in _live(sim)}


def _stored_views(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {u: v for u, v in conn.execute("SELECT url, views FROM articles WHERE views IS NOT NULL")}
    finally:
        conn.close()


def _stored_urls(db: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()


def full_refetch_cost(sim) -> int:
    """Requests to re-fetch everything once: every page of every list + every live article."""
    lists = sum(max(1, math.ceil(len(s.visible(c)) / s.page_size)) for s in sim.sites.values() for c in s.categories)
    return lists + len(_live(sim))


def _requests(stats: dict) -> int:
    return stats["list"] + stats["article"] + stats["other"]


def run(articles_per_site: int, days: int, digest_at: str, seed: int, quiet: bool = False) -> dict:
    from crawler import clock
    from monitor.config import load_config
    from monitor.service.jobs import run_crawl
    from simulator import Simulator, serve

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    sim = Simulator(seed=seed, articles_per_site=articles_per_site)
    # start the week at the digest time: the first (full) crawl happens then, and so does
    # every later full list walk (24 h apart)
    hh, mm = (int(x) for x in digest_at.split(":"))
    now_local = sim.now_dt
    target = now_local.replace(hour=hh, minute=mm)
    if target <= now_local:
        target += timedelta(days=1)
    sim.advance(hours=(target - now_local).total_seconds() / 3600)
    tmp = Path(tempfile.mkdtemp(prefix="revisit-bench-"))
    db = tmp / "bench.db"
    out: dict = {"articles_at_start": len(_live(sim)), "sites": len(sim.sites), "cycles": []}
    with serve(sim) as server:
        config = tmp / "sites.toml"
        config.write_text(_config(sim, server.base_url, max_pages=1000), encoding="utf-8")
        sites = list(sim.sites)
        loaded = load_config(config)

        def crawl_now():
            sim.reset_stats()
            t0 = time.monotonic()
            r = run_crawl(loaded, db, sites, now=clock.parse_iso(sim.clock()["now_utc"]), timeout=1800)
            if not r.result.ok:
                raise SystemExit(f"crawl failed at {sim.clock()['now']}:\n{r.result.stderr_tail}")
            return sim.get_stats(), time.monotonic() - t0, r

        say(f"baseline: {out['articles_at_start']} articles on {len(sites)} sites, simulated {sim.clock()['now']}")
        full_cost = full_refetch_cost(sim)
        stats, secs, _ = crawl_now()
        out["baseline"] = {"requests": _requests(stats), "computed_full_cost": full_cost, "seconds": secs}
        say(f"  first crawl (a full fetch): {_requests(stats)} requests (computed full cost {full_cost}) in {secs:.0f}s")
        day_truth = [_truth_views(sim)]
        day_stored = [_stored_views(db)]
        new_total = new_found = 0
        missed: list[str] = []
        for cycle in range(1, days * 24 + 1):
            before = sim.now
            sim.advance(hours=1)
            new_urls = {sim.base_url + a.path for a in _live(sim) if a.published > before}
            full_cost = full_refetch_cost(sim)
            stats, secs, r = crawl_now()
            stored = _stored_urls(db)
            found = new_urls & stored
            new_total += len(new_urls)
            new_found += len(found)
            missed += sorted(new_urls - found)
            walk = "full" if "full" in r.walks.values() else "shallow"
            out["cycles"].append({"cycle": cycle, "requests": _requests(stats), "list": stats["list"],
                                  "article": stats["article"], "not_modified": stats["not_modified"],
                                  "full_cost": full_cost, "new_posts": len(new_urls), "found": len(found),
                                  "walk": walk, "seconds": secs})
            if cycle % 24 == 0:
                day_truth.append(_truth_views(sim))
                day_stored.append(_stored_views(db))
                say(f"  day {cycle // 24}: {sim.clock()['now']}, last cycle {_requests(stats)} requests ({walk} walk)")
    days_out = []
    for d in range(1, len(day_truth)):
        t0, t1, s0, s1 = day_truth[d - 1], day_truth[d], day_stored[d - 1], day_stored[d]
        true_growth = sum(v - t0.get(u, 0) for u, v in t1.items())
        stored_growth = sum(max(0, s1.get(u, 0) - s0.get(u, 0)) for u in t1)
        days_out.append({"day": d, "true_growth": true_growth, "stored_growth": stored_growth,
                         "captured": stored_growth / true_growth if true_growth else 1.0})
    cyc = out["cycles"]
    out.update(
        days=days_out,
        new_posts=new_total, new_found=new_found, missed=missed[:10],
        requests_policy=sum(c["requests"] for c in cyc),
        requests_full=sum(c["full_cost"] for c in cyc),
        captured_week=sum(d["stored_growth"] for d in days_out) / max(1, sum(d["true_growth"] for d in days_out)),
        crawl_seconds=sum(c["seconds"] for c in cyc),
    )
    return out


def report(r: dict) -> str:
    cyc = r["cycles"]
    n = len(cyc)
    pol, full = r["requests_policy"], r["requests_full"]
    shallow = [c for c in cyc if c["walk"] == "shallow"]
    deep = [c for c in cyc if c["walk"] == "full"]
    lines = [
        f"Revisit benchmark: {r['sites']} sites, {r['articles_at_start']:,} articles at start, {n} hourly cycles "
        f"({n // 24} simulated days)",
        f"first crawl (everything): {r['baseline']['requests']:,} requests; computed full re-fetch "
        f"{r['baseline']['computed_full_cost']:,} (+ robots.txt)",
        "",
        f"{'':34}{'smart policy':>16}{'re-fetch all':>16}{'ratio':>10}",
        f"{'requests, whole week':34}{pol:>16,}{full:>16,}{pol / full:>10.2%}",
        f"{'requests per cycle (mean)':34}{pol / n:>16,.1f}{full / n:>16,.1f}{pol / full:>10.2%}",
        f"{'  hourly cycles (2 list pages)':34}{_mean(shallow, 'requests'):>16,.1f}{_mean(shallow, 'full_cost'):>16,.1f}",
        f"{'  daily full list walk':34}{_mean(deep, 'requests'):>16,.1f}{_mean(deep, 'full_cost'):>16,.1f}",
        f"{'  of which list pages':34}{sum(c['list'] for c in cyc) / n:>16,.1f}",
        f"{'  of which article pages (304s)':34}{sum(c['article'] for c in cyc) / n:>16,.1f}"
        f"  ({sum(c['not_modified'] for c in cyc) / n:.1f} not modified)",
        f"{'new posts found in their cycle':34}{r['new_found']:>10,} / {r['new_posts']:<5,}"
        f"{r['new_found'] / max(1, r['new_posts']):>10.1%}   (target 100 %)",
        f"{'view growth captured by digest':34}{r['captured_week']:>16.1%}{'':>16}   (target ≥ 95 %)",
    ]
    for d in r["days"]:
        lines.append(f"{'  day ' + str(d['day']):34}{d['stored_growth']:>16,}{d['true_growth']:>16,}{d['captured']:>10.1%}")
    lines.append(f"{'request cost vs re-fetch all':34}{pol / full:>16.2%}{'':>16}   (target ≤ 5 %)")
    lines.append(f"crawl time: {r['crawl_seconds']:.0f}s for {n} cycles ({r['crawl_seconds'] / n:.1f}s each)")
    if r["missed"]:
        lines.append("missed posts, e.g.: " + ", ".join(r["missed"]))
    return "\n".join(lines)


def _mean(rows: list[dict], key: str) -> float:
    return sum(c[key] for c in rows) / len(rows) if rows else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.revisit_bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles-per-site", type=int, default=1000)
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--digest-at", default="07:30", help="daily digest time, Vietnam time (HH:MM)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    r = run(args.articles_per_site, args.days, args.digest_at, args.seed)
    print(report(r))
    ok = r["new_found"] == r["new_posts"] and r["captured_week"] >= 0.95 and r["requests_policy"] <= 0.05 * r["requests_full"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
