"""Build the project's egg (the `crawler` package, all a node runs, with the `scrapy` entry point
Scrapyd reads) and upload it to the nodes with addversion.json — what `scrapyd-deploy` does,
offline, with the setuptools of this environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawler import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("crawler",)  # the node spider imports nothing from monitor/ (tests/test_layers.py)

SETUP_PY = """\
from setuptools import find_packages, setup

setup(
    name="portalwatch",
    version={version!r},
    packages=find_packages(include=["crawler", "crawler.*"]),
    package_data={{"": ["*.txt", "*.html", "*.j2", "*.json", "*.toml", "*.sql", "*.yml", "*.yaml"]}},
    entry_points={{"scrapy": ["settings = crawler.settings"]}},
    zip_safe=False,
)
"""


def egg_version() -> str:
    """A timestamp, as scrapyd-deploy uses: every deploy is a newer Scrapyd version (the newest runs)."""
    return str(int(time.time()))


def build_egg(version: str | None = None) -> tuple[bytes, str]:
    """(egg bytes, version). Raises RuntimeError with setuptools' last line when it fails."""
    version = version or egg_version()
    with tempfile.TemporaryDirectory(prefix="portalwatch-egg-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for pkg in PACKAGES:
            shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (src / "setup.py").write_text(SETUP_PY.format(version=f"{__version__}.post{version}"), encoding="utf-8")
        out = Path(tmp) / "dist"
        proc = subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "-d", str(out)], cwd=src,
                              capture_output=True, text=True)
        eggs = sorted(out.glob("*.egg")) if out.exists() else []
        if proc.returncode != 0 or not eggs:
            last = (proc.stderr.strip() or proc.stdout.strip() or "no egg written").splitlines()[-1]
            raise RuntimeError(f"building the egg failed: {last}")
        return eggs[0].read_bytes(), version


def deploy(nodes, project: str, egg: bytes, version: str) -> dict[str, str]:
    """Upload to every node; node URL -> 'ok (N spiders)' or the one-line error."""
    from monitor.cluster.scrapyd import NodeError

    out = {}
    for node in nodes:
        try:
            answer = node.addversion(project, version, egg)
            out[node.url] = f"ok ({answer.get('spiders', '?')} spiders)"
        except NodeError as e:
            out[node.url] = f"error: {e}"
    return out
