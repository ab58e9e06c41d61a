"""The `sites` commands on a terminal: `sites list` (a table, or tab-separated lines), what
`sites add` found at a URL, the outcome of `sites import`, the sub-sites `sites discover` found.
Page text goes through monitor.terminal (`safe`, `term`): markup and control characters from a
page never reach the operator's terminal as commands."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table

from crawler.clock import local
from monitor.cli.render.fit import Col, fit_table
from monitor.sites.discover import Discovery
from monitor.sites.importer import ImportRow
from monitor.sites.onboard import Proposal
from monitor.terminal import printable, safe, term

COLUMNS = ["id", "name", "level", "parent", "profile", "articles", "last crawl (VN)", "outcome"]
NARROW_DROPS = ("level", "profile")  # left out first in a narrow terminal: ids are never cut


# -- sites list --------------------------------------------------------------------------------------
def _cells(r: dict) -> dict[str, str]:
    cells = {"id": r["id"], "name": r["name"], "level": r["level"] or "", "parent": r["parent"] or "",
             "profile": r["profile"] or "", "articles": str(r["articles"]),
             "last crawl (VN)": local(r["last_crawl"]) if r["last_crawl"] else "never",
             "outcome": r["last_outcome"] or ("" if r["enabled"] else "disabled")}
    if r.get("kind") == "unit":  # a [[unit]]: no portal
        cells.update({"articles": "", "last crawl (VN)": "not crawled", "outcome": "unit, no URL"})
    return cells


def plain_lines(rows: list[dict]) -> Iterator[str]:
    """The header, then one tab-separated line per site: nothing cut, whitespace folded, controls visible."""
    yield "\t".join(COLUMNS)
    for r in rows:
        yield "\t".join(printable(" ".join(v.split())) for v in _cells(r).values())


def site_table(rows: list[dict], title: str, console: Console) -> RenderableType:
    """The rows fitted to the terminal (`title` is printed as markup): every id whole, level and
    profile left out first (render/fit.py)."""
    cols = [Col(c, "right" if c == "articles" else "left", optional=c in NARROW_DROPS) for c in COLUMNS]
    cells = []
    for r in rows:
        c = _cells(r)
        c["id"] += "" if r["enabled"] else " [dim](unit)[/]" if r.get("kind") == "unit" else " [dim](off)[/]"
        c["name"] = term(c["name"])
        cells.append(list(c.values()))
    return fit_table(console, cols, cells, title=title, hint="or with --plain / --json")


# -- sites add ------------------------------------------------------------------------------------------
def print_proposal(p: Proposal, console: Console) -> None:
    """What was found at the URL, for a human (page text through `safe`: markup and controls never pass)."""
    where = {"home": "a home page", "list": "a news list", "article": "an article page",
             "directory": "a directory of sub-sites", "unreachable": "not reachable"}.get(p.kind, "not recognised")
    unit = f" of {safe(p.unit[0])} ({p.unit[1]})" if p.unit else ""
    console.print(f"[bold]{safe(p.final_url or p.url)}[/]: {where}{unit}"
                  + (f" — “{safe(p.title, 80)}”" if p.title else ""))
    if p.fingerprints:
        scores = ", ".join(f"{k} {v:.2f}" for k, v in p.fingerprints.items())
        best = max(p.fingerprints, key=lambda k: p.fingerprints[k])
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


# -- sites import ---------------------------------------------------------------------------------------
def print_import_summary(console: Console, rows: list[ImportRow], report_path: str | None = None) -> None:
    """The counts by outcome, then the rows needing a human as a table (page text through `safe`)."""
    ready = [r for r in rows if r.status == "ready"]
    attention = [r for r in rows if r.status == "attention"]
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


# -- sites discover -------------------------------------------------------------------------------------
def print_discovery(d: Discovery, console: Console, csv_path: str | None = None) -> None:
    """The sub-sites as a table (configured ones marked), what was read, and the CSV written."""
    t = Table(title=f"Sub-sites linked from {escape(d.url)}" + (f" (parent {d.parent})" if d.parent else ""))
    for c in ("name", "level", "url", "configured", "suggested id"):
        t.add_column(c, overflow="fold")
    for s in d.subsites:
        status = (f"[green]yes: {s.configured_as}[/]" if s.configured_as else
                  f"[yellow]no (same name as {s.same_name_as})[/]" if s.same_name_as else "[bold]new[/]")
        t.add_row(safe(s.name, 50), s.level or "", safe(s.url), status, "" if s.configured_as else s.suggested_id)
    console.print(t)
    console.print(f"{len(d.subsites)} sub-site(s), {len(d.new)} not configured; read "
                  + ", ".join(safe(u) for u in d.pages))
    if csv_path and d.new:
        console.print(f"wrote {len(d.new)} new sub-site(s) to {escape(csv_path)}: "
                      f"portalwatch sites import {escape(csv_path)}")
