"""`portalwatch report`: one offline HTML file with its three charts, crawled text escaped."""

from __future__ import annotations

import base64
import re

from click.testing import CliRunner

from monitor.cli import cli
from tests.analyst.conftest import item

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)> $\\alpha$'


def test_report_file_with_charts(built, tmp_path):
    built.apply([item("vinh-hung", "evil", "2026-11-21T03:00:00Z", views=1, title=EVIL,
                      published="2026-11-21T02:00:00Z")])
    built.apply([item("vinh-hung", "evil", "2026-11-22T03:00:00Z", views=9, title=EVIL)])
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["--db", str(built.path), "report", "--out", str(out), "--weeks", "3", "--lang", "en"])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    imgs = re.findall(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]+)">', page)
    assert [alt for alt, _ in imgs] == [
        "Views over time for the top articles", "Posts per week per site", "Site by week activity heat-map"]
    for _, data in imgs:
        svg = base64.b64decode(data).decode("utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "<path" in svg
    # self-contained: nothing to fetch, nothing to run
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'src="(?!data:)', page)
    # crawled text escaped, the table shows it as text
    assert EVIL not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # weeks from 02/11 (the newest reading, 22/11 VN, is a Sunday): a1 10→41 = +31, a2 +25, evil 1→9
    assert re.findall(r"<td class='n'>\+(\d+)</td>", page) == ["31", "25", "8"]
    assert "Quận Hoàng Mai" in page and "Phường Vĩnh Hưng" in page


def test_report_scope_by_parent(built, tmp_path):
    from monitor.analyst.query import connect
    from monitor.analyst.report import build

    conn = connect(built.path)
    page = build(conn, parents=["hoang-mai"], weeks=2)
    assert "Phường Định Công" in page and "Xã Ea Kao" not in page
    assert "Không có đơn vị nào" in build(conn, sites=["nope"])
    conn.close()


def test_charts_have_a_phone_drawing_with_readable_type(built, tmp_path):
    """On a 390 px phone an 11-inch chart would shrink its text to ~3 px: each chart has a
    narrow drawing (<picture>, below 700 px) about as wide as the phone, so 11–13 pt type
    stays 11–13 px; the wide drawing is kept for screens."""
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["--db", str(built.path), "report", "--out", str(out), "--weeks", "3"])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    pictures = re.findall(r'<picture><source media="\(max-width: 700px\)" srcset="data:image/svg\+xml;base64,'
                          r'([^"]+)"><img alt="[^"]*" src="data:image/svg\+xml;base64,([^"]+)"></picture>', page)
    assert len(pictures) == 3

    def width_pt(data):
        svg = base64.b64decode(data).decode("utf-8")
        return float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))

    for narrow, wide in pictures:
        assert 250 < width_pt(narrow) <= 420, width_pt(narrow)  # ≈ a phone's width in CSS px
        assert width_pt(wide) >= 600
    assert "@media (max-width:700px)" in page
