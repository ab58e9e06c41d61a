"""`portalwatch detect`, `digest`, `alerts`, `reports` and `deliveries`."""

from __future__ import annotations

import json
from collections import Counter
from contextlib import closing
from pathlib import Path

import click

from crawler.clock import local
from monitor.cli.context import Ctx, console, pass_ctx
from monitor.cli.params import INSTANT, OutputFile
from monitor.terminal import term

PREVIEW_FORMATS = ("html", "chat", "text", "md", "json")


def _open(obj: Ctx):
    from monitor.store.connect import open_db

    obj.require_db()
    return open_db(obj.db_path)


@click.command(short_help="Record change events from the crawls.")
@click.option("--json", "as_json", is_flag=True, help="Print the new events as JSON.")
@pass_ctx
def detect(obj: Ctx, as_json: bool) -> None:
    """Record change events (new posts, view gains, edits, removals, anomalies, site problems)
    from what the crawls stored. Runs after every crawl too; running it again adds nothing.

    \b
    Example:
      portalwatch detect
    """
    from monitor.detect.events import detect as run_detect

    with closing(_open(obj)) as db:
        events = run_detect(db, obj.config)
    if as_json:
        click.echo(json.dumps(events, ensure_ascii=False, indent=2))
        return
    kinds = Counter(e["kind"] for e in events)
    console.print(f"{len(events)} new event(s)" + (": " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) if kinds else ""))


@click.command(short_help="Build and send the recipient digests.")
@click.option("--recipient", "recipient_ids", multiple=True, metavar="ID", help="Only this recipient (repeatable).")
@click.option("--since", type=INSTANT, help="Window start: 'dd/mm/yyyy HH:MM', a day (its start), today, "
              "yesterday, 12h, 7d or ISO with Z. Default: end of the recipient's last digest, else 24 hours ago.")
@click.option("--until", type=INSTANT, help="Window end (same forms). Default: now.")
@click.option("--preview", "preview_file", type=OutputFile(),
              help="Write the HTML to this file and print the text version; send and record nothing.")
@click.option("--format", "fmt", type=click.Choice(PREVIEW_FORMATS), default=None,
              help="What --preview writes: html (the default; the text version is printed), chat (the chat-sized"
              " summary Zalo and Apprise send, at most 2,000 characters), text, md or json. Default: from the"
              " file name (.txt, .md, .json), else html.")
@click.option("--send", "send", is_flag=True, help="Send (the default without --preview).")
@click.option("--force", is_flag=True, help="Send now even if the recipient's send_at time has not come yet.")
@pass_ctx
def digest(obj: Ctx, recipient_ids: tuple[str, ...], since: str | None, until: str | None,
           preview_file: str | None, fmt: str | None, send: bool, force: bool) -> None:
    """Build each recipient's digest and deliver it through its channels, exactly once per
    window; failed deliveries from earlier runs are retried when their backoff has passed.

    Without --force a recipient gets a new digest once its daily send_at time (Vietnam time)
    has passed. --since/--until send that exact window (once).

    Exit status: 0 every delivery delivered (or nothing due), 1 a delivery failed (a missing
    secret variable, an unreachable server …: it is retried later), 2 usage error.

    \b
    Example:
      portalwatch digest --preview digest.html --recipient ubnd-hoang-mai
      portalwatch digest --preview chat.txt --format chat
      portalwatch digest                       # what the scheduler runs
      portalwatch digest --recipient ubnd-hoang-mai --force
    """
    if preview_file and send:
        raise click.UsageError("--preview writes without sending; drop --send")
    if fmt and not preview_file:
        raise click.UsageError("--format chooses what --preview writes: give --preview FILE")
    with closing(_open(obj)) as db:
        if preview_file:
            _preview(obj, db, recipient_ids, since, until, Path(preview_file), fmt)
            return
        from monitor.notify import ledger

        for rid in recipient_ids:
            obj.config.recipient(rid)
        results = ledger.run(db, obj.config, recipient_ids=list(recipient_ids) or None, force=force,
                             since=since, until=until)
    _results(results, "Nothing to send: no digest is due and no delivery is waiting for a retry"
                      " (--force sends now; `portalwatch deliveries` lists failures).")
    bad = [r for r in results if r.status != "delivered"]
    if bad:  # exit status 1: a cron job or a script sees that the office got nothing
        raise click.ClickException(
            f"{len(bad)} of {len(results)} deliveries not delivered: "
            + "; ".join(f"{r.recipient_id} by {r.channel}: {r.status} ({' '.join(r.detail.split())[:200]})" for r in bad)
            + " — `portalwatch deliveries` lists them")


def _preview(obj: Ctx, db, recipient_ids, since, until, out: Path, fmt: str | None) -> None:
    from monitor.digest import preview_rendered

    if len(recipient_ids) > 1:
        raise click.UsageError("--preview takes one --recipient")
    fmt = fmt or {".txt": "text", ".md": "md", ".json": "json"}.get(out.suffix.lower(), "html")
    r = preview_rendered(db, obj.config, recipient_ids[0] if recipient_ids else None, since, until)
    content = {"html": lambda: r.html, "chat": r.chat, "text": lambda: r.text, "md": lambda: r.markdown,
               "json": lambda: json.dumps(r.data, ensure_ascii=False, indent=2)}[fmt]()
    out.write_text(content, encoding="utf-8")
    click.echo(r.text if fmt in ("html", "json") else content)
    size = f", {len(content):,} characters" if fmt == "chat" else ""
    click.echo(f"(wrote the {fmt} version to {out}{size}; nothing was sent or recorded)", err=True)


@click.command(short_help="Digest deliveries waiting, failed or given up.")
@click.option("--all", "show_all", is_flag=True, help="Include delivered ones.")
@click.option("--retry", "retry_id", type=int, metavar="ID",
              help="Send this failed, gave_up or uncertain delivery again on the next `portalwatch digest`.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def deliveries(obj: Ctx, show_all: bool, retry_id: int | None, as_json: bool) -> None:
    """Digest deliveries that are pending, failed (retrying), gave up or uncertain.

    \b
    Example:
      portalwatch deliveries
      portalwatch deliveries --retry 12
    """
    from monitor.notify import ledger

    with closing(_open(obj)) as db:
        if retry_id is not None:
            if not ledger.retry(db, retry_id):
                raise click.ClickException(f"delivery {retry_id}: no such failed, gave_up or uncertain delivery")
            console.print(f"delivery {retry_id} will be sent by the next `portalwatch digest`")
            return
        statuses = None if show_all else ("pending", "sending", "failed", "gave_up", "uncertain")
        rows = ledger.list_deliveries(db, statuses)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("No deliveries waiting or failed." if not show_all else "No deliveries yet.")
        return
    from monitor.cli.render.fit import Col, fit_table

    cells = [[f"#{r['id']}", term(r["recipient_id"]), term(r["channel"]),
              f"{local(r['window_start'])} → {local(r['window_end'])}", r["status"], str(r["attempts"]),
              local(r["next_attempt_at"]) if r["status"] in ("pending", "failed") else "", term(r["last_error"] or "")]
             for r in rows]
    cols = [Col("id"), Col("recipient"), Col("channel"), Col("window"), Col("status"), Col("attempts", "right"),
            Col("next attempt"), Col("last error", wrap=True)]
    console.print(fit_table(console, cols, cells, title="Deliveries (times in Vietnam time)"))


def _results(results, nothing: str) -> None:
    """What was sent: one row per delivery, fitted to the terminal (ids whole, details wrapped)."""
    if not results:
        console.print(nothing)
        return
    from monitor.cli.render.fit import Col, fit_table

    colors = {"delivered": "green", "failed": "yellow", "gave_up": "red"}
    rows = [[f"#{r.delivery_id}", term(r.recipient_id), term(r.channel), f"[{colors.get(r.status, 'white')}]{r.status}[/]",
             str(r.attempts), term(r.detail)] for r in results]
    cols = [Col("id"), Col("recipient"), Col("channel"), Col("status"), Col("attempts", "right"),
            Col("detail", wrap=True)]
    console.print(fit_table(console, cols, rows, title="Deliveries"))


@click.command(short_help="Send immediate alerts for serious events.")
@click.option("--recipient", "recipient_ids", multiple=True, metavar="ID", help="Only this recipient (repeatable).")
@click.option("--preview", is_flag=True, help="Print the alert each recipient would get now (chat form); send and "
              "record nothing.")
@pass_ctx
def alerts(obj: Ctx, recipient_ids: tuple[str, ...], preview: bool) -> None:
    """Send each recipient with `alerts = [...]` one message with the serious events not alerted yet
    (a site unreachable, extraction broken, a post removed, a view-count anomaly), unless it is in
    its quiet_hours or had an alert within alert_interval (they wait). The service runs this after
    every detect; never the same event twice.

    \b
    Example:
      portalwatch alerts --preview
      portalwatch alerts
    """
    from crawler import clock
    from monitor.digest.alert import AlertRendered
    from monitor.notify import alerts as alerting

    rs = [obj.config.recipient(r) for r in recipient_ids] or [r for r in obj.config.recipients if r.alerts]
    with closing(_open(obj)) as db:
        if preview:
            now = clock.now()
            for r in rs:
                data = alerting.build(db, obj.config, r, now)
                why = alerting.held(r, db, now) if data else None
                click.echo(f"--- {r.id}" + (f" (would wait: {why})" if why else ""))
                click.echo(AlertRendered(data).chat() if data else "no event to alert")
            click.echo("(nothing was sent or recorded)", err=True)
            return
        results = alerting.run(db, obj.config, recipient_ids=[r.id for r in rs])
    _results(results, "No alert is due (nothing new, quiet hours or alert_interval) and nothing waits for a retry.")


@click.command(short_help="Send the weekly and monthly reports (with .xlsx).")
@click.option("--recipient", "recipient_ids", multiple=True, metavar="ID", help="Only this recipient (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["weekly", "monthly"]),
              help="Only this kind (repeatable; default both).")
@click.option("--force", is_flag=True, help="Make the report of the last whole week / month now, even without "
              "weekly_at / monthly_at or before its time.")
@click.option("--preview", "preview_file", type=OutputFile(),
              help="Write the report to this file (.xlsx: the workbook; .html, .md, .txt; else the chat form) and "
              "print its text; send and record nothing. Takes one --recipient and one --kind.")
@pass_ctx
def reports(obj: Ctx, recipient_ids: tuple[str, ...], kinds: tuple[str, ...], force: bool,
            preview_file: str | None) -> None:
    """Weekly (Monday–Sunday) and monthly (calendar month) reports per ward, Vietnam time: posts,
    views gained, most-read posts, days without a post, availability; sent at each recipient's
    weekly_at / monthly_at like a digest (exactly once per period), with an .xlsx attached.

    \b
    Example:
      portalwatch reports --preview week.xlsx --recipient ubnd-hoang-mai --kind weekly --force
      portalwatch reports                       # what the scheduler runs
    """
    from crawler import clock
    from monitor.digest.report import ReportRendered
    from monitor.notify import reports as reporting

    chosen = tuple(kinds) or reporting.KINDS
    with closing(_open(obj)) as db:
        if preview_file:
            if len(chosen) != 1 or len(recipient_ids) > 1:
                raise click.UsageError("--preview takes one --kind and at most one --recipient")
            from monitor.digest import pick_recipient

            r = pick_recipient(obj.config, recipient_ids[0] if recipient_ids else None)
            data = reporting.build(db, obj.config, r, chosen[0], clock.now(), force=True)
            assert data is not None
            out = ReportRendered(data)
            path = Path(preview_file)
            ext = path.suffix.lower()
            if ext == ".xlsx":
                path.write_bytes(out.xlsx())
            else:
                path.write_text({".html": out.html, ".md": out.markdown, ".txt": out.text}.get(ext) or out.chat(),
                                encoding="utf-8")
            click.echo(out.text)
            click.echo(f"(wrote {path}; nothing was sent or recorded)", err=True)
            return
        for rid in recipient_ids:
            obj.config.recipient(rid)
        results = reporting.run(db, obj.config, recipient_ids=list(recipient_ids) or None, kinds=chosen, force=force)
    _results(results, "No report is due and nothing waits for a retry (--force makes one now).")
