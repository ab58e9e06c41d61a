"""Digest numbers and rendering, from a database written through Store at chosen times."""

import base64
import re
import struct

import lxml.html
import pytest

from crawler import clock
from monitor.digest import build, preview, render, resolve_window
from monitor.digest.build import default_window
from monitor.notify import ledger
from tests.world import World, article, at, iso, make_config, populate


@pytest.fixture
def world(tmp_path, monkeypatch):
    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    populate(w)
    yield w
    w.store.close()


def data_for(world, since=None, until=None, rid="ubnd-hoang-mai"):
    return build(world.db, world.config, world.config.recipient(rid), since or iso(0), until or iso(24))


def test_numbers_of_the_window(world):
    d = data_for(world)
    assert [p["title"] for p in d["new_posts"]] == [  # newest first, only the office's sites
        'Thông báo <script>alert("x")</script> Bcc: evil@example.com',
        "Tin js của vinh-hung", "Lịch tiếp công dân tháng 3"]
    gains = {g["id"]: g for g in d["sites"]}
    # a1 100→150→170 (+70), n1 new (+35 from 0), n2 +5, js +1, a2 reset 500→10 (+0, an anomaly)
    assert gains["vinh-hung"]["views_gained"] == 70 + 35 + 5 + 1
    assert gains["vinh-hung"]["new_posts"] == 3
    assert gains["vinh-hung"]["posts_7d"] == 5  # n1, n2, js, a1 (2 days old), a2 (3 days)
    assert gains["hoang-mai"]["views_gained"] == 0 and gains["tuong-mai"]["crawls"] == 3
    assert "other" not in gains
    assert d["totals"]["views_gained"] == 111 and d["totals"]["new_posts"] == 3
    assert [(g["title"], g["gained"], g["views"]) for g in d["top_read"]][0] == ("Tin a1 của vinh-hung", 70, 170)
    assert [a["reason"] for a in d["anomalies"]] == ["decrease"]
    assert {(p["site_id"], p["kind"]) for p in d["problems"]} == {("tuong-mai", "unreachable")}
    assert [s["id"] for s in d["silent"]] == ["hoang-mai"]  # 31 days without a post, silent_days = 5
    assert d["baseline"] == [] and d["nothing_happened"] is False


def test_text_version_is_vietnamese_local_time_and_one_line_per_title(world):
    r = render(data_for(world))
    assert "Phường Vĩnh Hưng" in r.text and "Bài mới (3)" in r.text
    assert "02/03/2026 19:00 · Phường Vĩnh Hưng" in r.text  # n2: 12:00 UTC = 19:00 in Hanoi
    assert not any(line.startswith("Bcc:") for line in r.text.splitlines())
    assert "javascript:" not in r.text
    assert "không truy cập được từ 02/03/2026 09:00 (3 lần thu thập liên tiếp thất bại)" in r.text
    assert "lượt xem giảm từ 500 xuống 10" in r.text
    assert "+70 lượt xem (tổng 170)" in r.text


def test_html_escapes_page_text_and_loads_nothing_from_outside(world):
    r = render(data_for(world))
    assert "<script>" not in r.html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.html
    # the office's digest gives no technical text (the error stays in the JSON); the English one
    # does, escaped
    assert "<b>Service" not in r.html and "Service Unavailable" not in r.html
    assert 'href="javascript' not in r.html
    assert re.search(r'<meta name="viewport" content="width=device-width', r.html)
    sources = re.findall(r'\bsrc="([^"]*)"', r.html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"<link|@import|url\(|<script", r.html)
    png = base64.b64decode(sources[0].split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (240, 64)
    cid = render(data_for(world), images="cid")
    assert set(re.findall(r'src="cid:([^"]+)"', cid.html)) == set(cid.images)
    world.config.recipient("ubnd-hoang-mai").language = "en"
    en = render(data_for(world))
    assert "<b>Service" not in en.html and "&lt;b&gt;Service Unavailable&lt;/b&gt;" in en.html


def test_markdown_escapes_and_english_version(world, tmp_path):
    r = render(data_for(world))
    assert r"\<script\>" in r.markdown and "<script>" not in r.markdown
    world.config.recipient("ubnd-hoang-mai").language = "en"
    en = render(data_for(world))
    assert "New posts (3)" in en.text and "Most read" in en.html and 'lang="en"' in en.html
    assert en.subject.startswith("UBND quận Hoàng Mai: 3 new posts, 111 more views")


def test_baseline_is_announced_instead_of_hundreds_of_new_posts(world):
    d = data_for(world, since=iso(-30), until=iso(-20))
    assert {b["site_id"]: b["articles"] for b in d["baseline"]} == {"vinh-hung": 2, "hoang-mai": 1, "tuong-mai": 1}
    assert d["new_posts"] == []
    assert "Lần thu thập đầu tiên của Phường Vĩnh Hưng: đã ghi nhận 2 bài" in render(d).text


def test_an_honest_line_when_nothing_happened(world, tmp_path):
    config = make_config(tmp_path, recipient="""
[[recipient]]
id = "vh"
name = "Phường Vĩnh Hưng"
sites = ["vinh-hung"]
""")
    # no crawl at all in the window is not "nothing new": the monitoring itself may have stopped
    d = build(world.db, config, config.recipient("vh"), iso(48), iso(72))
    assert not d["nothing_happened"] and d["totals"]["crawls"] == 0
    text = render(d).text
    assert "Không có gì mới" not in text and "không có sự cố" not in text
    assert "không có lần thu thập nào trong khoảng thời gian này" in text
    assert render(d).subject == "Phường Vĩnh Hưng: không có lần thu thập nào — theo dõi đã dừng? (05/03/2026)"
    from monitor.digest.chat import chat_text  # the chat-sized message (Zalo, Apprise) says it too

    assert "Lưu ý: không có lần thu thập nào trong khoảng thời gian này" in chat_text(d).splitlines()[2]


def test_window_defaults_to_the_end_of_the_last_digest(world, monkeypatch):
    rid = "ubnd-hoang-mai"
    assert default_window(world.db, rid, at(30)) == (iso(6), iso(30))  # nothing yet: 24 hours
    world.config.recipient(rid).channels = [{"type": "file", "path": "out"}]
    ledger.plan(world.db, world.config, world.config.recipient(rid), at(30))
    assert default_window(world.db, rid, at(50)) == (iso(30), iso(50))
    assert resolve_window(world.db, rid, until="2026-03-03 08:00") == (iso(0), iso(24))  # local time
    text, html = preview(world.db, world.config, rid, since=iso(0), until=iso(24))
    assert "Bài mới (3)" in text and html.startswith("<!DOCTYPE html>")
    monkeypatch.setenv("PORTALWATCH_NOW", clock.iso(at(50)))
    text, _ = preview(world.db, world.config, rid)
    assert "Từ 03/03/2026 14:00 đến 04/03/2026 10:00" in text


def test_change_against_the_previous_day_and_week_views_on_new_posts_and_the_unit_word(tmp_path, monkeypatch):
    from monitor.detect.events import detect

    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    try:
        w.seen("vinh-hung", "a1", at(-180), views=100, published=at(-200))  # the baseline
        detect(w.db, w.config, now=at(-179))
        with w.crawl("vinh-hung", at(-160)) as items:  # the same window a week earlier
            items += [article("vinh-hung", "a1", views=150), article("vinh-hung", "w1", views=5, published=at(-161))]
        detect(w.db, w.config, now=at(-159))
        with w.crawl("vinh-hung", at(-12)) as items:  # the previous window
            items += [article("vinh-hung", "a1", views=400), article("vinh-hung", "p1", views=10, published=at(-13)),
                      article("vinh-hung", "p2", views=20, published=at(-14))]
        detect(w.db, w.config, now=at(-11))
        with w.crawl("vinh-hung", at(12)) as items:  # this window
            items += [article("vinh-hung", "a1", views=1600), article("vinh-hung", "n1", views=35, published=at(11))]
        detect(w.db, w.config, now=at(13))
        d = build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))
        assert {k: (c["new_posts"], c["views_gained"]) for k, c in d["compare"].items()} == {
            "previous": (2, 280), "week_before": (1, 55)}
        r = render(d)
        assert ("So với kỳ trước (01/03 08:00 – 02/03 08:00): bài mới 2 → 1 (−1),"
                " lượt xem tăng thêm 280 → 1.235 (+955)") in r.text
        assert ("So với cùng kỳ tuần trước (23/02 08:00 – 24/02 08:00): bài mới 1 → 1 (±0),"
                " lượt xem tăng thêm 55 → 1.235 (+1.180)") in r.text
        assert "02/03/2026 19:00 · Phường Vĩnh Hưng · 35 lượt xem" in r.text
        assert "1 bài mới · 1.235 lượt xem tăng thêm · 3 bài trong 7 ngày · 3 đơn vị" in r.text
        assert "· 35 lượt xem" in lxml.html.fromstring(r.html).xpath('//ul[@id="new-posts"]/li')[0].text_content()
    finally:
        w.store.close()


def test_nothing_to_compare_with_before_the_first_crawls(world):
    text = render(data_for(world)).text
    assert "So với kỳ trước (01/03 08:00 – 02/03 08:00): chưa có số liệu" in text
    assert "So với cùng kỳ tuần trước (23/02 08:00 – 24/02 08:00): chưa có số liệu" in text
