"""The configured sites with their last crawl and stored article count, then the [[unit]]s (no
portal, never crawled): the rows of `portalwatch sites list` (the command shows them as a table or
tab-separated lines)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from monitor.config import Config

LAST_CRAWLS = (
    "SELECT c.site_id, c.started_at, c.outcome, c.articles_new, c.errors,"
    " (SELECT COUNT(*) FROM articles a WHERE a.site_id = c.site_id) AS articles"
    " FROM crawls c WHERE c.id IN (SELECT MAX(id) FROM crawls GROUP BY site_id)"
)


def last_crawls(conn: sqlite3.Connection) -> dict[str, dict]:
    """site id -> its newest crawl (started_at, outcome, articles_new, errors) and stored articles."""
    cur = conn.execute(LAST_CRAWLS)
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cur}


def site_rows(config: Config, db_path: str | Path) -> list[dict]:
    """One row per configured site, in the file's order, then one per [[unit]]: kind ("site" or
    "unit"), id, name, level, parent, profile, enabled, start_url, articles, last_crawl,
    last_outcome (no crawl yet, or no database: 0 and None; a unit: no profile, no URL, not enabled)."""
    last: dict[str, dict] = {}
    if Path(db_path).exists():
        from monitor.store.connect import open_db

        with closing(open_db(db_path)) as db:
            last = last_crawls(db.conn)
    rows = []
    for s in config.sites:
        lc = last.get(s.id, {})
        rows.append({
            "kind": "site", "id": s.id, "name": s.name, "level": s.level, "parent": s.parent, "profile": s.profile,
            "enabled": s.enabled, "start_url": s.start_urls[0], "articles": lc.get("articles", 0),
            "last_crawl": lc.get("started_at"), "last_outcome": lc.get("outcome"),
        })
    for u in config.units:
        rows.append({"kind": "unit", "id": u.id, "name": u.name, "level": u.level, "parent": u.parent, "profile": None,
                     "enabled": False, "start_url": None, "articles": 0, "last_crawl": None, "last_outcome": None})
    return rows
