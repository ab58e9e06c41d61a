"""The year benchmark's bulk path (benchmarks/_year_write.BulkWriter) stores exactly what
Store.apply and detect store for the same modelled crawls: every row of every table the crawl and
detect write, on a slice of the national world (each list template, a down site) over two days."""

from __future__ import annotations

import sqlite3

import pytest

from benchmarks._year_model import YearModel
from benchmarks._year_write import BulkWriter, items
from benchmarks.national_bench import write_config
from crawler import clock
from monitor.config import load_config
from monitor.detect.events import detect
from monitor.store.db import Store
from simulator.national import NationalWorld

CYCLES = 2 * 96 + 7  # two days and a bit: two deep walks, the first articles leave the 3-day window
TABLES = {  # table -> ORDER BY (events: detect's order of writing is not the point, ids are left out)
    "articles": "id", "view_counts": "id", "views_daily": "article_id, day", "crawls": "id",
    "fetch_errors": "id", "article_revisions": "id", "detect_sites": "site_id", "detect_state": "name",
    "events": "dedupe_key",
}


@pytest.fixture(scope="module")
def world():
    return NationalWorld(seed=1)


def pick(world) -> list[str]:
    """The busiest healthy sites of each template, and one down site."""
    out = []
    for template in ("liferay", "tandan", "dnn", "plain"):
        sites = sorted((s for s in world.sites.values() if s.kind() == "healthy" and s.template == template),
                       key=lambda s: (-s.rate, s.id))
        out += [s.id for s in sites[:2]]
    out.append(next(s.id for s in world.sites.values() if s.kind() == "down"))
    return out


def rows(path, table: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if not (table == "events" and r[1] == "id")]
        return conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {TABLES[table]}").fetchall()
    finally:
        conn.close()


def test_bulk_rows_equal_store_apply_and_detect(world, tmp_path, monkeypatch):
    ids = pick(world)
    config = load_config(write_config(tmp_path / "sites.toml", world, ids, 8080, concurrency=16))
    sites = [*config.sites, *config.units]
    monkeypatch.setenv("PORTALWATCH_NOW", "2026-11-20T00:00:00Z")  # the sites rows' added_at

    slow, fast = tmp_path / "apply.db", tmp_path / "bulk.db"
    store = Store(slow)
    store.sync_sites(sites)
    model = YearModel(world, ids, 8080)
    for _ in range(CYCLES):
        t, crawls = model.run_cycle()
        store.apply(items(t, crawls))
        detect(store.db, config, now=clock.parse_iso(clock.iso(_utc(t))))
    store.close()

    bulk_store = Store(fast)
    bulk_store.sync_sites(sites)
    bulk_store.close()
    model = YearModel(world, ids, 8080)
    writer = BulkWriter(fast, model)
    for n in range(CYCLES):
        writer.add(*model.run_cycle())
        if n % 50 == 49:  # batches end anywhere, also inside a day
            writer.flush()
    writer.flush()
    writer.close()

    counts = {}
    for table in TABLES:
        a, b = rows(slow, table), rows(fast, table)
        assert a == b, f"{table}: {len(a)} rows through Store.apply, {len(b)} in bulk; first difference " \
                       f"{next(((x, y) for x, y in zip(a, b, strict=False) if x != y), None)}"
        counts[table] = len(a)
    # the slice exercised what the year is made of
    assert counts["articles"] > 50 and counts["view_counts"] > 20 * counts["articles"]
    kinds = {r[0] for r in rows(slow, "events")}
    assert {"baseline", "new_article", "views_changed", "site_unreachable"} <= kinds
    sources = {r[0] for r in sqlite3.connect(slow).execute("SELECT DISTINCT source FROM view_counts")}
    assert sources == {"list", "article"}
    revisits = sqlite3.connect(slow).execute(
        "SELECT COUNT(*) FROM articles WHERE last_fetched_at > first_seen_at").fetchone()[0]
    assert revisits > 10  # RevisitPolicy brought articles back


def _utc(t: int):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC)


def test_growing_a_sample_copies_each_sites_history_whole(world, tmp_path):
    """benchmarks/_year_scale.py: the sites outside the sample get their neighbour's rows, with
    their own ids, and the database stays consistent (foreign keys, detect has nothing new)."""
    from benchmarks._year_scale import copies, scale_up

    ids = pick(world)
    others = [s.id for s in world.sites.values() if s.id not in ids][:5]
    everyone = [s for s in world.sites if s in set(ids) | set(others)]
    path = tmp_path / "grow.db"
    config = load_config(write_config(tmp_path / "sites.toml", world, everyone, 8080, concurrency=16))
    store = Store(path)
    store.sync_sites([*config.sites, *config.units])
    store.close()
    model = YearModel(world, ids, 8080)
    writer = BulkWriter(path, model)
    for _ in range(96):
        writer.add(*model.run_cycle())
    writer.flush()
    writer.close()
    plan = copies(world, ids, everyone)
    assert sorted(d for ds in plan.values() for d in ds) == sorted(others)
    scale_up(path, world, ids, everyone, say=lambda *a, **k: None)

    conn = sqlite3.connect(path)
    count = "SELECT COUNT(*) FROM {t} x WHERE {site} = ?"
    tables = {"articles": "x.site_id", "crawls": "x.site_id", "events": "x.site_id",
              "view_counts": "(SELECT site_id FROM articles a WHERE a.id = x.article_id)"}
    for src, dsts in plan.items():
        for dst in dsts:
            for t, site in tables.items():
                n = [conn.execute(count.format(t=t, site=site), (s,)).fetchone()[0] for s in (src, dst)]
                assert n[0] == n[1], (t, src, dst, n)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    urls = conn.execute("SELECT url FROM articles WHERE site_id = ?", (others[0],)).fetchall()
    assert urls and all(world.sites[others[0]].host in u for (u,) in urls)
    conn.close()
    store = Store(path)
    assert detect(store.db, config, now=clock.parse_iso("2026-11-21T01:00:00Z")) == []
    store.close()
