"""Small pure pieces: TOML appending, unit names, safe printing (monitor/terminal.py)."""

from __future__ import annotations

import tomllib

import pytest

from crawler.extract.discover import slug_id, unit_of
from monitor.config import ConfigError
from monitor.sites.tomlfile import append_sites, render_site, with_sites

SITE = {"id": "xa-a", "name": "Xã A", "start_urls": ["http://a.gov.vn/tin-tuc"]}


def test_crlf_files_stay_crlf_and_empty_files_get_one_table():
    text = '[portalwatch]\r\ndelay = 1 # x\r\n\r\n[[site]]\r\nid = "b"\r\nname = "B"\r\nstart_urls = ["http://b/"]\r\n'
    out = with_sites(text, [SITE])
    assert out.startswith(text) and "\n" not in out.replace("\r\n", "")
    assert [s["id"] for s in tomllib.loads(out)["site"]] == ["b", "xa-a"]
    assert with_sites("", [SITE]) == render_site(SITE)


def test_untrusted_names_are_quoted_by_tomlkit():
    evil = {**SITE, "name": 'Xã "A"\n[portalwatch]\nobey_robots = false'}
    assert tomllib.loads(render_site(evil))["site"][0]["name"] == evil["name"]
    assert "portalwatch" not in tomllib.loads(with_sites("", [evil]))


def test_invalid_result_leaves_the_file_untouched(tmp_path):
    p = tmp_path / "sites.toml"
    p.write_text('# mine\n[[site]]\nid = "xa-a"\nname = "A"\nstart_urls = ["http://a/"]\n', encoding="utf-8")
    before = p.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate id 'xa-a'"):
        append_sites(p, [SITE])
    with pytest.raises(ConfigError, match="key 'level'"):
        append_sites(p, [{**SITE, "id": "xa-b", "level": "hamlet"}])
    assert p.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(("text", "expected"), [
    ("CỔNG THÔNG TIN ĐIỆN TỬ XÃ QUẢNG PHÚ", ("Xã Quảng Phú", "commune")),
    ("Cổng TTĐT phường Vĩnh Hưng", ("Phường Vĩnh Hưng", "ward")),
    ("UBND Thị trấn Văn Điển", ("Thị trấn Văn Điển", "commune")),
    ("Đặc khu Phú Quốc", ("Đặc khu Phú Quốc", "special_zone")),
    ("Tin tức - Sự kiện", None),
    ("Xã hội hóa công tác phòng chống dịch bệnh trên địa bàn toàn tỉnh năm 2026", None),
])
def test_unit_names(text, expected):
    assert unit_of(text) == expected


def test_slug_ids_are_valid_site_ids():
    assert slug_id("Phường Định Công") == "phuong-dinh-cong"
    assert slug_id("Xã Ea H'Leo (cũ)") == "xa-ea-h-leo-cu"


def test_safe_drops_control_characters_and_escapes_markup():
    from monitor.terminal import safe

    assert safe("[red]x[/red]\x1b[31m\x07 ok") == "\\[red]x\\[/red] [31m ok"
