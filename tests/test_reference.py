"""docs/cli.md and docs/columns.md are generated (monitor/reference.py) and must be current;
every column of the real schema has a description in monitor/datasette_meta.json."""

from __future__ import annotations

import click
import pytest

from monitor import reference
from monitor.store.db import Store

REGENERATE = "run `python -m monitor.reference` and commit the result"


@pytest.mark.parametrize("name", sorted(reference.REFERENCES))
def test_generated_reference_is_current(name):
    committed = (reference.DOCS / name).read_text(encoding="utf-8")
    assert reference.REFERENCES[name]() == committed, f"docs/{name} is stale: {REGENERATE}"


def _schema(tmp_path) -> dict[str, list[str]]:
    """Tables and views of a freshly migrated database, read here without monitor.reference."""
    store = Store(tmp_path / "fresh.db")
    try:
        rows = store.conn.execute("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
        virtual = {n for n, _t, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
        shadow = {f"{v}_{s}" for v in virtual for s in ("data", "idx", "docsize", "config")}  # FTS5 internals
        return {n: [c[1] for c in store.conn.execute(f'PRAGMA table_xinfo("{n}")') if c[6] != 1]  # generated too
                for n, t, _sql in rows if n not in shadow and not n.startswith("sqlite_")}
    finally:
        store.close()


def test_every_table_and_view_column_is_described(tmp_path):
    schema, meta = _schema(tmp_path), reference.metadata_tables()
    assert {"articles", "view_counts", "deliveries", "unit_articles", "articles_fts"} <= set(schema)
    undescribed = [name for name in schema if not meta.get(name, {}).get("description")]
    assert not undescribed, f"tables/views without a description in monitor/datasette_meta.json: {undescribed}"
    missing = [f"{t}.{c}" for t, cols in schema.items() for c in cols if not meta[t].get("columns", {}).get(c)]
    assert not missing, f"columns without a description in monitor/datasette_meta.json: {missing}"
    stale = [f"{t}.{c}" for t, entry in meta.items() for c in entry.get("columns", {})
             if t not in schema or c not in schema[t]]
    assert not stale, f"described columns that the schema does not have: {stale}"


def _commands(cmd: click.Command, path: str):
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        if not sub.hidden:
            yield from _commands(sub, f"{path} {name}")


def test_cli_reference_has_every_command_and_option():
    from monitor.cli import cli

    text = reference.cli_reference()
    sections = {s.split("`", 1)[0]: s for s in text.split("\n## `")[1:]}
    for path, cmd in _commands(cli, "portalwatch"):
        assert path in sections, f"{path} missing from the CLI reference"
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.hidden and "--help" not in p.opts:
                assert max(p.opts, key=len) in sections[path], f"{path}: option {p.opts} missing"
    crawl = sections["portalwatch crawl"]
    assert "| `-j, --processes INTEGER RANGE` | `1` | Crawl in this many child processes" in crawl
    assert "portalwatch crawl [OPTIONS]" in crawl and "portalwatch crawl -j 2" in crawl


def test_check_reports_stale_files_and_regeneration_fixes_them(tmp_path, capsys):
    (tmp_path / "cli.md").write_text("old\n", encoding="utf-8")
    assert reference.main(["--check", "--dir", str(tmp_path)]) == 1
    assert "python -m monitor.reference" in capsys.readouterr().err
    assert (tmp_path / "cli.md").read_text(encoding="utf-8") == "old\n"  # --check writes nothing
    assert reference.main(["--dir", str(tmp_path)]) == 0
    assert reference.main(["--check", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "columns.md").read_text(encoding="utf-8") == reference.columns_reference()
