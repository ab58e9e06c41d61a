"""Tests of monitor/sites/ and the `sites` commands: the real simulator over HTTP, the real CLI
(in-process), real crawls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

HEAD = """# portalwatch configuration for the operators' tests
# (comments and layout must survive `sites add` / `sites import`)

[portalwatch]
contact_url = "https://github.com/portalwatch/portalwatch"
delay = 0              # the simulator is local
concurrency = 16
concurrency_per_domain = 8   # keep this comment
"""


def run_cli(config: Path, db: Path, *args: str, expect: int | None = 0, input: str | None = None):  # noqa: A002
    """Invoke `portalwatch --config … --db … ARGS` in-process (`input`: what is typed); check the exit code."""
    from monitor.cli import cli

    result = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), *args], catch_exceptions=False,
                                input=input)
    if expect is not None:
        assert result.exit_code == expect, f"exit {result.exit_code}:\n{result.output}"
    return result


def flat(result) -> str:
    """The output with rich's line wrapping undone (whitespace runs folded)."""
    return " ".join(result.output.split())


def as_json(result) -> object:
    return json.loads(result.stdout)


def stored(db_path: Path, site_id: str) -> dict[str, dict]:
    from monitor.store.connect import open_db

    db = open_db(db_path)
    try:
        return {r["url"]: r for r in db.query("SELECT * FROM articles WHERE site_id = ?", [site_id])}
    finally:
        db.conn.close()


def expected_views(t: dict):
    return t["views"] if t["views"] is not None else t["list_views"]


class Ops:
    """A simulator, an operator's sites.toml (settings and comments, no sites) and a database."""

    def __init__(self, tmp_path: Path, articles_per_site: int = 12):
        from simulator import Simulator, serve

        self.sim = Simulator(seed=3, articles_per_site=articles_per_site)
        self.server = serve(self.sim, port=0)
        self.url = self.server.base_url
        self.config = tmp_path / "sites.toml"
        self.config.write_text(HEAD, encoding="utf-8")
        self.db = tmp_path / "portalwatch.db"

    def home(self, site_id: str) -> str:
        return self.url + self.sim.sites[site_id].home_path()

    def cli(self, *args, expect: int | None = 0, input: str | None = None):  # noqa: A002
        return run_cli(self.config, self.db, *args, expect=expect, input=input)

    def crawl(self, sites=None):
        from tests.conftest import manual_crawl

        result = manual_crawl(self.config, self.db, sites)
        assert result.ok, f"crawl failed ({result.returncode}):\n{result.stderr_tail}"
        return result


@pytest.fixture
def ops(tmp_path):
    o = Ops(tmp_path)
    yield o
    o.server.stop()
