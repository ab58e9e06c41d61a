"""`portalwatch sites list | check | add | import | discover | health | lineage`: the configured
sites, onboarding and watching them.

Thin commands over monitor/sites/ (listing, check, onboard, importer, discover, lineage,
tomlfile) and monitor/detect/health.py. Everything a page says (titles, names, link texts) is
printed through `safe()` or `term()`: rich markup and terminal control characters from a page
never reach the operator's terminal as commands.
"""

from __future__ import annotations

import csv
import json
import sys
from contextlib import closing
from pathlib import Path

import click
from rich import box
from rich.markup import escape
from rich.table import Table

from monitor.cli.context import Ctx, console, err_console, pass_ctx
from monitor.cli.params import OutputFile
from monitor.config import ID_RE, LEVELS, Config, ConfigError, parse_config
from monitor.terminal import printable, term


# -- sites -----------------------------------------------------------------------------------------
@click.group(short_help="List, check, add and watch the configured sites.")
def sites() -> None:
    """List, check and manage the configured sites."""


@sites.command("list", short_help="The configured sites and their last crawl.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.option("--plain", is_flag=True, help="Tab-separated lines, one per site, nothing cut (for grep, awk).")
@pass_ctx
def sites_list(obj: Ctx, as_json: bool, plain: bool) -> None:
    """The configured sites with their last crawl.

    \b
    Example:
      portalwatch sites list
    """
    from monitor.sites.listing import site_rows

    db_path = obj.db_path  # a bad --db is reported before a bad --config
    rows = site_rows(obj.config, db_path)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from monitor.clock import local

    cols = ["id", "name", "level", "parent", "profile", "articles", "last crawl (VN)", "outcome"]
    if plain:
        click.echo("\t".join(cols))
    narrow = console.width < 110 and not plain  # ids are never cut: level and profile give way
    table = Table(title=f"Sites in {escape(str(obj.config_path))}", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in cols:
        if narrow and col in ("level", "profile"):
            continue
        table.add_column(col, no_wrap=col != "name", justify="right" if col == "articles" else "left",
                         min_width=10 if col == "name" else None)
    for r in rows:
        cells = {"id": r["id"], "name": r["name"], "level": r["level"] or "", "parent": r["parent"] or "",
                 "profile": r["profile"] or "", "articles": str(r["articles"]),
                 "last crawl (VN)": local(r["last_crawl"]) if r["last_crawl"] else "never",
                 "outcome": r["last_outcome"] or ("" if r["enabled"] else "disabled")}
        if r["kind"] == "unit":  # a [[unit]]: no portal
            cells.update({"articles": "", "last crawl (VN)": "not crawled", "outcome": "unit, no URL"})
        if plain:
            click.echo("\t".join(printable(" ".join(v.split())) for v in cells.values()))
            continue
        cells["id"] = escape(cells["id"]) + ("" if r["enabled"] else " [dim](unit)[/]" if r["kind"] == "unit" else " [dim](off)[/]")
        cells["name"] = term(cells["name"])
        table.add_row(*(v for k, v in cells.items() if not (narrow and k in ("level", "profile"))))
    if plain:
        return
    console.print(table)
    if narrow:
        console.print("[dim]level and profile: in a wider terminal, or with --plain / --json[/]")


@sites.command("check", short_help="Show what one list page and article extract.")
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

        with closing(open_db(obj.require_db(), readonly=True)) as db:
            try:
                sample = load_sample(db.conn, sample_id, site)
            except ValueError as e:
                raise click.ClickException(str(e)) from None
        source = f"html_samples #{sample_id} ({sample['reason']}, kept {local(sample['saved_at'])})"
        if sample["kind"] == "article":
            article_html, article_url = sample["html"], sample["url"]
        else:
            html, list_url = sample["html"], sample["url"]
    report = check_site(obj.config, site, list_url=list_url, article_url=article_url, list_html=html,
                        article_html=article_html, offline=offline, source=source)
    if keep and report.pages:
        from monitor.store.db import open_db

        with closing(open_db(obj.db_path)) as db:
            kept = keep_pages(db.conn, site.id, report)
        err_console.print("kept as html_samples " + ", ".join(f"#{i}" for i in kept))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        report.print(console)
    if not report.ok:
        sys.exit(1)


def safe(value, limit: int | None = None) -> str:
    """Page text as one printable line, rich markup escaped."""
    s = " ".join("".join(ch if ch.isprintable() else " " for ch in str(value if value is not None else "")).split())
    if limit and len(s) > limit:
        s = s[: limit - 1] + "…"
    return escape(s)


def _config(obj: Ctx) -> Config:
    """The configuration, or an empty one when the file does not exist yet (first `sites add`)."""
    path = Path(obj.config_path)
    if not path.exists():
        if not path.parent.is_dir():
            raise click.ClickException(f"--config {path}: the folder {path.parent} does not exist, so the new "
                                       "sites could not be written there (create it first)")
        return parse_config({}, obj.config_path)
    return obj.config


def _web(config: Config):
    from monitor.sites.onboard import Web

    return Web(config.settings.ua, timeout=min(config.settings.timeout, 20))


# -- add ---------------------------------------------------------------------------------------------
@sites.command("add", short_help="Add a site from one URL.")
@click.argument("url")
@click.option("--id", "site_id", help="Site id (default: from the unit's name, e.g. phuong-vinh-hung).")
@click.option("--name", help="Display name (default: what the portal calls itself).")
@click.option("--parent", help="Id of the enclosing unit (district or province); one not configured is added "
              "as a [[unit]] (no portal).")
@click.option("--parent-name", help="Name of that new [[unit]] (default: its id).")
@click.option("--level", type=click.Choice(LEVELS), help="Administrative level (default: guessed from the name).")
@click.option("--yes", "-y", is_flag=True, help="Append without asking (scripts).")
@click.option("--dry-run", is_flag=True, help="Show what would be added; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON (appends only with --yes).")
@pass_ctx
def sites_add(obj: Ctx, url: str, site_id: str | None, name: str | None, parent: str | None,
              parent_name: str | None, level: str | None, yes: bool, dry_run: bool, as_json: bool) -> None:
    """Recognise a portal from one URL (its home page or a news list), preview its first articles
    and append a [[site]] entry to the configuration, keeping the file's comments and layout.

    \b
    Example:
      portalwatch sites add https://vinhhung.hanoi.gov.vn/
      portalwatch sites add https://example.gov.vn/tin-tuc --id xa-a --parent huyen-b --yes
    """
    from monitor.sites.onboard import inspect_url, suggest_id
    from monitor.sites.tomlfile import append_sites, render_site
    from monitor.sites.units import new_units, summary

    config = _config(obj)
    units = new_units({parent: (parent_name or "", "")} if parent else {}, config)
    if parent in units.problems:
        raise click.ClickException(f"--parent: {units.problems[parent]}")
    p = inspect_url(url, _web(config))
    if not as_json:
        print_proposal(p)
    if not p.ok:
        if as_json:
            click.echo(json.dumps({**p.as_dict(), "added": False}, ensure_ascii=False, indent=2))
        raise click.ClickException(f"{url}: not added" + (f": {p.problems[0]}" if as_json and p.problems
                                                         else " (see the problem above)"))
    taken = {s.id for s in config.sites} | {a for s in config.sites for a in s.aliases}
    site_id = site_id or suggest_id(p, taken)
    problem = _id_problem(site_id, taken, config) or _overlap(p.start_urls, config)
    if problem or site_id is None:
        raise click.ClickException(problem or "choose an id with --id")
    table = p.site_table(site_id, name, level, parent)
    if units.tables:
        err_console.print(f"[yellow]note:[/] {escape(summary(units))}")
    if as_json:
        added = bool(yes and not dry_run)
        if added:
            append_sites(obj.config_path, [table], units.tables)
        click.echo(json.dumps({**p.as_dict(), "site": table, "units": units.tables, "added": added},
                              ensure_ascii=False, indent=2))
        return
    console.print(f"\nEntry for {escape(obj.config_path)}:")
    console.print(escape(render_site(table) + "".join("\n" + render_site(u, "unit") for u in units.tables)), end="")
    if dry_run:
        console.print("[dim]dry run: nothing written[/]")
        return
    if not yes and not click.confirm(f"Append to {obj.config_path}?", default=True):
        console.print("nothing written")
        return
    try:
        append_sites(obj.config_path, [table], units.tables)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    console.print(f"[green]added[/] {site_id} to {escape(obj.config_path)}. Next: "
                  f"portalwatch crawl --site {site_id}")


def _id_problem(site_id: str | None, taken: set[str], config: Config) -> str | None:
    if not site_id:
        return "the obvious id is already taken: choose one with --id"
    if not ID_RE.match(site_id):
        return f"id {site_id!r} is not valid: lowercase letters, digits, '-' or '_' (at most 64)"
    if site_id in taken:
        return f"{config.path}: id {site_id!r} is already used (by a site or as a former id); choose another with --id"
    return None


def _overlap(start_urls: list[str], config: Config) -> str | None:
    from crawler.extract.urls import canonical_url

    for s in config.sites:
        common = {canonical_url(u) for u in s.start_urls} & {canonical_url(u) for u in start_urls}
        if common:
            return f"{sorted(common)[0]} is already crawled for site {s.id!r} ({s.name}): not added twice"
    return None


def print_proposal(p) -> None:
    """What `sites add` found, for a human."""
    where = {"home": "a home page", "list": "a news list", "article": "an article page",
             "directory": "a directory of sub-sites", "unreachable": "not reachable"}.get(p.kind, "not recognised")
    unit = f" of {safe(p.unit[0])} ({p.unit[1]})" if p.unit else ""
    console.print(f"[bold]{safe(p.final_url or p.url)}[/]: {where}{unit}"
                  + (f" — “{safe(p.title, 80)}”" if p.title else ""))
    if p.fingerprints:
        scores = ", ".join(f"{k} {v:.2f}" for k, v in p.fingerprints.items())
        best = max(p.fingerprints, key=p.fingerprints.get)
        plat = p.profile or (best if p.fingerprints[best] >= 0.5 else "not recognised")
        console.print(f"platform: [cyan]{plat}[/]"
                      + (" (no known platform: generic rules)" if plat == "auto" else "")
                      + f"  [dim]fingerprints {scores}[/]")
    for f in p.lists:
        label = f" “{safe(f.label, 40)}”" if f.label else ""
        console.print(f"  [green]✓[/] news list{label} {safe(f.url)} — {safe(f.assessment.reason)}")
    for u, text, why in p.rejected:
        console.print(f"  [dim]✗ {safe(text, 40)} {safe(u)} — {safe(why)}[/]")
    if p.lists:
        console.print(f"article URLs: {safe(p.pattern)}")
    for _u, ok, text in p.robots:
        mark = "[green]allowed[/]" if ok else "[red]DISALLOWED[/]" if ok is False else "[yellow]unknown[/]"
        console.print(f"robots.txt: {mark} — {safe(text)}")
    if p.preview:
        t = Table(title="First articles")
        for c in ("title", "published (VN time)", "views", "views from"):
            t.add_column(c)
        for r in p.preview:
            t.add_row(safe(r["title"], 70), r["published_local"] or "[red]—[/]",
                      "—" if r["views"] is None else str(r["views"]), r["views_from"] or "")
        console.print(t)
    if p.article:
        a = p.article
        console.print(f"first article: title {'✓' if a['title'] else '[red]missing[/]'}, date "
                      f"{a['published_local'] or '[red]missing[/]'}, views "
                      f"{a['views'] if a['views'] is not None else '—'}, body {a['body_chars']} characters")
    for n in p.notes:
        console.print(f"[yellow]note:[/] {safe(n)}")
    for pr in p.problems:
        console.print(f"[red]problem:[/] {safe(pr)}")


# -- import -------------------------------------------------------------------------------------------
@sites.command("import", short_help="Add many sites from a CSV.")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.option("--yes", "-y", is_flag=True, help="Append the ready sites without asking.")
@click.option("--dry-run", is_flag=True, help="Detect and report; change nothing.")
@click.option("--workers", type=click.IntRange(1, 32), default=8, show_default=True,
              help="Sites detected at once (at most 2 requests at a time per host).")
@click.option("--report", "report_path", type=OutputFile(),
              help="Write the rows needing attention to this CSV (fix them and import it again).")
@click.option("--json", "as_json", is_flag=True, help="Print every row's outcome as JSON.")
@pass_ctx
def sites_import(obj: Ctx, csv_file: str, yes: bool, dry_run: bool, workers: int, report_path: str | None,
                 as_json: bool) -> None:
    """Onboard many sites from a CSV with the columns id,name,level,parent,url: detection for each
    row (progress bar), then a summary of what needs a human; ready sites are appended at once.
    A parent that is not configured (nor a row) is added as a [[unit]] table, named from an
    optional parent_name column (else its id: edit it).

    \b
    Example:
      portalwatch sites import thanh-hoa.csv --report needs-attention.csv
      portalwatch sites import discovered.csv --yes
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from monitor.sites.importer import (
        ImportFileError,
        detect_rows,
        parent_units,
        read_rows,
        validate,
        write_report,
    )
    from monitor.sites.tomlfile import append_sites

    config = _config(obj)
    try:
        rows = read_rows(csv_file)
    except ImportFileError as e:
        raise click.ClickException(str(e)) from None
    validate(rows, config)
    todo = sum(1 for r in rows if r.status == "pending")
    with Progress(TextColumn("[bold]detecting"), BarColumn(bar_width=None), MofNCompleteColumn(),
                  TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err_console,
                  disable=as_json) as progress:
        task = progress.add_task("detect", total=todo, last="")
        detect_rows(rows, config, _web(config), workers=workers,
                    on_done=lambda r: progress.update(task, advance=1, last=f"{r.id}: {r.status}"))
    units = parent_units(rows, config)
    ready = [r for r in rows if r.status == "ready"]
    attention = [r for r in rows if r.status == "attention"]
    added = False
    if report_path:
        write_report(rows, report_path)
    if not as_json:
        _print_import(rows, ready, attention, report_path)
        if units.tables and ready:
            from monitor.sites.units import summary

            console.print(f"[yellow]{escape(summary(units))}[/]")
    if ready and not dry_run and (yes or (not as_json and click.confirm(
            f"Append {len(ready)} ready site(s) to {obj.config_path}?", default=True))):
        try:
            append_sites(obj.config_path, [r.table for r in ready if r.table is not None], units.tables)
        except ConfigError as e:
            raise click.ClickException(str(e)) from None
        added = True
        if not as_json:
            console.print(f"[green]added {len(ready)} site(s)"
                          + (f" and {len(units.tables)} unit(s)" if units.tables else "") + f"[/] to {escape(obj.config_path)}")
    if as_json:
        click.echo(json.dumps({"added": added, "units": units.tables if ready else [],
                               "rows": [r.as_dict() for r in rows]}, ensure_ascii=False, indent=2))
    if attention:
        sys.exit(1)


def _print_import(rows, ready, attention, report_path) -> None:
    configured = sum(1 for r in rows if r.status == "configured")
    console.print(f"{len(rows)} row(s): [green]{len(ready)} ready[/], {configured} already configured, "
                  f"[{'red' if attention else 'green'}]{len(attention)} need attention[/]")
    if attention:
        t = Table(title="Needs a human")
        for c in ("line", "id", "url", "problem"):
            t.add_column(c, overflow="fold")
        for r in attention:
            t.add_row(str(r.line), safe(r.id, 30), safe(r.url, 60), safe(r.problem.split(": ", 1)[-1], 200))
        console.print(t)
        if report_path:
            console.print(f"these rows are in {escape(report_path)}: fix them and run `portalwatch sites import` on it")


# -- discover -----------------------------------------------------------------------------------------
@sites.command("discover", short_help="List the sub-sites a district portal links to.")
@click.argument("url")
@click.option("--parent", help="Parent id for the sub-sites (default: the configured site at URL).")
@click.option("--csv", "csv_path", type=OutputFile(),
              help="Write the new sub-sites as id,name,level,parent,url for `sites import`.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def sites_discover(obj: Ctx, url: str, parent: str | None, csv_path: str | None, as_json: bool) -> None:
    """List the ward/commune sub-sites a district or province portal links to (menus and pages such
    as "Các phường"), marking those already configured.

    \b
    Example:
      portalwatch sites discover https://hoangmai.hanoi.gov.vn/ --csv hoang-mai-wards.csv
      portalwatch sites import hoang-mai-wards.csv
    """
    from monitor.sites.discover import discover

    config = _config(obj)
    found = discover(url, config, _web(config), parent=parent)
    if csv_path:
        with open(csv_path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["id", "name", "level", "parent", "url"])
            w.writeheader()
            w.writerows(found.csv_rows())
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
    else:
        t = Table(title=f"Sub-sites linked from {escape(url)}" + (f" (parent {found.parent})" if found.parent else ""))
        for c in ("name", "level", "url", "configured", "suggested id"):
            t.add_column(c, overflow="fold")
        for s in found.subsites:
            status = (f"[green]yes: {s.configured_as}[/]" if s.configured_as else
                      f"[yellow]no (same name as {s.same_name_as})[/]" if s.same_name_as else "[bold]new[/]")
            t.add_row(safe(s.name, 50), s.level or "", safe(s.url), status, "" if s.configured_as else s.suggested_id)
        console.print(t)
        console.print(f"{len(found.subsites)} sub-site(s), {len(found.new)} not configured; read "
                      + ", ".join(safe(u) for u in found.pages))
        if csv_path and found.new:
            console.print(f"wrote {len(found.new)} new sub-site(s) to {escape(csv_path)}: "
                          f"portalwatch sites import {escape(csv_path)}")
    for pr in found.problems:
        err_console.print(f"[red]problem:[/] {safe(pr)}")
    if not found.subsites:
        sys.exit(1)


# -- health -------------------------------------------------------------------------------------------
_STATUS_STYLE = {"ok": "green", "partial": "yellow", "never_crawled": "dim", "failing": "yellow",
                 "extraction_broken": "red", "unreachable": "red"}


def _health_db(obj: Ctx):
    """The database, or an empty in-memory one when nothing was crawled yet."""
    import sqlite3

    from monitor.store.db import open_db
    from monitor.store.schema import migrate

    if Path(obj.db_path).exists():
        return open_db(obj.db_path).conn
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    return conn


@sites.command("health", short_help="Per-site status, failures and missing fields.")
@click.option("--site", "site_ids", multiple=True, metavar="ID", help="Only this site (repeatable).")
@click.option("--problems", is_flag=True, help="Only sites that are not ok.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def sites_health(obj: Ctx, site_ids: tuple[str, ...], problems: bool, as_json: bool) -> None:
    """Per site: status, last success, failure streak, and the share of articles missing a date or
    views in the last crawl against the site's usual share; the kept failing page to check offline.

    \b
    Example:
      portalwatch sites health --problems
      portalwatch sites check vinh-hung --sample 12     # rerun extraction on the kept page
    """
    from monitor.clock import local
    from monitor.detect.health import site_health, worst_first

    config = obj.config
    if site_ids:
        wanted = {config.site(i).id for i in site_ids}
    with closing(_health_db(obj)) as conn:
        rows = site_health(conn, config)
    rows = [r for r in rows if (not site_ids or r.site_id in wanted) and (not problems or r.status != "ok")]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if problems and not rows:
        console.print(f"no problems: every {'chosen ' if site_ids else ''}site is ok")
        return
    t = Table(title=f"Site health ({len(rows)} site(s))")
    for c in ("site", "status", "last success (VN)", "fails", "seen", "no date now/usual", "no views now/usual",
              "sample"):
        t.add_column(c, no_wrap=c in ("site", "status", "last success (VN)"))

    def share(r, k):
        f = r.missing.get(k)
        if f is None:
            return ""
        usual = "—" if f.usual is None else f"{round(f.usual * 100)}%"
        text = f"{round(f.share * 100)}% / {usual}"
        return f"[red]{text}[/]" if f.broken else text

    rows = worst_first(rows)
    for r in rows:
        style = _STATUS_STYLE.get(r.status, "white")
        t.add_row(r.site_id + ("" if r.enabled else " [dim](disabled)[/]"), f"[{style}]{r.status}[/]",
                  local(r.last_success_at) if r.last_success_at else "never", str(r.failure_streak),
                  "" if r.articles_seen is None else str(r.articles_seen), share(r, "date"), share(r, "views"),
                  f"#{r.sample_id}" if r.sample_id else "")
    console.print(t)
    for r in rows:
        if r.status in ("ok", "never_crawled"):
            continue
        hint = ""
        if r.status == "extraction_broken":
            hint = (f" → portalwatch sites check {r.site_id} --sample {r.sample_id}" if r.sample_id
                    else f" → portalwatch sites check {r.site_id} --keep")
        style = _STATUS_STYLE.get(r.status, "white")
        console.print(f"[{style}]{r.site_id}[/]: {safe(r.detail)}{hint}")


# -- lineage ------------------------------------------------------------------------------------------
@sites.command("lineage", short_help="The stored ids whose history belongs to a unit.")
@click.argument("site_id")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def sites_lineage(obj: Ctx, site_id: str, as_json: bool) -> None:
    """The stored site ids whose history belongs to a unit (itself, former ids, merged units), with
    their article counts. Query the whole history with the unit_articles view.

    \b
    Example:
      portalwatch sites lineage vinh-hung
      sqlite3 portalwatch.db "SELECT * FROM unit_articles WHERE unit_id = 'vinh-hung'"
    """
    from monitor.sites.lineage import lineage
    from monitor.store.db import open_db

    unit = obj.config.site(site_id).id
    with closing(open_db(obj.require_db())) as db:
        rows = lineage(db.conn, unit)
    if as_json:
        click.echo(json.dumps({"unit_id": unit, "sources": rows}, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print(f"{unit}: not in the database yet (the next crawl records it)")
        return
    t = Table(title=f"History of {unit}")
    for c in ("stored as", "relation", "articles"):
        t.add_column(c)
    for r in rows:
        t.add_row(r["site_id"], r["relation"] + (f" ({r['hops']} steps)" if r["hops"] > 1 else ""), str(r["articles"]))
    console.print(t)
    console.print(f"all of it: SELECT * FROM unit_articles WHERE unit_id = '{unit}'")
