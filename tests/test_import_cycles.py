"""The import graph of crawler/, monitor/ and simulator/ (module- and function-level imports, read
with ast) has no circles but the allowed ones, and the CLI's command modules import downward."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "monitor", "simulator")
# Circles not broken yet (issue 12, other rooms). Never add one: break the new circle instead.
ALLOWED = {
    frozenset({"crawler.extract.profiles", "crawler.extract.profiles.auto"}),
    frozenset({"simulator.render", "simulator.world"}),
}


def _modules() -> dict[str, Path]:
    mods = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            parts = list(p.relative_to(ROOT).with_suffix("").parts)
            mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return mods


@cache
def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports anywhere in its body (a package's own submodule
    imported with `from pkg import sub` counts as sub, not pkg)."""
    mods = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        package = m.split(".") if path.name == "__init__.py" else m.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            else:
                continue
            graph[m] |= {r for r in map(resolve, names) if r and r != m}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp.add(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    found.append(frozenset(comp))
    return found


def test_no_import_circles_but_the_allowed_ones():
    found = set(cycles(import_graph()))
    assert found - ALLOWED == set(), "new import circle(s): " + "; ".join(" ↔ ".join(sorted(c)) for c in found - ALLOWED)
    assert ALLOWED - found == set(), "circle(s) broken: remove them from ALLOWED so they cannot come back"


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_commands_and_the_library_never_import_the_cli_root():
    graph = import_graph()
    importers = {m for m, deps in graph.items() if "monitor.cli" in deps}
    assert importers <= {"monitor.__main__", "monitor.reference"}, importers  # entry point, docs generator
    below = {m for m in graph if not m.startswith("monitor.cli") and m not in importers}
    assert not {m for m in below if any(d.startswith("monitor.cli") for d in graph[m])}


def test_config_imports_nothing_above_it():
    deps = import_graph()["monitor.config"]
    assert not {d for d in deps if d.startswith(("monitor.notify", "monitor.digest", "monitor.service"))}, deps
