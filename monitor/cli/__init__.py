"""The `portalwatch` command: the root group, every command group registered on it, and `main()`.

One module per command group (crawl, sites, analyst, digest, service, simulator, cluster, web; the
`sites` group's check and health in site_checks.py); each imports only monitor.cli.context,
monitor.cli.params and the library below, never this module. Global options come before the
command: `portalwatch --config sites.toml --db portalwatch.db crawl`.
"""

from __future__ import annotations

import sqlite3
import sys

import click

from crawler import __version__
from monitor.cli import analyst, cluster, crawl, digest, service, simulator, site_checks, sites, web
from monitor.cli.context import Ctx
from monitor.config import DEFAULT_CONFIG, DEFAULT_DB, ConfigError


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


# Every command, one line each (`portalwatch --help` lists them sorted by name).
cli.add_command(crawl.crawl)
cli.add_command(sites.sites)
sites.sites.add_command(site_checks.sites_check)
sites.sites.add_command(site_checks.sites_health)
cli.add_command(analyst.query)
cli.add_command(analyst.search)
cli.add_command(analyst.history)
cli.add_command(analyst.export)
cli.add_command(analyst.serve)
cli.add_command(analyst.report)
cli.add_command(digest.detect)
cli.add_command(digest.digest)
cli.add_command(digest.alerts)
cli.add_command(digest.reports)
cli.add_command(digest.deliveries)
cli.add_command(service.run)
cli.add_command(service.reload)
cli.add_command(service.status)
cli.add_command(simulator.simulate)
cli.add_command(simulator.demo)
cli.add_command(cluster.cluster)
cli.add_command(web.web)
cli.add_command(web.users)


def main() -> None:
    """The console script: every expected failure ends in one `Error:` line, never a traceback."""
    try:
        cli(prog_name="portalwatch")
    except ConfigError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(2)
    except sqlite3.DatabaseError as e:  # the true cause: disk full, read-only, permission, damaged …
        from monitor.store.dbfile import explain

        db = Ctx.current._db_path if Ctx.current else DEFAULT_DB
        click.echo(f"Error: {explain(db, e)}", err=True)
        sys.exit(1)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        click.echo(f"Error: {where}{e.strerror or e}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
