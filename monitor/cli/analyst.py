"""Analyst commands: query, search, export, serve (Datasette) and report."""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing, nullcontext
from pathlib import Path

import click

from monitor.cli.context import Ctx, console, pass_ctx
from monitor.cli.params import DAY, INSTANT, OutputFile
from monitor.store.dbfile import is_damaged, is_storage_error, probe
from monitor.terminal import term
from monitor.when import HELP as WHEN_HELP


def _ro(obj: Ctx) -> sqlite3.Connection:
    from monitor.analyst.query import connect

    return connect(obj.require_db())


@click.command(short_help="Run one read-only SQL statement.")
@click.argument("sql")
@click.option("-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE",
              help="Bind :NAME to VALUE (repeatable; values are text, SQLite converts as needed).")
@click.option("--csv", "fmt", flag_value="csv", help="Output CSV.")
@click.option("--json", "fmt", flag_value="json", help="Output a JSON array.")
@click.option("--jsonl", "fmt", flag_value="jsonl", help="Output JSON Lines.")
@click.option("--max-rows", type=int, default=1000, show_default=True,
              help="Rows shown in the table output (CSV/JSON output is never cut).")
@click.option("--vertical", "-x", "layout", flag_value="vertical",
              help="One record per row, a line per column (as psql \\x). Default: when the table is wider than the terminal.")
@click.option("--table", "layout", flag_value="table", help="Always a table, however narrow the columns get.")
@pass_ctx
def query(obj: Ctx, sql: str, params: tuple, fmt: str | None, max_rows: int, layout: str | None) -> None:
    """Run one read-only SQL statement; writes of any kind are refused.

    On a terminal the rows are a table, or one record per row when the table would not fit
    (--vertical / --table choose).

    \b
    Examples:
      portalwatch query "SELECT site_id, COUNT(*) FROM articles GROUP BY 1"
      portalwatch query "SELECT * FROM article_daily_views WHERE day >= :d" -p d 2026-11-20 --csv
      portalwatch query "SELECT * FROM silent_sites" --jsonl
    """
    from monitor.analyst import query as q
    from monitor.cli.render.query import query_output

    with closing(_ro(obj)) as conn:
        try:
            cur = q.run(conn, sql, dict(params))
            if cur.description is None:
                return
            if fmt:
                {"csv": q.write_csv, "json": q.write_json, "jsonl": q.write_jsonl}[fmt](cur, sys.stdout)
                return
            rows = cur.fetchmany(max_rows)
            more = cur.fetchone() is not None
            console.print(query_output(console, q.columns(cur), rows, layout or "auto"))
            note = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
            console.print(f"[dim]{note}{', more not shown (use --csv or raise --max-rows)' if more else ''}[/]")
        except (sqlite3.Error, q.ReadOnlyError) as e:
            if is_storage_error(e):
                raise  # main() names the file, the true cause and the way out
            raise click.ClickException(str(e)) from None


@click.command(short_help="Full-text search, diacritics ignored.")
@click.argument("text", required=False)
@click.option("--site", "sites", multiple=True, metavar="ID", help="Only this site (repeatable).")
@click.option("--since", type=INSTANT, help="Published since: " + WHEN_HELP + ".")
@click.option("--limit", type=int, default=20, show_default=True, help="Results shown, best first.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON (highlights as « »).")
@click.option("--rebuild", is_flag=True, help="Rebuild the search index from articles, then exit.")
@pass_ctx
def search(obj: Ctx, text: str | None, sites: tuple[str, ...], since: str | None, limit: int,
           as_json: bool, rebuild: bool) -> None:
    """Full-text search of titles and bodies, ignoring diacritics ("dong da" finds "Đống Đa").

    Words must all occur; "quoted words" must occur together; a trailing * matches a prefix.
    Best first: the words side by side in the title, all of them in the title, side by side
    anywhere, the rest; newest published first within each, among the newest 5,000 matches.

    \b
    Examples:
      portalwatch search "vinh hung"
      portalwatch search "hoi nghi" --site vinh-hung --since 30d
      portalwatch search '"dai hoi dang" nhiem ky*' --limit 5
    """
    import json

    from monitor.analyst import search as s

    if rebuild:
        from monitor.store.connect import open_db

        with closing(open_db(obj.require_db())) as db:
            n = s.rebuild(db.conn)
        console.print(f"search index rebuilt: {n} articles")
        return
    if not text:
        raise click.UsageError("give the words to search for")
    with closing(_ro(obj)) as conn:
        try:
            _check_ids(conn, sites=sites)
            if sites:
                _upgraded(conn, obj, 23, "searching within sites")  # the site in the index: migration 23
            found = s.find(conn, text, sites=sites, since=since, limit=limit)
            hits, total = found.hits, found.total
            if found.more and not as_json:
                total = s.count(conn, text, sites=sites, since=since)
        except ValueError as e:
            raise click.BadParameter(str(e)) from None
        except sqlite3.Error as e:
            if is_storage_error(e):
                raise
            raise click.ClickException(f"search failed: {e}") from None
    if as_json:
        out = [{**h.__dict__, "title": _marks(h.title, "«", "»"), "snippet": _marks(h.snippet, "«", "»")} for h in hits]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print(f"no articles match {term(repr(text))}")
        return
    from crawler.clock import local

    for i, h in enumerate(hits, 1):
        when = local(h.published_at, "%d/%m/%Y") if h.published_at else "?"
        console.print(f"[bold]{i}. {_rich(h.title)}[/]")
        console.print(f"   [cyan]{term(h.site_id)}[/] · #{h.article_id} · {when} · "
                      f"{h.views if h.views is not None else '?'} lượt xem · [dim]{term(h.url)}[/]")
        if h.snippet:
            console.print(f"   {_rich(h.snippet)}")
    if found.more:
        console.print(f"[dim]{len(hits)} of {total:,} matches: the best of the newest {found.total:,} "
                      "(narrow with --site, --since or more words)[/]")
        return
    more = f"; --limit {total} shows all" if total > len(hits) else ""
    console.print(f"[dim]{len(hits)} of {total} match{'es' if total != 1 else ''}, best first{more}[/]")


@click.command(short_help="One article's view readings (by id, URL or title).")
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Output JSON: the article and its readings.")
@pass_ctx
def history(obj: Ctx, article: str, as_json: bool) -> None:
    """The view-count readings of one article, found by its id, its URL (tracking parameters and
    all) or words of its title (diacritics ignored). When several titles match they are listed
    and the exit status is 1: run it again with the id.

    \b
    Examples:
      portalwatch history 123
      portalwatch history "https://hoangmai.hanoi.gov.vn/tin-tuc/-/view_content/4200659-….html"
      portalwatch history "tiep cong dan thang 12"
    """
    import json

    from rich.table import Table

    from crawler.clock import local
    from monitor.analyst.history import find, readings

    with closing(_ro(obj)) as conn:
        found = find(conn, article)
        rows = readings(conn, found.articles[0]["id"]) if len(found.articles) == 1 else []
    if not found.articles:
        raise click.ClickException({"id": f"no article has the id {article}",
                                    "url": f"no article has the URL {article}"}.get(
            found.how, f"no article title has the words {article!r}; `portalwatch search` looks in the bodies too"))
    if len(found.articles) > 1:
        shown = f" (the newest {len(found.articles)} of the best matches)" if found.total > len(found.articles) else ""
        table = Table(title=f"{found.total} articles have these words in their title{shown}")
        for col in ("id", "site", "published (VN)", "views", "title"):
            table.add_column(col, overflow="fold")
        for a in found.articles:
            table.add_row(str(a["id"]), term(a["site_id"]), local(a["published_at"]) if a["published_at"] else "",
                          "" if a["views"] is None else str(a["views"]), term(" ".join((a["title"] or "").split())))
        console.print(table)
        raise click.ClickException(f"{found.total} articles match {article!r}: run `portalwatch history ID` with one"
                                   " of the ids above, or give more words of the title")
    a = found.articles[0]
    if as_json:
        click.echo(json.dumps({"article": a, "readings": rows}, ensure_ascii=False, indent=2))
        return
    when = local(a["published_at"]) if a["published_at"] else "?"
    console.print(f"[bold]{term(' '.join((a['title'] or '').split()))}[/]")
    console.print(f"#{a['id']} · {term(a['site_name'])} · {when} · {term(a['url'])}"
                  + (" · [red]removed[/]" if a["status"] == "removed" else ""), soft_wrap=True)
    table = Table()
    for col, just in (("observed (VN time)", "left"), ("views", "right"), ("gained", "right"), ("from", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in rows:
        gained = "" if r["gained"] is None else f"{r['gained']:+d}"
        table.add_row(local(r["observed_at"]), str(r["views"]), gained, r["source"])
    console.print(table)
    if rows:
        console.print(f"{len(rows)} reading(s) (a count is stored when it changed): {rows[0]['views']} on "
                      f"{local(rows[0]['observed_at'])} → {rows[-1]['views']} on {local(rows[-1]['observed_at'])}")
    else:
        console.print("no view count read yet (the portal may not print one)")


def _upgraded(conn, obj: Ctx, version: int, what: str) -> None:
    """One clear line when the read-only connection (which never migrates) finds a database too
    old for `what`."""
    from monitor.store.schema import MIGRATIONS

    have = conn.execute("PRAGMA user_version").fetchone()[0]
    if have < version:
        raise click.ClickException(
            f"{obj.db_path}: {what} needs the database upgraded (it is at schema {have}, this portalwatch"
            f" at {len(MIGRATIONS)}): run `portalwatch crawl`, or any command that writes, once")


def _check_ids(conn, sites=(), parents=()) -> None:
    from monitor.analyst.ids import UnknownIdError, check

    try:
        check(conn, sites, parents)
    except UnknownIdError as e:
        raise click.ClickException(str(e)) from None


def _marks(text: str, a: str, b: str) -> str:
    from monitor.analyst.search import MARK_END, MARK_START

    return text.replace(MARK_START, a).replace(MARK_END, b)


def _rich(text: str) -> str:
    """Escape crawled text for rich, then turn the highlight markers into markup."""
    from monitor.analyst.search import MARK_END, MARK_START

    return _marks(term(" ".join(text.split()), keep=MARK_START + MARK_END), "[reverse yellow]", "[/reverse yellow]")


@click.command(short_help="Export articles, views, daily gains (CSV/JSONL/Excel).")
@click.argument("kind", type=click.Choice(["articles", "views", "daily"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), default=None,
              help="csv (times in Vietnam time with +07:00; a file gets a UTF-8 byte-order mark, so Excel shows the"
              " diacritics), jsonl (JSON Lines, times in UTC) or xlsx (an Excel workbook: Vietnamese headers, site"
              " names, real dates in Vietnam time, a sheet per table). Default: from the -o file's ending, else csv;"
              " a name that says another format is an error.")
@click.option("-o", "--out", type=OutputFile(allow_dash=True), default="-", show_default=True,
              help="Output file ('-' = standard output).")
@click.option("--site", "sites", multiple=True, metavar="ID", help="Only this site (repeatable).")
@click.option("--parent", "parents", multiple=True, metavar="ID",
              help="Every site below this unit, recursively (repeatable; adds to --site).")
@click.option("--since", type=DAY, help="From this day (inclusive): " + WHEN_HELP + ".")
@click.option("--until", type=DAY, help="Up to this day (inclusive), same forms.")
@click.option("--body", is_flag=True, help="Include article bodies (articles export).")
@click.option("--no-bom", is_flag=True, help="CSV file without the byte-order mark (for tools that choke on it).")
@pass_ctx
def export(obj: Ctx, kind: str, fmt: str | None, out: str, sites, parents, since, until, body: bool,
           no_bom: bool) -> None:
    """Stream articles, view readings or daily gains to CSV, JSON Lines or Excel (constant memory).

    Dates filter articles by published_at, views by observed_at, daily by day.

    \b
    Examples:
      portalwatch export articles --parent hoang-mai --since 2026-11-01 -o wards.csv
      portalwatch export views --site vinh-hung --format jsonl -o views.jsonl
      portalwatch export articles --parent hoang-mai -o wards.xlsx
      portalwatch export daily --since 2026-11-20 --until 2026-11-26
    """
    from monitor.analyst.export import export as run_export
    from monitor.analyst.export import export_xlsx, format_for

    try:
        fmt = format_for(out, fmt)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="'-o' / '--format'") from None
    with closing(_ro(obj)) as conn:
        try:
            _check_ids(conn, sites=sites, parents=parents)
            if fmt == "xlsx":
                n = export_xlsx(conn, kind, out, sites=sites, parents=parents, since=since, until=until, body=body)
            else:
                encoding = "utf-8-sig" if fmt == "csv" and not no_bom else "utf-8"  # Excel needs the BOM for UTF-8
                with (open(out, "w", encoding=encoding, newline="") if out != "-" else nullcontext(sys.stdout)) as f:
                    n = run_export(conn, kind, f, fmt, sites=sites, parents=parents, since=since, until=until,
                                   body=body)
        except ValueError as e:
            raise click.BadParameter(str(e)) from None
    if out != "-":
        console.print(f"wrote {n} {kind} rows to {term(out)}")


@click.command(short_help="Browse the database with Datasette.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open a browser once it is up.")
@pass_ctx
def serve(obj: Ctx, host: str, port: int, open_browser: bool) -> None:
    """Browse the database with Datasette (read-only), with bilingual descriptions, canned
    queries and diacritic-insensitive search. Needs: pip install 'portalwatch[datasette]'.

    \b
    Example:
      portalwatch serve --port 8001
    """
    from monitor.analyst import datasette as dm

    if not dm.available():
        raise click.ClickException("Datasette is not installed: pip install 'portalwatch[datasette]'")
    db = obj.require_db()
    probe(db)  # a damaged file fails here, in one line, not in Datasette's traceback
    _migrate(db)
    extra = ("--open",) if open_browser else ()
    console.print(f"Datasette on http://{host}:{port}/ (Ctrl-C or SIGTERM stops it)")
    code = dm.serve(db, host=host, port=port, extra=extra)
    if code:
        sys.exit(code)


def _migrate(db) -> None:
    """Bring the schema up to date (the views of a newer portalwatch); a file we may not write
    is served as it is."""
    from monitor.store.connect import open_db

    try:
        open_db(db).conn.close()
    except sqlite3.OperationalError as e:
        if is_damaged(e):
            raise
        console.print(f"[yellow]note:[/] {term(str(db))} could not be upgraded ({term(str(e))}): newer views may be missing")


@click.command(short_help="Write an HTML report with charts.")
@click.option("--out", type=OutputFile(), default="report.html", show_default=True,
              help="The HTML file to write.")
@click.option("--site", "sites", multiple=True, metavar="ID", help="Only this site (repeatable).")
@click.option("--parent", "parents", multiple=True, metavar="ID", help="Sites below this unit (repeatable).")
@click.option("--weeks", type=click.IntRange(1, 104), default=12, show_default=True,
              help="Weeks covered, up to the newest data.")
@click.option("--top", type=click.IntRange(1, 20), default=8, show_default=True, help="Articles in the views chart.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the report's labels.")
@pass_ctx
def report(obj: Ctx, out: str, sites, parents, weeks: int, top: int, lang: str) -> None:
    """Write a self-contained HTML report with charts (opens offline), in Vietnamese or English.

    \b
    Example:
      portalwatch report --out report.html --parent hoang-mai --weeks 8
      portalwatch report --lang en --out report-en.html
    """
    from monitor.analyst.report import build

    with closing(_ro(obj)) as conn:
        _check_ids(conn, sites=sites, parents=parents)
        text = build(conn, sites=sites, parents=parents, weeks=weeks, top=top, lang=lang)
    Path(out).write_text(text, encoding="utf-8")
    console.print(f"wrote {term(out)} ({len(text) // 1024} KB)")
