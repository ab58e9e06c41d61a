"""What `sites health` reads (monitor/detect/site_status.py) and shows (monitor/cli/render/checks.py),
without the CLI."""

from __future__ import annotations

import pytest
from rich.console import Console

from monitor.cli.render.checks import COLUMNS, health_table, next_steps
from monitor.config import ConfigError, parse_config
from monitor.detect.site_status import SiteHealth, health_rows


def _config(tmp_path):
    return parse_config({"site": [
        {"id": "a", "name": "Phường A", "start_urls": ["https://a.gov.vn/tin-tuc"], "aliases": ["old-a"]},
        {"id": "b", "name": "Xã B", "start_urls": ["https://b.gov.vn/"], "enabled": False},
    ]}, tmp_path / "sites.toml")


def test_without_a_database_every_site_is_never_crawled_and_nothing_is_created(tmp_path):
    config, db = _config(tmp_path), tmp_path / "none.db"
    rows = health_rows(db, config)
    assert [(r.site_id, r.status, r.enabled) for r in rows] == [("a", "never_crawled", True),
                                                                ("b", "never_crawled", False)]
    assert [r.site_id for r in health_rows(db, config, ["old-a"])] == ["a"]  # a former id names its site
    assert [r.site_id for r in health_rows(db, config, problems=True)] == ["a", "b"]  # never crawled is not ok
    assert next_steps(rows) == []  # nothing to do for a site that was never crawled
    assert not db.exists()


def test_an_unknown_site_id_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="nope"):
        health_rows(tmp_path / "none.db", _config(tmp_path), ["nope"])


def test_table_is_worst_first_and_next_steps_point_at_the_kept_page():
    rows = [SiteHealth("ok-site", "O", True, "ok", "fine"),
            SiteHealth("broken", "B", True, "extraction_broken", "no dates [red]x[/red]\x1b[2J", sample_id=7),
            SiteHealth("gone", "G", False, "unreachable", "5 failed crawls in a row")]
    shown = Console(width=200, record=True, force_terminal=False)
    shown.print(health_table(rows, shown))
    lines = [line.split() for line in shown.export_text().splitlines() if line.strip()]
    assert next(line for line in lines if line[:1] == ["site"]) == " ".join(COLUMNS).split()
    sites = [line[0] for line in lines if line[0] in ("ok-site", "broken", "gone")]
    assert sites[-1] == "ok-site" and len(sites) == 3  # the healthy site comes last
    assert "#7" in next(line for line in lines if line[0] == "broken")
    steps = next_steps(rows)
    assert len(steps) == 2 and not any("ok-site" in s for s in steps)
    broken = next(s for s in steps if "broken" in s)
    assert broken.endswith("→ portalwatch sites check broken --sample 7")
    assert "\\[red]x\\[/red]" in broken and "\x1b" not in broken  # page text: markup escaped, controls gone
    out = Console(width=200, record=True, force_terminal=False)
    for s in steps:
        out.print(s)
    assert "[red]x[/red]" in out.export_text()  # printed literally, not as markup
