"""National benchmark: the whole country on one machine, a first crawl and 15-minute cycles.

    python -m benchmarks.national_bench [--sites 3355] [--hours 24] [--cycle-minutes 15]
                                        [--stored 2000000] [--seed 1] [--concurrency 512]

The national simulator runs in its own process. sites.toml has politeness on (`delay` 1 s per
host, `concurrency_per_domain` 1), the `hosts` resolver and `schedule = "every 15m"`; every site
walks 1 list page per run (`[site.revisit] list_pages = 1`), the full walk (`max_pages`) once a
day, and is bounded by `max_age_days` (the first crawl fetches only that window's articles).

First crawl, then cycles: the simulator's clock advances `--cycle-minutes`, PORTALWATCH_NOW is set
to it, every due site (all: they share the schedule) is crawled through the service's own path
(monitor.service.jobs.run_crawl + detect_after). Each cycle is checked against the simulator:
the posts that appeared since the previous cycle (/_sim/posts) must be in the articles table,
with a new_article event; politeness comes from the simulator's recorder (/_sim/politeness).
`--stored N`: one more cycle, crawled twice at the same clock from two copies of the database,
one with N old articles added (and already seen by change detection, as in a long-running
installation): the crawl child's peak RSS and the cycle's time side by side. The same cycle is
crawled a third time writing a feed (`--feed`), and its items are written again into a copy of
the database through Store.apply: what the one SQLite writer can take against what a cycle needs.
Every copy of the database takes the robots.txt cache (`<db>.robots/`) with it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import tomlkit

from benchmarks import _national as nat
from benchmarks._national import ROOT, ChildPeakRSS, Control, serve_simulator

TARGET_CYCLE_S = 600.0
TARGET_REQUESTS = 2.0
TARGET_RSS_MB = 1024.0
TARGET_LATENCY_MIN = 15.0
TARGET_WRITER = 10.0  # "keeping up": the writer takes this many times what a cycle needs
GAP_TOLERANCE = 0.005  # s: timer granularity (tests/crawler/test_host_gaps.py says why)


def sim_iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_config(path: Path, world, ids: list[str], port: int, *, concurrency: int, delay: float = 1.0,
                 max_pages: int = 3, max_age_days: int = 3, list_pages: int = 1, schedule: str = "every 15m") -> Path:
    """The simulator's sites.toml for these sites, with politeness, schedule and walk bounds."""
    text = world.sites_toml(ids, port=port, settings={
        "delay": delay, "concurrency_per_domain": 1, "concurrency": concurrency, "schedule": schedule})
    doc = tomllib.loads(text)
    for site in doc.get("site", []):
        site.update(max_pages=max_pages, revisit={"list_pages": list_pages, "deep_every_hours": 24})
        if max_age_days:  # 0: unbounded, every article the lists show
            site["max_age_days"] = max_age_days
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path


@dataclass
class Cycle:
    """What one crawl (first or steady-state) did and how it compares with the simulator's truth."""

    label: str
    wall: float = 0.0  # run_crawl + detect_after
    child: float = 0.0  # the crawl child alone
    detect: float = 0.0
    requests: int = 0  # served by the simulator (robots.txt, retries included)
    max_in_flight: int = 0
    min_gap: float | None = None
    short_gaps: int = 0  # gaps below the delay (less GAP_TOLERANCE)
    gaps: int = 0
    rss_mb: float = 0.0
    posts: int = 0  # posts that appeared since the previous cycle
    found: int = 0  # of them, stored by this cycle
    unreachable: int = 0  # of them, on sites whose crawl failed (down: nobody can see them)
    outcomes: dict = field(default_factory=dict)
    per_host: dict = field(default_factory=dict)  # host -> requests served


class National:
    """One benchmark run: the simulator's control API, the config, the database, the checks."""

    def __init__(self, ctl: Control, config: Path, db: Path, ids: list[str], delay: float = 1.0,
                 whole: bool = False):
        from monitor.config import load_config

        self.ctl, self.config_path, self.db, self.ids, self.delay = ctl, config, db, ids, delay
        self.whole = whole  # every site of the world: /_sim/posts without a site list
        self.config = load_config(config)
        self.pending: list[dict] = []  # posts not found in their cycle
        self.latencies: list[float] = []  # minutes from publication to the new_article event
        self.missing_events = 0
        self.found_later = 0

    def now(self) -> int:
        return int(self.ctl.get("clock")["epoch"])

    def advance(self, minutes: float) -> None:
        self.ctl.post("advance", hours=minutes / 60)

    def crawl(self, label: str, db: Path | None = None, since: int | None = None) -> Cycle:
        """Crawl every site at the simulator's clock as the service does; check posts since `since`."""
        from crawler import clock
        from monitor.service import jobs

        db = db or self.db
        now = self.now()
        os.environ["PORTALWATCH_NOW"] = sim_iso(now)
        self.ctl.post("politeness/reset")
        cyc = Cycle(label)
        with ChildPeakRSS() as rss:
            t0 = time.perf_counter()
            run = jobs.run_crawl(self.config, db, self.ids, now=clock.parse_iso(sim_iso(now)))
            t1 = time.perf_counter()
            jobs.detect_after(self.config, db)
            cyc.detect = time.perf_counter() - t1
            cyc.wall = time.perf_counter() - t0
        if run.result.returncode not in (0, 1):  # 1: some site failed (the simulator's down share)
            raise SystemExit(f"{label}: crawl failed (exit {run.result.returncode}): {run.result.stderr_tail}")
        cyc.child, cyc.rss_mb = run.result.seconds, rss.peak()
        failed = set()
        for c in run.result.crawls:
            cyc.outcomes[c["outcome"]] = cyc.outcomes.get(c["outcome"], 0) + 1
            if c["outcome"] == "failed":
                failed.add(c["site_id"])
        pol = self.ctl.get("politeness", gaps=100000)
        cyc.requests, cyc.max_in_flight, cyc.min_gap = pol["requests"], pol["max_in_flight"], pol["min_gap"]
        cyc.per_host = {h: v["requests"] for h, v in pol["hosts"].items()}
        all_gaps = [g for h in pol["hosts"].values() for g in h["gaps"]]
        cyc.gaps, cyc.short_gaps = len(all_gaps), sum(g < self.delay - GAP_TOLERANCE for g in all_gaps)
        if since is not None:
            self._check_posts(cyc, db, since, now, failed)
        return cyc

    def feed_crawl(self, db: Path, feed: Path, plan_file: Path) -> tuple[float, int]:
        """The cycle run_crawl would run now, by the crawl child itself with `--feed`: (seconds,
        exit status). The plan is run_crawl's (monitor.crawl.planner.build_plan), kept in plan_file."""
        from crawler import clock
        from monitor.crawl.planner import build_plan

        now = sim_iso(self.now())
        plan_file.write_text(build_plan(self.config, db, self.ids, clock.parse_iso(now)).to_json(), encoding="utf-8")
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "monitor.crawl.child", "--plan", str(plan_file), "--db", str(db),
                            "--feed", str(feed)], cwd=ROOT, env={**os.environ, "PORTALWATCH_NOW": now},
                           capture_output=True, text=True)
        return time.perf_counter() - t, r.returncode

    def _check_posts(self, cyc: Cycle, db: Path, since: int, now: int, failed: set[str]) -> None:
        q = {"from": since, "to": now}
        if not self.whole:
            q["sites"] = ",".join(self.ids)
        posts = self.ctl.get("posts", **q)
        cyc.posts = len(posts)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            still = []
            for p in posts + self.pending:
                row = conn.execute(
                    "SELECT a.id, (SELECT MIN(observed_at) FROM events e WHERE e.article_id = a.id"
                    " AND e.kind = 'new_article') FROM articles a WHERE a.site_id = ? AND a.url = ?",
                    (p["site_id"], p["url"]),
                ).fetchone()
                if row is None:
                    still.append(p)
                    cyc.unreachable += p in posts and p["site_id"] in failed
                    continue
                if p in posts:
                    cyc.found += 1
                else:
                    self.found_later += 1
                if row[1] is None:
                    self.missing_events += 1
                else:
                    seen = datetime.fromisoformat(row[1].replace("Z", "+00:00")).timestamp()
                    self.latencies.append((seen - p["published"]) / 60)
            self.pending = still
        finally:
            conn.close()


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def db_size_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists()) / 2**20


def _copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of the database, and of its robots.txt cache (crawler/robots.py)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    robots = Path(f"{src}.robots")
    if robots.is_dir():
        shutil.copytree(robots, f"{dst}.robots")


HEADER = ("   cycle    wall   child detect   req. /site child MB in-fl. min gap    new\n"
          "             (s)     (s)    (s)                 peak       (s) found/all")


def _line(cyc: Cycle, sites: int) -> str:
    """One crawl as a row under HEADER (under 80 columns)."""
    gap = f"{cyc.min_gap:.3f}" if cyc.min_gap is not None else "-"
    found = f"{cyc.found}/{cyc.posts}" if cyc.posts or cyc.label != "first" else "-"
    return (f"{cyc.label:>8} {cyc.wall:7.1f} {cyc.child:7.1f} {cyc.detect:6.1f} {cyc.requests:6d} "
            f"{cyc.requests / sites:5.2f} {cyc.rss_mb:8.0f} {cyc.max_in_flight:6d} {gap:>7} {found:>9}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=None, help="national sites (default: all 3,355)")
    ap.add_argument("--hours", type=float, default=24.0, help="simulated hours of steady-state cycles")
    ap.add_argument("--cycle-minutes", type=float, default=15.0)
    ap.add_argument("--stored", type=int, default=2_000_000, help="old articles for the history phase (0: skip)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--concurrency", type=int, default=512, help="requests in flight in the crawl (global)")
    ap.add_argument("--max-age-days", type=int, default=3, help="articles older than this are not fetched (bounds the first crawl); 0: unbounded")
    ap.add_argument("--max-pages", type=int, default=3, help="list pages of the daily full walk")
    ap.add_argument("--smallest", action="store_true", help="the --sites smallest sites (by archive), not the first")
    ap.add_argument("--wall-limit", type=float, default=None, help="stop the cycles after this many wall seconds")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from simulator.national import NationalWorld

    world = NationalWorld(seed=args.seed)
    ids = [s.id for s in world.select(args.sites, smallest=args.smallest)] if args.sites else list(world.sites)
    sim, port = serve_simulator(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="pw-national-"))
    out: list[str] = []

    def say(text: str) -> None:
        out.append(text)
        print(text, flush=True)

    try:
        config = write_config(tmp / "sites.toml", world, ids, port, concurrency=args.concurrency,
                              max_pages=args.max_pages, max_age_days=args.max_age_days)
        bench = National(Control(port), config, tmp / "national.db", ids, whole=len(ids) == len(world.sites))
        hosts = len({world.sites[i].host for i in ids})
        load = os.getloadavg()[0]
        print(f"# {len(ids)} sites on {hosts} hosts, delay 1 s and 1 in flight per host,\n"
              f"# concurrency {args.concurrency}, max_pages {args.max_pages}, max_age_days "
              f"{args.max_age_days}, {os.cpu_count()} CPUs, load {load:.1f}\n# work dir {tmp}\n{HEADER}",
              flush=True)
        started = time.perf_counter()
        first = bench.crawl("first")
        print(_line(first, len(ids)), flush=True)
        cycles: list[Cycle] = []
        for i in range(int(args.hours * 60 / args.cycle_minutes)):
            if args.wall_limit and time.perf_counter() - started > args.wall_limit:
                break
            since = bench.now()
            bench.advance(args.cycle_minutes)
            cycles.append(bench.crawl(f"c{i + 1}", since=since))
            print(_line(cycles[-1], len(ids)), flush=True)
        stored = _stored_phase(bench, tmp, args) if args.stored else None
        coord_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the whole run's peak
        _report(say, args, bench, ids, first, cycles, stored, coord_rss, load)
    finally:
        sim.terminate()
        sim.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


@dataclass
class Stored:
    """The last cycle at one clock: as is, with N old articles, and its items written again."""

    plain: Cycle
    history: Cycle
    inserted_s: float  # inserting the N old articles
    feed_s: float  # the third crawl of the cycle, writing its feed
    replay: dict  # benchmarks._national.replay: items, seconds, rows


def _stored_phase(bench: National, tmp: Path, args) -> Stored:
    """One more cycle at one clock, from copies of the database: as is, + N old articles, and
    once more with a feed, whose items are then written into a fourth copy (the writer alone)."""
    plain, big, fed, target = (tmp / f"{n}.db" for n in ("plain", "history", "fed", "replay"))
    for db in (plain, big, fed, target):
        _copy_db(bench.db, db)
    took = nat.add_history_elsewhere(big, bench.ids, args.stored, detected=True)
    bench.advance(args.cycle_minutes)
    pending = list(bench.pending)
    a = bench.crawl("as is", db=plain)
    print(_line(a, len(bench.ids)), flush=True)
    b = bench.crawl("+history", db=big)
    print(_line(b, len(bench.ids)), flush=True)
    bench.pending = pending
    feed, plan_file = tmp / "cycle.jl", tmp / "cycle-plan.json"
    feed_s, code = bench.feed_crawl(fed, feed, plan_file)
    if code != 0:
        raise SystemExit(f"the feed crawl failed (exit {code})")
    written = nat.replay_elsewhere(feed, target, plan_file)
    print(f"    feed {feed_s:7.1f} s crawl, {written['items']} items; written again in "
          f"{written['seconds']:.1f} s", flush=True)
    return Stored(a, b, took, feed_s, written)


def _report(say, args, bench: National, ids, first: Cycle, cycles: list[Cycle], stored: Stored | None,
            coord_rss: float, load: float) -> None:
    n = len(ids)
    walls = [c.wall for c in cycles]
    reqs = [c.requests / n for c in cycles]
    posts = sum(c.posts for c in cycles)
    found = sum(c.found for c in cycles)
    unreachable = sum(c.unreachable for c in cycles)
    every = [first, *cycles, *([stored.plain, stored.history] if stored else [])]
    crawl_rss = max(c.rss_mb for c in every)
    in_flight = max(c.max_in_flight for c in every)
    gaps = [c.min_gap for c in every if c.min_gap is not None]
    short = sum(c.short_gaps for c in every)
    total_gaps = sum(c.gaps for c in every)
    hours = len(cycles) * args.cycle_minutes / 60
    say("")
    say(f"national bench: {n} sites, first crawl + {len(cycles)} cycles of {args.cycle_minutes:g} min "
        f"({hours:g} simulated h)")
    say("-" * 78)
    say(f"first crawl            {first.requests:>8} requests  {first.wall:8.1f} s wall "
        f"({first.requests / n:.1f}/site)")
    if cycles:
        say(f"steady cycle wall      mean {statistics.mean(walls):6.1f} s  p95 {pct(walls, 0.95):6.1f} s  "
            f"max {max(walls):6.1f} s")
        say(f"steady cycle requests  mean {statistics.mean(c.requests for c in cycles):6.0f}    "
            f"p95 {pct([c.requests for c in cycles], 0.95):6.0f}")
        say(f"requests/site/cycle    mean {statistics.mean(reqs):6.2f}    p95 {pct(reqs, 0.95):6.2f}")
        say(f"  of a cycle           child {statistics.mean(c.child for c in cycles):.1f} s, detect "
            f"{statistics.mean(c.detect for c in cycles):.1f} s on average")
    reachable = posts - unreachable
    share = 100 * found / reachable if reachable else 100.0
    say(f"new posts in cycle     {found}/{reachable} on reachable sites ({share:.1f} %), "
        f"{unreachable} on down sites")
    say(f"  later                found later {bench.found_later}, not yet {len(bench.pending)}, "
        f"no new_article {bench.missing_events}")
    lat = bench.latencies
    say(f"post -> new_article    p50 {pct(lat, 0.5):4.1f} min  p99 {pct(lat, 0.99):4.1f} min  "
        f"max {max(lat, default=0):4.1f} min")
    say(f"peak RSS               crawl child {crawl_rss:4.0f} MB, coordinator {coord_rss:4.0f} MB (whole run)")
    if stored:
        a, b = stored.plain, stored.history
        say(f"  history phase        +{args.stored} old articles (inserted in {stored.inserted_s:.0f} s):")
        say(f"                       child RSS {a.rss_mb:.0f} -> {b.rss_mb:.0f} MB, cycle {a.wall:.1f} -> "
            f"{b.wall:.1f} s")
        say(f"                       detect {a.detect:.1f} -> {b.detect:.1f} s")
    say(f"database               {db_size_mb(bench.db):7.1f} MB")
    ratio = None
    if stored:
        w = stored.replay
        need = w["items"] / max(stored.feed_s, 1e-9)
        can = w["items"] / max(w["seconds"], 1e-9)
        ratio = can / max(need, 1e-9)
        say(f"SQLite writer          a cycle: {w['items']} items ({w['rows']} rows) in {stored.feed_s:.0f} s "
            f"= {need:.0f}/s")
        say(f"                       written alone in {w['seconds']:.1f} s = {can:.0f} items/s "
            f"({ratio:.0f}x the need)")
    say(f"politeness             max in flight per host {in_flight}, min gap {min(gaps) if gaps else 0:.3f} s")
    say(f"                       gaps under {bench.delay:g} s: {short} of {total_gaps}")
    say(f"load average           {load:.1f} at start, {os.getloadavg()[0]:.1f} at end ({os.cpu_count()} CPUs)")
    say("-" * 78)
    p95 = pct(walls, 0.95) if walls else float("inf")
    checks = [
        (f"steady cycle p95 < {TARGET_CYCLE_S / 60:g} min", p95 < TARGET_CYCLE_S, f"{p95:.0f} s"),
        (f"requests per site per cycle <= {TARGET_REQUESTS:g}", bool(reqs) and statistics.mean(reqs) <= TARGET_REQUESTS,
         f"{statistics.mean(reqs) if reqs else 0:.2f}"),
        (f"peak crawl RSS < {TARGET_RSS_MB:g} MB (with history)", crawl_rss < TARGET_RSS_MB, f"{crawl_rss:.0f} MB"),
        ("new posts found in their cycle 100 % (reachable)", reachable > 0 and found == reachable, f"{share:.1f} %"),
        (f"post -> event p99 <= {TARGET_LATENCY_MIN:g} min", bool(lat) and pct(lat, 0.99) <= TARGET_LATENCY_MIN,
         f"{pct(lat, 0.99):.1f} min"),
        ("per-host max in flight = 1", in_flight == 1, str(in_flight)),
        (f"per-host gaps >= delay ({bench.delay:g} s)", total_gaps > 0 and short == 0, f"{short} under"),
    ]
    if ratio is not None:
        checks.append((f"one SQLite writer keeping up (>= {TARGET_WRITER:g}x)", ratio >= TARGET_WRITER,
                       f"{ratio:.0f}x"))
    for name, ok, value in checks:
        say(f"{'met    ' if ok else 'NOT MET'}  {name:<52} {value}")


if __name__ == "__main__":
    sys.exit(main())
