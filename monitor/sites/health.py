"""`portalwatch sites health`: the configured sites' status (monitor/detect/site_status.py) read from the
database, or from an empty one before the first crawl; and the same rows as a terminal table,
worst first, with the next step for each site in trouble."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from rich.table import Table

from crawler.clock import local
from monitor.config import Config
from monitor.detect.site_status import SiteHealth, site_health, worst_first
from monitor.terminal import safe

STATUS_STYLE = {"ok": "green", "partial": "yellow", "never_crawled": "dim", "failing": "yellow",
                "extraction_broken": "red", "unreachable": "red"}
COLUMNS = ("site", "status", "last success (VN)", "fails", "seen", "no date now/usual", "no views now/usual", "sample")


def _connect(db_path: str | Path) -> sqlite3.Connection:
    """The database, or an empty in-memory one when nothing was crawled yet."""
    from monitor.store.connect import open_db
    from monitor.store.schema import migrate

    if Path(db_path).exists():
        return open_db(db_path).conn
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    return conn


def health_rows(db_path: str | Path, config: Config, site_ids: Iterable[str] = (),
                problems: bool = False) -> list[SiteHealth]:
    """Each configured site's health in the file's order; only `site_ids` (ids or former ids, an
    unknown one is a ConfigError) when given, only the sites that are not ok with `problems`."""
    wanted = {config.site(i).id for i in site_ids}
    with closing(_connect(db_path)) as conn:
        rows = site_health(conn, config)
    return [r for r in rows if (not wanted or r.site_id in wanted) and (not problems or r.status != "ok")]


def _share(r: SiteHealth, key: str) -> str:
    f = r.missing.get(key)
    if f is None:
        return ""
    usual = "—" if f.usual is None else f"{round(f.usual * 100)}%"
    text = f"{round(f.share * 100)}% / {usual}"
    return f"[red]{text}[/]" if f.broken else text


def health_table(rows: list[SiteHealth]) -> Table:
    """The rows, worst first, as a rich table."""
    t = Table(title=f"Site health ({len(rows)} site(s))")
    for c in COLUMNS:
        t.add_column(c, no_wrap=c in ("site", "status", "last success (VN)"))
    for r in worst_first(rows):
        style = STATUS_STYLE.get(r.status, "white")
        t.add_row(r.site_id + ("" if r.enabled else " [dim](disabled)[/]"), f"[{style}]{r.status}[/]",
                  local(r.last_success_at) if r.last_success_at else "never", str(r.failure_streak),
                  "" if r.articles_seen is None else str(r.articles_seen), _share(r, "date"), _share(r, "views"),
                  f"#{r.sample_id}" if r.sample_id else "")
    return t


def next_steps(rows: list[SiteHealth]) -> list[str]:
    """One markup line per site in trouble, worst first: what is wrong (page text made safe) and,
    for broken extraction, the `sites check` command that reruns it on the kept page."""
    out = []
    for r in worst_first(rows):
        if r.status in ("ok", "never_crawled"):
            continue
        hint = ""
        if r.status == "extraction_broken":
            hint = (f" → portalwatch sites check {r.site_id} --sample {r.sample_id}" if r.sample_id
                    else f" → portalwatch sites check {r.site_id} --keep")
        out.append(f"[{STATUS_STYLE.get(r.status, 'white')}]{r.site_id}[/]: {safe(r.detail)}{hint}")
    return out
