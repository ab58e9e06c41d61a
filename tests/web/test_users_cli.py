"""`portalwatch users add | list | passwd | remove`: the real command in a child process; the
password from PORTALWATCH_PASSWORD (never on the command line), one-line errors."""

import json
import os
import subprocess
import sys

from tests.world import make_config

PW = "a long enough password"


def run(tmp_path, *args, password: str | None = PW):
    env = {k: v for k, v in os.environ.items() if k != "PORTALWATCH_PASSWORD"}
    if password is not None:
        env["PORTALWATCH_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "monitor", "--config", str(tmp_path / "sites.toml"), "--db",
                           str(tmp_path / "pw.db"), "users", *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_add_list_passwd_remove(tmp_path):
    from monitor.web.users import authenticate

    make_config(tmp_path)
    assert run(tmp_path, "add", "hoangmai", "--role", "office", "--unit", "hoang-mai").returncode == 0
    assert run(tmp_path, "add", "root", "--role", "admin").returncode == 0
    rows = json.loads(run(tmp_path, "list", "--json").stdout)
    assert [(u["name"], u["role"], u["units"]) for u in rows] == [("hoangmai", "office", ["hoang-mai"]),
                                                                 ("root", "admin", [])]
    assert authenticate(tmp_path / "pw.db", "hoangmai", PW).role == "office"
    assert run(tmp_path, "passwd", "hoangmai", password=PW + "2").returncode == 0
    assert authenticate(tmp_path / "pw.db", "hoangmai", PW) is None
    assert authenticate(tmp_path / "pw.db", "hoangmai", PW + "2") is not None
    assert run(tmp_path, "remove", "hoangmai").returncode == 0
    assert "hoangmai" not in run(tmp_path, "list").stdout


def test_mistakes_are_one_line(tmp_path):
    make_config(tmp_path)
    cases = [
        (("add", "x", "--role", "office"), PW, "an office user needs at least one unit"),
        (("add", "x", "--role", "office", "--unit", "hoang-mia"), PW, "no site or unit 'hoang-mia' (did you mean 'hoang-mai'?)"),
        (("add", "x", "--role", "admin", "--unit", "hoang-mai"), PW, "--unit is for office users"),
        (("add", "x y", "--role", "admin"), PW, "user name 'x y'"),
        (("add", "x", "--role", "admin"), "short", "too short: at least 10 characters"),
        (("add", "x", "--role", "admin"), None, "no password for 'x': set PORTALWATCH_PASSWORD"),
        (("remove", "nobody"), PW, "no user 'nobody'"),
    ]
    for args, password, words in cases:
        r = run(tmp_path, *args, password=password)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert r.stderr.startswith("Error: ") and words in r.stderr and r.stderr.count("\n") == 1, r.stderr
        assert "Traceback" not in r.stderr
    run(tmp_path, "add", "x", "--role", "admin")
    again = run(tmp_path, "add", "X", "--role", "admin")
    assert "user 'X' already exists" in again.stderr


def test_the_demo_admin_again_over_the_same_folder_gets_a_new_password(tmp_path):
    from monitor.web.users import authenticate, demo_user

    db = tmp_path / "portalwatch.db"
    first, again = demo_user(db), demo_user(db)  # `portalwatch demo` run twice: the users file stays
    assert first and again and first[1] != again[1]
    assert authenticate(db, "demo", first[1]) is None
    assert authenticate(db, "demo", again[1]).role == "admin"
