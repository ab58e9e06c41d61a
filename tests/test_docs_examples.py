"""Every TOML and console example in README.md and docs/ works when copied.

TOML blocks load with the project's own loader (`load_config`). A block marked
`<!-- fragment: why -->` on the line before it is a true fragment: it must fail to load alone, and
load once wrapped into a minimal configuration (the sites and units it names added, a site's
required keys filled in), so every key it shows is still checked.

Console blocks (```console, commands after `$ `) run against a copy of the demo's folder
(sites.toml, portalwatch.db), with the demo's simulator serving again at the demo's clock; URLs
of 127.0.0.1 in a command point at it. The exit status must be what the example shows (an
`Error:` line: non-zero; `echo $?`: that number; else 0) and nothing may print a traceback.
Marks on the lines before a block:

    <!-- not-run: why -->       its portalwatch commands are only parsed (options and arguments)
    <!-- setup: shell -->       run in the folder before the block
    <!-- background: why -->    the first command serves (on a free port) while the others run

The generated docs/cli.md is not run, but the examples of its help texts are parsed.
"""

from __future__ import annotations

import copy
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from monitor.config import ConfigError, load_config, parse_config
from tests.conftest import DEMO_NOW, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.M | re.S)
_MARK = re.compile(r"^\s*<!--\s*([a-z-]+)(?::\s*(.*?))?\s*-->\s*$")
_LOCAL_URL = re.compile(r"http://127\.0\.0\.1:\d+")


@dataclass
class Block:
    path: Path
    line: int
    lang: str
    text: str
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(paths=DOCS) -> list[Block]:
    out = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for m in _FENCE.finditer(text):
            indent = len(m.group(1))
            body = "\n".join(line[indent:] for line in m.group(3).split("\n"))
            before = text[: m.start()].rstrip("\n").split("\n")
            marks = {}
            while before and _MARK.match(before[-1]):
                kind, why = _MARK.match(before.pop()).groups()
                marks[kind] = why or ""
            out.append(Block(path, text[: m.start()].count("\n") + 1, m.group(2), body, marks))
    return out


ALL = blocks()
TOML = [b for b in ALL if b.lang == "toml"]
CONSOLE = [b for b in ALL if b.lang == "console" and b.path.name != "cli.md"]


# --- TOML ---------------------------------------------------------------------------------------

def wrap(data: dict) -> dict:
    """A fragment made a whole configuration: ids, names and start URLs filled in, and every site
    or unit it names (parents, recipients' sites and parents) declared."""
    data = copy.deepcopy(data)
    sites, units = data.setdefault("site", []), data.setdefault("unit", [])
    for n, s in enumerate(sites, 1):
        s.setdefault("id", f"site-{n}")
        s.setdefault("name", s["id"])
        s.setdefault("start_urls", [f"https://{s['id']}.example.vn/tin-tuc"])
    known = {s["id"] for s in sites} | {u.get("id") for u in units}
    for r in data.get("recipient", []):
        for sid in r.get("sites", []):
            if sid not in known:
                sites.append({"id": sid, "name": sid, "start_urls": [f"https://{sid}.example.vn/tin-tuc"]})
                known.add(sid)
    wanted = [p for r in data.get("recipient", []) for p in r.get("parents", [])]
    wanted += [n["parent"] for n in [*sites, *units] if n.get("parent")]
    for pid in wanted:
        if pid not in known:
            units.append({"id": pid, "name": pid})
            known.add(pid)
    return data


def test_the_examples_are_found():
    assert len(TOML) >= 7 and len(CONSOLE) >= 25
    assert {b.path.name for b in CONSOLE} >= {"README.md", "analysts.md", "operators.md", "digests.md"}
    unknown = {k for b in ALL for k in b.marks} - {"fragment", "not-run", "setup", "background"}
    assert not unknown, unknown


@pytest.mark.parametrize("block", TOML, ids=lambda b: b.name)
def test_toml_example_loads(block: Block, tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text(block.text, encoding="utf-8")
    if "fragment" not in block.marks:
        load_config(path)  # a ConfigError here is the message a reader copying the block would get
        return
    assert block.marks["fragment"], f"{block.name}: say why the block is a fragment"
    with pytest.raises(ConfigError):
        load_config(path)  # else it is no fragment: drop the mark
    parse_config(wrap(tomllib.loads(block.text)), path)


def test_a_fragment_wrapped_still_has_its_keys_checked(tmp_path):
    data = wrap(tomllib.loads('[[site]]\nid = "a"\nmax_page = 3\n'))
    with pytest.raises(ConfigError, match="unknown key 'max_page'"):
        parse_config(data, tmp_path / "sites.toml")


# --- console: parsing ---------------------------------------------------------------------------

def commands(text: str) -> list[tuple[str, list[str]]]:
    """(command, the output lines shown after it) for each `$ ` line; a command whose quotes are
    still open goes on over the next lines."""
    out: list[tuple[str, list[str]]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            if out:
                out[-1][1].append(lines[i])
            i += 1
            continue
        cmd = lines[i][2:]
        while not _complete(cmd) and i + 1 < len(lines):
            i += 1
            cmd += "\n" + lines[i]
        out.append((cmd, []))
        i += 1
    return out


def _complete(cmd: str) -> bool:
    try:
        shlex.split(cmd, comments=True)
    except ValueError:
        return False
    return True


def portalwatch_argvs(cmd: str) -> list[list[str]]:
    """The argument lists given to `portalwatch` in a shell command line (a segment that starts
    with it, after `NAME=value` assignments and `timeout N`)."""
    lex = shlex.shlex(cmd, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    segments: list[list[str]] = [[]]
    for tok in lex:
        if tok and set(tok) <= set(";|&<>()"):
            segments.append([])
        else:
            segments[-1].append(tok)
    argvs = []
    for seg in segments:
        while seg and (re.fullmatch(r"[A-Z_]+=.*", seg[0]) or seg[0] == "timeout"):
            seg = seg[2:] if seg[0] == "timeout" else seg[1:]
        if seg and seg[0] == "portalwatch":
            argvs.append(seg[1:])
    return argvs


def parse_cli(argv: list[str]) -> None:
    """Parse like `portalwatch ARGV` (groups, options, arguments, types) without running it."""
    from monitor.cli import cli

    ctx = cli.make_context("portalwatch", list(argv))
    cmd: click.Command = cli
    while isinstance(cmd, click.Group):
        args = [*(getattr(ctx, "_protected_args", None) or []), *ctx.args]
        name, sub, rest = cmd.resolve_command(ctx, args)
        assert sub is not None and name is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        cmd = sub


def _cli_md_examples() -> list[str]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        for line in m.group(3).split("\n"):
            if line.strip().startswith("portalwatch ") and "[OPTIONS]" not in line and "COMMAND" not in line:
                out.append(line.strip())
    return out


PARSED = [(b.name, cmd) for b in ALL for cmd, _ in commands(b.text) if portalwatch_argvs(cmd)
          and (b.lang != "console" or "not-run" in b.marks)]
PARSED += [("docs/cli.md", line) for line in _cli_md_examples()]


@pytest.mark.parametrize(("where", "cmd"), PARSED, ids=[f"{w} {c[:40]}" for w, c in PARSED])
def test_example_command_parses(where, cmd, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in portalwatch_argvs(cmd):
        try:
            parse_cli(argv)
        except click.exceptions.Exit as e:
            assert e.exit_code == 0
        except click.ClickException as e:
            pytest.fail(f"{where}: `portalwatch {shlex.join(argv)}`: {e.format_message()}")


def test_not_run_blocks_say_why_and_are_few():
    skipped = [b for b in CONSOLE if "not-run" in b.marks]
    assert all(b.marks["not-run"] for b in skipped), [b.name for b in skipped if not b.marks["not-run"]]
    assert len(skipped) * 2 < len(CONSOLE), [b.name for b in skipped]


# --- console: running on the demo ----------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_dir(demo_run) -> Path:
    return demo_run[0]


@pytest.fixture
def live_sim(monkeypatch):
    """The demo's simulated portal again (same seed, the clock where the demo left it)."""
    from monitor.demo import DAY_OF_CRAWLS, days_to_today
    from simulator import Simulator, serve

    monkeypatch.setenv("PORTALWATCH_NOW", DEMO_NOW)
    sim = Simulator(seed=1, articles_per_site=40)
    sim.advance(days=days_to_today(sim))
    sim.advance(hours=sum(DAY_OF_CRAWLS))
    with serve(sim, port=0) as handle:
        yield handle


def _moved(work: Path, base_url: str) -> None:
    """The demo's folder pointed at the simulator serving now (sites.toml and stored URLs)."""
    import sqlite3

    config = work / "sites.toml"
    text = config.read_text(encoding="utf-8")
    old = _LOCAL_URL.search(text).group(0)
    config.write_text(text.replace(old, base_url), encoding="utf-8")
    with sqlite3.connect(work / "portalwatch.db") as db:
        db.execute("UPDATE articles SET url = replace(url, ?, ?)", (old, base_url))
    db.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _expected(cmd: str, shown: list[str]) -> tuple[str, int | None]:
    """('code', N) for `…; echo $?`, ('error', None) when the example shows an Error: line, else ('ok', 0)."""
    if re.search(r";\s*echo \$\?\s*(#.*)?$", cmd):
        numbers = [line.strip() for line in shown if line.strip().isdigit()]
        assert numbers, f"{cmd}: the example shows no exit status"
        return "code", int(numbers[-1])
    if any(line.lstrip().startswith("Error:") for line in shown):
        return "error", None
    return "ok", 0


def _run(cmd: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


RUN = [b for b in CONSOLE if "not-run" not in b.marks]


@pytest.mark.parametrize("block", RUN, ids=lambda b: b.name)
def test_console_example_runs(block: Block, demo_dir, live_sim, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(demo_dir, work)
    _moved(work, live_sim.base_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTALWATCH_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PORTALWATCH_NOW=live_sim.sim.clock()["now_utc"],
               COLUMNS="120", TERM="dumb", NO_COLOR="1", PYTHONPATH=str(ROOT))
    steps = commands(block.text)
    assert steps, f"{block.name}: a console block without a `$ ` command"
    served = None
    if "background" in block.marks:
        port = str(_free_port())
        steps = [(re.sub(r"(--port )\d+", rf"\g<1>{port}", re.sub(r"(127\.0\.0\.1:)\d+", rf"\g<1>{port}", c)), o)
                 for c, o in steps]
    else:
        steps = [(_LOCAL_URL.sub(live_sim.base_url, c), o) for c, o in steps]
    try:
        if "setup" in block.marks:
            proc = _run(_LOCAL_URL.sub(live_sim.base_url, block.marks["setup"]), work, env)
            assert proc.returncode == 0, f"{block.name}: setup failed: {proc.stderr}"
        if "background" in block.marks:
            first, _ = steps.pop(0)
            served = subprocess.Popen(["bash", "-c", "exec " + first], cwd=work, env=env, start_new_session=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            _wait_for_port(int(port), served)
            written = re.search(r"--write-config (\S+)", first)
            if written:
                _wait_for_file(work / written.group(1), served)
        for cmd, shown in steps:
            proc = _run(cmd, work, env)
            said = proc.stdout + proc.stderr
            assert "Traceback (most recent call last)" not in said, f"{block.name}: `{cmd}`:\n{said}"
            kind, code = _expected(cmd, shown)
            if kind == "code":
                real = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
                assert real == str(code), f"{block.name}: `{cmd}` ended with {real!r}, the example shows {code}:\n{said}"
            elif kind == "error":
                assert proc.returncode != 0 and "Error:" in said, f"{block.name}: `{cmd}` did not fail:\n{said}"
            else:
                assert proc.returncode == 0, f"{block.name}: `{cmd}` exited {proc.returncode}:\n{said}"
    finally:
        if served is not None:
            os.killpg(served.pid, signal.SIGTERM)
            served.communicate(timeout=30)


def _wait_for_file(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not (path.exists() and path.stat().st_size):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.1)


def _wait_for_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nothing listens on port {port}")
