"""Every command, given a garbage database or an output path that cannot be written, fails with
one `Error:` line naming the file and a non-zero exit; never a traceback.

The commands are enumerated from the click group, so a new command is covered automatically.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import click
import pytest

from monitor.cli import cli

CONFIG = """
[[site]]
id = "vinh-hung"
name = "Phường Vĩnh Hưng"
level = "ward"
parent = "hoang-mai"
start_urls = ["http://127.0.0.1:9/tin-tuc"]

[[unit]]
id = "hoang-mai"
name = "Quận Hoàng Mai"
level = "district"

[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
"""
# arguments a command needs before it gets as far as the database
ARGS = {
    "query": ["SELECT 1"], "search": ["dong da"], "history": ["1"], "export": ["articles"], "sites check": ["vinh-hung", "--sample", "1"],
    "sites lineage": ["vinh-hung"], "sites add": ["http://127.0.0.1:9/"], "sites import": ["rows.csv"],
    "sites discover": ["http://127.0.0.1:9/"], "users add": ["x", "--role", "admin"], "users remove": ["x"],
    "users passwd": ["x"],
}
# commands that never open the database: each is given an output (or config) path it cannot write
NO_DB = {
    "simulate": ["simulate", "--port", "0", "--write-config", "{nodir}/sim.toml"],
    "demo": ["demo", "--dir", "{afile}/demo"],
    "sites add": ["--config", "{nodir}/sites.toml", "sites", "add", "http://127.0.0.1:9/"],
    "sites import": ["sites", "import", "rows.csv", "--report", "{nodir}/r.csv"],
    "sites discover": ["sites", "discover", "http://127.0.0.1:9/", "--csv", "{nodir}/w.csv"],
    "cluster deploy": ["--config", "{nodir}/sites.toml", "cluster", "deploy"],
}
OUTPUTS = [  # every option that names a file to write
    ["report", "--out", "{nodir}/r.html"],
    ["export", "articles", "-o", "{nodir}/a.csv"],
    ["digest", "--preview", "{nodir}/d.html"],
]


def leaf_commands(group: click.Group = cli, prefix: str = "") -> list[str]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        out += leaf_commands(cmd, full + " ") if isinstance(cmd, click.Group) else [full]
    return out


def run(tmp, args):
    env = {**os.environ, "COLUMNS": "80", "PORTALWATCH_NOW": "2026-11-21T03:00:00Z"}
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", "sites.toml", *args], cwd=tmp,
                          capture_output=True, text=True, env=env, timeout=600, stdin=subprocess.DEVNULL)
    return proc


@pytest.fixture
def tmp(tmp_path):
    (tmp_path / "sites.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "garbage.db").write_bytes(b"PK\x03\x04 this is a zip file, not SQLite\n" * 40)
    (tmp_path / "afile").write_text("a file\n")
    (tmp_path / "rows.csv").write_text("id,name,level,parent,url\n", encoding="utf-8")
    return tmp_path


def cases():
    out = []
    for cmd in leaf_commands():
        if cmd in NO_DB:
            out.append((cmd, NO_DB[cmd], "{nodir}" if "{nodir}" in " ".join(NO_DB[cmd]) else "afile"))
        else:
            words = cmd.split()
            out.append((cmd, ["--db", "garbage.db", *words, *ARGS.get(cmd, [])], "garbage.db"))
            out.append((cmd + " (db folder is a file)", ["--db", "afile/pw.db", *words, *ARGS.get(cmd, [])], "afile"))
    for args in OUTPUTS:
        out.append((" ".join(args[:2]), args, "nodir"))
    return out


def assert_one_clear_line(name, proc, names):
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode != 0, f"{name}: exit 0\n{text}"
    assert "Traceback" not in text, f"{name}:\n{text}"
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), f"{name}: not one Error: line:\n{text}"
    assert names.format(nodir="nodir") in lines[0], f"{name}: the message does not name {names}:\n{text}"


def test_every_command_fails_cleanly_on_bad_paths_and_a_garbage_database(tmp):
    all_cases = cases()
    assert {c.split(" (")[0] for c, _, _ in all_cases} >= set(leaf_commands())
    assert len(leaf_commands()) >= 20

    def one(case):
        name, args, names = case
        return name, run(tmp, [a.format(nodir="nodir", afile="afile") for a in args]), names

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, all_cases))
    failures = []
    for name, proc, names in results:
        try:
            assert_one_clear_line(name, proc, names)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, f"{len(failures)} of {len(results)} cases:\n\n" + "\n\n".join(failures)
    assert (tmp / "garbage.db").read_bytes().startswith(b"PK\x03\x04")  # nothing stored is lost
    assert not (tmp / "nodir").exists()


def test_a_damaged_sqlite_file_names_the_file_and_the_way_out(tmp):
    """A file with SQLite's header but garbage after it: sqlite3 raises inside a command."""
    (tmp / "damaged.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    for cmd in (["sites", "list"], ["status"], ["query", "SELECT * FROM articles"], ["report"],
                ["serve", "--port", "0"]):
        proc = run(tmp, ["--db", "damaged.db", *cmd])
        assert_one_clear_line(" ".join(cmd), proc, "damaged.db")
        assert "backups" in proc.stderr and ".recover" in proc.stderr
