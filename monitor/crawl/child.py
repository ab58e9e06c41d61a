"""Child-process entry point: `python -m monitor.crawl.child --plan plan.json --db portalwatch.db`.

The plan (crawler.plan.CrawlPlan, written by monitor.crawl.local) holds the settings, the sites,
how deep to walk each and the crawl's clock (`now`, when pinned); `--config sites.toml [--site
ID]` builds a full-walk plan instead (a convenience for running a crawl by hand). With `--db` the spider reads stored articles through
monitor.store.reads.Reader and the items go to monitor.crawl.pipeline.StorePipeline; without it
nothing is stored (`--feed` keeps the items).

Each crawl runs in its own process because the Twisted reactor cannot restart in one process.
Exit status: 0 crawl finished (or stopped because another run took over every site's lease), 2
configuration error, 3 the crawl was interrupted, 4 storing failed (the database cannot be opened or
written: the last stderr line says why, "error: disk full: …"; the crawl stops at the first batch
that cannot be stored).

Started by monitor.crawl.local (PORTALWATCH_PARENT_PID set), the child dies with its parent: told by
the kernel (Linux PR_SET_PDEATHSIG, SIGUSR1) or by its own parent watch, it stops the crawl
like Ctrl-C (SIGTERM to itself: the crawl rows become 'aborted'); if that takes longer than
ORPHAN_GRACE seconds it marks its rows aborted and exits at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import sys
import threading
import time

from scrapy.crawler import CrawlerProcess

from crawler.plan import CrawlPlan
from crawler.run_settings import crawl_settings
from crawler.spiders.portal import PortalSpider
from monitor import procs
from monitor.config import ConfigError, load_config
from monitor.crawl.pipeline import STORAGE_ERROR_STAT, StorePipeline
from monitor.crawl.planner import build_plan
from monitor.store.db import Store
from monitor.store.dbfile import explain
from monitor.store.reads import Reader

ORPHAN_GRACE = 10.0  # seconds for a graceful stop once the parent is gone
STORAGE_FAILED = 4  # exit status: the database could not be opened or written


def die_with_parent(db_path: str | None) -> None:
    """When started by a portalwatch parent, do not outlive it (see the module docstring)."""
    parent = os.environ.get(procs.PARENT_ENV, "")
    if not parent.isdigit():
        return
    parent_pid = int(parent)
    once = threading.Lock()

    def orphaned(*_args) -> None:
        if not once.acquire(blocking=False):
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):  # the parent's pipes are gone: writing progress or logs must not fail
            os.dup2(devnull, fd)
        os.kill(os.getpid(), signal.SIGTERM)  # Scrapy's graceful stop: rows become 'aborted'
        threading.Thread(target=_hard_stop, args=(db_path,), daemon=True).start()

    signal.signal(signal.SIGUSR1, orphaned)
    procs.pdeathsig(signal.SIGUSR1)
    if os.getppid() != parent_pid:  # the parent died before we could ask
        sys.exit(3)
    procs.watch_parent(parent_pid, orphaned)


def _hard_stop(db_path: str | None) -> None:
    """The graceful stop took too long: mark this process's crawl rows aborted and exit."""
    time.sleep(ORPHAN_GRACE)
    try:
        if db_path:
            store = Store(db_path)
            try:
                store.mark_aborted([os.getpid()], "the parent process ended")
            finally:
                store.close()
    finally:
        os._exit(3)


def store_into(settings, db) -> Reader:
    """Wire a crawl to the database: StorePipeline writes the items into `db` (created and
    migrated here), robots.txt is kept in `<db>.robots/` (crawler.robots), and the Reader returned is the spider's `stored` (its per-page lookups)."""
    Store(db).close()
    settings.set("PORTALWATCH_DB", str(db), priority="cmdline")
    settings.set("ITEM_PIPELINES", {StorePipeline: 300}, priority="cmdline")
    settings.set("PORTALWATCH_ROBOTS_CACHE", f"{db}.robots", priority="cmdline")  # robots.txt between crawls
    return Reader(db)


def load_plan(args) -> CrawlPlan:
    """The plan of this run: --plan FILE (or -, stdin), or one built from --config/--site."""
    if args.plan:
        text = sys.stdin.read() if args.plan == "-" else open(args.plan, encoding="utf-8").read()
        plan = CrawlPlan.from_json(text)
        if args.site:
            wanted = set(args.site)
            plan.sites = [s for s in plan.sites if s.id in wanted or wanted & set(s.aliases)]
        return plan
    return build_plan(load_config(args.config), None, args.site, walks=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m monitor.crawl.child", description=__doc__)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--plan", help="the crawl plan (JSON, see crawler.plan); - reads stdin")
    src.add_argument("--config", help="sites.toml: crawl its enabled (or --site) sites, full walks")
    ap.add_argument("--db", help="the SQLite database to read and store into (none: store nothing)")
    ap.add_argument("--site", action="append", default=[])
    ap.add_argument("--feed", help="also export every item as JSON Lines to this file (crawler.items.from_dict reads them)")
    ap.add_argument("--progress", action="store_true", help="JSON progress lines on stdout")
    ap.add_argument("--log-level", default=None)
    args = ap.parse_args(argv)
    die_with_parent(args.db)
    try:
        plan = load_plan(args)
    except (ConfigError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not plan.sites:
        print("error: no enabled sites to crawl", file=sys.stderr)
        return 2
    if plan.now:  # the plan's pinned clock: everything this crawl stamps is at that time
        os.environ["PORTALWATCH_NOW"] = plan.now
    settings = crawl_settings(plan, progress=args.progress)
    stored = None
    if args.db:
        try:
            stored = store_into(settings, args.db)
        except (OSError, sqlite3.Error) as e:
            print(f"error: {explain(args.db, e)}", file=sys.stderr)
            return STORAGE_FAILED
    if args.feed:
        settings.set("FEEDS", {args.feed: {"format": "jsonlines", "encoding": "utf8"}}, priority="cmdline")
    if args.log_level:
        settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, plan=plan, stored=stored)
    process.start()
    stats = crawler.stats
    if stats is not None and stats.get_value(STORAGE_ERROR_STAT):
        print(f"error: {stats.get_value(STORAGE_ERROR_STAT)}", file=sys.stderr)
        return STORAGE_FAILED
    reason = stats.get_value("finish_reason") if stats else None
    # lease_lost: another run took every site over (its rows say so); nothing of this run failed
    return 0 if reason in ("finished", "lease_lost") else 3


if __name__ == "__main__":
    sys.exit(main())
