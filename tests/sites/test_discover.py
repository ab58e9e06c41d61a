"""`sites discover` on the Hoàng Mai district portal: its wards, configured ones marked."""

from __future__ import annotations

import csv

from .conftest import as_json, flat


def test_discover_lists_wards_and_marks_configured(ops, tmp_path):
    ops.cli("sites", "add", ops.home("hoang-mai"), "--id", "hoang-mai", "--yes")
    ops.cli("sites", "add", ops.home("vinh-hung"), "--id", "vinh-hung", "--parent", "hoang-mai", "--yes")
    out_csv = tmp_path / "wards.csv"
    found = as_json(ops.cli("sites", "discover", ops.home("hoang-mai"), "--csv", str(out_csv), "--json"))
    assert found["parent"] == "hoang-mai"
    assert found["pages"] == [ops.home("hoang-mai"), ops.url + "/hoangmai/cac-phuong"]
    subs = {s["url"]: s for s in found["subsites"]}
    wards = {ops.home(w): w for w in ("vinh-hung", "hoang-liet", "tuong-mai", "dinh-cong")}
    assert set(subs) == set(wards)
    assert subs[ops.home("vinh-hung")]["configured_as"] == "vinh-hung"
    assert [s["configured_as"] for u, s in subs.items() if u != ops.home("vinh-hung")] == [None] * 3
    assert subs[ops.home("dinh-cong")]["name"] == "Phường Định Công" and subs[ops.home("dinh-cong")]["level"] == "ward"

    # the CSV feeds `sites import`, which onboards the three new wards under the district
    with open(out_csv, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["id"], r["parent"]) for r in rows] == [
        ("phuong-hoang-liet", "hoang-mai"), ("phuong-tuong-mai", "hoang-mai"), ("phuong-dinh-cong", "hoang-mai")]
    res = as_json(ops.cli("sites", "import", str(out_csv), "--yes", "--json"))
    assert [r["status"] for r in res["rows"]] == ["ready"] * 3
    again = as_json(ops.cli("sites", "discover", ops.home("hoang-mai"), "--json"))
    assert all(s["configured_as"] for s in again["subsites"])


def test_discover_on_a_page_without_sub_sites_says_so(ops):
    res = ops.cli("sites", "discover", ops.home("ea-kao"), expect=1)
    assert "links no ward/commune sub-sites" in flat(res)
