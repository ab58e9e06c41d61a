"""`portalwatch export`: round-trips, filters, streaming."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import datetime

from click.testing import CliRunner

from crawler import clock
from monitor.analyst.export import export
from monitor.analyst.query import connect
from monitor.cli import cli
from tests.analyst.conftest import item


def run(store, kind, fmt="csv", **kw):
    conn = connect(store.path)
    out = io.StringIO()
    n = export(conn, kind, out, fmt, **kw)
    conn.close()
    return n, out.getvalue()


def db_rows(store, sql):
    cur = store.conn.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur]


def test_articles_jsonl_round_trip_is_exact(built):
    n, text = run(built, "articles", "jsonl", body=True)
    got = [json.loads(line) for line in text.splitlines()]
    assert n == 3 and len(got) == 3
    want = db_rows(built, "SELECT * FROM articles ORDER BY id")
    for g, w in zip(got, want, strict=True):
        assert g == {k: w[k] for k in g}
    assert got[0]["body"] == "Đại biểu phường Vĩnh Hưng dự hội nghị."


def test_views_csv_round_trip(built):
    n, text = run(built, "views")
    got = list(csv.DictReader(io.StringIO(text)))
    want = db_rows(built, "SELECT v.article_id, a.site_id, v.observed_at, v.views, v.source FROM view_counts v"
                          " JOIN articles a ON a.id = v.article_id ORDER BY v.id")
    assert n == len(want) == 7
    # CSV times are Vietnam time with the offset: the same instants as the stored UTC ones
    assert all(g["observed_at"].endswith("+07:00") for g in got)
    assert [(int(g["article_id"]), g["site_id"], clock.parse_iso(g["observed_at"]), int(g["views"]), g["source"])
            for g in got] == [(*list(w.values())[:2], clock.parse_iso(w["observed_at"]), *list(w.values())[3:])
                              for w in want]
    assert got[0]["observed_at"] == "2026-11-19T23:00:00+07:00" and want[0]["observed_at"] == "2026-11-19T16:00:00Z"


def test_filters_site_parent_and_dates(built):
    keys = lambda text: sorted(json.loads(x)["site_id"] for x in text.splitlines())  # noqa: E731
    assert keys(run(built, "articles", "jsonl", parents=["hoang-mai"])[1]) == ["dinh-cong", "vinh-hung"]
    assert keys(run(built, "articles", "jsonl", parents=["hoang-mai"], sites=["ea-kao"])[1]) == [
        "dinh-cong", "ea-kao", "vinh-hung"]
    assert keys(run(built, "articles", "jsonl", sites=["ea-kao"])[1]) == ["ea-kao"]
    # published 09/11 09:00 VN, 10/11 08:00 VN, 19/11 22:00 VN
    assert keys(run(built, "articles", "jsonl", since="2026-11-10", until="2026-11-19")[1]) == ["ea-kao", "vinh-hung"]
    assert keys(run(built, "articles", "jsonl", until="2026-11-09")[1]) == ["dinh-cong"]
    # readings of a1 by Vietnam-local day: 19/11, 20/11, 21/11, 22/11
    n, text = run(built, "views", "jsonl", sites=["vinh-hung"], since="2026-11-20", until="2026-11-21")
    assert [json.loads(x)["views"] for x in text.splitlines()] == [15, 40]
    n, text = run(built, "daily", "jsonl", since="2026-11-21")
    assert [(json.loads(x)["day"], json.loads(x)["views_gained"]) for x in text.splitlines()] == [
        ("2026-11-21", 25), ("2026-11-22", 1), ("2026-11-21", -5)]


def test_parent_filter_is_recursive_and_takes_no_sql(store):
    store.apply([item("to-1", "t", "2026-11-20T00:00:00Z"), item("ea-kao", "e", "2026-11-20T00:00:00Z")])
    _, text = run(store, "articles", "jsonl", parents=["hoang-mai"])
    assert [json.loads(x)["site_id"] for x in text.splitlines()] == ["to-1"]  # hoang-mai > vinh-hung > to-1
    assert run(store, "articles", "jsonl", parents=["x') OR 1=1 --"])[0] == 0


def test_export_streams_in_constant_memory(store):
    rows = [("ea-kao" if i < 5000 else "dinh-cong", f"k{i}", f"https://x/{i}", f"Tiêu đề {i}", "Nội dung " * 40, "t", "t")
            for i in range(45000)]
    with store._tx():
        store.conn.executemany("INSERT INTO articles (site_id, key, url, title, body, first_seen_at, last_seen_at)"
                               " VALUES (?,?,?,?,?,?,?)", rows)
    del rows

    class Sink(io.TextIOBase):
        def write(self, s):
            return len(s)

    conn = connect(store.path)
    peaks = []
    for site in ("ea-kao", "dinh-cong"):  # 5,000 rows vs 40,000 rows (~20 MB of CSV)
        tracemalloc.start()
        assert export(conn, "articles", Sink(), "csv", body=True, sites=[site]) in (5000, 40000)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    conn.close()
    assert peaks[1] < peaks[0] * 1.3 + 200_000, peaks


def test_cli_export_to_file(built, tmp_path):
    out = tmp_path / "a.csv"
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "articles", "--parent", "hoang-mai", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["title"] for x in rows] == ["Hội nghị tại Đống Đa", "Thông báo lịch tiếp công dân"]
    # dd/mm/yyyy, as portalwatch prints dates, is a Vietnam-local day too
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "views", "--since", "20/11/2026"])
    assert r.exit_code == 0, r.output
    observed = [line.split(",")[2] for line in r.output.splitlines()[1:]]
    assert observed and min(observed) >= "2026-11-20T00:00:00+07:00"  # 20/11 00:00 VN (CSV times are VN)
    assert "2026-11-19T23:00:00+07:00" not in observed  # a1's first reading, 19/11 23:00 VN


def test_csv_files_carry_a_byte_order_mark_for_excel(built, tmp_path):
    out = tmp_path / "a.csv"
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "articles", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,site_id,")
    assert "Hội nghị tại Đống Đa" in out.read_text(encoding="utf-8-sig")
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "articles", "--no-bom", "-o", str(out)])
    assert r.exit_code == 0 and out.read_bytes().startswith(b"id,site_id,")
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "articles"])  # standard output: no BOM
    assert r.output.startswith("id,site_id,")


def test_xlsx_by_name_or_format_with_vietnamese_headers_site_names_and_local_dates(built, tmp_path):
    import openpyxl

    out = tmp_path / "wards.xlsx"
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "articles", "--parent", "hoang-mai", "-o", str(out)])
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Bài viết", "Đơn vị"]
    ws = book["Bài viết"]
    head = [c.value for c in ws[1]]
    assert head[:5] == ["Mã bài", "Mã đơn vị", "Đơn vị", "Khóa", "Địa chỉ"] and "Ngày đăng (giờ VN)" in head
    rows = [dict(zip(head, [c.value for c in row], strict=True)) for row in ws.iter_rows(min_row=2)]
    a1 = next(x for x in rows if x["Tiêu đề"] == "Hội nghị tại Đống Đa")
    assert a1["Đơn vị"] == "Phường Vĩnh Hưng" and a1["Lượt xem"] == 41
    assert a1["Ngày đăng (giờ VN)"] == datetime(2026, 11, 19, 22, 0)  # 15:00Z: a real date, Vietnam time
    assert ws.cell(2, head.index("Ngày đăng (giờ VN)") + 1).number_format == "dd/mm/yyyy hh:mm"
    assert ws.column_dimensions["F"].width > 50 and ws.freeze_panes == "A2"
    assert [c.value for c in book["Đơn vị"]["A"]][1:] == ["dinh-cong", "vinh-hung"]
    r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "daily", "--format", "xlsx", "-o",
                                 str(tmp_path / "d.xlsx")])
    assert r.exit_code == 0 and openpyxl.load_workbook(tmp_path / "d.xlsx")["Lượt xem theo ngày"]["C2"].value


def test_a_name_and_format_that_disagree_is_an_error_never_a_silent_csv(built, tmp_path):
    for args, words in ((["-o", str(tmp_path / "x.xlsx"), "--format", "csv"], "the file name says xlsx but --format is csv"),
                        (["-o", str(tmp_path / "x.csv"), "--format", "xlsx"], "the file name says csv but --format is xlsx"),
                        (["--format", "xlsx"], "an Excel workbook goes to a file: give -o NAME.xlsx")):
        r = CliRunner().invoke(cli, ["--db", str(built.path), "export", "articles", *args])
        assert r.exit_code == 2 and words in r.output and "Traceback" not in r.output, r.output
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.csv").exists()
