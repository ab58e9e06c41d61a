"""Parents without a portal: `sites import` and `sites add --parent` declare them as [[unit]]
tables (typos refused), `sites list` shows them as units, the result loads strictly and crawls."""

from __future__ import annotations

import csv
import json
import tomllib

from monitor.config import load_config

from .conftest import as_json, flat, stored


def sheet(path, rows, extra=()):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "name", "level", "parent", "url", *extra])
        w.writeheader()
        w.writerows(rows)
    return path


def test_import_creates_units_for_parents_not_configured_and_holds_back_typos(ops, tmp_path):
    ops.cli("sites", "add", ops.home("hoang-mai"), "--id", "hoang-mai", "--yes")
    rows = [
        {"id": "xa-quang-phu", "name": "Xã Quảng Phú", "level": "commune", "parent": "thanh-hoa",
         "url": ops.home("xa-quang-phu"), "parent_name": "Tỉnh Thanh Hóa", "parent_level": "province"},
        {"id": "xa-hoang-dong", "name": "Xã Hoằng Đồng", "level": "commune", "parent": "thanh-hoa",
         "url": ops.home("xa-hoang-dong"), "parent_name": "", "parent_level": ""},
        {"id": "xa-thach-kim", "name": "Xã Thạch Kim", "level": "commune", "parent": "ha-tinh",
         "url": ops.home("xa-thach-kim"), "parent_name": "", "parent_level": ""},
        {"id": "vinh-hung", "name": "Phường Vĩnh Hưng", "level": "ward", "parent": "hoang-maii",
         "url": ops.home("vinh-hung"), "parent_name": "", "parent_level": ""},
        {"id": "tuong-mai", "name": "Phường Tương Mai", "level": "ward", "parent": "hoang-mai",
         "url": ops.home("tuong-mai"), "parent_name": "", "parent_level": ""},
    ]
    path = sheet(tmp_path / "national.csv", rows, extra=("parent_name", "parent_level"))
    report = tmp_path / "attention.csv"
    res = ops.cli("sites", "import", str(path), "--yes", "--report", str(report), expect=1)
    out = flat(res)
    assert ("2 parent(s) not configured become [[unit]] tables (no portal): thanh-hoa, ha-tinh; named after "
            "their id, so digests would print the id: ha-tinh: give each its name (and level) in the "
            "configuration, or the sheet a parent_name column") in out
    assert "added 4 site(s) and 2 unit(s)" in out
    assert "1 need attention" in out
    with open(report, encoding="utf-8") as f:
        assert [(r["id"], r["parent"], r["problem"]) for r in csv.DictReader(f)] == [
            ("vinh-hung", "hoang-maii", "line 5: 'vinh-hung': parent 'hoang-maii' is not configured (did you mean "
                                        "'hoang-mai'?)")]

    data = tomllib.loads(ops.config.read_text(encoding="utf-8"))
    assert data["unit"] == [{"id": "thanh-hoa", "name": "Tỉnh Thanh Hóa", "level": "province"},
                            {"id": "ha-tinh", "name": "ha-tinh"}]
    config = load_config(ops.config)  # strict: every parent names a site or a unit
    assert {s.id: s.parent for s in config.sites} == {"hoang-mai": None, "xa-quang-phu": "thanh-hoa",
                                                      "xa-hoang-dong": "thanh-hoa", "xa-thach-kim": "ha-tinh",
                                                      "tuong-mai": "hoang-mai"}

    listing = as_json(ops.cli("sites", "list", "--json"))
    units = [r for r in listing if r["kind"] == "unit"]
    assert [(r["id"], r["name"], r["start_url"], r["enabled"]) for r in units] == [
        ("thanh-hoa", "Tỉnh Thanh Hóa", None, False), ("ha-tinh", "ha-tinh", None, False)]
    table = flat(ops.cli("sites", "list"))
    assert "thanh-hoa (unit)" in table and "not crawled" in table
    plain = ops.cli("sites", "list", "--plain").output.splitlines()
    assert "ha-tinh\tha-tinh\t\t\t\t\tnot crawled\tunit, no URL" in plain

    ops.crawl(["xa-thach-kim"])  # the unit travels with the plan into the sites table
    assert stored(ops.db, "xa-thach-kim")
    from monitor.store.db import open_db

    db = open_db(ops.db)
    try:
        row = db.conn.execute("SELECT name, enabled, host, start_urls FROM sites WHERE id = 'ha-tinh'").fetchone()
    finally:
        db.conn.close()
    assert tuple(row) == ("ha-tinh", 0, None, "[]")


def test_import_rows_under_a_row_needing_attention_wait_for_it(ops, tmp_path):
    rows = [
        {"id": "cac-phuong", "name": "Các phường", "level": "district", "parent": "",
         "url": ops.url + "/hoangmai/cac-phuong"},  # not a news list: needs attention
        {"id": "vinh-hung", "name": "Phường Vĩnh Hưng", "level": "ward", "parent": "cac-phuong",
         "url": ops.home("vinh-hung")},
        {"id": "ea-kao", "name": "Xã Ea Kao", "level": "commune", "parent": "", "url": ops.home("ea-kao")},
    ]
    res = as_json(ops.cli("sites", "import", str(sheet(tmp_path / "x.csv", rows)), "--yes", "--json", expect=1))
    status = {r["id"]: (r["status"], r["problem"]) for r in res["rows"]}
    assert status["vinh-hung"] == ("attention", "line 3: 'vinh-hung': its parent 'cac-phuong' (line 2) needs "
                                                "attention first")
    assert status["ea-kao"][0] == "ready" and res["units"] == []  # no unit made for a row of the sheet
    assert [s["id"] for s in tomllib.loads(ops.config.read_text(encoding="utf-8"))["site"]] == ["ea-kao"]


def test_add_with_an_unknown_parent_adds_a_unit_and_refuses_a_typo(ops):
    res = ops.cli("sites", "add", ops.home("vinh-hung"), "--id", "vinh-hung", "--parent", "hoang-mai",
                  "--parent-name", "Quận Hoàng Mai", "--yes")
    assert "1 parent(s) not configured become [[unit]] tables (no portal): hoang-mai" in flat(res)
    assert "named after their id" not in flat(res)
    data = tomllib.loads(ops.config.read_text(encoding="utf-8"))
    assert data["unit"] == [{"id": "hoang-mai", "name": "Quận Hoàng Mai"}]
    assert data["site"][0]["parent"] == "hoang-mai"

    found = as_json(ops.cli("sites", "add", ops.home("ea-kao"), "--id", "ea-kao", "--parent", "nosuch",
                            "--yes", "--json"))
    assert found["added"] and found["units"] == [{"id": "nosuch", "name": "nosuch"}]
    assert load_config(ops.config).unit("nosuch").name == "nosuch"

    before = ops.config.read_text(encoding="utf-8")
    res = ops.cli("sites", "add", ops.home("tuong-mai"), "--id", "tuong-mai", "--parent", "hoang-maii", "--yes",
                  expect=1)
    assert "--parent: parent 'hoang-maii' is not configured (did you mean 'hoang-mai'?)" in flat(res)
    res = ops.cli("sites", "add", ops.home("tuong-mai"), "--id", "tuong-mai", "--parent", "Bad Id", "--yes",
                  expect=1)
    assert "--parent: parent 'Bad Id' is not a valid id" in flat(res)
    assert ops.config.read_text(encoding="utf-8") == before  # nothing written
    dry = ops.cli("sites", "add", ops.home("tuong-mai"), "--id", "tuong-mai", "--parent", "ha-noi", "--dry-run")
    assert '[[unit]] id = "ha-noi" name = "ha-noi"' in flat(dry) and ops.config.read_text(encoding="utf-8") == before
    assert json.loads(json.dumps(data))  # the file stayed valid TOML throughout


def test_import_asks_for_the_names_the_sheet_does_not_give(ops, tmp_path):
    """Without --yes, each new [[unit]] the sheet leaves unnamed is asked for (name, then level);
    Enter keeps the id, and the summary still says so for that one."""
    rows = [
        {"id": "xa-quang-phu", "name": "Xã Quảng Phú", "level": "commune", "parent": "thanh-hoa",
         "url": ops.home("xa-quang-phu")},
        {"id": "xa-thach-kim", "name": "Xã Thạch Kim", "level": "commune", "parent": "ha-tinh",
         "url": ops.home("xa-thach-kim")},
    ]
    res = ops.cli("sites", "import", str(sheet(tmp_path / "national.csv", rows)),
                  input="Tỉnh Thanh Hóa\nprovince\n\ny\n")
    out = flat(res)
    assert "2 parent(s) not configured and not named by the sheet" in out
    assert "Name of thanh-hoa" in out and "Level of thanh-hoa" in out and "Name of ha-tinh" in out
    assert "Level of ha-tinh" not in out  # no name given: nothing more asked
    assert "named after their id, so digests would print the id: ha-tinh:" in out
    assert "added 2 site(s) and 2 unit(s)" in out
    data = tomllib.loads(ops.config.read_text(encoding="utf-8"))
    assert data["unit"] == [{"id": "thanh-hoa", "name": "Tỉnh Thanh Hóa", "level": "province"},
                            {"id": "ha-tinh", "name": "ha-tinh"}]
    assert load_config(ops.config).unit("thanh-hoa").name == "Tỉnh Thanh Hóa"
