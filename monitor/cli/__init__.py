"""The `portalwatch` command: thin commands over the library modules.

Global options come before the command: `portalwatch --config sites.toml --db portalwatch.db crawl`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor import __version__
from monitor.config import DEFAULT_CONFIG, DEFAULT_DB, Config, ConfigError, load_config
from monitor.terminal import term

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class Ctx:
    """Paths from the global options, with the config loaded on first use."""

    def __init__(self, config_path: str, db_path: str):
        self.config_path = config_path
        self.db_path = db_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as e:
                raise UsageProblem(str(e)) from None
        return self._config

    def require_db(self) -> str:
        if not Path(self.db_path).exists():
            raise click.ClickException(f"{self.db_path}: no database yet (run `portalwatch crawl` first)")
        return self.db_path


pass_ctx = click.make_pass_decorator(Ctx)


class UsageProblem(click.ClickException):
    """A configuration or usage error: exit status 2 (like click's own usage errors)."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", envvar="PORTALWATCH_CONFIG", default=DEFAULT_CONFIG,
              show_default=True, help="Site configuration (TOML). Env: PORTALWATCH_CONFIG.")
@click.option("--db", "db_path", envvar="PORTALWATCH_DB", default=DEFAULT_DB, show_default=True,
              help="SQLite database. Env: PORTALWATCH_DB.")
@click.version_option(__version__, prog_name="portalwatch")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str) -> None:
    """Crawl Vietnamese government news portals into SQLite and watch them change.

    \b
    Start with:  portalwatch demo
    Then:        portalwatch sites list
                 portalwatch crawl --site vinh-hung
    """
    ctx.obj = Ctx(config_path, db_path)


# -- crawl ---------------------------------------------------------------------------------------
@cli.command()
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

    Exit status: 0 every site ok or partial, 1 a site failed or was aborted (or --timeout hit),
    2 usage or configuration error, 130 Ctrl-C, 143 SIGTERM (crawls marked aborted at once).

    \b
    Example:
      portalwatch crawl
      portalwatch crawl --site vinh-hung --site hoang-liet --timeout 600
      portalwatch crawl -j 2        # two child processes, sites split by host
    """
    from monitor.crawl.runner import CrawlInterrupted, terminate_as_interrupt

    try:
        chosen = obj.config.select(list(sites))  # validates ids before starting a child
    except ConfigError as e:
        raise UsageProblem(str(e)) from None
    try:
        with terminate_as_interrupt():  # SIGTERM (timeout, kill, systemd stop) acts like Ctrl-C
            result = _crawl_with_progress(obj, [s.id for s in chosen], timeout, quiet=as_json, processes=processes)
    except CrawlInterrupted as e:
        if as_json:
            click.echo(json.dumps(e.crawls, ensure_ascii=False, indent=2))
        err_console.print(f"[red]{escape(e.summary())}[/]", soft_wrap=True)  # one line, never wrapped
        sys.exit(e.exit_code)
    if result.returncode == 2 and not result.crawls and result.stderr_tail.strip():
        # the crawl could not start (no cluster node reachable, the child refused its config)
        raise UsageProblem(result.stderr_tail.strip().splitlines()[-1].removeprefix("error: "))
    if not no_detect and obj.config.settings.detect_after_crawl:
        _detect_after(obj, quiet=as_json)
    if as_json:
        click.echo(json.dumps(result.crawls, ensure_ascii=False, indent=2))
    else:
        print_crawl_summary(result.crawls, obj.config)
    if not result.ok:
        msg = "crawl timed out and was killed" if result.timed_out else f"crawl process exited with {result.returncode}"
        if result.stderr_tail.strip():
            msg += "\n" + result.stderr_tail.strip()
        raise click.ClickException(msg)
    failed = [c["site_id"] for c in result.crawls if c["outcome"] in ("failed", "aborted")]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(result.crawls)} site crawl(s) failed: {', '.join(failed)}")


def _crawl_with_progress(obj: Ctx, site_ids: list[str], timeout: float | None, quiet: bool = False,
                         processes: int = 1):
    from monitor.crawl.live import crawl_live

    show = not quiet and (err_console.is_terminal or os.environ.get("PORTALWATCH_PROGRESS") == "1")
    return crawl_live(obj.config_path, obj.db_path, site_ids, err_console, timeout=timeout,
                      processes=processes, show=show)


def _detect_after(obj: Ctx, quiet: bool = False) -> None:
    try:
        from monitor.detect import events as detect
    except ImportError:
        return
    with _db(obj) as db:
        events = detect.detect(db, obj.config)
    if not quiet and events:
        console.print(f"detect: {len(events)} new event(s)")


class _db:
    def __init__(self, obj: Ctx):
        self.obj = obj

    def __enter__(self):
        from monitor.store.db import open_db

        self.database = open_db(self.obj.db_path)
        return self.database

    def __exit__(self, *exc):
        self.database.conn.close()


def print_crawl_summary(crawls: list[dict], config: Config | None = None) -> None:
    table = Table(title="Crawl", show_lines=False)
    for col in ("site", "outcome", "pages", "articles", "new", "updated", "views changed", "errors"):
        table.add_column(col, justify="right" if col not in ("site", "outcome") else "left")
    colors = {"ok": "green", "partial": "yellow", "failed": "red", "aborted": "red"}
    for c in crawls:
        table.add_row(
            c["site_id"],
            f"[{colors.get(c['outcome'], 'white')}]{c['outcome']}[/]",
            str(c["pages_fetched"]), str(c["articles_seen"]), str(c["articles_new"]),
            str(c["articles_updated"]), str(c["views_changed"]), str(c["errors"]),
        )
    console.print(table)
    for c in crawls:
        if c.get("error_summary"):
            console.print(f"[yellow]{c['site_id']}[/]: {term(c['error_summary'])}")


# -- sites -----------------------------------------------------------------------------------------
@cli.group()
def sites() -> None:
    """List, check and manage the configured sites."""


@sites.command("list")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def sites_list(obj: Ctx, as_json: bool) -> None:
    """The configured sites with their last crawl.

    \b
    Example:
      portalwatch sites list
    """
    last = {}
    if Path(obj.db_path).exists():
        with _db(obj) as db:
            for r in db.query(
                "SELECT c.site_id, c.started_at, c.outcome, c.articles_new, c.errors,"
                " (SELECT COUNT(*) FROM articles a WHERE a.site_id = c.site_id) AS articles"
                " FROM crawls c WHERE c.id IN (SELECT MAX(id) FROM crawls GROUP BY site_id)"
            ):
                last[r["site_id"]] = r
    rows = []
    for s in obj.config.sites:
        lc = last.get(s.id, {})
        rows.append({
            "id": s.id, "name": s.name, "level": s.level, "parent": s.parent, "profile": s.profile,
            "enabled": s.enabled, "start_url": s.start_urls[0], "articles": lc.get("articles", 0),
            "last_crawl": lc.get("started_at"), "last_outcome": lc.get("outcome"),
        })
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from monitor.clock import local

    table = Table(title=f"Sites in {obj.config_path}")
    for col in ("id", "name", "level", "parent", "profile", "articles", "last crawl (VN time)", "outcome"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["id"] + ("" if r["enabled"] else " [dim](disabled)[/]"), term(r["name"]), r["level"] or "",
            r["parent"] or "", r["profile"], str(r["articles"]), local(r["last_crawl"]) if r["last_crawl"] else "never",
            r["last_outcome"] or "",
        )
    console.print(table)


@sites.command("check")
@click.argument("site_id")
@click.option("--list-url", help="Check this list page instead of the first start URL.")
@click.option("--article-url", help="Check this article instead of the first one listed.")
@click.option("--html", "html_file", type=click.Path(exists=True, dir_okay=False),
              help="Use a saved list page instead of fetching it.")
@click.option("--sample", "sample_id", type=int, metavar="N",
              help="Rerun on page #N kept in html_samples when extraction broke (see `sites health`).")
@click.option("--offline", is_flag=True, help="With --html/--sample: fetch nothing (no live article).")
@click.option("--keep", is_flag=True, help="Keep the fetched pages in html_samples to rerun offline later.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def sites_check(obj: Ctx, site_id: str, list_url: str | None, article_url: str | None,
                html_file: str | None, sample_id: int | None, offline: bool, keep: bool, as_json: bool) -> None:
    """Fetch one list page and one article of a site and show, field by field, what was
    extracted and which selector or rule produced it, each selector's matches, and what `auto`
    would pick instead.

    \b
    Example:
      portalwatch sites check vinh-hung
      portalwatch sites check vinh-hung --sample 12 --offline
    """
    from monitor.sites.check import check_site, keep_pages, load_sample

    try:
        site = obj.config.site(site_id)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    html = Path(html_file).read_text(encoding="utf-8") if html_file else None
    article_html, source = None, None
    if sample_id is not None:
        from monitor.clock import local
        from monitor.store.db import open_db

        db = open_db(obj.require_db(), readonly=True)
        try:
            sample = load_sample(db.conn, sample_id, site)
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        finally:
            db.conn.close()
        source = f"html_samples #{sample_id} ({sample['reason']}, kept {local(sample['saved_at'])})"
        if sample["kind"] == "article":
            article_html, article_url = sample["html"], sample["url"]
        else:
            html, list_url = sample["html"], sample["url"]
    report = check_site(obj.config, site, list_url=list_url, article_url=article_url, list_html=html,
                        article_html=article_html, offline=offline, source=source)
    if keep and report.pages:
        from monitor.store.db import open_db

        db = open_db(obj.db_path)
        try:
            kept = keep_pages(db.conn, site.id, report)
        finally:
            db.conn.close()
        err_console.print("kept as html_samples " + ", ".join(f"#{i}" for i in kept))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        report.print(console)
    if not report.ok:
        sys.exit(1)


# -- simulator and demo ----------------------------------------------------------------------------
@cli.command()
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--articles-per-site", type=int, default=40, show_default=True)
@click.option("--write-config", type=click.Path(dir_okay=False), default=None,
              help="Also write the sites.toml for the simulator to this file.")
def simulate(port: int, seed: int, articles_per_site: int, write_config: str | None) -> None:
    """Serve the built-in portal simulator on 127.0.0.1 until Ctrl-C and print a sites.toml for it.

    \b
    Example:
      portalwatch simulate --port 8765 --write-config sim.toml
      portalwatch --config sim.toml crawl
    """
    from monitor.demo import simulator_config
    from simulator import Simulator, serve

    sim = Simulator(seed=seed, articles_per_site=articles_per_site)
    with serve(sim, port=port) as handle:
        text = simulator_config(sim, handle.base_url)
        if write_config:
            Path(write_config).write_text(text, encoding="utf-8")
            err_console.print(f"wrote {write_config}")
        click.echo(text)
        err_console.print(f"Simulator serving {handle.base_url} (control API under /_sim/). Ctrl-C stops it.")
        try:
            import time

            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            err_console.print("stopped")


@cli.command()
@click.option("--dir", "workdir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to leave sites.toml, portalwatch.db and the digest.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--articles-per-site", type=int, default=40, show_default=True)
def demo(workdir: str, seed: int, articles_per_site: int) -> None:
    """Run the whole job on the built-in simulated portal: crawl, advance time, crawl again,
    show what changed, and produce a digest.

    \b
    Example:
      portalwatch demo
    """
    from monitor.demo import run_demo

    run_demo(Path(workdir), seed=seed, articles_per_site=articles_per_site, console=console)


# Commands of the other parts register themselves here (one import each).
# --- command modules ---
from monitor.cli import analyst as cli_analyst
from monitor.cli import digest as cli_digest
from monitor.cli import service as cli_service
from monitor.cli import operators as cli_sites
from monitor.cli import cluster as cli_cluster


def main() -> None:
    try:
        cli(prog_name="portalwatch")
    except ConfigError as e:
        err_console.print(f"[red]Error:[/] {e}")
        sys.exit(2)


if __name__ == "__main__":
    main()
