"""The national benchmark's cycle logic on a handful of sites: a first crawl and three
15-minute cycles through the service's path (jobs.run_crawl + detect_after), checked against
the simulator's truth. Correctness only: nothing here is timed."""

from __future__ import annotations

import pytest

from benchmarks._national import Control, serve_simulator
from benchmarks.national_bench import National, write_config
from simulator.national.world import NationalWorld
from simulator.world import START_TS

CYCLE = 15 * 60


@pytest.fixture(autouse=True)
def _pinned(monkeypatch):
    monkeypatch.delenv("PORTALWATCH_NOW", raising=False)  # the bench sets it; undone after the test


def test_every_new_post_found_in_its_cycle_politely_and_cheaply(tmp_path):
    world = NationalWorld(seed=1)
    healthy = world.select(kind="healthy", smallest=True, distinct_hosts=True)
    window = (START_TS, START_TS + 3 * CYCLE)
    posting = {p["site_id"] for p in world.posts_between(*window, [s.id for s in healthy[:400]])}
    busy = [s.id for s in healthy[:400] if s.id in posting][:3]
    quiet = [s.id for s in healthy[:400] if s.id not in posting][:3]
    assert len(busy) == 3 and len(quiet) == 3, "seed 1 has posting and quiet small sites in office hours"
    ids = busy + quiet
    sim, port = serve_simulator(1)
    try:
        ctl = Control(port)
        assert ctl.get("clock")["epoch"] == START_TS
        config = write_config(tmp_path / "sites.toml", world, ids, port, concurrency=32)
        bench = National(ctl, config, tmp_path / "n.db", ids)
        first = bench.crawl("first")
        assert first.outcomes == {"ok": len(ids)}
        assert first.max_in_flight == 1
        cycles = []
        for i in range(3):
            since = bench.now()
            bench.advance(15)
            assert bench.now() == since + CYCLE
            cycles.append(bench.crawl(f"c{i + 1}", since=since))
    finally:
        sim.terminate()
        sim.wait()

    posts = sum(c.posts for c in cycles)
    assert posts == len(world.posts_between(*window, ids)) > 0
    assert sum(c.found for c in cycles) == posts, "every post found in the cycle it appeared"
    assert bench.pending == [] and bench.missing_events == 0
    assert len(bench.latencies) == posts and max(bench.latencies) <= 15
    for c in cycles:
        assert c.max_in_flight == 1, c.label
        assert c.outcomes == {"ok": len(ids)} and c.unreachable == 0, c.label
        for sid in quiet:  # robots.txt + the first list page, nothing else
            assert 1 <= c.per_host[world.sites[sid].host] <= 2, (c.label, sid, c.per_host)
