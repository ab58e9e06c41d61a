"""The crawl rows of one run as a table for a terminal (used by `portalwatch crawl` and the demo),
and the sites it skipped because another run was crawling them."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from monitor.terminal import term

_COLORS = {"ok": "green", "partial": "yellow", "failed": "red", "aborted": "red"}


def print_crawl_summary(crawls: list[dict], console: Console, skipped: dict[str, str] | None = None) -> None:
    """One line per site crawl (outcome, pages, articles seen, new, updated, views changed, errors),
    one 'skipped' line per site another run holds, then each site's error summary and skip reason."""
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
    for sid in skipped or {}:
        table.add_row(term(sid), "[cyan]skipped[/]", *["–"] * 6)
    console.print(table)
    for c in crawls:
        if c.get("error_summary"):
            console.print(f"[yellow]{c['site_id']}[/]: {term(c['error_summary'])}")
    print_skipped(skipped or {}, console)


def print_skipped(skipped: dict[str, str], console: Console) -> None:
    """Why each skipped site was not crawled (bỏ qua: another run is crawling it), one line each."""
    for sid, why in skipped.items():
        console.print(f"[cyan]{term(sid)}[/]: bỏ qua, đang được thu thập — skipped, {term(why)}", soft_wrap=True)
