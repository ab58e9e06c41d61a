"""A live progress display for a crawl (one line per site), shared by `crawl` and `demo`."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from monitor.crawl.outcome import CrawlResult
from monitor.crawl.runner import crawl_parallel


def crawl_live(config, db, site_ids: list[str] | None, console: Console, *, timeout: float | None = None,
               processes: int = 1, show: bool = True) -> CrawlResult:
    """Run crawl_parallel; while it runs, show each site's list/article pages and errors."""
    if not show:
        return crawl_parallel(config, db, site_ids, timeout=timeout, processes=processes)
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

        return crawl_parallel(config, db, site_ids, timeout=timeout, processes=processes, on_progress=update)
