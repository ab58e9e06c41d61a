"""monitor/sites/listing.py, lineage.py and the `sites list` table (monitor/cli/render/sites.py):
what `sites list` and `sites lineage` show, without the CLI."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from rich.console import Console

from monitor.cli.render.sites import COLUMNS, plain_lines, site_table
from monitor.config import parse_config
from monitor.sites.lineage import lineage
from monitor.sites.listing import last_crawls, site_rows
from monitor.store.connect import open_db
from monitor.store.db import Store


def _config(tmp_path):
    return parse_config({"site": [
        {"id": "a", "name": "Phường A", "start_urls": ["https://a.gov.vn/tin-tuc"]},
        {"id": "b", "name": "Xã B", "start_urls": ["https://b.gov.vn/"], "enabled": False},
    ]}, tmp_path / "sites.toml")


def _crawl(conn: sqlite3.Connection, site_id: str, started: str, outcome: str) -> None:
    conn.execute("INSERT INTO crawls (site_id, started_at, outcome) VALUES (?, ?, ?)", (site_id, started, outcome))


def test_without_a_database_every_site_is_listed_never_crawled(tmp_path):
    rows = site_rows(_config(tmp_path), tmp_path / "none.db")
    assert [(r["id"], r["enabled"], r["articles"], r["last_crawl"], r["last_outcome"]) for r in rows] == [
        ("a", True, 0, None, None), ("b", False, 0, None, None)]
    assert not (tmp_path / "none.db").exists()
    assert rows[0]["start_url"] == "https://a.gov.vn/tin-tuc"


def test_the_newest_crawl_of_each_site(tmp_path):
    config, db = _config(tmp_path), tmp_path / "pw.db"
    with closing(Store(db)) as store:
        store.sync_sites(config.sites)
    with closing(open_db(db)) as d:
        _crawl(d.conn, "a", "2026-11-20T01:00:00Z", "failed")
        _crawl(d.conn, "a", "2026-11-21T01:00:00Z", "ok")
        assert set(last_crawls(d.conn)) == {"a"}
    rows = {r["id"]: r for r in site_rows(config, db)}
    assert (rows["a"]["last_crawl"], rows["a"]["last_outcome"]) == ("2026-11-21T01:00:00Z", "ok")
    assert rows["b"]["last_outcome"] is None


def test_lineage_of_a_unit_not_stored_yet_is_empty(tmp_path):
    with closing(open_db(tmp_path / "pw.db")) as d:
        assert lineage(d.conn, "nowhere") == []


def test_lineage_lists_the_unit_itself_and_what_merged_into_it(tmp_path):
    config = parse_config({"site": [
        {"id": "a", "name": "Phường A", "start_urls": ["https://a.gov.vn/"], "enabled": False},
        {"id": "ab", "name": "Phường AB", "start_urls": ["https://ab.gov.vn/"], "merged_from": ["a"]},
    ]}, tmp_path / "sites.toml")
    with closing(Store(tmp_path / "pw.db")) as store:
        store.sync_sites(config.sites)
        rows = lineage(store.conn, "ab")
    assert [(r["site_id"], r["relation"], r["articles"]) for r in rows] == [("ab", "self", 0), ("a", "merged", 0)]


def test_plain_lines_keep_every_field_whole_with_controls_visible(tmp_path):
    config = parse_config({"site": [
        {"id": "a", "name": "Phường\tA\x1b[31m  mới", "level": "ward", "parent": "q", "start_urls": ["https://a.gov.vn/"]},
        {"id": "b", "name": "Xã B", "start_urls": ["https://b.gov.vn/"], "enabled": False},
    ], "unit": [{"id": "q", "name": "Quận Q", "level": "district"}]}, tmp_path / "sites.toml")
    lines = list(plain_lines(site_rows(config, tmp_path / "none.db")))
    assert lines[0].split("\t") == COLUMNS
    assert lines[1].split("\t") == ["a", "Phường A\\x1b[31m mới", "ward", "q", "auto", "0", "never", ""]
    assert lines[2].split("\t") == ["b", "Xã B", "", "", "auto", "0", "never", "disabled"]
    assert lines[3].split("\t") == ["q", "Quận Q", "district", "", "", "", "not crawled", "unit, no URL"]


def test_site_table_drops_level_and_profile_when_narrow_and_escapes_names(tmp_path):
    config = parse_config({"site": [
        {"id": "a", "name": "[red]A[/red]", "level": "ward", "start_urls": ["https://a.gov.vn/"]},
        {"id": "b", "name": "Xã B", "start_urls": ["https://b.gov.vn/"], "enabled": False},
    ]}, tmp_path / "sites.toml")
    rows = site_rows(config, tmp_path / "none.db")
    def shown(width: int) -> str:
        console = Console(width=width, record=True, force_terminal=False)
        console.print(site_table(rows, "t", console))
        return console.export_text()

    wide, narrow = shown(200), shown(76)
    assert next(line for line in wide.splitlines() if "id" in line).split() == " ".join(COLUMNS).split()
    header = next(line for line in narrow.splitlines() if " id " in f" {line} ")
    assert header.split() == " ".join(c for c in COLUMNS if c not in ("level", "profile")).split()
    assert "level, profile: in a wider terminal or with --plain / --json" in narrow
    for text in (wide, narrow):  # a name is page text: printed as written, never read as markup
        assert "[red]A[/red]" in text and "Xã B" in text and "b (off)" in text
