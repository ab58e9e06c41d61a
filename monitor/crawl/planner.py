"""Building the crawl plan (crawler.plan.CrawlPlan), once per crawl, from a loaded Config.

sites.toml is parsed by the caller (monitor.config.load_config); here the sites are chosen, the
walk depth of every site is decided (revisit policy + the last full walk in the `crawls` table),
the crawl's clock is pinned when asked and, for nodes that hold no database, optionally the known
articles of each site are put into the plan.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from crawler import clock
from crawler.plan import CrawlPlan
from crawler.revisit import RevisitPolicy
from monitor.config import Config
from monitor.store.connect import open_db
from monitor.store.reads import Reader


def last_full_walks(db_path: str | os.PathLike, site_ids: list[str]) -> dict[str, str]:
    """Clock time of each site's last finished full list walk (manual crawls are full walks)."""
    if not Path(db_path).exists():
        return {}
    db = open_db(db_path)
    try:
        rows = db.conn.execute(
            "SELECT site_id, MAX(started_at) FROM crawls WHERE outcome IN ('ok', 'partial')"
            " AND COALESCE(list_walk, 'full') = 'full' GROUP BY site_id"
        ).fetchall()
    finally:
        db.conn.close()
    wanted = set(site_ids)
    return {s: t for s, t in rows if s in wanted}


def plan_walks(config: Config, db_path, site_ids: list[str], now: datetime) -> dict[str, int | None]:
    """Pages per list for each site this run: None = the site's own max_pages (a full walk)."""
    last = last_full_walks(db_path, site_ids)
    out: dict[str, int | None] = {}
    for sid in site_ids:
        site = config.site(sid)
        pages, full = RevisitPolicy.from_config(site.revisit).list_depth(site.max_pages, last.get(sid), now)
        out[sid] = None if full else pages
    return out


def build_plan(
    config: Config,
    db_path: str | os.PathLike | None,
    site_ids: list[str] | None,
    now: datetime | None = None,
    *,
    walks: bool = True,
    with_known: bool = False,
) -> CrawlPlan:
    """The plan for crawling these sites (None: every enabled site).

    `now` pins the crawl's clock (a replay, a simulation): the walks are decided at that time and
    the crawl stamps it on what it stores; None: the clock as it runs (`clock.now()`).
    `walks=False`: every site walks its lists fully (a manual `portalwatch crawl`); otherwise
    each site's revisit policy decides (the service). `with_known`: put each site's stored
    articles into the plan, for a crawl node that has no database.
    """
    sites = config.select(site_ids)
    ids = [s.id for s in sites]
    pinned = now
    now = now or clock.now()
    pages: dict[str, int | None] = plan_walks(config, db_path, ids, now) if walks and db_path else dict.fromkeys(ids)
    known = None
    if with_known and db_path and Path(db_path).exists():
        reader = Reader(db_path)
        try:
            known = {sid: reader.known_articles(sid) for sid in ids}
        finally:
            reader.close()
    return CrawlPlan(
        settings=config.settings, sites=sites, pages=pages,
        list_walk={sid: "full" if pages.get(sid) is None else "shallow" for sid in ids},
        known=known, planned_at=clock.iso(now), units=[*(s for s in config.sites if s.id not in set(ids)), *config.units],
        now=None if pinned is None else clock.iso(pinned),
    )
