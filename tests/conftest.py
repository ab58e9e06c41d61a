"""Shared fixtures: a running portal simulator on 127.0.0.1, its sites.toml, a real crawl.

    def test_something(portal):
        portal.crawl()                      # real Scrapy crawl in a child process, real SQLite
        portal.sim.advance(hours=24)        # simulated time: views grow, new posts appear
        rows = portal.db().query("SELECT …")
        truth = portal.sim.truth()          # the simulator's ground truth
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DEMO_NOW = "2026-12-02T05:00:00Z"  # `demo_run` runs at noon on 02/12/2026: its day ends 01/12 15:00

os.environ.setdefault("PYTHONPATH", str(ROOT))


@dataclass
class Portal:
    sim: object
    server: object
    url: str
    config: Path
    db_path: Path

    def crawl(self, sites=None, *, check=True, **kw):
        result = manual_crawl(self.config, self.db_path, sites, **kw)
        if check:
            assert result.ok, f"crawl failed ({result.returncode}):\n{result.stderr_tail}"
        return result

    def db(self):
        from monitor.store.connect import open_db

        return open_db(self.db_path)

    def load_config(self):
        from monitor.config import load_config

        return load_config(self.config)


def manual_crawl(config, db, sites=None, *, now=None, processes: int = 1, **kw):
    """Crawl a sites.toml (path or loaded Config) once, as `portalwatch crawl` does: the plan built
    once (full walks; `now`: the clock pinned to this ISO time or datetime), the configuration's
    backend (its [cluster] nodes, else `processes` local children), the leases, the run."""
    from crawler import clock
    from monitor.config import Config, load_config
    from monitor.crawl.backends import backend_for
    from monitor.crawl.planner import build_plan
    from monitor.crawl.runner import crawl

    cfg = config if isinstance(config, Config) else load_config(config)
    at = clock.parse_iso(now) if isinstance(now, str) else now
    return crawl(build_plan(cfg, None, sites, at, walks=False), db, backend_for(cfg, processes), **kw)


def make_portal(tmp_path: Path, *, articles_per_site: int = 12, seed: int = 1, recipients: bool = True, **sim_kw):
    from monitor.demo import simulator_config
    from simulator import Simulator, serve

    sim = Simulator(seed=seed, articles_per_site=articles_per_site, **sim_kw)
    server = serve(sim, port=0)
    config = tmp_path / "sites.toml"
    config.write_text(simulator_config(sim, server.base_url, recipients=recipients), encoding="utf-8")
    return Portal(sim, server, server.base_url, config, tmp_path / "portalwatch.db")


def make_families_portal(tmp_path: Path, *, seed: int = 1, only: list[str] | None = None) -> Portal:
    """The CMS families world (simulator/families: profile = "auto", no selectors), served."""
    from monitor.demo import simulator_config
    from simulator import serve
    from simulator.families import FamiliesWorld

    sim = FamiliesWorld(seed=seed, only=only)
    server = serve(sim, port=0)
    config = tmp_path / "sites.toml"
    config.write_text(simulator_config(sim, server.base_url, recipients=False), encoding="utf-8")
    return Portal(sim, server, server.base_url, config, tmp_path / "portalwatch.db")


@pytest.fixture
def families_portal(tmp_path):
    """The CMS families world served on a free port, with its sites.toml (see simulator/TEMPLATES.md)."""
    p = make_families_portal(tmp_path)
    yield p
    p.server.stop()


@pytest.fixture
def portal(tmp_path):
    """A fresh simulator (12 articles per site) served on a free port, with its sites.toml."""
    p = make_portal(tmp_path)
    yield p
    p.server.stop()


@pytest.fixture
def fixture_html():
    def read(name: str) -> str:
        return (FIXTURES / name).read_text(encoding="utf-8")

    return read


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str]:
    """(the folder `portalwatch demo` left, what it printed), run once with PORTALWATCH_NOW =
    DEMO_NOW; under xdist once per test run for all workers (a lock in the run's temp folder).
    Tests copy the folder before they change anything in it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the workers' temp folders share this run's parent (kept 3 runs)
        base = tmp_path_factory.getbasetemp().parent / "demo-run"
    else:
        base = tmp_path_factory.mktemp("demo")
    base.mkdir(parents=True, exist_ok=True)
    done = base / "printed.txt"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            env = {**os.environ, "PORTALWATCH_NOW": DEMO_NOW, "COLUMNS": "100"}
            portalwatch = Path(sys.executable).parent / "portalwatch"
            (base / "demo").mkdir(exist_ok=True)
            proc = subprocess.run([str(portalwatch), "demo"], cwd=base / "demo", env=env,  # its hints as a user sees them
                                  capture_output=True, text=True, timeout=900)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
            done.write_text(proc.stdout, encoding="utf-8")
    return base / "demo", done.read_text(encoding="utf-8")


# The files whose tests take longest (seconds of one full run, `pytest --durations=0`), started
# first: pytest-xdist hands tests out in collection order, so the short ones fill the workers in
# while these run instead of a long one starting last and holding the suite's end.
LONGEST_FIRST = (
    "cluster/test_cluster_faults.py", "cluster/test_cluster.py", "test_docs_examples.py",
    "service/test_service.py", "e2e/test_cli.py", "crawler/test_robots_cache.py",
    "simulator/test_national.py", "e2e/test_bad_input.py", "e2e/test_cms_families.py",
    "e2e/test_storage_failures.py", "detect/test_health_history.py", "e2e/test_storage_errors.py",
    "service/test_revisit.py", "digest/test_e2e_problems.py", "e2e/test_crawl_leases.py",
    "test_demo_clock.py", "web/test_browser.py", "e2e/test_crawl_simulator.py",
)


def pytest_collection_modifyitems(session, config, items):
    """The longest files' tests first (LONGEST_FIRST order), then the rest as collected."""
    tests = Path(__file__).resolve().parent
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def key(item) -> int:
        try:
            rel = Path(str(item.fspath)).resolve().relative_to(tests).as_posix()
        except ValueError:
            return len(rank)
        return rank.get(rel, len(rank))

    items.sort(key=key)  # stable: the order inside a file, and of the rest, is kept
