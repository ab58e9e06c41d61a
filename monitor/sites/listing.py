"""The configured sites with their last crawl and stored article count, then the [[unit]]s (no
portal, never crawled) (`portalwatch sites list`): the rows, and the same rows as tab-separated
lines or a terminal table."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from rich import box
from rich.table import Table

from crawler.clock import local
from monitor.config import Config
from monitor.terminal import printable, term

COLUMNS = ["id", "name", "level", "parent", "profile", "articles", "last crawl (VN)", "outcome"]
NARROW_DROPS = ("level", "profile")  # given way in a narrow terminal: ids are never cut

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


def _cells(r: dict) -> dict[str, str]:
    cells = {"id": r["id"], "name": r["name"], "level": r["level"] or "", "parent": r["parent"] or "",
             "profile": r["profile"] or "", "articles": str(r["articles"]),
             "last crawl (VN)": local(r["last_crawl"]) if r["last_crawl"] else "never",
             "outcome": r["last_outcome"] or ("" if r["enabled"] else "disabled")}
    if r.get("kind") == "unit":  # a [[unit]]: no portal
        cells.update({"articles": "", "last crawl (VN)": "not crawled", "outcome": "unit, no URL"})
    return cells


def plain_lines(rows: list[dict]) -> Iterator[str]:
    """The header, then one tab-separated line per site: nothing cut, whitespace folded, controls visible."""
    yield "\t".join(COLUMNS)
    for r in rows:
        yield "\t".join(printable(" ".join(v.split())) for v in _cells(r).values())


def site_table(rows: list[dict], title: str, narrow: bool = False) -> Table:
    """The rows as a rich table (`title` is printed as markup); `narrow` leaves out level and profile."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for col in COLUMNS:
        if narrow and col in NARROW_DROPS:
            continue
        table.add_column(col, no_wrap=col != "name", justify="right" if col == "articles" else "left",
                         min_width=10 if col == "name" else None)
    for r in rows:
        cells = _cells(r)
        cells["id"] += "" if r["enabled"] else " [dim](unit)[/]" if r.get("kind") == "unit" else " [dim](off)[/]"
        cells["name"] = term(cells["name"])
        table.add_row(*(v for k, v in cells.items() if not (narrow and k in NARROW_DROPS)))
    return table
