"""Digest benchmark: build every recipient's digest over 3,355 sites and 1,000,000 view_counts rows.

    python -m benchmarks.digest_bench [--sites 3355] [--readings 1000000] [--keep DB]

The database is generated in bulk (executemany in one transaction) with the real schema: 34
provinces and 3,321 communes (the 2025 map), ~30 articles each, readings spread over 60 days,
new_article events for the last day. The schema's rollup triggers (FTS, views_daily) are dropped
while loading and put back afterwards; digests do not read what they maintain. Recipients: one
office per province plus one per group of ten communes. Times: build (numbers), then build +
render (text, HTML with charts, Markdown), for all recipients, with the default 24-hour window.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler import clock
from crawler.sites import Settings, Site
from monitor.config import Config, Recipient
from monitor.digest import build, render
from monitor.store.db import Store
from monitor.store.schema import fill_totals

NOW = datetime(2026, 3, 31, 1, 0, tzinfo=UTC)  # 08:00 in Hanoi
PROVINCES = 34


def make_config(n_sites: int, path: Path) -> Config:
    sites, recipients = [], []
    for p in range(PROVINCES):
        sites.append(Site(id=f"tinh-{p:02d}", name=f"Tỉnh số {p}", level="province",
                          start_urls=[f"https://tinh{p}.gov.vn/tin-tuc"]))
    communes = n_sites - PROVINCES
    for c in range(communes):
        parent = f"tinh-{c % PROVINCES:02d}"
        sites.append(Site(id=f"xa-{c:04d}", name=f"Xã Đông Tiến {c}", level="commune", parent=parent,
                          start_urls=[f"https://xa{c}.gov.vn/tin-tuc"]))
    for p in range(PROVINCES):
        recipients.append(Recipient(id=f"ubnd-tinh-{p:02d}", name=f"UBND tỉnh số {p}", parents=[f"tinh-{p:02d}"],
                                    sites=[f"tinh-{p:02d}"]))
    ids = [s.id for s in sites if s.level == "commune"]
    for g in range(0, len(ids), 10):
        recipients.append(Recipient(id=f"cum-{g // 10:03d}", name=f"Cụm xã {g // 10}", sites=ids[g:g + 10]))
    return Config(path=path, settings=Settings(), sites=sites, recipients=recipients)


def generate(path: Path, config: Config, n_readings: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    store = Store(path)
    store.sync_sites(config.sites)
    conn = store.conn
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    t0 = time.perf_counter()
    articles, events = [], []
    aid = 0
    for s in config.sites:
        for k in range(30):
            aid += 1
            first = NOW - timedelta(days=60 * rng.random() ** 1.5)
            published = first - timedelta(hours=rng.random() * 3)
            articles.append((aid, s.id, f"k{k}", f"https://{s.id}.gov.vn/tin/{k}.html", f"Tin số {k} của {s.name}",
                             clock.iso(published), clock.iso(first), clock.iso(first)))
            if first > NOW - timedelta(days=1):
                events.append(("new_article", s.id, aid, clock.iso(first), clock.iso(NOW), f"new:{aid}",
                               json.dumps({"title": f"Tin số {k}"})))
    per = [n_readings // aid] * aid
    for i in rng.sample(range(aid), n_readings - sum(per)):
        per[i] += 1
    firsts = {a[0]: datetime.fromisoformat(a[6].replace("Z", "+00:00")) for a in articles}

    latest = {}  # what the store keeps on the article row: its latest reading

    def readings():
        rid = 0
        for a in range(1, aid + 1):
            start, span = firsts[a], (NOW - firsts[a]).total_seconds()
            views = rng.randint(1, 50)
            for t in sorted(rng.random() for _ in range(per[a - 1])):
                rid += 1
                views += rng.randint(1, 40)
                observed = clock.iso(start + timedelta(seconds=span * t))
                latest[a] = (views, observed, observed, a)
                yield (rid, a, observed, views, "list", None)

    with store._tx():
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        conn.executemany("INSERT INTO articles (id, site_id, key, url, title, published_at, first_seen_at,"
                         " last_seen_at) VALUES (?,?,?,?,?,?,?,?)", articles)
        conn.executemany("INSERT INTO view_counts (id, article_id, observed_at, views, source, crawl_id)"
                         " VALUES (?,?,?,?,?,?)", readings())
        conn.executemany("UPDATE articles SET views = ?, views_observed_at = ?, views_checked_at = ? WHERE id = ?",
                         latest.values())
        conn.executemany("INSERT INTO events (kind, site_id, article_id, observed_at, detected_at, dedupe_key,"
                         " details) VALUES (?,?,?,?,?,?,?)", events)
        crawls = [(s.id, clock.iso(NOW - timedelta(hours=h)), clock.iso(NOW - timedelta(hours=h) + timedelta(minutes=2)),
                   "ok") for s in config.sites for h in (2, 8, 14, 20, 26, 32)]
        conn.executemany("INSERT INTO crawls (site_id, started_at, finished_at, outcome) VALUES (?,?,?,?)", crawls)
        for _, sql in triggers:
            conn.execute(sql)
        fill_totals(conn)  # the per-site month and week totals the triggers would have kept
    conn.execute("ANALYZE")
    took = time.perf_counter() - t0
    store.close()
    return {"articles": aid, "view_counts": n_readings, "events": len(events), "crawls": len(crawls), "seconds": took}


def bench(path: Path, config: Config) -> dict:
    """Wall and CPU seconds to build all recipients' digests, then to render them as email needs."""
    from monitor.store.connect import open_db

    db = open_db(path)
    since, until = clock.iso(NOW - timedelta(hours=24)), clock.iso(NOW)
    w0, c0 = time.perf_counter(), time.process_time()
    cache: dict = {}  # shared by recipients with the same window: each site is computed once
    datas = [build(db, config, r, since, until, generated_at=until, cache=cache) for r in config.recipients]
    w1, c1 = time.perf_counter(), time.process_time()
    for d in datas:
        r = render(d, images="cid")
        r.text, r.html  # noqa: B018 - what an email carries
    w2, c2 = time.perf_counter(), time.process_time()
    db.conn.close()
    return {"recipients": len(datas), "build": (w1 - w0, c1 - c0), "render": (w2 - w1, c2 - c1),
            "new_posts": sum(d["totals"]["new_posts"] for d in datas),
            "views_gained": sum(d["totals"]["views_gained"] for d in datas),
            "largest": max(d["totals"]["sites"] for d in datas)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=3355)
    ap.add_argument("--readings", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="Keep the generated database at this path.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.db"
        config = make_config(args.sites, path.with_suffix(".toml"))
        gen = generate(path, config, args.readings)
        print(f"generated {len(config.sites):,} sites, {gen['articles']:,} articles, {gen['view_counts']:,} view_counts,"
              f" {gen['events']:,} events, {gen['crawls']:,} crawls in {gen['seconds']:.1f} s"
              f" ({path.stat().st_size / 1e6:.0f} MB)")
        r = bench(path, config)
        n = r["recipients"]
        print(f"{n} recipients (largest covers {r['largest']} sites), 24-hour window:"
              f" {r['new_posts']:,} new posts, {r['views_gained']:,} views gained")
        print("                          wall      cpu   (cpu per recipient)")
        for label, key in (("build (numbers)", "build"), ("render (text + HTML)", "render")):
            wall, cpu = r[key]
            print(f"{label:24} {wall:6.3f} s {cpu:6.3f} s   ({cpu / n * 1000:.1f} ms)")
        wall = r["build"][0] + r["render"][0]
        cpu = r["build"][1] + r["render"][1]
        print(f"{'total':24} {wall:6.3f} s {cpu:6.3f} s   target < 2 s: {'met' if wall < 2 else 'NOT met'}")

if __name__ == "__main__":
    main()
