"""Shared fixtures: a running portal simulator on 127.0.0.1, its sites.toml, a real crawl.

    def test_something(portal):
        portal.crawl()                      # real Scrapy crawl in a child process, real SQLite
        portal.sim.advance(hours=24)        # simulated time: views grow, new posts appear
        rows = portal.db().query("SELECT …")
        truth = portal.sim.truth()          # the simulator's ground truth
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

os.environ.setdefault("PYTHONPATH", str(ROOT))


@dataclass
class Portal:
    sim: object
    server: object
    url: str
    config: Path
    db_path: Path

    def crawl(self, sites=None, *, check=True, **kw):
        from monitor.crawl.runner import crawl

        result = crawl(self.config, self.db_path, sites, **kw)
        if check:
            assert result.ok, f"crawl failed ({result.returncode}):\n{result.stderr_tail}"
        return result

    def db(self):
        from monitor.store.connect import open_db

        return open_db(self.db_path)

    def load_config(self):
        from monitor.config import load_config

        return load_config(self.config)


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
