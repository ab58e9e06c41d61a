"""--site / --parent ids that name nothing: one line with the close matches, exit 1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from monitor.cli import cli


@pytest.mark.parametrize("args, message", [
    (["search", "hoi nghi", "--site", "vinh-hungg"], "--site vinh-hungg: no such site in the database; did you mean vinh-hung?"),
    (["export", "articles", "--site", "nosuch"], "--site nosuch: no such site in the database"),
    (["export", "daily", "--parent", "hoang-maii"], "--parent hoang-maii: no such site or unit in the database; did you mean hoang-mai"),
    (["report", "--parent", "nosuch", "--out", "r.html"], "--parent nosuch: no such site or unit"),
])
def test_unknown_ids_are_named(built, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["--db", str(built.path), *args])
    assert r.exit_code == 1, r.output
    assert message in " ".join(r.output.split())
    assert not (tmp_path / "r.html").exists()


def test_known_ids_still_work(built, tmp_path):
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "articles", "--parent", "hoang-mai"])
    assert r.exit_code == 0 and r.output.count("\n") == 3, r.output  # header + a1 (vinh-hung), a2 (dinh-cong)
