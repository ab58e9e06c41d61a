"""The import graph of crawler/, monitor/ and simulator/: no circles, nothing importing upward,
and crawler/ (the bottom: spider, items, plan, clock) importing nothing from monitor/.

Every import counts — module level and inside functions (a deferred import is still a circle,
only one that fails later) — except those under `if TYPE_CHECKING:`. Parsed with ast, nothing
is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "monitor", "simulator")

# From the bottom up: a module may import its own layer and the ones below, never one above.
LAYERS = [
    # the clock; sites.toml read into records; channel types; the event and problem kinds (pure
    # records that housekeeping in the store reads too)
    {"crawler.clock", "monitor.config", "monitor.channels", "monitor.kinds"},
    {"monitor.store"},  # SQLite: schema, the writer, the reads, leases, upkeep
    {"monitor.detect", "monitor.digest", "monitor.cluster", "monitor.analyst", "monitor.sites"},  # over the store
    {"monitor.crawl", "monitor.notify"},  # crawls (local children or the cluster); digests sent
    {"monitor.service", "monitor.demo"},  # the scheduler; the scripted demo
    {"monitor.web"},  # portalwatch web: pages over the library, the service's reload
    {"monitor.cli"},
]

# Circles allowed to remain: none. A new circle fails, and so does a listed one that is gone.
KNOWN_CYCLES: list[set[str]] = []


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules this module imports (`from pkg import sub` counts as pkg.sub)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # `import a.b.c` of a name inside a module: the module
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(g: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def layer(name: str) -> int | None:
    for i, names in enumerate(LAYERS):
        if any(name == n or name.startswith(n + ".") for n in names):
            return i
    return None


def test_the_graph_sees_deferred_imports():
    g = graph()
    assert "monitor.store.connect" in g["monitor.service.status"]  # imported inside status()
    assert "monitor.service.jobs" in g["monitor.service.service"]


def test_no_import_cycles():
    g = graph()
    found = cycles(g)
    new = [c for c in found if c not in KNOWN_CYCLES]
    lines = [f"{m} -> {', '.join(sorted(g[m] & c))}" for c in new for m in sorted(c)]
    assert not new, "import cycles:\n" + "\n".join(lines)
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert not gone, f"circles broken: remove them from KNOWN_CYCLES so they cannot come back: {gone}"


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_commands_and_the_library_never_import_the_cli_root():
    g = graph()
    importers = {m for m, deps in g.items() if "monitor.cli" in deps}
    assert importers <= {"monitor.__main__", "monitor.reference"}, importers  # entry point, docs generator
    below = {m for m in g if not m.startswith("monitor.cli") and m not in importers}
    assert not {m for m in below if any(d.startswith("monitor.cli") for d in g[m])}


def test_crawler_imports_nothing_from_monitor():
    g = graph()
    bad = [f"{m} -> {d}" for m in sorted(g) if m.split(".")[0] == "crawler" for d in sorted(g[m])
           if d.split(".")[0] == "monitor"]
    assert not bad, "crawler/ must not import monitor/ (monitor builds on crawler):\n" + "\n".join(bad)
    # the graph does see imports across the two packages: monitor builds on crawler
    assert {"crawler.plan", "crawler.items"} <= g["monitor.store.db"] | g["monitor.store.reads"]
    assert "crawler.spiders.portal" in g["monitor.crawl.child"]


def test_config_imports_nothing_above_it():
    g = graph()
    deps = {d for m in g if m == "monitor.config" or m.startswith("monitor.config.") for d in g[m]}
    assert not {d for d in deps if d.startswith(("monitor.notify", "monitor.digest", "monitor.service"))}, deps


def test_channels_import_nothing_but_the_clock():
    """monitor.config validates channel tables with monitor.channels and monitor.notify sends with
    them: the channel classes stand on crawler/ alone (the digest reaches them as a Delivery)."""
    g = graph()
    deps = {d for m in g if m == "monitor.channels" or m.startswith("monitor.channels.") for d in g[m]}
    assert "monitor.channels.base" in deps
    assert not {d for d in deps if d.startswith("monitor.") and not d.startswith("monitor.channels")}, deps
    assert "monitor.channels" in g["monitor.config.load"] and "monitor.channels" in g["monitor.notify"]


def test_service_and_store_are_in_no_cycle():
    for c in cycles(graph()):
        assert not any(m.startswith(("monitor.service", "monitor.store")) for m in c), sorted(c)


def test_nothing_imports_upward():
    bad = []
    for name, targets in graph().items():
        mine = layer(name)
        if mine is None:
            continue
        bad += [f"{name} -> {t}" for t in sorted(targets) if (layer(t) or 0) > mine]
    assert not bad, "imports from a lower layer into a higher one:\n" + "\n".join(bad)
