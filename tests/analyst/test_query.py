"""`portalwatch query`: read-only by construction, outputs, parameters."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from monitor.analyst.query import ReadOnlyError, connect, run
from monitor.cli import cli

WRITES = [
    "INSERT INTO sites (id, name, added_at, updated_at) VALUES ('x', 'x', 't', 't')",
    "UPDATE articles SET views = 0",
    "DELETE FROM view_counts",
    "DROP TABLE articles",
    "DROP VIEW silent_sites",
    "CREATE TABLE t (a)",
    "CREATE TEMP TABLE t (a)",
    "CREATE INDEX i ON articles(title)",
    "ALTER TABLE articles ADD COLUMN x",
    "ATTACH DATABASE ':memory:' AS other",
    "ATTACH DATABASE '/tmp/portalwatch-attack.db' AS other",
    "PRAGMA writable_schema = 1",
    "PRAGMA journal_mode = delete",
    "PRAGMA user_version = 99",
    "PRAGMA wal_checkpoint(TRUNCATE)",
    "WITH x AS (SELECT 1) DELETE FROM articles",
    "WITH x AS (SELECT id FROM articles) UPDATE articles SET title = 'x' WHERE id IN x",
    "INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')",
    "REPLACE INTO sites SELECT * FROM sites",
    "REINDEX",
    "ANALYZE",
    "VACUUM",
    "VACUUM INTO '/tmp/portalwatch-copy.db'",
    "SELECT load_extension('mod')",
]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_refused_and_change_nothing(built, sql):
    before = built.conn.execute("SELECT COUNT(*), SUM(views), (SELECT COUNT(*) FROM view_counts),"
                                " (SELECT COUNT(*) FROM sqlite_master) FROM articles").fetchone()
    conn = connect(built.path)
    with pytest.raises(ReadOnlyError):
        run(conn, sql)
    assert conn.execute("PRAGMA database_list").fetchall() == [(0, "main", str(built.path.resolve()))]
    conn.close()
    after = built.conn.execute("SELECT COUNT(*), SUM(views), (SELECT COUNT(*) FROM view_counts),"
                               " (SELECT COUNT(*) FROM sqlite_master) FROM articles").fetchone()
    assert after == before


def test_reading_works_including_fts_pragmas_and_views(built):
    conn = connect(built.path)
    assert run(conn, "SELECT COUNT(*) FROM articles").fetchone() == (3,)
    assert run(conn, "SELECT name FROM pragma_table_info('views_daily') ORDER BY cid").fetchone() == ("article_id",)
    assert run(conn, "PRAGMA user_version").fetchone()[0] >= 3
    assert run(conn, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'dong'").fetchall() == [(1,)]
    assert run(conn, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3)"
                     " SELECT SUM(i) FROM n").fetchone() == (6,)


def invoke(built, *args):
    return CliRunner().invoke(cli, ["--db", str(built.path), "query", *args], catch_exceptions=False)


def test_cli_table_with_named_parameters(built):
    r = invoke(built, "SELECT key, views FROM articles WHERE site_id = :s AND views > :v", "-p", "s", "vinh-hung",
               "-p", "v", "40")
    assert r.exit_code == 0, r.output
    assert "a1" in r.output and "41" in r.output and "1 row" in r.output


def test_cli_csv_json_jsonl(built):
    sql = "SELECT key, title, views FROM articles ORDER BY id"
    rows = list(csv.DictReader(io.StringIO(invoke(built, sql, "--csv").output)))
    assert [(r["key"], r["title"], r["views"]) for r in rows] == [
        ("a1", "Hội nghị tại Đống Đa", "41"), ("a2", "Thông báo lịch tiếp công dân", "125"), ("a3", "Xã Ea Kao ra quân", ""),
    ]
    as_json = json.loads(invoke(built, sql, "--json").output)
    assert as_json[2] == {"key": "a3", "title": "Xã Ea Kao ra quân", "views": None}
    lines = invoke(built, sql, "--jsonl").output.splitlines()
    assert [json.loads(x)["views"] for x in lines] == [41, 125, None]
    assert "Đống Đa" in lines[0]  # UTF-8, not \\u escapes
    assert json.loads(invoke(built, "SELECT 1 WHERE 0", "--json").output) == []


def test_cli_refusal_is_an_error_exit(built):
    r = invoke(built, "DROP TABLE articles")
    assert r.exit_code == 1 and "read-only" in r.output
    r = invoke(built, "SELECT 1; DROP TABLE articles")
    assert r.exit_code == 1
    assert built.conn.execute("SELECT COUNT(*) FROM articles").fetchone() == (3,)


def test_crawled_text_is_not_read_as_markup(store):
    from tests.analyst.conftest import item

    store.apply([item("vinh-hung", "x", "2026-11-20T00:00:00Z", title="[red]không[/red] [link=x]y")])
    r = CliRunner().invoke(cli, ["--db", str(store.path), "query", "SELECT title FROM articles"])
    assert "[red]không[/red] [link=x]y" in r.output
