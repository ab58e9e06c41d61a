"""`portalwatch sites list | add | import | discover | lineage`: which sites are configured, and
adding new ones to sites.toml (one URL, a CSV, or the sub-sites a district portal links to).

The `sites` group itself; `sites check` and `sites health` are in monitor/cli/site_checks.py. Thin
commands over monitor/sites/ (listing, onboard, importer, discover, lineage, tomlfile). Page text
(titles, names, link texts) is printed through monitor.terminal's `safe()` or `term()`: rich
markup and terminal control characters from a page never reach the operator's terminal.
"""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from monitor.cli.context import Ctx, console, err_console, pass_ctx
from monitor.cli.params import OutputFile
from monitor.config import LEVELS, Config, ConfigError, parse_config
from monitor.terminal import safe


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
    from monitor.cli.render.sites import plain_lines, site_table
    from monitor.sites.listing import site_rows

    db_path = obj.db_path  # a bad --db is reported before a bad --config
    rows = site_rows(obj.config, db_path)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if plain:
        for line in plain_lines(rows):
            click.echo(line)
        return
    console.print(site_table(rows, f"Sites in {escape(str(obj.config_path))}", console))


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
@click.option("--parent-name", help="Name of that new [[unit]] (default: asked for, unless --yes: its id).")
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
    from monitor.cli.render.sites import print_proposal
    from monitor.sites.onboard import (
        id_problem,
        inspect_url,
        obvious_id,
        overlap,
        suggest_id,
        taken_ids,
    )
    from monitor.sites.tomlfile import append_sites, render_site
    from monitor.sites.units import new_units, summary

    config = _config(obj)
    units = new_units({parent: (parent_name or "", "")} if parent else {}, config)
    if parent in units.problems:
        raise click.ClickException(f"--parent: {units.problems[parent]}")
    p = inspect_url(url, _web(config))
    if not as_json:
        print_proposal(p, console)
    if not p.ok:
        if as_json:
            click.echo(json.dumps({**p.as_dict(), "added": False}, ensure_ascii=False, indent=2))
        raise click.ClickException(f"{url}: not added" + (f": {p.problems[0]}" if as_json and p.problems
                                                         else " (see the problem above)"))
    site_id = site_id or suggest_id(p, taken_ids(config))
    # a list some site already crawls first: that is what the operator needs to hear
    problem = overlap([url, *p.start_urls], config) or id_problem(site_id, config, "--id", obvious_id(p))
    if problem or site_id is None:
        raise click.ClickException(problem or "choose an id with --id")
    table = p.site_table(site_id, name, level, parent)
    if units.unnamed and not (yes or dry_run or as_json):
        _ask_unit_names(units)
    if units.tables:
        err_console.print(f"[yellow]note:[/] {escape(summary(units))}")
    if as_json:
        added = bool(yes and not dry_run)
        if added:
            append_sites(obj.config_path, [table], units.tables, settings=True)
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
        append_sites(obj.config_path, [table], units.tables, settings=True)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    console.print(f"[green]added[/] {site_id} to {escape(obj.config_path)}. Next: "
                  f"portalwatch crawl --site {site_id}")
    _settings_note(config)


def _settings_note(config: Config) -> None:
    """Say so when the file got its [portalwatch] crawl settings from us."""
    if "portalwatch" not in config.raw:
        console.print("with crawl settings too ([portalwatch]: one request at a time per host, 1 s apart; "
                      "put your own address in contact_url): docs/operators.md, \"Crawl settings for a new file\"",
                      markup=False, highlight=False)


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
    optional parent_name column (and parent_level); one the sheet does not name is asked for
    (before appending, unless --yes/--json), else named after its id.

    \b
    Example:
      portalwatch sites import thanh-hoa.csv --report needs-attention.csv
      portalwatch sites import discovered.csv --yes
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from monitor.cli.render.sites import print_import_summary
    from monitor.sites.importer import (
        ImportFileError,
        detect_rows,
        parent_units,
        read_rows,
        to_detect,
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
    todo = len(to_detect(rows))
    with Progress(TextColumn("[bold]detecting"), BarColumn(bar_width=None), MofNCompleteColumn(),
                  TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err_console,
                  disable=as_json) as progress:
        task = progress.add_task("detect", total=todo, last="")
        detect_rows(rows, config, _web(config), workers=workers,
                    on_done=lambda r: progress.update(task, advance=1, last=f"{r.id}: {r.status}"))
    units = parent_units(rows, config)
    ready = [r for r in rows if r.status == "ready"]
    if units.unnamed and ready and not (yes or dry_run or as_json):
        _ask_unit_names(units)
    attention = [r for r in rows if r.status == "attention"]
    added = False
    if report_path:
        write_report(rows, report_path)
    if not as_json:
        print_import_summary(console, rows, report_path)
        if units.tables and ready:
            from monitor.sites.units import summary

            console.print(f"[yellow]{escape(summary(units))}[/]")
    if ready and not dry_run and (yes or (not as_json and click.confirm(
            f"Append {len(ready)} ready site(s) to {obj.config_path}?", default=True))):
        try:
            append_sites(obj.config_path, [r.table for r in ready if r.table is not None], units.tables,
                         settings=True)
        except ConfigError as e:
            raise click.ClickException(str(e)) from None
        added = True
        if not as_json:
            console.print(f"[green]added {len(ready)} site(s)"
                          + (f" and {len(units.tables)} unit(s)" if units.tables else "") + f"[/] to {escape(obj.config_path)}")
            _settings_note(config)
    if as_json:
        click.echo(json.dumps({"added": added, "units": units.tables if ready else [],
                               "rows": [r.as_dict() for r in rows]}, ensure_ascii=False, indent=2))
    if attention:
        sys.exit(1)


def _ask_unit_names(units) -> None:
    """Ask for the name (and level) of each new [[unit]] the sheet does not name; Enter keeps the id."""
    from monitor.sites.units import name_unit

    console.print(f"{len(units.unnamed)} parent(s) not configured and not named by the sheet (no parent_name): "
                  "their [[unit]] tables need a name for the digests (Enter keeps the id).")
    for pid in list(units.unnamed):
        name = click.prompt(f"Name of {pid}", default="", show_default=False).strip()
        level = click.prompt(f"Level of {pid} ({', '.join(LEVELS)}; Enter: none)", default="", show_default=False,
                             type=click.Choice(["", *LEVELS]), show_choices=False) if name else ""
        name_unit(units, pid, name, level)


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
    from monitor.cli.render.sites import print_discovery
    from monitor.sites.discover import discover

    config = _config(obj)
    found = discover(url, config, _web(config), parent=parent)
    if csv_path:
        found.write_csv(csv_path)
    if as_json:
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_discovery(found, console, csv_path)
    for pr in found.problems:
        err_console.print(f"[red]problem:[/] {safe(pr)}")
    if not found.subsites:
        sys.exit(1)


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
    from monitor.store.connect import open_db

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
