"""`sites import`: 50 simulated sites plus broken rows in one CSV; the ready ones crawl."""

from __future__ import annotations

import csv
import tomllib

from .conftest import as_json, flat, stored


def test_import_50_sites_reports_the_broken_rows_and_the_rest_crawls(ops, tmp_path):
    bulk = []
    for tpl, n in (("tandan", 13), ("dnn", 13), ("liferay", 12), ("plain", 12)):
        bulk += ops.sim.add_sites(n, tpl, articles_per_site=6)
    rows = [{"id": s.id, "name": s.name, "level": s.level, "parent": "tinh-mo-phong", "url": ops.home(s.id)}
            for s in bulk]
    broken = [
        {"id": "bad-url", "name": "Xã Sai", "level": "commune", "parent": "", "url": "www.example.gov.vn"},
        {"id": "cac-phuong", "name": "Các phường", "level": "district", "parent": "",
         "url": ops.url + "/hoangmai/cac-phuong"},
        {"id": bulk[0].id, "name": "Trùng mã", "level": "commune", "parent": "", "url": ops.home("ea-kao")},
        {"id": "gone", "name": "Xã Mất", "level": "commune", "parent": "", "url": ops.url + "/khong-co/"},
        {"id": "Bad ID", "name": "Xã X", "level": "commune", "parent": "", "url": ops.home("ea-kao")},
    ]
    sheet = tmp_path / "communes.csv"
    with open(sheet, "w", encoding="utf-8-sig", newline="") as f:  # as Excel saves "CSV UTF-8"
        w = csv.DictWriter(f, fieldnames=["id", "name", "level", "parent", "url"])
        w.writeheader()
        w.writerows(rows[:25] + broken + rows[25:])
    report = tmp_path / "attention.csv"

    res = ops.cli("sites", "import", str(sheet), "--yes", "--json", "--report", str(report), expect=1)
    out = as_json(res)
    by_id = {}
    for r in out["rows"]:
        by_id.setdefault(r["id"], []).append(r)
    assert out["added"]
    assert [r["status"] for r in out["rows"]].count("ready") == 50
    need = {r["id"]: r["problem"] for r in out["rows"] if r["status"] == "attention"}
    assert set(need) == {"bad-url", "cac-phuong", bulk[0].id, "gone", "Bad ID"}
    assert "not an http(s) URL" in need["bad-url"]
    assert "links 4 sub-sites" in need["cac-phuong"]
    assert f"duplicate id '{bulk[0].id}' (also on line 2)" in need[bulk[0].id]
    assert "HTTP 404" in need["gone"]
    assert "is not valid" in need["Bad ID"]
    with open(report, encoding="utf-8") as f:
        assert sorted(r["id"] for r in csv.DictReader(f)) == sorted(need)

    data = tomllib.loads(ops.config.read_text(encoding="utf-8"))
    assert [s["id"] for s in data["site"]] == [s.id for s in bulk]
    # the province has no portal here: the import declared it as a [[unit]] named after its id
    assert data["unit"] == [{"id": "tinh-mo-phong", "name": "tinh-mo-phong"}] == out["units"]
    profiles = {s["id"]: s["profile"] for s in data["site"]}
    assert all(profiles[s.id] == s.profile for s in bulk)
    assert "# keep this comment" in ops.config.read_text(encoding="utf-8")

    # importing the same file again: everything already configured, nothing appended
    again = as_json(ops.cli("sites", "import", str(sheet), "--yes", "--json", expect=1))
    assert [r["status"] for r in again["rows"]].count("configured") == 50 and not again["added"]

    ops.crawl()
    for s in bulk:
        truth = {t["url"] for t in ops.sim.truth(s.id, include_body=False, include_removed=False)}
        assert set(stored(ops.db, s.id)) == truth, s.id


def test_import_names_a_missing_column(ops, tmp_path):
    sheet = tmp_path / "x.csv"
    sheet.write_text("ma,ten,url\na,B,http://x/\n", encoding="utf-8")
    res = ops.cli("sites", "import", str(sheet), "--yes", expect=1)
    assert "missing column(s) id, name" in flat(res) and "id,name,level,parent,url" in flat(res)
