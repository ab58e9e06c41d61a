"""robots.txt kept between crawls (crawler/robots.py): real crawls of the national simulator by
the monitor's crawl child, robots.txt requests counted by the simulator."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from benchmarks.national_bench import write_config
from crawler import clock
from crawler.robots import RobotsCache
from simulator.hosts import serve_national
from simulator.national.world import NationalWorld
from simulator.world import START_TS

ROOT = Path(__file__).resolve().parents[2]
T0 = clock.parse_iso("2026-01-05T03:00:00Z")  # a pinned crawl clock; the cache ages on it


@pytest.fixture(scope="module")
def sim():
    world = NationalWorld(seed=1)
    handle = serve_national(world)
    sites = world.select(kind="healthy", smallest=True, distinct_hosts=True)[:3]
    yield handle, sites
    handle.stop()


@pytest.fixture
def setup(sim, tmp_path):
    handle, sites = sim
    config = write_config(tmp_path / "sites.toml", handle.world, [s.id for s in sites], handle.port,
                          concurrency=8, delay=0.05, max_pages=1, schedule="every 1h")
    return handle, sites, config, tmp_path / "pw.db"


def crawl(handle, config: Path, db: Path, at) -> dict[str, int]:
    """One crawl child at clock `at`: robots.txt requests and requests per host it caused."""
    before = handle.server.stats.get("robots", 0)
    handle.recorder.reset()
    env = {**os.environ, "PORTALWATCH_NOW": clock.iso(at)}
    r = subprocess.run([sys.executable, "-m", "monitor.crawl.child", "--config", str(config), "--db", str(db)],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    hosts = {h: v["requests"] for h, v in handle.recorder.report()["hosts"].items()}
    return {"robots": handle.server.stats.get("robots", 0) - before, **hosts}


def test_robots_kept_for_the_window_then_fetched_again(setup):
    handle, sites, config, db = setup
    hosts = {s.host for s in sites}
    assert handle.world.clock()["epoch"] == START_TS
    first = crawl(handle, config, db, T0)
    assert first["robots"] == len(hosts)
    cache = Path(f"{db}.robots")
    assert len(list(cache.glob("*.json"))) == len(hosts)
    assert not list(cache.glob(".tmp-*")), "no temporary file left behind"

    within = crawl(handle, config, db, T0 + timedelta(hours=23, minutes=59))
    assert within["robots"] == 0, "a copy under 24 h old is used without a request"
    assert all(within.get(h, 0) >= 1 for h in hosts), within  # the sites were crawled all the same

    after = crawl(handle, config, db, T0 + timedelta(hours=24, minutes=1))
    assert after["robots"] == len(hosts), "a copy over 24 h old is fetched again"
    again = crawl(handle, config, db, T0 + timedelta(hours=24, minutes=2))
    assert again["robots"] == 0, "the refreshed copy is used"


def test_robots_cache_hours_zero_fetches_every_crawl(setup):
    handle, sites, config, db = setup
    config.write_text(config.read_text(encoding="utf-8").replace("[portalwatch]\n", "[portalwatch]\nrobots_cache_hours = 0\n", 1),
                      encoding="utf-8")
    assert crawl(handle, config, db, T0)["robots"] == len(sites)
    assert crawl(handle, config, db, T0)["robots"] == len(sites)


def test_a_disallow_in_the_cached_copy_is_obeyed(setup):
    handle, sites, config, db = setup
    banned = sites[0].host
    cache = RobotsCache(f"{db}.robots", 24)
    os.environ["PORTALWATCH_NOW"] = clock.iso(T0)
    try:  # the copy as a crawl an hour earlier would have stored it
        cache.store(f"{banned}:{handle.port}", 200, b"User-agent: *\nDisallow: /\n")
    finally:
        del os.environ["PORTALWATCH_NOW"]
    seen = crawl(handle, config, db, T0 + timedelta(hours=1))
    assert banned not in seen, f"{banned} is disallowed by its cached robots.txt: no request at all"
    assert seen["robots"] == len(sites) - 1
    assert all(seen.get(s.host, 0) >= 2 for s in sites[1:]), seen


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"fetched_at": "2026-01-05T03:00:00Z"}',
                                     b'{"fetched_at": "2026-01-05T03:00:00Z", "status": 200, "body": "%%%"}',
                                     b'[1, 2]'])
def test_a_corrupt_cache_file_is_ignored(setup, garbage):
    handle, sites, config, db = setup
    assert crawl(handle, config, db, T0)["robots"] == len(sites)
    cache = RobotsCache(f"{db}.robots", 24)
    broken = cache.path(f"{sites[0].host}:{handle.port}")
    assert broken.exists()
    broken.write_bytes(garbage)
    assert crawl(handle, config, db, T0 + timedelta(minutes=15))["robots"] == 1, "only the corrupt host asked again"
    stored = json.loads(broken.read_text(encoding="utf-8"))  # and its copy replaced by a good one
    assert stored["status"] == 200 and b"User-agent" in base64.b64decode(stored["body"])


def test_errors_are_not_cached(sim, tmp_path):
    handle, sites = sim
    world = handle.world
    down = world.select(kind="down", smallest=True, distinct_hosts=True)[0]
    config = write_config(tmp_path / "sites.toml", world, [down.id], handle.port, concurrency=8, delay=0.05,
                          max_pages=1, schedule="every 1h")
    db = tmp_path / "pw.db"
    for minutes in (0, 15):  # 503 (Retry-After: 3600): the host is skipped, nothing kept
        before = handle.server.stats.get("down_503", 0)
        subprocess.run([sys.executable, "-m", "monitor.crawl.child", "--config", str(config), "--db", str(db)],
                       cwd=ROOT, env={**os.environ, "PORTALWATCH_NOW": clock.iso(T0 + timedelta(minutes=minutes))},
                       capture_output=True, text=True, check=False)
        assert handle.server.stats.get("down_503", 0) > before, "robots.txt asked again"
    assert not list(Path(f"{db}.robots").glob("*.json"))


def test_a_crawl_removes_the_temporary_files_killed_crawls_left(setup):
    """A kill between writing a copy and renaming it leaves `.tmp-*.json`: the next crawl removes
    those over an hour old and leaves a younger one (a concurrent crawl may be writing it)."""
    handle, sites, config, db = setup
    crawl(handle, config, db, T0)
    folder = Path(f"{db}.robots")
    old, young = folder / ".tmp-killed.json", folder / ".tmp-writing.json"
    for f in (old, young):
        f.write_text('{"half": ', encoding="utf-8")
    hour_ago = old.stat().st_mtime - 3700
    os.utime(old, (hour_ago, hour_ago))
    assert crawl(handle, config, db, T0 + timedelta(minutes=15))["robots"] == 0  # the copies still serve
    assert not old.exists() and young.exists()
    kept = {p.name for p in folder.glob("*.json") if not p.name.startswith(".tmp-")}
    assert kept == {RobotsCache(folder, 24).path(f"{s.host}:{handle.port}").name for s in sites}  # untouched
