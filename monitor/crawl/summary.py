"""The crawl rows of one run as a table for a terminal (used by `portalwatch crawl` and the demo)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from monitor.terminal import term

_COLORS = {"ok": "green", "partial": "yellow", "failed": "red", "aborted": "red"}


def print_crawl_summary(crawls: list[dict], console: Console) -> None:
    """One line per site crawl (outcome, pages, articles seen, new, updated, views changed, errors),
    then each site's error summary."""
    table = Table(title="Crawl", show_lines=False)
    for col in ("site", "outcome", "pages", "seen", "new", "updated", "views changed", "errors"):
        table.add_column(col, justify="right" if col not in ("site", "outcome") else "left", no_wrap=col == "site")
    for c in crawls:
        table.add_row(
            c["site_id"],
            f"[{_COLORS.get(c['outcome'], 'white')}]{c['outcome']}[/]",
            str(c["pages_fetched"]), str(c["articles_seen"]), str(c["articles_new"]),
            str(c["articles_updated"]), str(c["views_changed"]), str(c["errors"]),
        )
    console.print(table)
    for c in crawls:
        if c.get("error_summary"):
            console.print(f"[yellow]{c['site_id']}[/]: {term(c['error_summary'])}")
