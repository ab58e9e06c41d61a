"""What an operator met adding sites: a configured URL added again names the site that crawls it;
a file without crawl settings gets them; every problem of an import row is reported; a crawl
outside a terminal prints a line per site."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from monitor.config import load_config
from monitor.sites.tomlfile import SETTINGS

from .conftest import as_json, flat
from .test_parent_units import sheet


def test_adding_a_configured_site_again_names_the_site_that_crawls_it(ops):
    ops.cli("sites", "add", ops.home("dai-phuc"), "--yes")
    first = tomllib.loads(ops.config.read_text(encoding="utf-8"))["site"][0]
    before = ops.config.read_text(encoding="utf-8")
    res = ops.cli("sites", "add", ops.home("dai-phuc"), "--yes", expect=1)  # no --id: its obvious id is taken too
    assert f"is already crawled for site {first['id']!r} ({first['name']}): not added twice" in flat(res)
    assert "obvious id" not in flat(res)  # was: "the obvious id is already taken: choose one with --id"
    assert ops.config.read_text(encoding="utf-8") == before


def test_an_obvious_id_taken_by_another_site_names_that_site(ops):
    ops.cli("sites", "add", ops.home("dai-phuc"), "--id", "xa-ea-kao", "--yes")
    res = ops.cli("sites", "add", ops.home("ea-kao"), "--yes", expect=1)
    assert ("the obvious id 'xa-ea-kao' is already taken by site 'xa-ea-kao' (Phường Đại Phúc, "
            f"{ops.url}") in flat(res)
    assert "choose another with --id" in flat(res)


def test_a_file_without_crawl_settings_gets_them(ops, tmp_path):
    ops.config.write_text("# wards of Hoàng Mai\n", encoding="utf-8")
    res = ops.cli("sites", "add", ops.home("vinh-hung"), "--id", "vinh-hung", "--yes")
    assert "with crawl settings too ([portalwatch]: one request at a time per host, 1 s apart" in flat(res)
    text = ops.config.read_text(encoding="utf-8")
    assert text.startswith("# wards of Hoàng Mai\n\n" + SETTINGS)
    config = load_config(ops.config)
    s = config.settings
    assert (s.delay, s.concurrency, s.concurrency_per_domain, s.timeout, s.retries, config.service.schedule) == (
        1.0, 16, 1, 30, 2, "every 1h")
    assert [x.id for x in config.sites] == ["vinh-hung"]
    # a file that has settings keeps its own, untouched
    ops.cli("sites", "add", ops.home("ea-kao"), "--id", "ea-kao", "--yes")
    assert ops.config.read_text(encoding="utf-8").count("[portalwatch]") == 1
    # sites import into a new file writes them too
    new = tmp_path / "new.toml"
    rows = [{"id": "tuong-mai", "name": "Phường Tương Mai", "level": "ward", "parent": "", "url": ops.home("tuong-mai")}]
    from .conftest import run_cli

    res = run_cli(new, ops.db, "sites", "import", str(sheet(tmp_path / "one.csv", rows)), "--yes")
    assert "with crawl settings too" in flat(res)
    assert load_config(new).settings.concurrency_per_domain == 1


def test_every_problem_of_an_import_row_is_reported(ops, tmp_path):
    ops.cli("sites", "add", ops.home("hoang-mai"), "--id", "hoang-mai", "--yes")
    ops.cli("sites", "add", ops.home("vinh-hung"), "--id", "vinh-hung", "--parent", "hoang-mai", "--yes")
    rows = [  # a duplicate list and a parent typo; an empty name, a bad level and an unreachable page
        {"id": "vinh-hung-2", "name": "Phường Vĩnh Hưng", "level": "ward", "parent": "hoang-maii",
         "url": ops.home("vinh-hung")},
        {"id": "xa-cu", "name": "", "level": "hamlet", "parent": "", "url": ops.url + "/khong-co/"},
        {"id": "ea-kao", "name": "Xã Ea Kao", "level": "commune", "parent": "", "url": ops.home("ea-kao")},
    ]
    res = as_json(ops.cli("sites", "import", str(sheet(tmp_path / "x.csv", rows)), "--yes", "--json", expect=1))
    problems = {r["id"]: r["problem"] for r in res["rows"]}
    assert problems["vinh-hung-2"] == ("line 2: 'vinh-hung-2': its news list is already crawled for site "
                                       "'vinh-hung'; parent 'hoang-maii' is not configured (did you mean "
                                       "'hoang-mai'?)")  # was: the first only
    assert problems["xa-cu"].startswith("line 3: 'xa-cu': empty name; level 'hamlet' is not one of province")
    assert "HTTP 404" in problems["xa-cu"]
    assert [r["status"] for r in res["rows"]] == ["attention", "attention", "ready"]
    report = tmp_path / "attention.csv"
    out = flat(ops.cli("sites", "import", str(tmp_path / "x.csv"), "--dry-run", "--report", str(report), expect=1))
    assert "3 row(s): 0 ready, 1 already configured, 2 need attention" in out  # ea-kao was added above
    assert "'hoang-mai'?)" in report.read_text(encoding="utf-8") and "is already crawled" in report.read_text(
        encoding="utf-8")


def test_a_crawl_outside_a_terminal_prints_a_line_per_site(ops):
    ops.cli("sites", "add", ops.home("vinh-hung"), "--id", "vinh-hung", "--yes")
    ops.cli("sites", "add", ops.home("ea-kao"), "--id", "ea-kao", "--yes")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(ops.config), "--db", str(ops.db),
                           "crawl"], capture_output=True, text=True)  # stderr is a pipe: no live display
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("crawl: ")]
    got = {}
    for line in lines:
        m = re.fullmatch(r"crawl: (\S+) (ok|partial|failed) (\d+) pages (\d+) articles \((\d+\.\d) s\)", line)
        assert m, line
        got[m.group(1)] = (m.group(2), int(m.group(3)), int(m.group(4)))
    assert sorted(got) == ["ea-kao", "vinh-hung"] and len(lines) == 2
    from monitor.store.connect import open_db

    db = open_db(ops.db)
    try:
        rows = {r["site_id"]: ("ok" if r["outcome"] == "ok" else r["outcome"],
                               r["list_pages"] + r["article_pages"] + r["not_modified"], r["articles_seen"])
                for r in db.query("SELECT * FROM crawls")}
    finally:
        db.conn.close()
    assert got == rows  # the same numbers the crawl rows keep


def test_the_settings_written_are_the_ones_the_docs_show():
    from tests.conftest import ROOT

    assert SETTINGS in (ROOT / "docs" / "operators.md").read_text(encoding="utf-8")
