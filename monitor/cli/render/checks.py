"""`sites check` and `sites health` on a terminal: one site's check report (what the list page and
the article extract, field by field, and each selector's matches), and every site's status as a
table, worst first, with the next step for each site in trouble. Page text is printed escaped:
rich markup and terminal control characters from a page never reach the terminal as commands."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape as escape_markup
from rich.table import Table
from rich.text import Text

from crawler.clock import local
from monitor.cli.render.fit import Col, fit_table
from monitor.detect.site_status import SiteHealth, worst_first
from monitor.sites.check import OPTIONAL_FIELDS, CheckReport
from monitor.terminal import safe
from monitor.terminal import term as escape  # page text: controls shown, markup escaped

STATUS_STYLE = {"ok": "green", "partial": "yellow", "never_crawled": "dim", "failing": "yellow",
                "extraction_broken": "red", "unreachable": "red"}
COLUMNS = ("site", "status", "last success", "fails", "seen", "no date", "no views", "sample")


# -- sites check ----------------------------------------------------------------------------------------
def print_check_report(report: CheckReport, console: Console) -> None:
    """The report: the list page, its first entries, the article field by field (what `auto` would
    give), each selector's matches, the problems and the verdict."""
    r = report
    console.print(f"[bold]{r.site.id}[/] — {escape(r.site.name)}  (profile [cyan]{r.profile}[/]"
                  + (f", page looks like [cyan]{r.detected}[/]" if r.detected else "") + ")"
                  + ("" if r.source == "live" else f"  [yellow]offline: {escape(r.source)}[/]"))
    console.print(f"robots.txt: {escape(r.robots)}")
    if r.list_url:
        console.print(f"list page: {escape(r.list_url)}\n  {r.list_count} articles found"
                      + (f" (auto would find {r.auto_list_count})" if r.auto_list_count is not None else "")
                      + f"; next page: {escape(r.next_url or '—')}")
    for k, v in r.list_rules.items():
        console.print(f"  [dim]{k}[/] ← {escape(v)}")
    if r.first_entries:
        t = Table(title="First entries on the list page")
        for c in ("title", "published (VN time)", "views", "key"):
            t.add_column(c)
        for e in r.first_entries:
            t.add_row(_short(e["title"], 60), e["published_local"] or "—",
                      "—" if e["views"] is None else str(e["views"]), _short(e["key"], 40))
        console.print(t)
    if r.article_url:
        t = Table(title=f"Article {escape(r.article_url)}")
        t.add_column("field")
        t.add_column("value")
        t.add_column("selector / rule")
        t.add_column("auto would give")
        for f in r.article_fields:
            shown, rule = _short(f.value, 70) if f.value is not None else "[red]missing[/]", _short(f.rule or "", 60)
            if f.value is None and f.name in OPTIONAL_FIELDS:
                shown, rule = "[dim]none[/]", "[dim]not printed on this page (optional)[/]"
            if f.value is None and f.name == "views" and r.views_from_list:
                shown, rule = "[yellow]not on the article page[/]", "normal here: the list pages carry the count"
            t.add_row(f.name, shown, rule, "" if f.auto_value is None else _short(f.auto_value, 40))
        console.print(t)
    if r.selectors:
        t = Table(title="Selectors (site overrides, then the profile's), tried in order")
        for c in ("key", "selector", "from", "page", "matches", "first match"):
            t.add_column(c)
        for s in r.selectors:
            n = s["matches"]
            shown = f"[red]{escape(s['error'])}[/]" if s.get("error") else ("[red]0[/]" if n == 0 else str(n))
            t.add_row(s["key"], _short(s["css"], 50), s["source"], s["page"], shown, _short(s["value"] or "", 40))
        console.print(t)
    for p in r.problems:
        console.print(f"[red]problem:[/] {escape(p)}")
    note = r.views_note()
    if note:
        console.print(f"[yellow]views[/]: {escape(note)}")
    if r.ok:
        what = " and ".join(w for w, done in (("list", r.list_url), ("article", r.article_url)) if done)
        console.print(f"[green]OK[/]: {what} extract cleanly.")


def _short(v: Any, n: int) -> str:
    """One line of at most n characters, control characters dropped, safe for rich markup."""
    s = "".join(ch if ch.isprintable() else " " for ch in str(v))
    return escape_markup(s if len(s) <= n else s[: n - 1] + "…")


# -- sites health ---------------------------------------------------------------------------------------
def _share(r: SiteHealth, key: str) -> str:
    f = r.missing.get(key)
    if f is None:
        return ""
    usual = "—" if f.usual is None else f"{round(f.usual * 100)}%"
    text = f"{round(f.share * 100)}% / {usual}"
    return f"[red]{text}[/]" if f.broken else text


def health_table(rows: list[SiteHealth], console: Console) -> RenderableType:
    """The rows, worst first, fitted to the terminal with every id whole (render/fit.py), and what
    the share columns mean."""
    cols = [Col(c, "right" if c in ("fails", "seen") else "left") for c in COLUMNS]
    cells = []
    for r in worst_first(rows):
        style = STATUS_STYLE.get(r.status, "white")
        cells.append([r.site_id + ("" if r.enabled else " [dim](disabled)[/]"), f"[{style}]{r.status}[/]",
                      local(r.last_success_at) if r.last_success_at else "never", str(r.failure_streak),
                      "" if r.articles_seen is None else str(r.articles_seen), _share(r, "date"), _share(r, "views"),
                      f"#{r.sample_id}" if r.sample_id else ""])
    table = fit_table(console, cols, cells, title=f"Site health ({len(rows)} site(s); times in Vietnam time)")
    if not any(r.missing for r in rows):
        return table
    return Group(table, Text("no date, no views: share of the last crawl's articles without one, now / usual",
                             style="dim"))


def next_steps(rows: list[SiteHealth]) -> list[str]:
    """One markup line per site in trouble, worst first: what is wrong (page text made safe) and,
    for broken extraction, the `sites check` command that reruns it on the kept page."""
    out = []
    for r in worst_first(rows):
        if r.status in ("ok", "never_crawled"):
            continue
        hint = ""
        if r.status == "extraction_broken":
            hint = (f" → portalwatch sites check {r.site_id} --sample {r.sample_id}" if r.sample_id
                    else f" → portalwatch sites check {r.site_id} --keep")
        out.append(f"[{STATUS_STYLE.get(r.status, 'white')}]{r.site_id}[/]: {safe(r.detail)}{hint}")
    return out
