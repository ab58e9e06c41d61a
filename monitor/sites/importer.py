"""`portalwatch sites import FILE.csv`: onboard many sites at once.

Columns `id,name,level,parent,url`, separated by `,` or `;` (Excel with Vietnamese regional settings;
the header line decides), header required; level and parent may be empty; optional
`parent_name`, `parent_level` name a parent that is not configured). Every row is
checked (id, URL, duplicates in the file and in the configuration), then detection runs for the
valid rows in a few threads (at most two requests at a time per host). Each row ends as:
  ready      a news list was found, dates extracted: will be appended
  configured the same id with the same URL is already in the configuration: skipped
  attention  needs a human; `problem` says why (bad row, unreachable, not a news list, …)
A parent that is neither configured nor a row of the sheet becomes a `[[unit]]` table (a unit
without a portal, e.g. the province of a national sheet of communes), named from `parent_name`
(else its id: the summary says so); one that looks like a typo of a known id holds its rows back.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from crawler.extract.urls import canonical_url
from monitor.config import ID_RE, LEVELS, Config
from monitor.sites.onboard import Proposal, Web, inspect_url
from monitor.sites.units import NewUnits, new_units

COLUMNS = ("id", "name", "level", "parent", "url")
EXTRA = ("parent_name", "parent_level")  # optional columns


class ImportFileError(ValueError):
    """The CSV file itself cannot be used (not a row: the whole file)."""


@dataclass
class ImportRow:
    line: int
    id: str
    name: str
    level: str
    parent: str
    url: str
    status: str = "pending"
    problems: list[str] = field(default_factory=list)  # every one found, not just the first
    notes: str = ""  # what detection noticed about a ready row
    proposal: Proposal | None = field(default=None, repr=False)
    table: dict | None = None
    parent_name: str = ""
    parent_level: str = ""

    def flag(self, problem: str) -> None:
        """One more reason this row needs a human."""
        self.status = "attention"
        if problem not in self.problems:
            self.problems.append(problem)

    @property
    def problem(self) -> str:
        """'line N: 'id': first problem; second problem …' (a ready row: detection's notes)."""
        if not self.problems:
            return self.notes
        who = f"{self.id!r}: " if self.id else ""
        return f"line {self.line}: {who}" + "; ".join(self.problems)

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("line", "id", "name", "level", "parent", "url", "status", "problem")}
        out["start_urls"] = self.table["start_urls"] if self.table else []
        out["profile"] = self.table["profile"] if self.table else None
        out["preview"] = self.proposal.preview[:1] if self.proposal else []
        return out


def delimiter(text: str) -> str:
    """The header line's separator: ',' , ';' (what Excel writes with Vietnamese regional settings,
    where ',' is the decimal mark) or a tab — the one that splits it into the most known columns."""
    first = text.split("\n", 1)[0]
    known = {*COLUMNS, *EXTRA}

    def columns(sep: str) -> int:
        return sum(c.strip().lower() in known for c in next(csv.reader([first], delimiter=sep), []))

    return max((",", ";", "\t"), key=columns)  # a tie keeps ','


def read_rows(path: str | Path) -> list[ImportRow]:
    """Rows of the CSV (UTF-8, BOM allowed); raise ImportFileError naming what is wrong."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{p}: no such file") from None
    return parse_rows(data, str(p))


def parse_rows(data: bytes, name: str) -> list[ImportRow]:
    """Rows of a CSV given as bytes (an upload); `name` is how errors call it."""
    p = name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportFileError(f"{p}: not UTF-8 text ({e}); save the sheet as 'CSV UTF-8'") from None
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("id", "name", "url") if c not in header]
    if missing:
        raise ImportFileError(f"{p}: missing column(s) {', '.join(missing)}; expected a header line "
                              f"{','.join(COLUMNS)} (got {','.join(header) or 'nothing'})")
    reader.fieldnames = header
    rows = []
    for n, rec in enumerate(reader, 2):
        if not any((v or "").strip() for v in rec.values() if isinstance(v, str)):
            continue
        cell = {c: (rec.get(c) or "").strip() for c in (*COLUMNS, *EXTRA)}
        rows.append(ImportRow(n, cell["id"], cell["name"], cell["level"], cell["parent"], cell["url"],
                              parent_name=cell["parent_name"], parent_level=cell["parent_level"]))
    return rows


def validate(rows: list[ImportRow], config: Config) -> None:
    """Mark rows that are wrong on their face (every mistake of a row), duplicated, or already
    configured. Rows with a usable URL still go through detection: it may find more."""
    configured = {s.id: s for s in config.sites}
    aliases = {a: s.id for s in config.sites for a in s.aliases}
    first_line: dict[str, int] = {}
    for r in rows:
        if not r.id:
            r.flag("empty id")
        elif not ID_RE.match(r.id):
            r.flag("id is not valid (lowercase letters, digits, '-' or '_', at most 64)")
        elif r.id in first_line:
            r.flag(f"duplicate id {r.id!r} (also on line {first_line[r.id]})")
        elif r.id in aliases:
            r.flag(f"id {r.id!r} is a former id (alias) of site {aliases[r.id]!r}")
        elif r.id in configured:
            s = configured[r.id]
            same = canonical_url(r.url) in {canonical_url(u) for u in [s.home_url or "", *s.start_urls] if u}
            if same and r.status == "pending":
                r.status, r.notes = "configured", f"line {r.line}: {r.id!r} is already configured"
            elif not same:
                r.flag(f"id {r.id!r} is already used by site {s.name!r} ({s.start_urls[0]})")
        if not r.name:
            r.flag("empty name")
        if not _http(r.url):
            r.flag(f"{r.url!r} is not an http(s) URL")
        if r.level and r.level not in LEVELS:
            r.flag(f"level {r.level!r} is not one of {', '.join(LEVELS)}")
        if r.id:
            first_line.setdefault(r.id, r.line)


def to_detect(rows: list[ImportRow]) -> list[ImportRow]:
    """The rows detection looks at: an http(s) URL, not configured yet."""
    return [r for r in rows if r.status in ("pending", "attention") and _http(r.url)]


def _http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def detect_rows(rows: list[ImportRow], config: Config, web: Web, *, workers: int = 8,
                on_done: Callable[[ImportRow], None] | None = None) -> None:
    """Run `sites add` detection for every row with an http(s) URL that is not configured yet
    (also rows already needing attention: every problem of a row is reported); fill
    status/problems/table."""
    pending = to_detect(rows)

    def one(r: ImportRow) -> ImportRow:
        try:
            r.proposal = inspect_url(r.url, web, preview=1)
        except Exception as e:  # noqa: BLE001 - one odd page must not stop a bulk import
            r.flag(f"detection crashed on {r.url}: {e!r}")
            return r
        p = r.proposal
        if p.ok:
            r.table = p.site_table(r.id, r.name, r.level or None, r.parent or None)
            r.notes = "; ".join(p.notes)
            if r.status == "pending":
                r.status = "ready"
        else:
            for problem in p.problems or ["no news list found"]:
                r.flag(problem)
        return r

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for r in pool.map(one, pending):
            if on_done:
                on_done(r)
    _overlaps(rows, config)


def _overlaps(rows: list[ImportRow], config: Config) -> None:
    """Two sites crawling the same list would store every article twice: the later one waits."""
    owner = {canonical_url(u): s.id for s in config.sites for u in s.start_urls}
    for r in rows:
        if r.table is None:  # detection found no list
            continue
        clash = next((owner[canonical_url(u)] for u in r.table["start_urls"] if canonical_url(u) in owner), None)
        if clash:
            r.flag(f"its news list is already crawled for site {clash!r}")
        elif r.status == "ready":
            for u in r.table["start_urls"]:
                owner[canonical_url(u)] = r.id


def parent_units(rows: list[ImportRow], config: Config) -> NewUnits:
    """The [[unit]] tables for the parents of ready rows that are neither configured nor ready
    rows themselves. A ready row waits (attention) when its parent is a row needing attention
    (fix that one first) or looks like a typo of a known id."""
    line = {r.id: r.line for r in rows if r.status in ("ready", "attention")}
    # a parent that is no valid id or looks like a typo: a problem of every row naming it
    named = {r.parent: ("", "") for r in rows if r.parent and r.status in ("ready", "attention")}
    checked = new_units(named, config, also=set(line))
    for r in rows:
        if r.status in ("ready", "attention") and r.parent in checked.problems:
            r.flag(checked.problems[r.parent])
    while True:
        ready = [r for r in rows if r.status == "ready"]
        ids = {r.id for r in ready}
        wanted: dict[str, tuple[str, str]] = {}
        for r in ready:
            if r.parent and r.parent in line and r.parent not in ids:
                r.flag(f"its parent {r.parent!r} (line {line[r.parent]}) needs attention first")
            elif r.parent:
                name, level = wanted.get(r.parent, ("", ""))
                wanted[r.parent] = (name or r.parent_name, level or r.parent_level)
        units = new_units(wanted, config, also=ids)
        for r in ready:
            if r.status == "ready" and r.parent in units.problems:
                r.flag(units.problems[r.parent])
        if all(r.status == "ready" for r in ready):
            return units


def write_report(rows: list[ImportRow], path: str | Path) -> None:
    """The rows needing a human, as a CSV to fix and import again (cells made spreadsheet-safe)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([*COLUMNS, *EXTRA, "problem"])
        for r in rows:
            if r.status == "attention":
                w.writerow([_cell(v) for v in (r.id, r.name, r.level, r.parent, r.url, r.parent_name,
                                               r.parent_level, r.problem)])


def _cell(v: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @) in text that came from a page or a sheet."""
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
