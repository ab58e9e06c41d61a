"""`portalwatch sites check | health`: whether a site's extraction and crawls work — one site's list
page and article field by field (live, saved or a kept sample), and every site's status.

Thin commands over monitor/sites/check.py and monitor/detect/site_status.py, shown by
monitor/cli/render/checks.py; registered on the `sites` group in monitor/cli/__init__.py. Page
text is printed escaped: rich markup and terminal control characters from a page never reach the
operator's terminal as commands.
"""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path

import click

from monitor.cli.context import Ctx, console, err_console, pass_ctx
from monitor.config import ConfigError


# -- check ------------------------------------------------------------------------------------------
@click.command("check", short_help="Show what one list page and article extract.")
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
    from monitor.cli.render.checks import print_check_report
    from monitor.sites.check import check_site, keep_pages, load_sample

    try:
        site = obj.config.site(site_id)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    html = Path(html_file).read_text(encoding="utf-8") if html_file else None
    article_html, source = None, None
    if sample_id is not None:
        from crawler.clock import local
        from monitor.store.connect import open_db

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
    from monitor.detect.site_status import usual_reads
    from monitor.sites.check import Usual

    usual = usual_reads(obj.db_path, obj.config, site.id)  # what its crawls usually read, when there is a database
    report = check_site(obj.config, site, list_url=list_url, article_url=article_url, list_html=html,
                        article_html=article_html, offline=offline, source=source,
                        usual=Usual(**usual) if usual else None)
    if keep and report.pages:
        from monitor.store.connect import open_db

        with closing(open_db(obj.db_path)) as db:
            kept = keep_pages(db.conn, site.id, report)
        err_console.print("kept as html_samples " + ", ".join(f"#{i}" for i in kept))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print_check_report(report, console)
    if not report.ok:
        sys.exit(1)


# -- health -------------------------------------------------------------------------------------------
@click.command("health", short_help="Per-site status, failures and missing fields.")
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
    from monitor.cli.render.checks import health_table, next_steps
    from monitor.detect.site_status import health_rows

    config = obj.config  # a bad --config is reported before a bad --db, as before any reading
    rows = health_rows(obj.db_path, config, site_ids, problems)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if problems and not rows:
        console.print(f"no problems: every {'chosen ' if site_ids else ''}site is ok")
        return
    console.print(health_table(rows, console))
    for line in next_steps(rows):
        console.print(line)
