"""A crawl on a terminal: the live progress display (one line per site) while it runs, then its
crawl rows as a table and the sites it skipped because another run was crawling them. Used by
`portalwatch crawl` and the demo."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from monitor.cli.render.fit import Col, fit_table
from monitor.terminal import term

_COLORS = {"ok": "green", "partial": "yellow", "failed": "red", "aborted": "red"}


@contextmanager
def live_progress(console: Console, show: bool = True) -> Iterator[Callable[[dict], None] | None]:
    """While the block runs, each site's list/article pages and errors on `console`; yields the
    crawl's `on_progress` callback (None when not shown)."""
    if not show:
        yield None
        return
    with Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(bar_width=20),
        TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), console=console, transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def update(event: dict) -> None:
            for sid, s in event.get("sites", {}).items():
                if sid not in tasks:
                    tasks[sid] = progress.add_task(sid, total=None, detail="")
                detail = f"{s['lists']} list · {s['articles']} article pages · {s['seen']} seen"
                if s["errors"]:
                    detail += f" · [red]{s['errors']} errors[/red]"
                progress.update(tasks[sid], detail=detail)
            if event.get("event") == "done":
                for t in tasks.values():
                    progress.update(t, total=1, completed=1)

        yield update


def print_crawl_result(crawls: list[dict], skipped: dict[str, str], console: Console, err_console: Console,
                       as_json: bool = False) -> None:
    """The run's crawl rows: as JSON on stdout (the skipped sites on `err_console`), or the table."""
    if as_json:
        click.echo(json.dumps(crawls, ensure_ascii=False, indent=2))
        print_skipped(skipped, err_console)
    else:
        print_crawl_summary(crawls, console, skipped)


def print_crawl_summary(crawls: list[dict], console: Console, skipped: dict[str, str] | None = None) -> None:
    """One line per site crawl (outcome, pages, articles seen, new, updated, views changed, errors),
    one 'skipped' line per site another run holds, then each site's error summary and skip reason;
    fitted to the terminal with every id whole (render/fit.py)."""
    cols = [Col("site"), Col("outcome"), *(Col(c, "right") for c in ("pages", "seen", "new", "updated",
                                                                       "views changed", "errors"))]
    rows = [[term(c["site_id"]), f"[{_COLORS.get(c['outcome'], 'white')}]{c['outcome']}[/]",
             *(str(c[k]) for k in ("pages_fetched", "articles_seen", "articles_new", "articles_updated",
                                   "views_changed", "errors"))] for c in crawls]
    rows += [[term(sid), "[cyan]skipped[/]", *["–"] * 6] for sid in skipped or {}]
    console.print(fit_table(console, cols, rows, title="Crawl", box=box.SIMPLE_HEAD))
    for c in crawls:
        if c.get("error_summary"):
            console.print(f"[yellow]{term(c['site_id'])}[/]: {term(c['error_summary'])}")
    print_skipped(skipped or {}, console)


def print_skipped(skipped: dict[str, str], console: Console) -> None:
    """Why each skipped site was not crawled (bỏ qua: another run is crawling it), one line each."""
    for sid, why in skipped.items():
        console.print(f"[cyan]{term(sid)}[/]: bỏ qua, đang được thu thập — skipped, {term(why)}", soft_wrap=True)


# -- one line per site, for logs and pipes (where no live display is drawn) ----------------------
# `crawl: vinh-hung ok 53 pages 50 articles (4.1 s)`, from the crawl child's progress events
# (crawler/progress.py): a site is reported once every request it asked for was answered, the
# rest when the crawl ends.

def site_line(site_id: str, s: dict) -> str:
    """The line of one site from its progress counters."""
    pages = s.get("lists", 0) + s.get("articles", 0)
    errors = f", {s['errors']} error{'s' if s['errors'] != 1 else ''}" if s.get("errors") else ""
    took = f" ({s['seconds']:.1f} s)" if s.get("seconds") is not None else ""
    return f"crawl: {site_id} {s.get('outcome', 'done')} {pages} pages {s.get('seen', 0)} articles{errors}{took}"


class SiteLines:
    """Feed it every progress event; it returns the lines of the sites finished since the last one."""

    def __init__(self) -> None:
        self.reported: set[str] = set()

    def feed(self, event: dict) -> list[str]:
        final = event.get("event") == "done"
        out = []
        for site_id, s in sorted(event.get("sites", {}).items()):
            if site_id not in self.reported and (s.get("done") or final):
                self.reported.add(site_id)
                out.append(site_line(site_id, s))
        return out


def site_lines(echo: Callable[[str], None]) -> Callable[[dict], None]:
    """A crawl's `on_progress` callback that echoes each site's line once it is finished."""
    lines = SiteLines()

    def each(event: dict) -> None:
        for line in lines.feed(event):
            echo(line)

    return each
