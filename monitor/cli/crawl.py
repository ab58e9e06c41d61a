"""`portalwatch crawl`: crawl the sites once in a child process, then detect changes."""

from __future__ import annotations

import json
import os
import sys
from contextlib import closing

import click
from rich.markup import escape

from monitor.cli.context import Ctx, UsageProblem, console, err_console, pass_ctx
from monitor.cli.render.crawl import live_progress, print_crawl_result, site_lines
from monitor.config import ConfigError


@click.command(short_help="Crawl the sites once (all, or --site ID).")
@click.option("--site", "sites", multiple=True, metavar="ID", help="Crawl only this site (repeatable).")
@click.option("--timeout", type=float, default=None, help="Kill the crawl after this many seconds.")
@click.option("--processes", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Crawl in this many child processes at once (sites sharded by host).")
@click.option("--no-detect", is_flag=True, help="Do not run change detection after the crawl.")
@click.option("--json", "as_json", is_flag=True, help="Print the crawl rows as JSON.")
@pass_ctx
def crawl(obj: Ctx, sites: tuple[str, ...], timeout: float | None, processes: int, no_detect: bool,
          as_json: bool) -> None:
    """Crawl all enabled sites (or --site ID …) once, in a child process.

    A site another crawl is crawling right now (it holds the site's lease) is skipped, not
    crawled twice: the summary says by which process since when (with --json: on stderr).

    At --timeout the sites that finished keep their outcome; a site still crawling is recorded
    failed ("timed out: …").

    Exit status: 0 every site ok, partial or skipped, 1 a site failed or was aborted (or --timeout
    hit, or the database could not be written: "disk full: …"), 2 usage or configuration error,
    130 Ctrl-C, 143 SIGTERM (crawls marked aborted at once).

    \b
    Example:
      portalwatch crawl
      portalwatch crawl --site vinh-hung --site hoang-liet --timeout 600
      portalwatch crawl -j 2        # two child processes, sites split by host
    """
    from monitor.crawl import runner
    from monitor.crawl.backends import backend_for
    from monitor.crawl.outcome import CrawlInterrupted, terminate_as_interrupt
    from monitor.crawl.planner import build_plan

    config = obj.config
    try:
        plan = build_plan(config, None, list(sites), walks=False)  # validates ids before starting a child
    except ConfigError as e:
        raise UsageProblem(str(e)) from None
    backend = backend_for(config, processes)
    show = not as_json and (err_console.is_terminal or os.environ.get("PORTALWATCH_PROGRESS") == "1")
    try:  # SIGTERM (timeout, kill, systemd stop) acts like Ctrl-C
        with terminate_as_interrupt(), live_progress(err_console, show) as on_progress:
            if not show and not as_json:  # a log or a pipe: a line per site as it finishes
                on_progress = site_lines(lambda line: click.echo(line, err=True))
            result = runner.crawl(plan, obj.db_path, backend, timeout=timeout, on_progress=on_progress)
    except CrawlInterrupted as e:
        if as_json:
            click.echo(json.dumps(e.crawls, ensure_ascii=False, indent=2))
        err_console.print(f"[red]{escape(e.summary())}[/]", soft_wrap=True)  # one line, never wrapped
        sys.exit(e.exit_code)
    if result.returncode == 2 and not result.crawls and result.stderr_tail.strip():
        # the crawl could not start (no cluster node reachable, the child refused its config)
        raise UsageProblem(result.stderr_tail.strip().splitlines()[-1].removeprefix("error: "))
    if not no_detect and config.service.detect_after_crawl and not result.error:
        _detect_after(obj, quiet=as_json)
    print_crawl_result(result.crawls, result.skipped, console, err_console, as_json)
    if not result.ok:
        if result.error and not result.timed_out:  # the child said why (a storage failure: "disk full: …")
            raise click.ClickException(result.error)
        msg = f"crawl process exited with {result.returncode}"
        if result.timed_out:
            late = [c["site_id"] for c in result.crawls if (c["error_summary"] or "").startswith("timed out")]
            msg = (f"crawl timed out after {timeout:g}s and was killed; not finished, counted as failed: "
                   f"{', '.join(late) or 'none'}") if timeout else "crawl timed out and was killed"
        if result.stderr_tail.strip():
            msg += "\n" + result.stderr_tail.strip()
        raise click.ClickException(msg)
    failed = [c["site_id"] for c in result.crawls if c["outcome"] in ("failed", "aborted")]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(result.crawls)} site crawl(s) failed: {', '.join(failed)}")


def _detect_after(obj: Ctx, quiet: bool = False) -> None:
    try:
        from monitor.detect import events as detect
    except ImportError:
        return
    from monitor.store.connect import open_db

    with closing(open_db(obj.db_path)) as db:
        events = detect.detect(db, obj.config)
    if not quiet and events:
        console.print(f"detect: {len(events)} new event(s)")
