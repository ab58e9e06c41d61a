"""Datasette as the browsing UI: shipped metadata (datasette_meta.json, completed by `shipped`),
the plugins in dsplugin/ (portalwatch_datasette.py; guard.py: Datasette's /-/ debug pages are not
served, refusals are logged in one line) and the serve command.

The JSON describes one database under the key "database"; Datasette names a database after its
file, so `metadata()` re-keys it to the file's stem.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from monitor import procs
from monitor.kinds import EVENT_KINDS

PREFIX = "portalwatch-datasette-"
PLUGINS = Path(__file__).resolve().parent / "dsplugin"  # portalwatch_datasette.py + CSS/JS, guard.py


def shipped() -> dict:
    """datasette_meta.json, with what the code knows filled in: `events.kind` lists the event
    kinds of monitor/kinds.py with their labels and severity."""
    raw = json.loads(resources.files("monitor.analyst").joinpath("datasette_meta.json").read_text(encoding="utf-8"))
    raw["database"]["tables"]["events"]["columns"]["kind"] = event_kinds()
    return raw


def event_kinds() -> str:
    """'Loại: baseline (Lần thu thập đầu tiên), … — event kind: baseline (first crawl, info), …'."""
    kinds = EVENT_KINDS.values()
    vi = ", ".join(f"{k.name} ({k.label['vi'].lower()})" for k in kinds)
    en = ", ".join(f"{k.name} ({k.label['en'].lower()}, {k.severity})" for k in kinds)
    return f"Loại: {vi} — event kind: {en}"


def metadata(db_path: str | os.PathLike) -> dict:
    """The shipped metadata, keyed for the database file at `db_path`."""
    raw = shipped()
    raw["databases"] = {Path(db_path).stem: raw.pop("database")}
    return raw


def write_metadata(db_path: str | os.PathLike, directory: str | None = None) -> Path:
    """Write the metadata for `db_path` to a temporary JSON file (named after this process, so
    a later run can remove it if this one is killed) and return its path."""
    remove_stale(directory)
    fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".json", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(metadata(db_path), f, ensure_ascii=False, indent=2)
    return Path(name)


def command(db_path: str | os.PathLike, metadata_path: str | os.PathLike, *, host: str = "127.0.0.1",
            port: int = 8001, extra: tuple[str, ...] = ()) -> list[str]:
    """The `datasette serve` command line (run with this Python, so the extra's install is used)."""
    return [
        sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_path),
        "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "5000",
        "--setting", "default_page_size", "50", "--plugins-dir", str(PLUGINS), *extra,
    ]


def remove_stale(directory: str | None = None) -> int:
    """Delete metadata files left by `serve` processes that no longer exist (killed with -9)."""
    from monitor.store.dbutil import pid_alive

    n = 0
    for path in Path(directory or tempfile.gettempdir()).glob(f"{PREFIX}*-*.json"):
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            path.unlink(missing_ok=True)
            n += 1
    return n


class _Stop(Exception):
    pass


def serve(db_path: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 8001,
          extra: tuple[str, ...] = ()) -> int:
    """Run Datasette until it exits, Ctrl-C or SIGTERM; return its exit status (0 when stopped
    by us). Datasette never outlives this process (it gets SIGTERM if we die, even by SIGKILL)
    and the temporary metadata file is removed."""
    meta = write_metadata(db_path)
    old = signal.signal(signal.SIGTERM, _raise_stop)
    proc = None
    try:
        proc = subprocess.Popen(command(db_path, meta, host=host, port=port, extra=extra),
                                preexec_fn=procs.die_with_parent_preexec(os.getpid()))  # noqa: PLW1509
        return proc.wait()
    except (KeyboardInterrupt, _Stop):
        return 0
    finally:
        signal.signal(signal.SIGTERM, old)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        meta.unlink(missing_ok=True)


def _raise_stop(signum, frame):
    raise _Stop()


def available() -> bool:
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True
