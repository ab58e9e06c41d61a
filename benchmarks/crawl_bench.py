"""Crawl benchmark: the full pipeline vs a bare Scrapy spider on the same simulated portal.

    python -m benchmarks.crawl_bench [--articles-per-site 560] [--rounds 2]

The simulator runs in its own process. Each crawl runs in a fresh child process with the same
Scrapy settings (concurrency, AutoThrottle, robots.txt):

- full: portalwatch's spider, profiles and pipeline, storing into a fresh SQLite file;
- bare: the spider a person would write in ten minutes: follow list pages and article links,
  yield a dict per article with `response.css()` title, date line and view count; no storage;
- fetch: the same link-following spider that does not even look at article pages (the floor).

Runs alternate (bare, fetch, full, …) so machine noise hits all; pages/s, the ratio full/bare
(the target, ≥ 0.80) and full/fetch are printed per round and overall, with peak memory.
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

from benchmarks._national import ROOT, serve_core_simulator

ARTICLE_RE = re.compile(r"/-/view_content/\d+|/Pages/\d{4}-\d{1,2}-\d{1,2}/|/post/\d+/|-\d+\.html$")
PAGER_RE = re.compile(r"_cur=\d+|PageIndex=\d+|[?&]page=\d+|[?&]p=\d+|/trang-\d+")


def _child(kind: str, config: str, db: str) -> None:
    """Run one crawl in this process and print {pages, seconds, maxrss_mb} as JSON."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.run_settings import crawl_settings
    from monitor.config import load_config
    from monitor.crawl.child import store_into
    from monitor.crawl.planner import build_plan

    cfg = load_config(config)
    plan = build_plan(cfg, None, None, walks=False)  # what monitor.crawl.runner hands the child
    settings = crawl_settings(plan)
    timing: dict[str, float] = {}

    date_re = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}")
    views_re = re.compile(r"(?:View count|Lượt xem|Lượt đọc)\s*:?\s*([\d.,]+)", re.I)

    class BareSpider(scrapy.Spider):
        """Follows list pagination and article links, yields a plain dict per article."""

        name = "bare"
        extract = kind == "bare"
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
            if not self.extract:
                return None
            text = " ".join(response.css("body *:not(script):not(style)::text").getall())
            date, views = date_re.search(text), views_re.search(text)
            return [{
                "url": response.url,
                "title": (response.css("h1::text").get() or response.css("title::text").get() or "").strip(),
                "date": date.group(0) if date else None,
                "views": int(views.group(1).replace(".", "").replace(",", "")) if views else None,
                "body": "\n".join(t.strip() for t in response.css("p::text").getall() if t.strip()),
            }]

    stored = store_into(settings, db) if kind == "full" else None  # the monitor's pipeline and Reader
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    if kind != "full":
        crawler = process.create_crawler(BareSpider)
        kwargs = {}
    else:
        crawler = process.create_crawler("portal")
        kwargs = {"plan": plan, "stored": stored}
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
    ap.add_argument("--child", choices=["full", "bare", "fetch"], help=argparse.SUPPRESS)
    ap.add_argument("--config", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.config, args.db)
        return 0

    from monitor.demo import simulator_config
    from simulator import Simulator

    sim_proc, base_url = serve_core_simulator(args.articles_per_site)
    try:
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
        kinds = ("bare", "fetch", "full")
        print(f"{'round':>5} " + " ".join(f"{k + ' p/s':>10}" for k in kinds) + f" {'full/bare':>10} {'full/fetch':>10}")
        runs: dict[str, list[dict]] = {k: [] for k in kinds}
        for r in range(1, args.rounds + 1):
            rates = {}
            for k in kinds:
                res = _run_child(k, config, tmp / f"{k}-{r}.db")
                runs[k].append(res)
                rates[k] = res["pages"] / res["seconds"]
            print(f"{r:>5} " + " ".join(f"{rates[k]:>10.0f}" for k in kinds)
                  + f" {rates['full'] / rates['bare']:>10.2f} {rates['full'] / rates['fetch']:>10.2f}")
        import sqlite3

        stored = sqlite3.connect(tmp / f"full-{args.rounds}.db").execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        total = {k: sum(x["pages"] for x in v) / sum(x["seconds"] for x in v) for k, v in runs.items()}
        print(f"\noverall pages/s: bare {total['bare']:.0f}, fetch-only {total['fetch']:.0f}, full pipeline "
              f"{total['full']:.0f}; full/bare {total['full'] / total['bare']:.2f} (target ≥ 0.80), "
              f"full/fetch {total['full'] / total['fetch']:.2f}")
        print(f"pages per run: bare {runs['bare'][-1]['pages']}, fetch {runs['fetch'][-1]['pages']}, "
              f"full {runs['full'][-1]['pages']}; articles stored by the last full run: {stored}/{n_articles}")
        print("peak memory (MB): " + ", ".join(f"{k} {max(x['maxrss_mb'] for x in v):.0f}" for k, v in runs.items()))
        print("CPU ms per page: " + ", ".join(
            f"{k} {1000 * sum(x['cpu_s'] for x in v) / sum(x['pages'] for x in v):.2f}" for k, v in runs.items()))
    finally:
        sim_proc.terminate()
        sim_proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
