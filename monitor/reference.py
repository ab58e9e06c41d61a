"""Generated references: docs/cli.md from the click commands, docs/columns.md from the Datasette
metadata (monitor/analyst/datasette_meta.json) over a freshly migrated schema.

    python -m monitor.reference            # rewrite both files
    python -m monitor.reference --check    # exit 1 when either is stale

tests/test_reference.py fails when the committed files differ from what this writes.
"""

from __future__ import annotations

import argparse
import inspect
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import click

DOCS = Path(__file__).resolve().parent.parent / "docs"
COMMAND = "python -m monitor.reference"
_FTS5_SHADOW = ("_data", "_idx", "_docsize", "_config", "_content")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# -- CLI ---------------------------------------------------------------------------------------
def _help_markdown(text: str) -> list[str]:
    """A click docstring as Markdown: `\\b` paragraphs (kept as written) become code blocks."""
    out = []
    for para in inspect.cleandoc(text).split("\n\n"):
        if para.startswith("\b"):
            out += ["```text", para.lstrip("\b").strip("\n"), "```", ""]
        elif para.strip():
            out += [" ".join(para.split()), ""]
    return out


def _default(param: click.Parameter, ctx: click.Context) -> str:
    if isinstance(param, click.Option) and (param.is_flag and not param.secondary_opts):
        return ""
    value = param.get_default(ctx, call=False)
    if callable(value):
        return "(computed)"
    if value is None or value == () or value == [] or type(value).__name__ == "Sentinel":  # click's UNSET
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(f"`{v}`" for v in value)
    return f"`{value}`"


def _command_section(cmd: click.Command, ctx: click.Context) -> list[str]:
    out = [f"## `{ctx.command_path}`", ""]
    out += _help_markdown(cmd.help or "")
    out += ["```text", f"{ctx.command_path} {' '.join(cmd.collect_usage_pieces(ctx))}".rstrip(), "```", ""]
    help_names = set(ctx.help_option_names)
    rows = []
    for param in cmd.get_params(ctx):
        if not isinstance(param, click.Option) or param.hidden or set(param.opts) & help_names:
            continue
        record = param.get_help_record(ctx)
        names = record[0] if record else ", ".join(param.opts)
        desc = param.help or ""
        if param.envvar and isinstance(param.envvar, str) and param.envvar not in desc:
            desc += f" Env: {param.envvar}."
        if param.required:
            desc += " Required."
        rows.append(f"| `{_cell(names)}` | {_default(param, ctx)} | {_cell(desc)} |")
    if rows:
        out += ["| option | default | meaning |", "|---|---|---|", *rows, ""]
    if isinstance(cmd, click.Group):
        out += ["| command | what it does |", "|---|---|"]
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                anchor = f"{ctx.command_path} {name}".replace(" ", "-")
                out.append(f"| [`{name}`](#{anchor}) | {_cell(sub.get_short_help_str(limit=120))} |")
        out.append("")
    return out


def _walk(cmd: click.Command, ctx: click.Context):
    yield cmd, ctx
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, click.Context(sub, info_name=name, parent=ctx, terminal_width=100))


def cli_reference() -> str:
    """Every command and subcommand of `portalwatch`: help, usage, options with defaults."""
    from monitor.cli import cli

    root = click.Context(cli, info_name="portalwatch", terminal_width=100)
    out = [
        "# Command reference",
        "",
        f"<!-- Generated from the click commands (monitor/cli/) by `{COMMAND}`; do not edit. -->",
        "",
        "Global options (`--config`, `--db`) come before the command. Every command takes "
        "`-h`/`--help`, which prints the same text as below.",
        "",
    ]
    for cmd, ctx in _walk(cli, root):
        out += _command_section(cmd, ctx)
    return "\n".join(out).rstrip("\n") + "\n"


# -- columns -----------------------------------------------------------------------------------
def metadata_tables() -> dict[str, dict]:
    """The "tables" entries (tables and views) of the shipped Datasette metadata."""
    from monitor.analyst.datasette import shipped

    return shipped()["database"]["tables"]


def schema_objects(conn: sqlite3.Connection) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """name -> (table/view, [(column, declared type)]) of a database, without FTS5 shadow tables."""
    rows = conn.execute("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
    objects = [(n, t, s or "") for n, t, s in rows if not n.startswith("sqlite_")]
    fts = {n for n, _t, s in objects if s.upper().startswith("CREATE VIRTUAL TABLE") and "FTS5" in s.upper()}
    shadow = {f + suffix for f in fts for suffix in _FTS5_SHADOW}
    return {
        # table_xinfo: generated columns too (events.gained), not a virtual table's hidden ones
        name: (kind, [(r[1], r[2]) for r in conn.execute(f'PRAGMA table_xinfo("{name}")') if r[6] != 1])
        for name, kind, _sql in objects if not (kind == "table" and name in shadow)
    }


def fresh_schema() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """schema_objects() of a database freshly created (migrated) by monitor.store.db.Store."""
    from monitor.store.db import Store

    with tempfile.TemporaryDirectory(prefix="portalwatch-ref-") as d:
        with closing(Store(Path(d) / "schema.db")) as store:
            return schema_objects(store.conn)


def columns_reference() -> str:
    """Every table and view with its columns and their descriptions, in the metadata's order."""
    meta, schema = metadata_tables(), fresh_schema()
    out = [
        "# Column reference",
        "",
        f"<!-- Generated from monitor/analyst/datasette_meta.json and the schema by `{COMMAND}`; do not edit. -->",
        "",
        "Every table and view of the database, with the descriptions Datasette shows "
        "(`portalwatch serve`), Vietnamese — English. Times are UTC ISO-8601; `day` and `week` are "
        "Vietnam-local. How the tables fit together: [database.md](database.md).",
        "",
    ]
    names = [n for n in meta if n in schema] + sorted(n for n in schema if n not in meta)
    for name in names:
        kind, columns = schema[name]
        entry = meta.get(name, {})
        out += [f"## `{name}` ({kind})", ""]
        if entry.get("description"):
            out += [entry["description"], ""]
        described = entry.get("columns", {})
        out += ["| column | type | description |", "|---|---|---|"]
        for col, decl in columns:
            out.append(f"| `{col}` | {decl.lower()} | {_cell(described.get(col, '(no description)'))} |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


REFERENCES = {"cli.md": cli_reference, "columns.md": columns_reference}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=COMMAND, description="Write docs/cli.md and docs/columns.md.")
    ap.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    ap.add_argument("--dir", type=Path, default=DOCS, help="where the files are (default: docs/)")
    args = ap.parse_args(argv)
    stale = []
    for name, build in REFERENCES.items():
        path, text = args.dir / name, build()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print(f"stale: {', '.join(stale)}; run `{COMMAND}`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
