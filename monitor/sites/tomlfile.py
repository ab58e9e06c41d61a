"""Append `[[site]]` (and `[[unit]]`) tables to the operator's TOML file without touching anything
else, and edit the keys of one `[[site]]` (update_site: through tomlkit, comments and order kept).

The new tables are rendered by tomlkit (quoting and escaping of untrusted page text) and inserted
as text right after the last `[[site]]` table's last key, so every comment, blank line and the
order of the file stay as the operator wrote them (a comment introducing the table that follows,
e.g. `# The district office …` above `[[recipient]]`, stays with that table). The result is
checked before it replaces the file: it must parse to exactly the old data plus the new sites and
pass the configuration validation; the write is atomic (temporary file + rename).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomlkit

from monitor.config import ConfigError, parse_config

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(?:#.*)?$")
_QUIET_RE = re.compile(r"^\s*(?:#.*)?$")  # blank or comment-only line


def render_site(table: dict, kind: str = "site") -> str:
    """One `[[site]]` (or `[[unit]]`) table as TOML text (nested tables inline)."""
    t = tomlkit.table()
    for key, value in table.items():
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update(value)
            t[key] = inline
        elif isinstance(value, list) and len(value) > 1:  # one URL a line: readable diffs
            arr = tomlkit.array()
            arr.extend(value)
            t[key] = arr.multiline(True)
        else:
            t[key] = value
    doc = tomlkit.document()
    aot = tomlkit.aot()
    aot.append(t)
    doc[kind] = aot
    return tomlkit.dumps(doc).strip() + "\n"


def _site_tables(lines: list[str]) -> list[tuple[int, int]]:
    """The line span of every `[[site]]` table: from its header to the next header that is not
    one of its sub-tables (`[site.selectors]`), less the blank and comment lines that end it
    (they introduce what follows)."""
    headers = []
    for i, line in enumerate(lines):
        m = _HEADER_RE.match(line)
        if m:
            headers.append((i, m.group(1), m.group(2).replace('"', "").replace("'", "").replace(" ", "")))
    spans = []
    for start in (i for i, kind, name in headers if kind == "[[" and name == "site"):
        end = next((i for i, _, name in headers if i > start and not name.startswith("site.")), len(lines))
        while end > start + 1 and _QUIET_RE.match(lines[end - 1]):
            end -= 1
        spans.append((start, end))
    return spans


def _insert_at(lines: list[str]) -> int | None:
    """Index of the line after the last key of the last `[[site]]` table (with its sub-tables),
    or None when the file has no site yet."""
    spans = _site_tables(lines)
    return spans[-1][1] if spans else None


def with_sites(text: str, tables: list[dict], units: list[dict] | None = None) -> str:
    """The file text with the tables appended as `[[site]]`s, then `units` as `[[unit]]`s, after
    the last site (layout otherwise unchanged)."""
    nl = "\r\n" if "\r\n" in text else "\n"
    units = units or []
    block = "".join("\n" + render_site(t) for t in tables) + "".join("\n" + render_site(u, "unit") for u in units)
    lines = text.splitlines(keepends=True)
    at = _insert_at(lines)
    if at is None:
        out = (text + ("" if text.endswith(("\n", "\r")) else nl) + block) if text.strip() else block.lstrip("\n")
    else:
        before = "".join(lines[:at])
        if not before.endswith(("\n", "\r")):
            before += nl
        rest = "".join(lines[at:])
        out = before + block + ("\n" if rest and not rest.startswith(("\n", "\r\n")) else "") + rest
    return out.replace("\r\n", "\n").replace("\n", nl) if nl != "\n" else out


# Written above the sites when a file has no [portalwatch] table (docs/operators.md, "Crawl
# settings for a new file"): the defaults, made visible, and one request at a time per host.
SETTINGS = """# Crawl settings, written by `portalwatch sites add/import` because the file had none
# (docs/operators.md, "Crawl settings for a new file"). Put your own page or address in contact_url.
[portalwatch]
contact_url = "https://github.com/portalwatch/portalwatch"  # in the User-Agent: who is crawling
delay = 1.0                  # seconds between two requests to one host (a floor)
concurrency = 16             # requests in flight in the whole crawl, all hosts together
concurrency_per_domain = 1   # one at a time per host: the wards of a province often share one
timeout = 30                 # seconds per request
retries = 2                  # 5xx, 408, 429 and network errors are tried again this often
schedule = "every 1h"        # `portalwatch run`: sites without a schedule of their own
"""


def with_settings(text: str) -> str:
    """The file text with SETTINGS added above its first table when it has no [portalwatch]
    table (after the comments that open the file); unchanged otherwise."""
    if "portalwatch" in tomllib.loads(text):
        return text
    lines = text.splitlines(keepends=True)
    head = 0
    while head < len(lines) and _QUIET_RE.match(lines[head]) and not lines[head].strip() == "":
        head += 1
    if head < len(lines) and lines[head].strip():
        head = 0  # the opening comment introduces the first table: keep them together
    top = "".join(lines[:head])
    rest = "".join(lines[head:]).lstrip("\r\n")
    return top + ("\n" if top else "") + SETTINGS + ("\n" + rest if rest else "")


def append_sites(path: str | os.PathLike, tables: list[dict], units: list[dict] | None = None, *,
                 settings: bool = False) -> str:
    """Append the site tables (and `[[unit]]` tables for parents without a portal) to the TOML
    file at path, with SETTINGS too when `settings` and the file has no [portalwatch] table;
    raise ConfigError (file untouched) when the result would not be valid. Returns the new text."""
    p, units = Path(path), units or []
    old = p.read_text(encoding="utf-8") if p.exists() else ""
    try:
        before = tomllib.loads(old)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: not valid TOML, nothing written: {e}") from None
    new = with_sites(with_settings(old) if settings else old, tables, units)
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: not valid TOML, nothing written: {e}") from None
    expected = dict(before)
    if settings and "portalwatch" not in before:
        expected = {"portalwatch": tomllib.loads(SETTINGS)["portalwatch"], **before}
    expected["site"] = list(before.get("site", [])) + [tomllib.loads(render_site(t))["site"][0] for t in tables]
    if units:  # inserted after the last site: before any [[unit]] the file already has further down
        expected["unit"] = list(before.get("unit", [])) + [tomllib.loads(render_site(u, "unit"))["unit"][0] for u in units]
    if _by_id(after) != _by_id(expected):
        raise ConfigError(f"{p}: appending would change other settings (unusual layout?); nothing written."
                          " Add the entry by hand:\n" + "".join(render_site(t) for t in tables)
                          + "".join(render_site(u, "unit") for u in units))
    parse_config(after, p)  # raises ConfigError naming the site and key
    _replace(p, old, new)
    return new


def update_site(path: str | os.PathLike, site_id: str, changes: dict[str, Any]) -> str:
    """Set keys of one `[[site]]` table (None removes a key; `selectors` is the whole new table of
    selectors, {} removes it) through tomlkit: every other line, comment and the order of the file
    stay. The result must change exactly those keys and load like any configuration (ConfigError
    otherwise, the file untouched); the write is atomic. Returns the new text.

    Only the site's own table (its `[[site]]` header to the next table's) goes through tomlkit
    when the file lays its sites out that way, as `sites add/import` write them: tomlkit takes
    2 s to read a national file of 3,355 sites, the one table a millisecond. Any other layout is
    read whole."""
    p = Path(path)
    old = p.read_text(encoding="utf-8")
    try:
        before = tomllib.loads(old)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: not valid TOML, nothing written: {e}") from None
    sites = before.get("site", [])
    index = next((i for i, t in enumerate(sites if isinstance(sites, list) else [])
                  if isinstance(t, dict) and t.get("id") == site_id), None)
    if index is None:
        raise ConfigError(f"{p}: no [[site]] with id {site_id!r}")
    new = _edit_block(old, sites[index], index, changes)
    if new is None:
        try:
            doc = tomlkit.parse(old)
        except tomlkit.exceptions.ParseError as e:
            raise ConfigError(f"{p}: not valid TOML, nothing written: {e}") from None
        table = next(t for t in doc.get("site", []) if t.get("id") == site_id)
        _apply(table, changes)
        new = tomlkit.dumps(doc)
    after = tomllib.loads(new)
    expected = dict(before)
    expected["site"] = [_changed(t, changes) if t.get("id") == site_id else t for t in sites]
    if after != expected:
        raise ConfigError(f"{p}: editing would change other settings (unusual layout?); nothing written")
    parse_config(after, p)  # the same rules and one-line errors as loading the file
    _replace(p, old, new)
    return new


def _edit_block(text: str, site: dict, index: int, changes: dict[str, Any]) -> str | None:
    """The file with the changes made in the `index`-th site's table alone (see update_site);
    None when that table is not one `[[site]]` block holding exactly the site as read."""
    span = _site_block(text, index)
    if span is None:
        return None
    block = text[span[0]:span[1]]
    try:
        if tomllib.loads(block).get("site") != [site]:
            return None
        doc = tomlkit.parse(block)
    except (tomllib.TOMLDecodeError, tomlkit.exceptions.ParseError):
        return None
    _apply(doc["site"][0], changes)
    # the block ended on a key; blank lines a removed sub-table leaves would double those after it
    edited = re.sub(r"(\r?\n)(?:[ \t]*\r?\n)+\Z", r"\1", tomlkit.dumps(doc))
    return text[:span[0]] + edited + text[span[1]:]


def _site_block(text: str, index: int) -> tuple[int, int] | None:
    """Where the `index`-th `[[site]]` table is in the text (`_site_tables`), as character
    offsets; None when there are not that many headers."""
    lines = text.splitlines(keepends=True)
    spans = _site_tables(lines)
    if index >= len(spans):
        return None
    start, end = spans[index]
    offset = sum(len(line) for line in lines[:start])
    return offset, offset + sum(len(line) for line in lines[start:end])


def _apply(table, changes: dict[str, Any]) -> None:
    """The changes, made to a tomlkit table in place."""
    for key, value in changes.items():
        if key == "selectors":
            _set_selectors(table, value or {})
        elif value is None:
            _remove(table, key)
        elif key in table:
            table[key] = value
        else:
            _add(table, key, value)


def _set_selectors(table, wanted: dict[str, str]) -> None:
    current = table.get("selectors")
    if not wanted:
        _remove(table, "selectors")
    elif current is None:
        inline = tomlkit.inline_table()
        inline.update(wanted)
        _add(table, "selectors", inline)
    else:
        for key in [k for k in current if k not in wanted]:
            _remove(current, key)
        for key, value in wanted.items():
            if key not in current:
                _add(current, key, value)
            elif current[key] != value:
                current[key] = value


def _add(table, key: str, value: Any) -> None:
    """A new key right after the table's last key: before its sub-tables and before the comments
    that end it (in tomlkit they belong to the table above the one they introduce)."""
    body = table.value.body
    last = max((i for i, (k, item) in enumerate(body) if k is not None and not isinstance(item, _TABLES)), default=-1)
    item = value if isinstance(value, tomlkit.items.Item) else tomlkit.item(value)
    if last + 1 < len(body):
        table.value._insert_at(last + 1, key, item)
    else:
        table.append(key, item)


def _remove(table, key: str) -> None:
    """Remove a key; a sub-table's closing comments (which introduce what follows) stay."""
    if key not in table:
        return
    item = table[key]
    tail: list = []
    if isinstance(item, tomlkit.items.Table):
        body = item.value.body
        while body and body[-1][0] is None and isinstance(body[-1][1], _TRIVIA):
            tail.insert(0, body.pop()[1])
    del table[key]
    body = table.value.body
    shown = [item for _, item in body if not isinstance(item, tomlkit.items.Null)]  # del leaves a Null
    if tail and isinstance(tail[0], tomlkit.items.Whitespace) and shown and isinstance(shown[-1], tomlkit.items.Whitespace):
        tail.pop(0)  # one blank line, not two
    body.extend((None, t) for t in tail)


_TABLES = (tomlkit.items.Table, tomlkit.items.AoT)
_TRIVIA = (tomlkit.items.Comment, tomlkit.items.Whitespace)


def _changed(site: dict, changes: dict[str, Any]) -> dict:
    out = dict(site)
    for key, value in changes.items():
        if value is None or (key == "selectors" and not value):
            out.pop(key, None)
        else:
            out[key] = dict(value) if key == "selectors" else value
    return out


def _replace(p: Path, old: str, new: str) -> None:
    """Write `new` over the file atomically, unless someone changed it since we read `old`."""
    if p.exists() and p.read_text(encoding="utf-8") != old:
        raise ConfigError(f"{p}: changed by someone else while we worked; nothing written, try again")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(new)
        if p.exists():
            os.chmod(tmp, p.stat().st_mode & 0o7777)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _by_id(data: dict) -> dict:
    """The document with its `unit` tables in id order (where new units land does not matter)."""
    if not isinstance(data.get("unit"), list):
        return data
    return {**data, "unit": sorted(data["unit"], key=lambda u: str(u.get("id")) if isinstance(u, dict) else "")}
