"""Datasette as the browsing UI: shipped metadata (datasette_meta.json) and the serve command.

The JSON describes one database under the key "database"; Datasette names a database after its
file, so `metadata()` re-keys it to the file's stem.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path


def metadata(db_path: str | os.PathLike) -> dict:
    """The shipped metadata, keyed for the database file at `db_path`."""
    raw = json.loads(resources.files("monitor.analyst").joinpath("datasette_meta.json").read_text(encoding="utf-8"))
    raw["databases"] = {Path(db_path).stem: raw.pop("database")}
    return raw


def write_metadata(db_path: str | os.PathLike, directory: str | None = None) -> Path:
    """Write the metadata for `db_path` to a temporary JSON file and return its path."""
    fd, name = tempfile.mkstemp(prefix="portalwatch-datasette-", suffix=".json", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(metadata(db_path), f, ensure_ascii=False, indent=2)
    return Path(name)


def command(db_path: str | os.PathLike, metadata_path: str | os.PathLike, *, host: str = "127.0.0.1",
            port: int = 8001, extra: tuple[str, ...] = ()) -> list[str]:
    """The `datasette serve` command line (run with this Python, so the extra's install is used)."""
    return [
        sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_path),
        "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "5000",
        "--setting", "default_page_size", "50", *extra,
    ]


def available() -> bool:
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True
