"""`portalwatch status` on a terminal: the service, its jobs (schedules in words), the last run of
each job (details in words, never cut), the sites being crawled, every site's last crawl and the
deliveries not yet delivered; each table fitted to the terminal with ids whole (fit.py)."""

from __future__ import annotations

import json

from rich.console import Console

from crawler.clock import local
from monitor.cli.render.fit import Col, fit_table
from monitor.terminal import term

_OUTCOME = {"ok": "green", "partial": "yellow", "failed": "red", "aborted": "red", "running": "cyan",
            "skipped": "cyan"}


def print_status(data: dict, console: Console) -> None:
    svc = data["service"]
    state = f"[green]running[/] (pid {svc['pid']})" if svc["running"] else "[red]not running[/]"
    console.print(f"Service: {state} · job store {term(svc['jobstore'])}")
    if svc.get("config_error"):
        console.print(f"[red]Configuration error[/] (a reload would be refused): {term(svc['config_error'])}")

    if data["jobs"]:
        rows = []
        for j in data["jobs"]:
            nxt = local(j["next_run_at"]) if j["next_run_at"] else "paused"
            rows.append([term(j["id"]), nxt + (" [yellow](overdue)[/]" if j["overdue"] else ""),
                         term(j.get("schedule") or j["trigger"])])
        console.print(fit_table(console, [Col("job"), Col("next run (VN time)"), Col("schedule")], rows,
                                title="Jobs"))
    else:
        console.print("Jobs: none yet (start the service with `portalwatch run`)")

    if data["last_runs"]:
        rows = [[term(r["job"]), local(r["at"]), f"[{_OUTCOME.get(r['outcome'], 'red')}]{r['outcome']}[/]",
                 term(run_detail(r["job"], r["detail"]))] for r in data["last_runs"]]
        console.print(fit_table(console, [Col("job"), Col("when (VN time)"), Col("outcome"), Col("detail", wrap=True)],
                                rows, title="Last runs"))

    if data.get("leases"):
        rows = [[term(h["site_id"]), str(h["pid"]), term(h["hostname"]), local(h["taken_at"]), local(h["expires_at"])]
                for h in data["leases"]]
        console.print(fit_table(console, [Col("site"), Col("pid", "right"), Col("host"), Col("since (VN time)"),
                                          Col("expires (VN time)")], rows, title="Being crawled now (crawl leases)"))

    rows, notes = [], []
    for s in data["sites"]:
        c = s["last_crawl"] or {}
        outcome = c.get("outcome")
        rows.append([
            term(s["id"]) + ("" if s["enabled"] else " [dim](disabled)[/]"), term(s.get("schedule_text") or s["schedule"]),
            local(s["next_crawl_at"]) if s["next_crawl_at"] else "—", local(c["started_at"]) if c else "never",
            f"[{_OUTCOME.get(outcome, 'white')}]{outcome}[/]" if outcome else "", str(c.get("articles_new", "")),
            str(c.get("errors", "")), c.get("list_walk") or ("full" if c else "")])
        if c.get("error_summary"):
            notes.append(f"[yellow]{term(s['id'])}[/]: {term(c['error_summary'])}")
    cols = [Col("site"), Col("schedule"), Col("next crawl"), Col("last crawl"), Col("outcome"), Col("new", "right"),
            Col("errors", "right"), Col("walk")]
    console.print(fit_table(console, cols, rows, title="Sites (times in Vietnam time)"))
    for n in notes:
        console.print(n)

    if data["deliveries"] is not None:
        if data["deliveries"]:
            rows = [[f"#{d['id']}", term(d["recipient_id"]), term(d["channel"]), d["status"], str(d["attempts"]),
                     local(d["window_end"]),
                     local(d["next_attempt_at"]) if d["status"] in ("pending", "failed") else "—",
                     term(d["last_error"] or "")] for d in data["deliveries"]]
            cols = [Col("id"), Col("recipient"), Col("channel"), Col("status"), Col("attempts", "right"),
                    Col("window end"), Col("next attempt"), Col("last error", wrap=True)]
            console.print(fit_table(console, cols, rows, title="Deliveries not delivered (times in Vietnam time)"))
        else:
            console.print("Deliveries: none pending or failed.")


def run_detail(job: str, detail: str | None) -> str:
    """A job's recorded detail in words: a reload's and housekeeping's JSON as sentences, anything
    else as it was written (whole: the table wraps it)."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return detail
    if job == "reload" and "error" not in data:
        parts = [f"{what} {', '.join(data[what])}" for what in ("added", "changed", "removed") if data.get(what)]
        kept = len(data.get("kept") or [])
        parts.append(f"{kept} job{'s' if kept != 1 else ''} unchanged")
        return "; ".join(parts)
    if job == "housekeeping":
        return (f"deleted {data.get('samples_deleted', 0)} kept HTML page(s) and {data.get('events_deleted', 0)}"
                f" old event(s); {data.get('analyze', 'optimize')}; write-ahead log: {data.get('wal_pages', 0)}"
                f" page(s), {data.get('checkpointed', 0)} copied into the database")
    return "; ".join(f"{str(k).replace('_', ' ')} {v}" for k, v in data.items())
