"""Web benchmark: every page of `portalwatch web` on a national, year-scale database, over real HTTP.

    python -m benchmarks.web_bench [--scale 1.0] [--db /tmp/portalwatch-web-bench.db] [--reuse] [--runs 7]
                                   [--year] [--year-week]

The database: benchmarks/analyst_bench.py's generator (3,355 sites under 63 provinces, 1,000,000
articles published over two years, 10,000,000 view-count readings, views_daily and the FTS
index; times --scale; `--year`: 1,750,000 articles published over one year, as a year of the whole
country brings, and 17,500,000 readings), plus what the web reads besides: crawls
(every 6 hours for a year: 4.9 million rows; some sites failing, with fetch errors and kept pages), detect's events of the last 35 days
(new_article and views_changed), a sites.toml of every site. Then `portalwatch web`'s app is
served by uvicorn on 127.0.0.1 and every GET page is timed as an admin and as a province office
(first request, then the median of --runs): target < 300 ms each. Beside the unit pages and
search, the library call each is built on (the digest's build for that window, `portalwatch
search`'s search and count) is timed in turn on the same database: the ratio is what the page
adds, which a busy machine slows no less than the call itself. `cpu ms` is the CPU time this
process (server and client, one request at a time) spent on the request: what a busy machine
inflates least.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import httpx

from benchmarks.analyst_bench import generate
from crawler import clock
from monitor.store.connect import open_db

TARGET_MS = 300
CRAWLS_PER_SITE = 4 * 365  # every 6 hours for a year
PASSWORD = "benchmark password"


def add_web_data(path: Path, seed: int = 11) -> dict:
    """Crawls, fetch errors, kept pages and events on top of the generated database, and its sites.toml."""
    rng = random.Random(seed)
    db = open_db(path)
    conn = db.conn
    t0 = time.monotonic()
    sites = conn.execute("SELECT id, name, level, parent FROM sites ORDER BY rowid").fetchall()
    now = clock.now().timestamp()
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    failing = {s[0] for s in sites if rng.random() < 0.01}
    errors: list[tuple] = []
    counter = {"crawls": 0}

    def crawls():
        for sid, *_ in sites:
            for k in range(CRAWLS_PER_SITE, 0, -1):  # every 6 hours for a year
                counter["crawls"] += 1
                cid = counter["crawls"]
                t = now - k * 6 * 3600 + rng.random() * 600
                failed = sid in failing and k <= 4
                if failed:
                    errors.append((cid, sid, f"https://{sid}.gov.vn/tin", 503, "HTTP 503 Service Unavailable", _ts(t)))
                yield (cid, sid, _ts(t), _ts(t + 60), "failed" if failed else "ok", 0 if failed else 40,
                       0 if failed else 30, 0, 0 if failed else 3 if rng.random() < 0.3 else 0,
                       1 if failed else 0, "list page: HTTP 503 ×2" if failed else None)

    conn.executemany("INSERT INTO crawls (id, site_id, started_at, finished_at, outcome, pages_fetched, articles_seen,"
                     " missing_date, articles_new, errors, error_summary) VALUES (?,?,?,?,?,?,?,?,?,?,?)", crawls())
    conn.executemany("INSERT INTO fetch_errors (crawl_id, site_id, url, status, error, observed_at) VALUES (?,?,?,?,?,?)",
                     errors)
    html = "<html><body>" + "<div class='item'>Tin tức</div>" * 2000 + "</body></html>"
    conn.executemany("INSERT INTO html_samples (site_id, url, kind, reason, html, saved_at) VALUES (?,?,?,?,?,?)",
                     [(sid, f"https://{sid}.gov.vn/tin", "list", "no articles found", html, _ts(now))
                      for sid, *_ in sites[::20]])
    since = _ts(now - 35 * 86400)
    conn.execute(
        "INSERT INTO events (kind, site_id, article_id, observed_at, detected_at, dedupe_key, details)"
        " SELECT 'new_article', site_id, id, first_seen_at, first_seen_at, 'n:' || id,"
        " json_object('title', title, 'url', url, 'published_at', published_at)"
        " FROM articles WHERE first_seen_at > ?", (since,))
    conn.execute(
        "INSERT INTO events (kind, site_id, article_id, observed_at, detected_at, dedupe_key, details)"
        " SELECT 'views_changed', a.site_id, v.article_id, v.observed_at, v.observed_at, 'v:' || v.id,"
        " json_object('old', v.prev, 'new', v.views, 'gained', v.views - v.prev, 'since', v.prev_at)"
        " FROM (SELECT id, article_id, observed_at, views,"
        "       LAG(views) OVER (PARTITION BY article_id ORDER BY observed_at, id) AS prev,"
        "       LAG(observed_at) OVER (PARTITION BY article_id ORDER BY observed_at, id) AS prev_at"
        "       FROM view_counts) v JOIN articles a ON a.id = v.article_id"
        " WHERE v.observed_at > ? AND v.prev IS NOT NULL AND v.views > v.prev", (since,))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    n_events = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    conn.close()
    config = path.with_suffix(".toml")
    lines = ["[portalwatch]\ncontact_url = \"https://example.org/portalwatch\"\n"]
    for sid, name, level, parent in sites:
        lines.append(f'[[site]]\nid = "{sid}"\nname = "{name}"\nlevel = "{level}"\n'
                     + (f'parent = "{parent}"\n' if parent else "") + f'start_urls = ["https://{sid}.gov.vn/tin"]\n')
    config.write_text("\n".join(lines), encoding="utf-8")
    return {"crawls": counter["crawls"], "fetch_errors": len(errors), "events": n_events, "seconds": time.monotonic() - t0,
            "config": config}


YEAR_ARTICLES = 1_750_000  # issue 19's year of the whole country: 1.5–2 million new articles
YEAR_WEEK_READINGS = 170_000_000 // 52  # issue 19's year: ≈ 170 M view readings, ≈ 3.3 M a week


def add_year_week(path: Path, readings: int = YEAR_WEEK_READINGS, seed: int = 5) -> dict:
    """A week of view readings at a year-scale database's density: `readings` rows over the 7 days
    before the newest reading, on the articles published in the 60 days before it (each read
    again and again, its count growing), inserted through the triggers (views_daily) and
    moving each article's latest reading — what the unit pages and their windows read."""
    rng = random.Random(seed)
    db = open_db(path)
    conn = db.conn
    t0 = time.monotonic()
    newest = conn.execute("SELECT MAX(observed_at) FROM view_counts").fetchone()[0]
    end = clock.parse_iso(newest).timestamp()
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM articles WHERE published_at >= ? AND status = 'live'", (_ts(end - 60 * 86400),))]
    per = max(1, readings // max(1, len(ids)))
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    n = 0
    for aid in ids:
        views = conn.execute("SELECT COALESCE(views, 0) FROM articles WHERE id = ?", (aid,)).fetchone()[0]
        times = sorted(end - rng.random() * 7 * 86400 for _ in range(per))
        rows = []
        for t in times:
            views += rng.randint(0, 3)
            rows.append((aid, _ts(t), views, "list"))
        conn.executemany("INSERT INTO view_counts (article_id, observed_at, views, source) VALUES (?, ?, ?, ?)", rows)
        conn.execute("UPDATE articles SET views = ?, views_observed_at = ?, views_checked_at = ? WHERE id = ?",
                     (views, rows[-1][1], rows[-1][1], aid))
        n += len(rows)
    conn.execute("COMMIT")
    conn.close()
    return {"articles": len(ids), "readings": n, "seconds": time.monotonic() - t0}


def _ts(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _login(url: str, name: str) -> httpx.Client:
    import re

    c = httpx.Client(base_url=url, timeout=120)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"csrf": token, "name": name, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1.0)")
    ap.add_argument("--db", default="/tmp/portalwatch-web-bench.db")
    ap.add_argument("--reuse", action="store_true", help="time an existing database instead of generating")
    ap.add_argument("--runs", type=int, default=7, help="timed requests per page after the first")
    ap.add_argument("--year-week", action="store_true",
                    help="first add a week of readings at a year-scale database's density (≈ 3.3 M)")
    ap.add_argument("--year", action="store_true",
                    help=f"generate a year's articles: {YEAR_ARTICLES:,} published over 365 days on 3,355 sites"
                         " (the default: 1,000,000 over two years)")
    args = ap.parse_args()
    path = Path(args.db)
    config = path.with_suffix(".toml")
    if not (args.reuse and path.exists() and config.exists()):
        shape = f"a year's articles ({YEAR_ARTICLES:,} over 365 days)" if args.year else f"scale {args.scale}"
        print(f"generating {path}: {shape} …", flush=True)
        g = generate(path, args.scale, **({"articles": YEAR_ARTICLES, "days": 365} if args.year else {}))
        print(f"  {g['sites']:,} sites, {g['articles']:,} articles, {g['view_counts']:,} view_counts rows "
              f"in {g['total_s']:.0f} s", flush=True)
        w = add_web_data(path)
        print(f"  + {w['crawls']:,} crawls, {w['fetch_errors']:,} fetch errors, {w['events']:,} events "
              f"in {w['seconds']:.0f} s; {path.stat().st_size / 2**20:,.0f} MB", flush=True)
    if args.year_week:
        y = add_year_week(path)
        print(f"  + {y['readings']:,} readings in the last 7 days on {y['articles']:,} recent articles"
              f" in {y['seconds']:.0f} s", flush=True)
    open_db(path).conn.close()
    import os
    from contextlib import closing

    from monitor.analyst.query import connect

    if not os.environ.get("PORTALWATCH_NOW"):  # the windows of the data, whenever a reused database is timed
        with closing(connect(path)) as newest:
            os.environ["PORTALWATCH_NOW"] = newest.execute("SELECT MAX(observed_at) FROM view_counts").fetchone()[0]
    print(f"clock pinned to {os.environ['PORTALWATCH_NOW']} (the newest reading)", flush=True)

    from monitor.config import load_config
    from monitor.web.app import create_app
    from monitor.web.server import Background
    from monitor.web.users import add_user, list_users

    cfg = load_config(config)
    probe = connect(path)
    busiest = probe.execute("SELECT parent, COUNT(*) FROM sites WHERE parent IS NOT NULL GROUP BY parent"
                            " ORDER BY 2 DESC LIMIT 1").fetchone()[0]
    ward = probe.execute("SELECT id FROM sites WHERE parent = ? LIMIT 1", (busiest,)).fetchone()[0]
    article = probe.execute("SELECT id FROM articles WHERE site_id = ? ORDER BY views DESC LIMIT 1", (ward,)).fetchone()[0]
    sample = probe.execute("SELECT MAX(id) FROM html_samples").fetchone()[0]
    if not {u.name for u in list_users(path)} >= {"bench-admin", "bench-office"}:
        add_user(path, "bench-admin", "admin", PASSWORD)
        add_user(path, "bench-office", "office", PASSWORD, [busiest], cfg)
    probe.close()
    t0 = time.monotonic()
    srv = Background(create_app(config, path))
    import threading

    while any(t.name == "portalwatch-health" for t in threading.enumerate()):  # the console's health, read at start
        time.sleep(0.2)
    print(f"served; every site's health read in the background in {time.monotonic() - t0:.1f} s", flush=True)
    admin, office = _login(srv.url, "bench-admin"), _login(srv.url, "bench-office")
    n_wards = len([s for s in cfg.sites if s.parent == busiest])
    from monitor.config import Recipient
    from monitor.digest.build import build
    from monitor.web.office import search_page, sites_under, window

    reader = connect(path)
    import sqlite_utils

    rdb = sqlite_utils.Database(reader, recursive_triggers=False)
    office_sites = [s.id for s in sites_under(cfg, busiest)]

    def digest(unit: str, key: str):  # what the unit page computes, without the page
        win = window(key)
        own = [unit] if cfg.tree.is_site(unit) else []
        return lambda: build(rdb, cfg, Recipient(id="b", name="b", parents=[unit], sites=own), win.since, win.until)

    def searched(q: str, sites):
        return lambda: search_page(reader, q, list(sites) if sites else None)

    # side by side: the library call each page is built on (the digest's build, `portalwatch search`)
    baseline = {f"/u/{busiest}?w=today": digest(busiest, "today"), f"/u/{busiest}?w=week": digest(busiest, "week"),
                f"/u/{busiest}?w=month": digest(busiest, "month"), f"/u/{ward}?w=month": digest(ward, "month"),
                "/search?q=vinh+hung": searched("vinh hung", office_sites),
                f"/search?q=hoi+nghi+dai+bieu&unit={busiest}": searched("hoi nghi dai bieu", office_sites),
                "/search?q=hoi+nghi+dai+bieu": searched("hoi nghi dai bieu", ())}
    pages = [
        ("admin", "/", "units (every province)"),
        ("office", f"/u/{busiest}?w=today", f"a province of {n_wards + 1} sites, today"),
        ("office", f"/u/{busiest}?w=week", "… this week"),
        ("office", f"/u/{busiest}?w=month", "… this month"),
        ("office", f"/u/{ward}?w=month", "one ward, this month"),
        ("office", f"/a/{article}", "an article's whole history"),
        ("office", "/search?q=vinh+hung", "search, the office's sites"),
        ("office", f"/search?q=hoi+nghi+dai+bieu&unit={busiest}", "… four common words"),
        ("admin", "/search?q=hoi+nghi+dai+bieu", "search, every site"),
        ("admin", "/ops", f"console: {len(cfg.sites):,} sites' health (page 1)"),
        ("admin", "/ops?show=problems", "console: only problems"),
        ("admin", "/ops?q=vinh+hung", "console: filtered by name"),
        ("admin", f"/ops/site/{ward}", "one site: crawls, errors, kept pages"),
        ("admin", f"/ops/sample/{sample}", "a kept page (escaped source)"),
        ("admin", "/admin/users", "users"),
        ("admin", "/ops/add", "add-a-site form"),
        ("anonymous", "/login", "login page"),
    ]
    print(f"\n{'page':44s} {'first ms':>8s} {'median ms':>9s} {'cpu ms':>6s} {'library ms':>10s} {'ratio':>6s}"
          f"  target < {TARGET_MS} ms")
    worst = 0.0
    try:
        for who, url, label in pages:
            client = {"admin": admin, "office": office}.get(who) or httpx.Client(base_url=srv.url, timeout=120)
            t = time.perf_counter()
            r = client.get(url)
            first = (time.perf_counter() - t) * 1000
            assert r.status_code == 200, (url, r.status_code)
            runs, cpus = [], []
            for _ in range(args.runs):
                t, c = time.perf_counter(), time.process_time()
                client.get(url)
                runs.append((time.perf_counter() - t) * 1000)
                cpus.append((time.process_time() - c) * 1000)
            median, cpu = statistics.median(runs), statistics.median(cpus)
            worst = max(worst, median)
            lib = ""
            if url in baseline:  # the library call alone, timed in turn with the page
                libs = []
                for _ in range(max(3, args.runs // 2)):
                    t = time.perf_counter()
                    baseline[url]()
                    libs.append((time.perf_counter() - t) * 1000)
                lib_ms = statistics.median(libs)
                lib = f"{lib_ms:10.0f} {median / lib_ms:6.2f}"
            print(f"{label:44s} {first:8.0f} {median:9.0f} {cpu:6.0f} {lib or ' ' * 17:17s}  {'ok' if median < TARGET_MS else 'SLOW'}",
                  flush=True)
    finally:
        srv.stop()
    print(f"\nworst median {worst:.0f} ms: target {'met' if worst < TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
