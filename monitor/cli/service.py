"""Service commands: run (the scheduler), reload (SIGHUP to it) and status."""

from __future__ import annotations

import json
import logging
import os
import signal

import click
from rich.table import Table

from monitor.cli.context import Ctx, console, pass_ctx
from monitor.config import ConfigError, load_config
from monitor.terminal import term


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
    from monitor.service.jobs_wanted import desired_jobs
    from monitor.service.jobstore import jobstore_path, read_pid

    try:
        config = load_config(obj.config_path)
        desired_jobs(config)
    except ConfigError as e:
        raise click.ClickException(f"not reloading: {e}") from None
    store = jobstore_path(config, obj.db_path)
    pid = read_pid(store)
    if pid is None:
        raise click.ClickException(f"no portalwatch service is running for {store} (start it with `portalwatch run`)")
    os.kill(pid, signal.SIGHUP)
    console.print(f"sent SIGHUP to the service (pid {pid}); `portalwatch status` shows the jobs now in force")


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
    from monitor.service.status import status as get_status

    data = get_status(obj.config_path, obj.db_path)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    print_status(data)


def print_status(data: dict) -> None:
    from crawler.clock import local

    svc = data["service"]
    state = f"[green]running[/] (pid {svc['pid']})" if svc["running"] else "[red]not running[/]"
    console.print(f"Service: {state} · job store {term(svc['jobstore'])}")
    if svc.get("config_error"):
        console.print(f"[red]Configuration error[/] (a reload would be refused): {term(svc['config_error'])}")

    t = Table(title="Jobs")
    for col in ("job", "next run (VN time)", "schedule"):
        t.add_column(col)
    for j in data["jobs"]:
        nxt = local(j["next_run_at"]) if j["next_run_at"] else "paused"
        if j["overdue"]:
            nxt += " [yellow](overdue)[/]"
        t.add_row(term(j["id"]), nxt, term(j["trigger"]))
    if not data["jobs"]:
        t.add_row("[dim]none yet: start the service with `portalwatch run`[/]", "", "")
    console.print(t)

    if data["last_runs"]:
        t = Table(title="Last runs")
        for col in ("job", "when (VN time)", "outcome", "detail"):
            t.add_column(col)
        for r in data["last_runs"]:
            color = {"ok": "green", "running": "cyan", "skipped": "cyan", "partial": "yellow"}.get(r["outcome"], "red")
            t.add_row(term(r["job"]), local(r["at"]), f"[{color}]{r['outcome']}[/]", term((r["detail"] or "")[:120]))
        console.print(t)

    if data.get("leases"):
        t = Table(title="Being crawled now (crawl leases)")
        for col in ("site", "pid", "host", "since (VN time)", "expires (VN time)"):
            t.add_column(col)
        for lease in data["leases"]:
            t.add_row(term(lease["site_id"]), str(lease["pid"]), term(lease["hostname"]), local(lease["taken_at"]),
                      local(lease["expires_at"]))
        console.print(t)

    t = Table(title="Sites")
    for col in ("site", "schedule", "next crawl", "last crawl", "outcome", "new", "errors", "walk"):
        t.add_column(col, justify="right" if col in ("new", "errors") else "left", no_wrap=col == "site")
    colors = {"ok": "green", "partial": "yellow", "failed": "red", "aborted": "red", "running": "cyan"}
    notes = []
    for s in data["sites"]:
        c = s["last_crawl"] or {}
        name = s["id"] + ("" if s["enabled"] else " [dim](disabled)[/]")
        outcome = c.get("outcome")
        t.add_row(
            name, term(s["schedule"]), local(s["next_crawl_at"]) if s["next_crawl_at"] else "—",
            local(c["started_at"]) if c else "never", f"[{colors.get(outcome, 'white')}]{outcome}[/]" if outcome else "",
            str(c.get("articles_new", "")), str(c.get("errors", "")), c.get("list_walk") or ("full" if c else ""),
        )
        if c.get("error_summary"):
            notes.append(f"[yellow]{s['id']}[/]: {term(c['error_summary'])}")
    console.print(t)
    for n in notes:
        console.print(n)

    if data["deliveries"] is not None:
        if data["deliveries"]:
            t = Table(title="Deliveries not delivered")
            for col in ("id", "recipient", "channel", "status", "attempts", "window end", "next attempt", "last error"):
                t.add_column(col)
            for d in data["deliveries"]:
                t.add_row(str(d["id"]), d["recipient_id"], term(d["channel"]), d["status"], str(d["attempts"]),
                          local(d["window_end"]), local(d["next_attempt_at"]) if d["status"] in ("pending", "failed") else "—",
                          term((d["last_error"] or "")[:80]))
            console.print(t)
        else:
            console.print("Deliveries: none pending or failed.")
