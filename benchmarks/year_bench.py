"""A year of the whole country: the database a year of 15-minute national crawls leaves, and what
each job costs on it, month by month.

    python -m benchmarks.year_bench [--months 12] [--scale 1.0] [--db PATH] [--crawl-every 3]

The history is the one national_bench's service would store, crawling the national simulator
every 15 minutes (delay 1 s per host, max_age_days 3, one list page a cycle, all three once a
day): modelled from the simulator's posting rhythm and view curves (benchmarks/_year_model.py)
and written in bulk, a day per transaction, with the events detect would record
(benchmarks/_year_write.py; tests/store/test_year_bulk.py proves the rows equal to Store.apply's
and detect's). Housekeeping (retention: view_retention, crawls, events, samples) runs after every
day as the service's daily job would (per-reading views_changed events it would delete before the
next checkpoint are not written at all: the same database there, less work). At the end of each month: the database's size by part, a digest
for a district office and for a province (the 24 hours to 07:00), the analyst views and search,
that day's housekeeping, a backup; every `--crawl-every` months (and the last) a real crawl
cycle of the simulator against the backup (a copy: the history goes on undisturbed), its detect
included, as national_bench runs one.

`--scale 0.05` takes every 20th site (a quick run); `--db PATH` keeps the database (with
PATH.sites.toml and PATH.year.json saying what it holds) for other benchmarks; `--scale-up`
then grows the sampled year to the whole country (benchmarks/_year_scale.py: each other site
gets a copy of a sampled neighbour's history) and measures it again, with three crawl cycles of
all 3,355 sites (the first two find each site's own newest posts and check the copied articles its
list does not show); `--grow` does only that, on a kept `--db`. The simulator runs for the whole
run on one port: every stored URL holds it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import _year_measure as measure
from benchmarks._national import Control, serve_simulator
from benchmarks._year_model import YearModel
from benchmarks._year_write import BulkWriter
from benchmarks.national_bench import National, sim_iso, write_config
from crawler import clock
from monitor.config import Recipient, load_config
from monitor.store.db import Store

TARGETS = {"db_gb": 10.0, "digest_s": 2.0, "view_s": 1.0, "cycle_s": 120.0, "housekeeping_s": 300.0}


def pick_sites(world, scale: float) -> list[str]:
    """Every site (scale 1), or an even spread of `scale` of them across the provinces."""
    ids = list(world.sites)
    return ids if scale >= 1 else [s for i, s in enumerate(ids) if int((i + 1) * scale) > int(i * scale)]


def recipients(world, ids: list[str]) -> list[Recipient]:
    """A district office (the wards of one Hanoi district, the largest group sharing a district
    host) and the province with the most sites crawled."""
    by_district: dict[str, list[str]] = {}
    by_province: dict[str, int] = {}
    for sid in ids:
        s = world.sites[sid]
        if s.district:
            by_district.setdefault(s.district, []).append(sid)
        if s.parent:
            by_province[s.parent] = by_province.get(s.parent, 0) + 1
    province = max(by_province, key=lambda p: (by_province[p], p))
    office = max(by_district.values(), key=len) if by_district else [
        sid for sid in ids if world.sites[sid].parent == province][:10]
    return [Recipient("district-office", "Văn phòng quận", sites=office),
            Recipient("province", world.sites[province].name, parents=[province])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prime_robots(folder: Path, world, ids: list[str], port: int, at: int) -> None:
    """robots.txt of every host as a crawl an hour earlier would have cached it (a steady
    service asks each host once a day: ~1 % of hosts in a cycle)."""
    from crawler.robots import RobotsCache

    cache = RobotsCache(folder, 24)
    hosts = sorted({world.sites[s].host for s in ids if world.sites[s].kind() != "down"})
    os.environ["PORTALWATCH_NOW"] = sim_iso(at - 3600)

    def one(host: str) -> None:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/robots.txt", headers={"Host": f"{host}:{port}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                cache.store(f"{host}:{port}", r.status, r.read())
        except OSError:
            pass  # not cached: the crawl asks

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(one, hosts))


class YearBench:
    def __init__(self, args):
        from simulator.national import NationalWorld

        self.args = args
        self.world = NationalWorld(seed=args.seed)
        self.tmp = Path(tempfile.mkdtemp(prefix="pw-year-"))
        self.db = Path(args.db).resolve() if args.db else self.tmp / "year.db"
        self.meta_path = Path(f"{self.db}.year.json")
        self.sim: subprocess.Popen | None = None
        self.rows: list[dict] = []
        if args.grow:  # a kept sampled year: its sites, port and clock from its .year.json
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            args.scale, args.seed, self.port = meta["scale"], meta["seed"], meta["port"]
            self.rows, self.cycles = meta["checkpoints"], meta["cycles"]
            self.ids = pick_sites(self.world, args.scale)
            self.config_path = Path(meta["config"])
        else:
            self.ids = pick_sites(self.world, args.scale)
            self.port, self.cycles = free_port(), 0
            for p in (self.db, Path(f"{self.db}-wal"), Path(f"{self.db}-shm")):
                p.unlink(missing_ok=True)
            self.config_path = write_config(Path(f"{self.db}.sites.toml"), self.world, self.ids, self.port,
                                            concurrency=512)
        self.config = load_config(self.config_path)
        self.config.recipients += recipients(self.world, self.ids)
        # the port is in every stored URL (and the key of a plain site's article): the simulator
        # takes it now and keeps it for the whole run
        try:
            self.sim, _ = serve_simulator(args.seed, self.port)
        except SystemExit:
            raise SystemExit(f"year_bench: the national simulator could not listen on port {self.port}, the port "
                             f"the stored URLs use (is it taken?)") from None

    def run(self) -> None:
        a = self.args
        store = Store(self.db)
        store.sync_sites([*self.config.sites, *self.config.units])
        store.close()
        model = YearModel(self.world, self.ids, self.port)
        writer = BulkWriter(self.db, model, self.config.service.unreachable_after)
        ends = {round(m * 365 / 12): m for m in range(1, a.months + 1)}
        print(f"# {len(self.ids)} sites (scale {a.scale:g}), {a.months} months, seed {a.seed}, "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, disk free {measure.disk_free_gb(self.db.parent):.0f} GB"
              f"\n# database {self.db}", flush=True)
        print(HEADER, flush=True)
        build = keep = 0.0
        for day in range(1, max(ends) + 1):
            # per-reading events that housekeeping deletes before the next checkpoint are not written
            upcoming = min(d for d in ends if d >= day)
            writer.events_from = model.time(96 * (upcoming - self.config.service.event_retention_days - 1))
            t = time.perf_counter()
            for _ in range(96):
                writer.add(*model.run_cycle())
            writer.flush()
            build += time.perf_counter() - t
            self.cycles = model.cycle
            now = datetime.fromtimestamp(model.time(model.cycle), UTC)
            if day in ends:
                month = ends[day]
                row = self.checkpoint(self.config, self.ids, self.config_path, now,
                                      1 if month % a.crawl_every == 0 or month == a.months else 0)
                row.update(month=month, build_s=build, housekeeping_total_s=keep,
                           raw_readings=model.next_reading - 1, cycles=model.cycle)
                self.rows.append(row)
                print(line(row, self.rows[-2] if len(self.rows) > 1 else None), flush=True)
            else:
                t = time.perf_counter()
                measure.housekeeping(self.db, self.config.service, now)
                keep += time.perf_counter() - t
        writer.close()

    def grow(self) -> None:
        """The sampled year grown to the whole country (benchmarks/_year_scale.py), measured again,
        with three crawl cycles: the first two find what the copies cannot know (each site's own
        newest posts; the copied articles its list does not show, checked twice and removed)."""
        from benchmarks._year_scale import scale_up

        everyone = list(self.world.sites)
        path = write_config(Path(f"{self.db}.country.sites.toml"), self.world, everyone, self.port, concurrency=512)
        config = load_config(path)
        config.recipients += recipients(self.world, everyone)
        store = Store(self.db)
        store.sync_sites([*config.sites, *config.units])
        store.close()
        print(f"# growing to {len(everyone)} sites: every site outside the sample gets a copy of a sampled "
              f"neighbour's year, load {os.getloadavg()[0]:.1f}", flush=True)
        grown = scale_up(self.db, self.world, self.ids, everyone)
        now = datetime.fromtimestamp(YearModel.time_of(self.cycles), UTC)
        row = self.checkpoint(config, everyone, path, now, 3)
        row.update(month=self.rows[-1]["month"] if self.rows else 0, country=True, grow_s=grown["seconds"],
                   raw_readings=None, cycles=self.cycles)
        self.rows.append(row)
        print(HEADER)
        print(line(row, None), flush=True)

    def again(self) -> None:
        """The kept year measured once more, as it is (the whole country when it was grown)."""
        grown = any(r.get("country") for r in self.rows)
        path = Path(f"{self.db}.country.sites.toml") if grown else self.config_path
        ids = list(self.world.sites) if grown else self.ids
        config = load_config(path)
        config.recipients += recipients(self.world, ids)
        last = self.rows[-1]
        now = datetime.fromtimestamp(YearModel.time_of(self.cycles - (3 if grown else 1)), UTC)
        # housekeeping as the next day's run: the day before was thinned when the year was measured
        row = self.checkpoint(config, ids, path, now, 3 if grown else 1, housekeeping_at=now + timedelta(days=1))
        row.update(month=last["month"], country=grown, again=True, raw_readings=None, cycles=self.cycles)
        self.rows.append(row)
        print(HEADER)
        print(line(row, None), flush=True)

    def checkpoint(self, config, ids: list[str], config_path: Path, now: datetime, crawls: int,
                   housekeeping_at: datetime | None = None) -> dict:
        """Everything measured at one point of the year (see the module); housekeeping runs as
        at `housekeeping_at` (default `now`)."""
        db = self.db
        row: dict = {"sites": len(ids)}
        row["housekeeping_s"], row["housekeeping"] = measure.housekeeping(db, config.service, housekeeping_at or now)
        row["detect_s"] = measure.detect(db, config, now)
        row["bytes"] = measure.db_bytes(db)
        row["counts"] = measure.counts(db)
        row["parts"] = measure.sizes(db)
        until = (now + timedelta(hours=7)).replace(hour=7, minute=0, second=0) - timedelta(hours=7)
        until = until if until <= now else until - timedelta(days=1)  # the last 07:00 local
        row["digests"] = measure.digests(db, config, config.recipients, until)
        row["recipients"] = {r.id: len(r.sites) or sum(self.world.sites[s].parent in r.parents for s in ids)
                             for r in config.recipients}
        province = config.recipients[1].parents[0]
        site = province if province in ids else next(s for s in ids if self.world.sites[s].parent == province)
        row["views"] = measure.analysts(db, site, province, clock.iso(now)[:10])
        row["backup_s"], copy = measure.backup(db, self.tmp / "backups", now)
        row["backup_bytes"] = copy.stat().st_size
        if crawls:
            row["cycles_run"] = self.crawl(copy, ids, config_path, crawls)
            row["cycle"] = row["cycles_run"][-1]
        copy.unlink()
        shutil.rmtree(f"{copy}.robots", ignore_errors=True)
        return row

    def crawl(self, copy: Path, ids: list[str], config_path: Path, n: int) -> list[dict]:
        """`n` national cycles of the real crawler against the copy, 15 minutes apart, from the
        model's next cycle on."""
        at = YearModel.time_of(self.cycles)
        ctl = Control(self.port)
        ctl.post("advance", hours=(at - int(ctl.get("clock")["epoch"])) / 3600)
        prime_robots(Path(f"{copy}.robots"), self.world, ids, self.port, at)
        bench = National(ctl, config_path, copy, ids, whole=len(ids) == len(self.world.sites))
        out = []
        try:
            for i in range(n):
                if i:
                    bench.advance(15)
                c = bench.crawl(f"year{i}", db=copy)
                out.append({"wall": c.wall, "child": c.child, "detect": c.detect, "requests": c.requests,
                            "outcomes": c.outcomes})
                if n > 1:
                    print(f"#   cycle {i + 1}: {c.wall:.1f} s, {c.requests} requests", flush=True)
        finally:
            os.environ.pop("PORTALWATCH_NOW", None)
        self.cycles += n  # the simulator's clock moved on
        return out

    def close(self) -> None:
        if self.sim is not None:
            self.sim.terminate()
            self.sim.wait()
        if self.args.db:
            meta = {"seed": self.args.seed, "scale": self.args.scale, "sites": len(self.ids), "port": self.port,
                    "months": self.args.months, "config": str(self.config_path), "cycles": self.cycles,
                    "recipients": [r.id for r in self.config.recipients], "checkpoints": self.rows}
            self.meta_path.write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
        else:
            Path(f"{self.db}.sites.toml").unlink(missing_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


HEADER = ("month articles readings   kept     DB   +GB office  prov. worst  house backup  cycle\n"
          "           (k) raw (M)    (M)   (GB)          (s)    (s) view   (s)    (s)    (s)")


def line(row: dict, prev: dict | None) -> str:
    """One checkpoint, under HEADER (80 columns)."""
    gb = row["bytes"] / 1e9
    grown = gb - (prev["bytes"] / 1e9 if prev else 0.0)
    office, prov = row["digests"].values()
    cycle = f"{row['cycle']['wall']:6.1f}" if "cycle" in row else "     -"
    return (f"{row['month']:5d} {row['counts']['articles'] / 1e3:8.1f} {row['raw_readings'] / 1e6:8.2f} "
            f"{row['counts']['view_counts'] / 1e6:6.2f} {gb:6.2f} {grown:5.2f} {office:6.2f} {prov:6.2f} "
            f"{max(row['views'].values()):5.2f} {row['housekeeping_s']:6.1f} {row['backup_s']:6.1f} {cycle}")


def report(bench: YearBench) -> None:
    if bench.args.measure:
        summary(bench.rows[-1])
        return
    for row in [r for r in bench.rows if not r.get("country")][-1:] + [r for r in bench.rows if r.get("country")]:
        summary(row)


def summary(last: dict) -> None:
    """What one checkpoint measured, and the targets, under 80 columns."""
    n = last["sites"]
    print("\n" + "-" * 78)
    what = "the whole country, grown from the sample" if last.get("country") else f"{n} sites"
    print(f"at {last['month']} months: {what} ({n} sites), load {os.getloadavg()[0]:.1f}")
    if last.get("raw_readings"):
        per_cycle = last["raw_readings"] / last["cycles"]
        print(f"readings stored      {last['raw_readings'] / 1e6:.1f} M ({per_cycle:.0f} a cycle), kept "
              f"{last['counts']['view_counts'] / 1e6:.1f} M after view_retention")
    print(f"rows now             articles {last['counts']['articles'] / 1e6:.2f} M, readings "
          f"{last['counts']['view_counts'] / 1e6:.1f} M, views_daily {last['counts']['views_daily'] / 1e6:.1f} M,")
    print(f"                     events {last['counts']['events'] / 1e6:.1f} M, crawls "
          f"{last['counts']['crawls'] / 1e6:.1f} M")
    parts = sorted(((v, k) for k, v in last["parts"].items()), reverse=True)
    print("database by part     " + ", ".join(f"{k} {v / 1e3:.2f}" for v, k in parts[:4]) + " GB,")
    print("                     " + ", ".join(f"{k} {v / 1e3:.2f}" for v, k in parts[4:]) + " GB")
    print(f"backup               {last['backup_bytes'] / 1e9:.2f} GB in {last['backup_s']:.0f} s")
    h = last["housekeeping"]
    print(f"housekeeping         {last['housekeeping_s']:.1f} s: {h['readings_deleted']} readings thinned, "
          f"{h['events_deleted']} events, {h.get('crawls_deleted', 0)} crawls")
    print(f"                     longest transaction {h['retention_longest_tx']} s")
    if "build_s" in last:
        print(f"building it          {last['build_s'] / 60:.0f} min writing, {last['housekeeping_total_s'] / 60:.0f} "
              f"min of daily housekeeping")
    if "grow_s" in last:
        print(f"growing it           {last['grow_s'] / 60:.0f} min")
    print("digests              " + ", ".join(f"{k} ({last['recipients'][k]} sites) {v:.2f} s"
                                               for k, v in last["digests"].items()))
    ops = {f"digest {k}": v for k, v in last["digests"].items()}
    ops.update({f"view {k}": v for k, v in last["views"].items()})
    ops.update(housekeeping=last["housekeeping_s"], backup=last["backup_s"], detect=last["detect_s"])
    if "cycle" in last:
        for i, c in enumerate(last["cycles_run"], 1):
            print(f"national cycle {i}     {c['wall']:.1f} s (child {c['child']:.1f} s, detect {c['detect']:.1f} s), "
                  f"{c['requests']} requests")
        ops["national cycle"] = last["cycle"]["wall"]
    slowest = max(ops, key=lambda k: ops[k])
    print(f"slowest operation    {slowest}: {ops[slowest]:.2f} s")
    worst_view = max(last["views"], key=lambda k: last["views"][k])
    checks = [
        (f"database < {TARGETS['db_gb']:g} GB", last["bytes"] / 1e9, TARGETS["db_gb"], "GB"),
        (f"digest build < {TARGETS['digest_s']:g} s per recipient", max(last["digests"].values()), TARGETS["digest_s"], "s"),
        (f"every analyst view < {TARGETS['view_s']:g} s ({worst_view})", last["views"][worst_view], TARGETS["view_s"], "s"),
        (f"housekeeping < {TARGETS['housekeeping_s'] / 60:g} min", last["housekeeping_s"], TARGETS["housekeeping_s"], "s"),
    ]
    if "cycle" in last:
        checks.append((f"national cycle < {TARGETS['cycle_s'] / 60:g} min", last["cycle"]["wall"], TARGETS["cycle_s"], "s"))
    print("-" * 78)
    for name, value, target, unit in checks:
        print(f"{'met    ' if value < target else 'NOT MET'}  {name:<55} {value:7.2f} {unit}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the country's sites (0.05: a quick run)")
    ap.add_argument("--db", help="build the database here and keep it (default: a temporary folder)")
    ap.add_argument("--crawl-every", type=int, default=3, help="a real crawl cycle every N months (and the last)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale-up", action="store_true",
                    help="after the sampled months, grow the database to the whole country and measure it again")
    ap.add_argument("--grow", action="store_true",
                    help="only that: grow the sampled year kept at --db (and its .year.json) and measure it")
    ap.add_argument("--measure", action="store_true",
                    help="only measure the year kept at --db again (grown: the whole country, three cycles)")
    args = ap.parse_args(argv)
    if not 0 < args.scale <= 1 or args.months < 1 or args.crawl_every < 1:
        raise SystemExit("year_bench: --scale must be in (0, 1], --months and --crawl-every at least 1")
    if (args.grow or args.measure) and not (args.db and Path(f"{args.db}.year.json").exists()):
        raise SystemExit(f"year_bench: --grow and --measure need --db with a kept year ({args.db}.year.json not found)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # `kill`: the finally below stops the simulator
    bench = YearBench(args)
    try:
        if args.measure:
            bench.again()
        elif not args.grow:
            bench.run()
        if (args.grow or args.scale_up) and args.scale < 1 and not args.measure:
            bench.grow()
    finally:
        bench.close()
    report(bench)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
