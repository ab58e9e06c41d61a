"""portalwatch against a bare Scrapy spider on a static portal, a first and a second crawl.

    python -m benchmarks.speed_bench [--rounds 5] [--articles 3000] [--per-page 20]

Generates a static portal in a temporary folder (`--articles` article pages printing
"Ngày đăng dd/mm/yyyy | View count: N", list pages of `--per-page` items that print each item's
date and count, "Tiếp" pagers) and serves it with `twistd web` on 127.0.0.1. Each round:

1. first crawl: the bare spider and `portalwatch crawl` (a fresh database; explicit selectors,
   concurrency 32 in total and per host, delay 0, robots.txt off) run one after the other, in
   alternating order from round to round;
2. every article's count changes (the files are rewritten);
3. second crawl: the bare spider again, and `portalwatch crawl` into the same database; the
   database is then checked: every article's last view reading must be its new count.

The bare spider is what a person writes in ten minutes: follow the pager, fetch every article,
read the count with a regex; no storage. Times are each command's wall time (process start to
exit: the CLI, its child, detection after the crawl, for portalwatch; the interpreter and the
crawl for bare). The ratio is articles read per second, portalwatch ÷ bare (for a first crawl
the same as pages per second: both fetch every list and article page). `--before DIR` times
another checkout of portalwatch too, side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWS_RE = re.compile(r"View count:\s*([\d.,]+)")

LIST = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tin tức - trang {page}</title></head>
<body><div id="main"><h2>Tin tức</h2>
{items}
<div class="pager">{pager}</div></div><div class="footer">Cổng thông tin điện tử</div></body></html>
"""
ITEM = """<div class="item"><h3><a href="{href}">{title}</a></h3>
<div class="info"><span class="date">{date}</span> | <span class="views">View count: {views}</span></div>
<p class="summary">Tóm tắt bài {n}: hoạt động của phường trong tuần.</p></div>
"""
ARTICLE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="breadcrumb"><a href="../news/trang-1.html">Trang chủ</a> <span class="cat">Tin tức</span></div>
<div id="main"><h1 class="title">{title}</h1>
<div class="meta">Ngày đăng {date} | View count: {views}</div>
<div class="body">{body}</div></div><div class="footer">Cổng thông tin điện tử</div></body></html>
"""
PARA = ("<p>Sáng nay, Ủy ban nhân dân phường tổ chức hội nghị triển khai nhiệm vụ {n}, "
        "với sự tham dự của đại diện các tổ dân phố, các ban ngành đoàn thể và người dân.</p>")


def _date(n: int) -> str:
    """Article n's publication: one every 3 hours back from a fixed recent time (Vietnam time)."""
    t = datetime(2026, 12, 1, 9, 0) - timedelta(hours=3 * n)
    return t.strftime("%d/%m/%Y %H:%M")


def write_portal(folder: Path, articles: int, per_page: int, counts: list[int]) -> int:
    """Write the list and article pages with these counts; return the number of list pages."""
    news = folder / "news"
    news.mkdir(parents=True, exist_ok=True)
    pages = (articles + per_page - 1) // per_page
    for n in range(articles):
        title = f"Hội nghị triển khai nhiệm vụ số {n} của phường"
        body = "\n".join(PARA.format(n=n) for _ in range(6))
        (news / f"bai-{n}.html").write_text(
            ARTICLE.format(title=title, date=_date(n), views=counts[n], body=body), encoding="utf-8")
    for p in range(1, pages + 1):
        items = "".join(
            ITEM.format(href=f"bai-{n}.html", title=f"Hội nghị triển khai nhiệm vụ số {n} của phường",
                        date=_date(n), views=counts[n], n=n)
            for n in range((p - 1) * per_page, min(p * per_page, articles)))
        pager = f'<span class="current">{p}</span>'
        if p < pages:
            pager += f' <a href="trang-{p + 1}.html">{p + 1}</a> <a class="next" href="trang-{p + 1}.html">Tiếp</a>'
        (news / f"trang-{p}.html").write_text(LIST.format(page=p, items=items, pager=pager), encoding="utf-8")
    return pages


SITES_TOML = """[portalwatch]
delay = 0
concurrency = 32
concurrency_per_domain = 32
obey_robots = false
retries = 1

[[site]]
id = "static"
name = "Phường Tĩnh"
level = "ward"
start_urls = ["{base}/news/trang-1.html"]
profile = "auto"
max_pages = 100000

[site.selectors]
list_item = "div.item"
item_link = "h3 a"
item_date = "span.date"
item_views = "span.views"
next_page = "a.next"
title = "h1.title"
date = "div.meta"
views = "div.meta"
body = "div.body"
category = "span.cat"
"""


# -- the bare spider (run as `--bare URL` in a child process) --------------------------------------
def bare(start_url: str) -> None:
    """Follow the pager, fetch every article, read its count with a regex; print pages and counts."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    counts: dict[str, int] = {}

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [start_url]

        def parse(self, response):
            for href in response.css("div.item h3 a::attr(href)").getall():
                yield response.follow(href, self.parse_article)
            nxt = response.css("a.next::attr(href)").get()
            if nxt:
                yield response.follow(nxt, self.parse)

        def parse_article(self, response):
            m = VIEWS_RE.search(response.text)
            counts[response.url] = int(m.group(1)) if m else -1

    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32, "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False, "RETRY_TIMES": 1,
    })
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    print(json.dumps({"pages": crawler.stats.get_value("downloader/response_count", 0),
                      "articles": len(counts), "bad": sum(1 for v in counts.values() if v < 0)}))


# -- the parent ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    """`twistd web` serving `folder` on a free 127.0.0.1 port; waits until it answers."""
    port = _free_port()
    twistd = Path(sys.executable).with_name("twistd")
    proc = subprocess.Popen(
        [str(twistd), "-n", "--pidfile=", "-l", str(folder.parent / "twistd.log"), "web", "--path", str(folder),
         "--listen", f"tcp:{port}:interface=127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"twistd web did not start on port {port} (see {folder.parent / 'twistd.log'})") from None
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def timed(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the command and its children, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {out.returncode}:\n{out.stderr[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, out.stdout


def stored_ok(db: Path, counts: list[int]) -> tuple[int, int]:
    """(articles whose last view reading is their current count, view readings in all)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT a.url, (SELECT v.views FROM view_counts v WHERE v.article_id = a.id"
            " ORDER BY v.observed_at DESC, v.id DESC LIMIT 1) FROM articles a").fetchall()
        readings = conn.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0]
    finally:
        conn.close()
    good = 0
    for url, views in rows:
        m = re.search(r"bai-(\d+)\.html$", url)
        good += bool(m and views == counts[int(m.group(1))])
    return good, readings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--per-page", type=int, default=20)
    ap.add_argument("--portalwatch", default=str(Path(sys.executable).with_name("portalwatch")),
                    help="the portalwatch command to time (default: this environment's)")
    ap.add_argument("--before", metavar="DIR", help="another checkout of portalwatch (e.g. a `git worktree` of an "
                    "older commit), timed the same way with this environment's packages")
    ap.add_argument("--bare", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.bare:
        bare(args.bare)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="pw-speed-"))
    web = tmp / "web"
    rng = random.Random(19)
    counts = [rng.randint(50, 5000) for _ in range(args.articles)]
    n_lists = write_portal(web, args.articles, args.per_page, counts)
    server, base = serve(web)
    config = tmp / "sites.toml"
    config.write_text(SITES_TOML.replace("{base}", base), encoding="utf-8")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("PORTALWATCH_NOW", None)
    kinds = {"portalwatch": [args.portalwatch]}
    if args.before:
        kinds["before"] = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
                           "from monitor.cli import main; main()", args.before]
    print(f"static portal: {args.articles} articles, {n_lists} list pages at {base}; {args.rounds} rounds; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}\n")
    results: dict[str, dict[str, list[tuple[float, float]]]] = {c: {k: [] for k in ("bare", *kinds)} for c in ("first", "second")}
    try:
        for r in range(1, args.rounds + 1):
            counts = [rng.randint(50, 5000) for _ in range(args.articles)]
            write_portal(web, args.articles, args.per_page, counts)
            time.sleep(1.1)  # Last-Modified has whole seconds: the next rewrite must be newer
            dbs = {k: tmp / f"{k}-{r}.db" for k in kinds}
            for db in dbs.values():
                for p in tmp.glob(db.name + "*"):
                    p.unlink() if p.is_file() else shutil.rmtree(p)
            line = {}
            for crawl in ("first", "second"):
                if crawl == "second":
                    counts = [c + rng.randint(1, 300) for c in counts]  # every count changes
                    write_portal(web, args.articles, args.per_page, counts)
                order = ["bare", *kinds] if r % 2 else [*kinds, "bare"]
                for k in order:
                    if k == "bare":
                        secs, cpu, out = timed([sys.executable, "-m", "benchmarks.speed_bench", "--bare",
                                           f"{base}/news/trang-1.html"], env)
                        got = json.loads(out.strip().splitlines()[-1])
                        if got["articles"] != args.articles or got["bad"]:
                            raise SystemExit(f"bare spider read {got} of {args.articles} articles")
                    else:
                        run_env = {**env, "PYTHONPATH": args.before} if k == "before" else env
                        secs, cpu, _ = timed([*kinds[k], "--config", str(config), "--db", str(dbs[k]), "crawl"], run_env,
                                             cwd=Path(args.before) if k == "before" else ROOT)  # the child: -m from cwd
                        good, _readings = stored_ok(dbs[k], counts)
                        if good != args.articles:
                            raise SystemExit(f"{k}: after the {crawl} crawl {good}/{args.articles} articles "
                                             f"hold their current count ({dbs[k]})")
                    results[crawl][k].append((secs, cpu))
                    line[(crawl, k)] = (secs, cpu)
            print(f"round {r}: " + "; ".join(
                f"{crawl}: bare {line[(crawl, 'bare')][0]:.1f}s, " + ", ".join(
                    f"{k} {line[(crawl, k)][0]:.1f}s ×{line[(crawl, 'bare')][0] / line[(crawl, k)][0]:.2f}"
                    f" (CPU ×{line[(crawl, 'bare')][1] / line[(crawl, k)][1]:.2f})" for k in kinds)
                for crawl in ("first", "second")), flush=True)
    finally:
        os.killpg(server.pid, 15)
        server.wait()
    print()
    for crawl in ("first", "second"):
        for k in kinds:
            for i, what in ((0, "wall"), (1, "CPU")):
                ratios = [b[i] / p[i] for b, p in zip(results[crawl]["bare"], results[crawl][k], strict=True)]
                print(f"{crawl} crawl, {k} ÷ bare, articles per {what} second: median ×{statistics.median(ratios):.2f} "
                      f"(range {min(ratios):.2f}–{max(ratios):.2f}; rounds {', '.join(f'{x:.2f}' for x in ratios)}); "
                      f"{what} s: bare {statistics.median(x[i] for x in results[crawl]['bare']):.1f}, "
                      f"{k} {statistics.median(x[i] for x in results[crawl][k]):.1f}")
    print(f"\nwork dir {tmp} (the portal, sites.toml, the databases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
