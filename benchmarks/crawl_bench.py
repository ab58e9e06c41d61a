"""Crawl benchmark: the full pipeline vs a bare Scrapy spider on the same simulated portal.

    python -m benchmarks.crawl_bench [--articles-per-site 560] [--rounds 2]

The simulator runs in its own process. Each crawl runs in a fresh child process with the same
Scrapy settings (concurrency, AutoThrottle, robots.txt); the full pipeline extracts every field
and stores into a fresh SQLite file, the bare spider only follows links (list pages → article
pages) and stores nothing. Runs alternate (bare, full, bare, full …) so machine noise hits both;
the ratio of pages/s is printed per round and overall, with each child's peak memory.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent

ARTICLE_RE = re.compile(r"/-/view_content/\d+|/Pages/\d{4}-\d{1,2}-\d{1,2}/|/post/\d+/|-\d+\.html$")
PAGER_RE = re.compile(r"_cur=\d+|PageIndex=\d+|[?&]page=\d+|[?&]p=\d+|/trang-\d+")


def _child(kind: str, config: str, db: str) -> None:
    """Run one crawl in this process and print {pages, seconds, maxrss_mb} as JSON."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.run import crawl_settings
    from monitor.config import load_config

    cfg = load_config(config)
    settings = crawl_settings(cfg, cfg.sites)
    timing: dict[str, float] = {}

    class BareSpider(scrapy.Spider):
        """Follows list pagination and article links; no extraction, no items, no storage."""

        name = "bare"
        prefixes = tuple(urlsplit(s.start_urls[0]).path.rsplit("/", 1)[0] for s in cfg.sites)

        async def start(self):
            for s in cfg.sites:
                for u in s.start_urls:
                    yield scrapy.Request(u, callback=self.parse_list)

        def parse_list(self, response):
            for href in response.xpath("//a/@href").getall():
                url = urljoin(response.url, href)
                path = urlsplit(url).path
                if not path.startswith(self.prefixes):
                    continue
                if ARTICLE_RE.search(url):
                    yield scrapy.Request(url, callback=self.parse_article)
                elif PAGER_RE.search(url):
                    yield scrapy.Request(url, callback=self.parse_list)

        def parse_article(self, response):
            return None

    if kind == "bare":
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        settings.set("EXTENSIONS", {}, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    if kind == "bare":
        crawler = process.create_crawler(BareSpider)
        kwargs = {}
    else:
        crawler = process.create_crawler("portal")
        kwargs = {"config": config, "db": db}
    def opened():
        timing["open"] = time.perf_counter()

    def closed():
        timing["close"] = time.perf_counter()

    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, **kwargs)
    process.start()
    pages = crawler.stats.get_value("downloader/response_count", 0)
    seconds = timing["close"] - timing["open"]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"pages": pages, "seconds": seconds, "maxrss_mb": usage.ru_maxrss / 1024,
                      "cpu_s": usage.ru_utime + usage.ru_stime}))


def _run_child(kind: str, config: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.crawl_bench", "--child", kind, "--config", str(config), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles-per-site", type=int, default=560)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--child", choices=["full", "bare"], help=argparse.SUPPRESS)
    ap.add_argument("--config", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.config, args.db)
        return 0

    from monitor.demo import simulator_config
    from simulator import Simulator

    sim_proc = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--quiet", "--articles-per-site", str(args.articles_per_site)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        base_url = sim_proc.stdout.readline().strip()
        sim = Simulator(articles_per_site=args.articles_per_site)  # same seed: the same world, for its sites.toml
        n_articles = sim.total_articles()
        tmp = Path(tempfile.mkdtemp(prefix="pw-bench-"))
        config = tmp / "sites.toml"
        text = simulator_config(sim, base_url, recipients=False)
        text = text.replace("concurrency = 16", f"concurrency = {args.concurrency}")
        text = text.replace("concurrency_per_domain = 8", f"concurrency_per_domain = {args.concurrency}")
        text = text.replace("\nprofile = ", "\nmax_pages = 1000\nprofile = ")
        config.write_text(text, encoding="utf-8")
        print(f"simulated portal: {len(sim.sites)} sites, {n_articles} articles at {base_url}; "
              f"concurrency {args.concurrency}; {args.rounds} rounds\n")
        print(f"{'round':>5} {'bare pages':>10} {'bare p/s':>9} {'bare MB':>8} | {'full pages':>10} {'full p/s':>9} {'full MB':>8} | ratio")
        ratios, bare_all, full_all = [], [], []
        for r in range(1, args.rounds + 1):
            bare = _run_child("bare", config, tmp / f"bare-{r}.db")
            full = _run_child("full", config, tmp / f"full-{r}.db")
            b, f = bare["pages"] / bare["seconds"], full["pages"] / full["seconds"]
            ratios.append(f / b)
            bare_all.append(bare)
            full_all.append(full)
            print(f"{r:>5} {bare['pages']:>10} {b:>9.0f} {bare['maxrss_mb']:>8.0f} | {full['pages']:>10} {f:>9.0f} "
                  f"{full['maxrss_mb']:>8.0f} | {f / b:.2f}")
        import sqlite3

        stored = sqlite3.connect(tmp / f"full-{args.rounds}.db").execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        tb = sum(x["pages"] for x in bare_all) / sum(x["seconds"] for x in bare_all)
        tf = sum(x["pages"] for x in full_all) / sum(x["seconds"] for x in full_all)
        print(f"\noverall: bare {tb:.0f} pages/s, full pipeline {tf:.0f} pages/s, ratio {tf / tb:.2f} "
              f"(target ≥ 0.80); articles stored by the last full run: {stored}/{n_articles}")
        print(f"peak memory: bare {max(x['maxrss_mb'] for x in bare_all):.0f} MB, "
              f"full {max(x['maxrss_mb'] for x in full_all):.0f} MB")
    finally:
        sim_proc.terminate()
        sim_proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
