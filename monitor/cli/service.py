"""Service commands: run (the scheduler), reload (SIGHUP to it) and status."""

from __future__ import annotations

import json
import logging

import click

from monitor.cli.context import Ctx, console, pass_ctx
from monitor.config import ConfigError


@click.command(short_help="Run the scheduler (the service).")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Least important log messages written to standard error.")
@pass_ctx
def run(obj: Ctx, log_level: str) -> None:
    """Run the scheduler until SIGTERM: crawls on each site's schedule, digests at each
    recipient's send time, housekeeping and backups. SIGHUP re-reads the configuration.

    \b
    Example:
      portalwatch --config /etc/portalwatch/sites.toml --db /var/lib/portalwatch/portalwatch.db run
    """
    from monitor.service.service import Service, ServiceError

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(max(logging.INFO, logging.getLevelName(log_level.upper())))
    try:
        service = Service(obj.config_path, obj.db_path)
        service.run_forever()
    except (ConfigError, ServiceError) as e:
        raise click.ClickException(str(e)) from None


@click.command(short_help="Check the config, then reload the service.")
@pass_ctx
def reload(obj: Ctx) -> None:
    """Validate the configuration, then tell the running service to apply it (SIGHUP).

    \b
    Example:
      portalwatch reload
    """
    from monitor.service.control import NotRunning, request_reload

    try:
        sent = request_reload(obj.config_path, obj.db_path)
    except ConfigError as e:
        raise click.ClickException(f"not reloading: {e}") from None
    except NotRunning as e:
        raise click.ClickException(str(e)) from None
    console.print(f"sent SIGHUP to the service (pid {sent.pid}); `portalwatch status` shows the jobs now in force")


@click.command(short_help="The service, its jobs and the last crawls.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON (times in UTC ISO-8601).")
@pass_ctx
def status(obj: Ctx, as_json: bool) -> None:
    """Is the service running; the next run of every job; the last crawl of every site
    (Vietnam time); deliveries not yet delivered.

    \b
    Example:
      portalwatch status
      portalwatch status --json
    """
    from monitor.cli.render.status import print_status
    from monitor.service.status import status as get_status

    data = get_status(obj.config_path, obj.db_path)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    print_status(data, console)
