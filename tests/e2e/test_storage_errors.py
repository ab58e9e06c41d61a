"""A sound database that cannot be opened or written is never called damaged: every command says
the true cause in one `Error:` line (read-only file, read-only folder, read-only mount, permission
denied; a full disk: tests/e2e/test_storage_failures.py) and no backup restore is suggested;
only a really damaged file gets that advice.

File permissions do not stop root. Run as root, the commands run under `setpriv` without the
capabilities that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): root's processes then
obey file modes like any user's. The read-only mount is a read-only bind mount in a private
mount namespace (`unshare -m`, root only).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.store.db import Store
from tests.conftest import ROOT

CONFIG = """
[[site]]
id = "vinh-hung"
name = "Phường Vĩnh Hưng"
start_urls = ["http://127.0.0.1:9/tin-tuc"]
"""
READERS = [["status"], ["sites", "list"], ["query", "SELECT COUNT(*) FROM sites"]]
WRITERS = [["crawl", "--no-detect"], ["search", "--rebuild"]]
NO_CAPS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]


def unprivileged() -> list[str]:
    """The command prefix under which file permissions apply to this test's processes."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
    return NO_CAPS


@pytest.fixture
def place(tmp_path):
    """A folder holding a sound database; sites.toml lives elsewhere. Modes are restored after."""
    (tmp_path / "sites.toml").write_text(CONFIG, encoding="utf-8")
    folder = tmp_path / "data"
    folder.mkdir()
    store = Store(folder / "pw.db")
    store.sync_sites([])
    store.close()
    yield folder
    os.chmod(folder, 0o755)
    for p in folder.iterdir():
        os.chmod(p, 0o644)
    assert sqlite3.connect(folder / "pw.db").execute("PRAGMA integrity_check").fetchone() == ("ok",)


def run(folder: Path, args: list[str], prefix: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    cmd = [*prefix, sys.executable, "-m", "monitor", "--config", str(folder.parent / "sites.toml"),
           "--db", str(folder / "pw.db"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, cwd=folder.parent,
                          stdin=subprocess.DEVNULL)


def assert_says(proc: subprocess.CompletedProcess, cause: str, *words: str) -> None:
    text = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 1, text
    assert "Traceback" not in text, text
    errors = [ln for ln in text.splitlines() if ln.startswith("Error: ")]
    assert len(errors) == 1, text
    line = errors[0]
    assert line.startswith(f"Error: {cause}: ") and "pw.db" in line, line
    assert "not damaged" in line and "backups" not in line and ".recover" not in line, line
    for w in words:
        assert w in line, line


def test_a_read_only_database_file(place):
    """Readers read it; a writer is told the file is read-only for this user."""
    os.chmod(place / "pw.db", 0o444)
    for args in READERS:
        proc = run(place, args, unprivileged())
        assert proc.returncode == 0, (args, proc.stdout + proc.stderr)
    for args in WRITERS:
        assert_says(run(place, args, unprivileged()), "database is read-only", "the file is not writable")


def test_a_read_only_folder(place):
    """WAL mode needs pw.db-wal and pw.db-shm next to the file: a folder this user may not write
    to is named, with that reason, for readers and writers alike."""
    os.chmod(place, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    for args in READERS + WRITERS:
        assert_says(run(place, args, unprivileged()), "database is read-only",
                    f"the folder {place} is not writable", "pw.db-wal", "pw.db-shm")


def test_a_database_file_this_user_may_not_read(place):
    os.chmod(place / "pw.db", 0)
    for args in READERS + WRITERS:
        assert_says(run(place, args, unprivileged()), "permission denied", "may not read the file")


def test_a_folder_this_user_may_not_enter(place):
    os.chmod(place, 0)
    for args in READERS + WRITERS:
        assert_says(run(place, args, unprivileged()), "permission denied", f"may not enter the folder {place}")


def test_a_read_only_mount(place):
    """The file and folder allow writing, the mount does not (remounted read-only)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("a read-only bind mount needs root and unshare")
    mount = ["unshare", "-m", "sh", "-c",
             f'mount --bind "{place}" "{place}" && mount -o remount,ro,bind "{place}" && exec "$0" "$@"']
    probe = subprocess.run([*mount, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a read-only bind mount here: {probe.stderr.strip()}")
    for args in READERS + WRITERS:
        assert_says(run(place, args, mount), "database is read-only", "read-only file system")


def test_a_really_damaged_file_still_gets_the_restore_advice(place):
    """Pages overwritten with garbage behind a valid header: that, and only that, is damage."""
    db = place / "pw.db"
    data = bytearray(db.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    db.write_bytes(bytes(data))
    proc = run(place, ["status"], [])
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in text, text
    assert "not a portalwatch database, or it is damaged" in text and "backups" in text, text
    db.write_bytes(b"")  # the fixture's integrity check: an empty file is a sound empty database
