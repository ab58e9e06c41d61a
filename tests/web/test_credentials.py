"""The users' password hashes stay out of reach of everything that reads the database: they live
in `<database>.web-users` (owner-only), never in the database that `portalwatch query`, `serve`
(Datasette's SQL page runs any SELECT) and exports read."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.error

import pytest

from tests.web.test_users_cli import PW, run
from tests.world import make_config


def _portalwatch(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "monitor", "--config", str(tmp_path / "sites.toml"), "--db",
                           str(tmp_path / "pw.db"), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def with_users(tmp_path):
    """A database created by `portalwatch` with two users added by `portalwatch users add`."""
    from monitor.store.connect import open_db

    make_config(tmp_path)
    open_db(tmp_path / "pw.db").conn.close()
    assert run(tmp_path, "add", "root", "--role", "admin").returncode == 0
    assert run(tmp_path, "add", "hoangmai", "--role", "office", "--unit", "hoang-mai").returncode == 0
    return tmp_path


def test_no_hash_in_the_database_file_and_the_users_file_is_private(with_users):
    from monitor.web.users import authenticate, users_path

    db = with_users / "pw.db"
    stored = b"".join(p.read_bytes() for p in with_users.glob("pw.db*") if p != users_path(db))
    assert b"$argon2" not in stored and b"hoangmai" not in stored  # not the hash, not even the name
    assert b"$argon2id$" in users_path(db).read_bytes()  # the hashes are there instead …
    assert stat.S_IMODE(os.stat(users_path(db)).st_mode) == 0o600  # … readable by the owner only
    assert authenticate(db, "root", PW) is not None


def test_query_cannot_reach_the_users(with_users):
    from monitor.web.users import users_path

    r = _portalwatch(with_users, "query", "SELECT * FROM users")
    assert r.returncode == 1 and "no such table: users" in r.stderr, r.stderr
    attach = _portalwatch(with_users, "query", f"ATTACH DATABASE '{users_path(with_users / 'pw.db')}' AS u")
    assert attach.returncode == 1 and "argon2" not in attach.stdout + attach.stderr
    tables = _portalwatch(with_users, "query", "SELECT name FROM sqlite_master WHERE type = 'table'", "--json")
    assert tables.returncode == 0 and "users" not in {r["name"] for r in json.loads(tables.stdout)}


def test_datasette_sql_page_cannot_reach_the_users(with_users):
    pytest.importorskip("datasette")
    from tests.analyst.test_datasette import Serve, get

    srv = Serve(with_users / "pw.db")
    try:
        with pytest.raises(urllib.error.HTTPError) as e:
            get(srv.base, "/pw.json", sql="SELECT name, password_hash FROM users")
        body = e.value.read().decode()
        assert "no such table: users" in body and "argon2" not in body
        tables = get(srv.base, "/pw.json", sql="SELECT name FROM sqlite_master", _shape="array")
        assert tables and "users" not in {t["name"] for t in tables}
        assert set(get(srv.base, "/.json")) == {"pw"}  # only the database (its debug pages are not served)
    finally:
        srv.stop()
