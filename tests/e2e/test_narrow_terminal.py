"""At 80 columns ids are never cut; --plain gives everything; empty --problems says so."""

from __future__ import annotations

import os
import re
import subprocess
import sys

IDS = ["hoang-mai", "vinh-hung", "hoang-liet", "tuong-mai", "dinh-cong", "xa-quang-phu", "xa-dong-tien",
       "xa-hoang-dong", "dai-phuc", "ea-kao", "xa-thach-kim", "vo-cuong"]


def cli(portal, *args):
    env = {**os.environ, "COLUMNS": "80"}
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(portal.config), "--db",
                           str(portal.db_path), *args], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def whole_ids(text):
    return set(re.findall(r"(?<![\w-])[a-z][a-z0-9-]+(?![\w…-])", text)) & set(IDS)


def test_ids_are_whole_at_80_columns_and_plain_has_every_field(portal):
    out = cli(portal, "sites", "list")
    assert "…" not in out, out
    assert whole_ids(out) == set(IDS), out
    assert all(len(line) <= 80 for line in out.splitlines())
    plain = cli(portal, "sites", "list", "--plain").splitlines()
    assert plain[0].split("\t") == ["id", "name", "level", "parent", "profile", "articles", "last crawl (VN)",
                                    "outcome"]
    rows = {line.split("\t")[0]: line.split("\t") for line in plain[1:]}
    assert set(rows) == set(IDS) and all(len(r) == 8 for r in rows.values())
    assert rows["vinh-hung"][1:5] == ["Phường Vĩnh Hưng", "ward", "hoang-mai", "liferay"]

    crawled = cli(portal, "crawl", "--site", "hoang-liet", "--site", "xa-hoang-dong", "--no-detect")
    assert {"hoang-liet", "xa-hoang-dong"} <= whole_ids(crawled), crawled
    assert "hoang-li…" not in crawled

    health = cli(portal, "sites", "health", "--problems", "--site", "hoang-liet", "--site", "xa-hoang-dong")
    assert health.strip() == "no problems: every chosen site is ok", health
    health = cli(portal, "sites", "health", "--problems")
    assert "never_crawled" in health and "vinh-hung" in health  # the others were never crawled: a problem
