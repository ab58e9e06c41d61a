"""Every date option of the analyst commands takes the dates people type (monitor/when.py)."""

from __future__ import annotations

from click.testing import CliRunner

from monitor.cli import cli


def test_every_date_option_takes_dd_mm_yyyy(built, monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", "2026-11-22T05:00:00Z")
    runner = CliRunner()
    r = runner.invoke(cli, ["--db", str(built.path), "export", "daily", "--since", "21/11/2026", "--until", "today"])
    assert r.exit_code == 0, r.output
    days = {line.split(",")[2] for line in r.output.splitlines()[1:]}
    assert days == {"2026-11-21", "2026-11-22"}
    r = runner.invoke(cli, ["--db", str(built.path), "export", "articles", "--since", "19/11/2026"])
    assert r.exit_code == 0 and r.output.count("\n") == 2, r.output  # header + a1 (published 19/11 VN)
    r = runner.invoke(cli, ["--db", str(built.path), "search", "hoi nghi", "--since", "20/11/2026", "--json"])
    assert r.exit_code == 0 and r.output.strip() == "[]", r.output  # a1 was published on 19/11 (VN)
    r = runner.invoke(cli, ["--db", str(built.path), "export", "views", "--since", "32/11/2026"])
    assert r.exit_code == 1 and "--since: '32/11/2026' is not a date" in r.output
