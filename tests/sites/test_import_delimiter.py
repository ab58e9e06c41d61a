"""`sites import` reads ';'-separated files (Excel's "CSV" with Vietnamese regional settings) as well
as ','-separated ones: the header line says which."""

from __future__ import annotations

from monitor.sites.importer import delimiter, read_rows


def test_semicolon_files_from_excel_are_read(tmp_path):
    path = tmp_path / "phuong.csv"
    path.write_text("\ufeffid;name;level;parent;url\r\n"
                    "vinh-hung;Phường Vĩnh Hưng, quận Hoàng Mai;ward;hoang-mai;https://vinhhung.example.vn/\r\n"
                    '"tuong-mai";"Phường Tương Mai; (cũ)";ward;hoang-mai;https://tuongmai.example.vn/\r\n',
                    encoding="utf-8")
    rows = read_rows(path)
    assert [(r.id, r.name, r.level, r.parent, r.url) for r in rows] == [
        ("vinh-hung", "Phường Vĩnh Hưng, quận Hoàng Mai", "ward", "hoang-mai", "https://vinhhung.example.vn/"),
        ("tuong-mai", "Phường Tương Mai; (cũ)", "ward", "hoang-mai", "https://tuongmai.example.vn/")]


def test_the_header_decides_the_separator():
    assert delimiter("id,name,url\na;b,c;d,https://x/") == ","
    assert delimiter("id;name;url\na,b;c;https://x/") == ";"
    assert delimiter("id\tname\turl\n") == "\t"
    assert delimiter("nothing known here\n") == ","
