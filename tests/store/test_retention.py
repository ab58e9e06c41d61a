"""view_counts retention (monitor/store/retention.py, run by housekeeping): the analyst views and
digests give the same numbers before and after thinning, a kill -9 in the middle leaves a
consistent database that the next run finishes, "off" keeps everything.

The history is 40 days of modelled national crawls (benchmarks/_year_model.py, written in bulk,
tests/store/test_year_bulk.py proves those rows equal to Store.apply's): a list page with
counts, a list without (counts from article pages), a busy site, a site down all along.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmarks._year_model import YearModel
from benchmarks._year_write import BulkWriter
from benchmarks.national_bench import write_config
from crawler import clock
from monitor.analyst import search
from monitor.config import Recipient, load_config
from monitor.config.retention import MIN_ALL_DAYS, parse_view_retention
from monitor.detect.rules import DetectOptions
from monitor.digest import build
from monitor.store import maintenance
from monitor.store.connect import open_db
from monitor.store.db import Store
from monitor.store.retention import cutoffs, thin_view_counts
from simulator.model import START_TS
from simulator.national import NationalWorld

ROOT = Path(__file__).resolve().parents[2]
DAYS = 40
POLICY = "10d all, 25d hourly, daily"  # the default's tiers (30d, 90d) in a shorter history
START = datetime.fromtimestamp(START_TS, UTC)
NOW = START + timedelta(days=DAYS)
VIEWS = {  # analyst views and tables built on views_daily, with an order
    "views_daily": "article_id, day", "site_daily_views": "site_id, day", "article_daily_views": "article_id, day",
    "article_gains_7d": "article_id", "top_articles_7d": "article_id", "article_views_latest": "article_id",
    "site_monthly_posts": "site_id, month",
}


def local(day: int, hour: int, minute: int = 0) -> str:
    """UTC ISO of a Vietnam-local time, `day` days after the history's first day."""
    first = (START + timedelta(hours=7)).replace(hour=0, minute=0, second=0)
    return clock.iso(first + timedelta(days=day, hours=hour - 7, minutes=minute))


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """(database, config): 40 days of three sites and a down one; digests recorded at 07:30
    local on days 4-6."""
    world = NationalWorld(seed=1)
    picks = []
    for template in ("tandan", "plain", "dnn"):
        picks.append(max((s for s in world.sites.values() if s.kind() == "healthy" and s.template == template),
                         key=lambda s: (s.rate, s.id)).id)
    picks.append(min(s.id for s in world.sites.values() if s.kind() == "down"))
    tmp = tmp_path_factory.mktemp("history")
    config = load_config(write_config(tmp / "sites.toml", world, picks, 8080, concurrency=16))
    config.recipients.append(Recipient("office", "Văn phòng", sites=picks))
    db = tmp / "history.db"
    store = Store(db)
    store.sync_sites([*config.sites, *config.units])
    store.close()
    model = YearModel(world, picks, 8080)
    writer = BulkWriter(db, model)
    for n in range(DAYS * 96):
        writer.add(*model.run_cycle())
        if n % 96 == 95:
            writer.flush()
    writer.flush()
    for day in (4, 5, 6):  # digests sent at 07:30: their windows end off the hour
        writer.conn.execute("INSERT INTO digests (recipient_id, window_start, window_end, created_at, data)"
                            " VALUES ('office', ?, ?, ?, '{}')", (local(day - 1, 7, 30), local(day, 7, 30),
                                                                  local(day, 7, 30)))
    writer.close()
    return db, config


def copy(src: Path, dst: Path) -> Path:
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    a.backup(b)
    a.close()
    b.close()
    return dst


def snapshot(path: Path, config) -> dict:
    """The analyst views, and digests of old windows (their charts' points aside)."""
    db = open_db(path)
    out = {name: db.conn.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall() for name, order in VIEWS.items()}
    windows = {
        "hour marks, hourly tier": (local(19, 7), local(20, 7)),
        "recorded at 07:30, daily tier": (local(4, 7, 30), local(5, 7, 30)),
        "local midnights, daily tier": (local(3, 0), local(5, 0)),
    }
    for label, (since, until) in windows.items():
        data = build(db, config, config.recipients[0], since, until, generated_at=until)
        for g in data["top_read"] + data["rising"]:
            assert g["series"], label  # a chart had readings to draw
            del g["series"], g["readings"]  # fewer points once thinned; the numbers stay
        out[label] = data
    words = db.conn.execute("SELECT title FROM articles ORDER BY id LIMIT 1").fetchone()[0].split()[:2]
    out["search"] = search.search(db.conn, " ".join(words), limit=50)  # its hits show views
    assert out["search"], words
    out["readings"] = db.conn.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0]
    db.conn.close()
    return out


def test_thinning_keeps_the_views_and_old_digests(history, tmp_path):
    src, config = history
    db = copy(src, tmp_path / "thin.db")
    before = snapshot(db, config)
    assert before["hour marks, hourly tier"]["totals"]["views_gained"] > 0
    assert before["recorded at 07:30, daily tier"]["top_read"]

    conn = open_db(db).conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    result = thin_view_counts(conn, parse_view_retention(POLICY), NOW)
    conn.set_trace_callback(None)
    assert result.done and result.tiers["hourly"] > 0 and result.tiers["daily"] > 0
    # in pieces: each slice's DELETE in its own transaction, committed before the next begins
    groups, open_ = [], None
    for sql in statements:
        word = sql.split()[0].upper()
        if word == "BEGIN":
            assert open_ is None
            open_ = []
        elif word == "COMMIT":
            groups.append(open_)
            open_ = None
        elif sql.startswith("DELETE FROM view_counts"):
            assert open_ is not None, "a deletion outside a transaction"
            open_.append(sql)
    deletions = [g for g in groups if g]
    assert len(groups) == result.pieces + 1  # and the policy's own row
    assert len(deletions) >= 10 and all(len(g) == 1 for g in deletions)
    (hourly_mark,), (daily_mark,) = (conn.execute("SELECT value FROM retention_state WHERE name = ?", (n,)).fetchone()
                                     for n in ("view_counts:hourly", "view_counts:daily"))
    assert (("hourly", hourly_mark), ("daily", daily_mark)) == tuple(cutoffs(parse_view_retention(POLICY), NOW))
    # what is left: at most the day's first and last, each hour's last, the 07:30 digests' reading
    per_hour = conn.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM view_counts WHERE observed_at >= ?"
                            " AND observed_at < ? GROUP BY article_id, strftime('%Y%m%d%H', observed_at, '-1 seconds'))",
                            (daily_mark, hourly_mark)).fetchone()[0]
    per_day = conn.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM view_counts WHERE observed_at < ?"
                           " GROUP BY article_id, date(observed_at, '+7 hours'))", (daily_mark,)).fetchone()[0]
    young = conn.execute("SELECT COUNT(*) FROM view_counts WHERE observed_at >= ?", (hourly_mark,)).fetchone()[0]
    conn.close()
    assert per_hour <= 2 and per_day <= 3  # (the day's first can share an hour with that hour's last)

    after = snapshot(db, config)
    assert after["readings"] == before["readings"] - result.deleted and after["readings"] < 0.7 * before["readings"]
    for key in before:
        if key != "readings":
            assert after[key] == before[key], key
    # the young readings are untouched
    young_before = sqlite3.connect(src).execute("SELECT COUNT(*) FROM view_counts WHERE observed_at >= ?",
                                                (hourly_mark,)).fetchone()[0]
    assert young == young_before

    # a second run finds nothing left to do
    again = thin_view_counts(open_db(db).conn, parse_view_retention(POLICY), NOW)
    assert again.deleted == 0


def with_settings(config, folder: Path, **keys) -> Path:
    """The history's sites.toml with these `[portalwatch]` keys, written into `folder`."""
    import tomlkit

    doc = tomlkit.parse(Path(config.path).read_text(encoding="utf-8"))
    doc["portalwatch"].update(keys)
    path = folder / "sites.toml"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path


def test_the_services_housekeeping_job_thins_by_the_setting_and_off_keeps_everything(
        history, tmp_path, monkeypatch):
    from monitor.service.jobstore import init_runs_table, last_runs
    from monitor.service.service import Service

    src, config = history
    monkeypatch.setenv("PORTALWATCH_NOW", clock.iso(NOW))
    n = sqlite3.connect(src).execute("SELECT COUNT(*) FROM view_counts").fetchone()[0]
    expected = copy(src, tmp_path / "expected.db")
    thin_view_counts(open_db(expected).conn, parse_view_retention(POLICY), NOW)
    for name, value in (("off", "off"), ("on", POLICY)):
        (tmp_path / name).mkdir()
        path = with_settings(config, tmp_path / name, view_retention=value, event_retention_days=1000)
        db = copy(src, tmp_path / name / "history.db")
        service = Service(path, db)
        assert service.config.service.view_retention == value
        init_runs_table(service.jobstore)
        service.housekeeping()  # what the `housekeeping` job runs
        (run,) = [r for r in last_runs(service.jobstore) if r["job"] == "housekeeping"]
        out = json.loads(run["detail"])
        left = sqlite3.connect(db).execute("SELECT * FROM view_counts ORDER BY id").fetchall()
        if value == "off":
            assert out["readings_deleted"] == 0 and len(left) == n
        else:
            assert out["readings_done"] and 0 < out["readings_deleted"] == n - len(left)
            assert left == sqlite3.connect(expected).execute("SELECT * FROM view_counts ORDER BY id").fetchall()


def test_old_crawl_rows_go_but_what_digests_and_detect_read_stays(history, tmp_path):
    src, config = history
    db = copy(src, tmp_path / "crawls.db")
    down = config.sites[-1].id
    failing_since = ("SELECT MIN(started_at) FROM crawls WHERE site_id = :s AND outcome = 'failed' AND id >"
                     " (SELECT COALESCE(MAX(id), 0) FROM crawls WHERE site_id = :s AND outcome IN ('ok', 'partial'))")
    last = "SELECT site_id, MAX(id) FROM crawls GROUP BY site_id ORDER BY site_id"
    conn = open_db(db).conn
    before = (conn.execute(failing_since, {"s": down}).fetchone(), conn.execute(last).fetchall(),
              conn.execute("SELECT COUNT(*) FROM crawls").fetchone()[0])
    conn.close()
    out = maintenance.housekeeping(db, replace(config.service, view_retention="off"), now=NOW)
    cutoff = clock.iso(NOW - timedelta(days=config.service.crawl_retention_days))
    conn = open_db(db).conn
    assert out["crawls_deleted"] > 0.2 * before[2]  # 10 of the 40 days
    assert conn.execute("SELECT COUNT(*) FROM crawls").fetchone()[0] == before[2] - out["crawls_deleted"]
    old = conn.execute("SELECT site_id, outcome FROM crawls WHERE started_at < ?", (cutoff,)).fetchall()
    assert old == [(down, "failed")]  # the outage's first failed crawl: all that is left of before
    assert not conn.execute("SELECT 1 FROM fetch_errors WHERE observed_at < ? AND crawl_id NOT IN"
                            " (SELECT id FROM crawls)", (cutoff,)).fetchone()
    assert (conn.execute(failing_since, {"s": down}).fetchone(), conn.execute(last).fetchall()) == before[:2]
    # one more failed crawl: the outage is the same one, detect records no second site_unreachable
    events = conn.execute("SELECT COUNT(*) FROM events WHERE kind = 'site_unreachable'").fetchone()[0]
    conn.execute("INSERT INTO crawls (site_id, started_at, finished_at, outcome, errors) VALUES (?, ?, ?, 'failed', 1)",
                 (down, clock.iso(NOW), clock.iso(NOW)))
    conn.close()
    from monitor.detect.events import detect

    store = open_db(db)
    assert [e["kind"] for e in detect(store, config, now=NOW)] == []
    assert store.conn.execute("SELECT COUNT(*) FROM events WHERE kind = 'site_unreachable'").fetchone()[0] == events
    again = maintenance.housekeeping(db, replace(config.service, view_retention="off"), now=NOW)
    assert again["crawls_deleted"] == 0


def test_a_changed_policy_starts_over(history, tmp_path):
    src, _ = history
    db = copy(src, tmp_path / "change.db")
    conn = open_db(db).conn
    first = thin_view_counts(conn, parse_view_retention("30d all, daily"), NOW)
    second = thin_view_counts(conn, parse_view_retention("14d all, daily"), NOW)
    assert first.deleted > 0 and second.deleted > 0  # the days between 14 and 30 days old, now thinned
    assert conn.execute("SELECT value FROM retention_state WHERE name = 'view_counts:policy'").fetchone()[0] \
        == "14d all, daily"
    assert conn.execute("SELECT value FROM retention_state WHERE name = 'view_counts:daily'").fetchone()[0] \
        == cutoffs(parse_view_retention("14d all, daily"), NOW)[0][1]


KILLABLE = """
import sys
from datetime import timedelta
from crawler import clock
from monitor.config.retention import parse_view_retention
from monitor.store.connect import open_db
from monitor.store.retention import thin_view_counts
conn = open_db(sys.argv[1]).conn
thin_view_counts(conn, parse_view_retention(sys.argv[3]), clock.parse_iso(sys.argv[2]),
                 max_slice=timedelta(minutes=10))
"""


def test_kill_minus_9_in_the_middle_then_the_next_run_finishes(history, tmp_path):
    src, _ = history
    policy = parse_view_retention(POLICY)
    whole = copy(src, tmp_path / "whole.db")
    thin_view_counts(open_db(whole).conn, policy, NOW)
    expected = sqlite3.connect(whole).execute("SELECT * FROM view_counts ORDER BY id").fetchall()

    db = copy(src, tmp_path / "killed.db")
    open_db(db).conn.close()
    child = subprocess.Popen([sys.executable, "-c", KILLABLE, str(db), clock.iso(NOW), POLICY], cwd=ROOT)
    try:
        watch = sqlite3.connect(db, timeout=30)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:  # until a piece or two committed
            n = watch.execute("SELECT COUNT(*) FROM retention_state WHERE name = 'view_counts:daily'").fetchone()[0]
            if n:
                break
            time.sleep(0.01)
        assert child.poll() is None, "the run ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        watch.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    partial = conn.execute("SELECT COUNT(*) FROM view_counts").fetchone()[0]
    mark = conn.execute("SELECT value FROM retention_state WHERE name = 'view_counts:daily'").fetchone()[0]
    conn.close()
    assert len(expected) < partial  # stopped half-way …
    assert mark < cutoffs(policy, NOW)[1][1]

    rest = thin_view_counts(open_db(db).conn, policy, NOW)  # … and the next run finishes the job
    assert rest.done and rest.deleted == partial - len(expected)
    assert sqlite3.connect(db).execute("SELECT * FROM view_counts ORDER BY id").fetchall() == expected


def test_the_all_tier_covers_detects_window():
    assert MIN_ALL_DAYS >= DetectOptions().jump_window_days


@pytest.mark.parametrize("value, expected", [
    ("30d all", "expected tiers such as"),
    ("30d hourly, daily", "the first tier keeps 'all' readings"),
    ("3d all, daily", "at least 7 days"),
    ("30d all, 20d hourly, daily", "must end after the first"),
    ("30 all, daily", "is not '<days>d all'"),
    ("30d all, 90d hourly, hourly", "the middle tier is '<days>d hourly', then 'daily'"),
])
def test_bad_settings_are_one_line_naming_the_key(tmp_path, value, expected):
    from monitor.config import ConfigError

    path = tmp_path / "sites.toml"
    path.write_text(f'[portalwatch]\nview_retention = "{value}"\n\n[[site]]\nid = "a"\nname = "A"\n'
                    f'start_urls = ["https://a.example.vn/"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    message = str(e.value)
    assert "\n" not in message and "[portalwatch]: key 'view_retention'" in message and expected in message


@pytest.mark.parametrize("value, tiers", [
    ("30d all, 90d hourly, daily", [(30, "hourly"), (90, "daily")]),
    ("14d all, daily", [(14, "daily")]),
    ("  45D ALL,hourly ", [(45, "hourly")]),
    ("off", []),
])
def test_good_settings(value, tiers):
    assert parse_view_retention(value).tiers() == tiers
