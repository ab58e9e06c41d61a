"""The three commands, through click's runner, on a real database and config file."""

import json

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.world import World, make_config, populate

RECIPIENT = """
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
channels = [{ type = "file", path = "out", formats = ["html", "json"] },
            { type = "webhook", url = "http://127.0.0.1:9/never", secret_env = "PW_CLI_UNSET_SECRET" }]
"""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.delenv("PW_CLI_UNSET_SECRET", raising=False)
    w = World(tmp_path, make_config(tmp_path, RECIPIENT), monkeypatch)
    populate(w)
    monkeypatch.setenv("PORTALWATCH_NOW", "2026-03-03T01:00:00Z")
    yield w, ["--config", str(w.config.path), "--db", str(w.path)]
    w.store.close()


def run(args):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result


def test_detect_twice(setup):
    _, base = setup
    first = run(base + ["detect", "--json"])
    assert first.exit_code == 0 and json.loads(first.output) == []  # populate() already ran it
    assert "0 new event(s)" in run(base + ["detect"]).output


def test_preview_writes_html_prints_text_and_records_nothing(setup, tmp_path):
    w, base = setup
    out = tmp_path / "preview.html"
    result = run(base + ["digest", "--preview", str(out), "--since", "2026-03-02T01:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "Bài mới (3)" in result.output and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert w.db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 0


def test_send_then_list_failures_and_retry(setup, tmp_path):
    w, base = setup
    result = run(base + ["digest"])  # 08:00 in Hanoi, past the default send_at 07:00
    # the webhook's secret variable is not set: that delivery failed, so the command exits 1 and says why
    assert result.exit_code == 1, result.output
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".html", ".json"]
    assert "delivered" in result.output and "failed" in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: 1 of 2 deliveries not delivered: ubnd-hoang-mai by webhook") and "PW_CLI_UNSET_SECRET" in last
    again = run(base + ["digest"])
    assert again.exit_code == 0 and "Nothing to send" in again.output
    listed = json.loads(run(base + ["deliveries", "--json"]).output)
    assert [(d["channel_type"], d["status"]) for d in listed] == [("webhook", "failed")]
    assert "PW_CLI_UNSET_SECRET" in listed[0]["last_error"]
    assert run(base + ["deliveries", "--retry", str(listed[0]["id"] + 100)]).exit_code == 1
    assert "will be sent" in run(base + ["deliveries", "--retry", str(listed[0]["id"])]).output
    assert len(json.loads(run(base + ["deliveries", "--all", "--json"]).output)) == 2
