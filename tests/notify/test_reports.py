"""Weekly and monthly reports through a real SMTP server and apprise json://, with the .xlsx read
back; and the daily digest's charts inline in the email (not listed as attachments)."""

from __future__ import annotations

import email
import io
import json
from datetime import datetime
from email import policy

import openpyxl
import pytest

from crawler import clock
from monitor.notify import ledger, reports
from tests.world import World, at, make_config, populate

from .servers import SMTPServer, WebhookReceiver


def office(smtp_port: int, hook_port: int, extra: str = "") -> str:
    return f"""
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
weekly_at = "mon 08:00"
monthly_at = "1 08:00"{extra}
channels = [{{ type = "email", to = "vp@hoangmai.example.vn", from = "pw@example.vn", host = "127.0.0.1", port = {smtp_port}, security = "none", timeout = 5 }}, {{ type = "apprise", urls = ["json://127.0.0.1:{hook_port}/chat"] }}, {{ type = "file", path = "out", formats = ["txt"] }}]
"""


@pytest.fixture
def world(tmp_path, monkeypatch):
    smtp, hook = SMTPServer().start(), WebhookReceiver()
    w = World(tmp_path, make_config(tmp_path, office(smtp.port, hook.port)), monkeypatch)
    populate(w)  # the week of Monday 02/03/2026: Vĩnh Hưng posts 3 and is read, Tương Mai is down
    w.smtp, w.hook = smtp, hook
    yield w
    w.store.close()
    smtp.stop()
    hook.stop()


def run(w, now, **kw):
    w.mp.setenv("PORTALWATCH_NOW", clock.iso(now))
    return reports.run(w.db, w.config, now, **kw)


def test_weekly_report_per_ward_with_its_workbook(world, tmp_path):
    assert run(world, at(167)) == []  # Monday 09/03 07:00: not yet
    results = run(world, at(168))  # Monday 09/03 08:00: the week 02/03–08/03
    assert sorted((r.channel.split(":")[0], r.status) for r in results) == [
        ("apprise", "delivered"), ("email", "delivered"), ("file", "delivered")]
    (row,) = world.db.conn.execute("SELECT kind, window_start, window_end FROM digests").fetchall()
    assert row == ("weekly", "2026-03-01T17:00:00Z", "2026-03-08T17:00:00Z")  # Monday 00:00 – Monday 00:00 VN
    (mail,) = world.smtp.messages
    msg = email.message_from_bytes(mail[2], policy=policy.default)
    assert msg["Subject"] == "Báo cáo tuần 02/03–08/03/2026: 3 bài, 111 lượt xem tăng thêm — UBND quận Hoàng Mai"
    assert msg.get_content_type() == "multipart/mixed"
    text = msg.get_body(("plain",)).get_content()
    assert "Tuần từ thứ Hai 02/03/2026 đến Chủ nhật 08/03/2026 (giờ Việt Nam)" in text
    assert ("- Phường Vĩnh Hưng: 3 bài · +111 lượt xem · 6/7 ngày không có bài · truy cập được 100% (2 lần)"
            in text)
    assert "- Phường Tương Mai: 0 bài · +0 lượt xem · 7/7 ngày không có bài · truy cập được 0% (3 lần)" in text
    assert "- Quận Hoàng Mai: 0 bài · +0 lượt xem · 7/7 ngày không có bài · chưa có lần thu thập nào" in text
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "bao-cao-tuan-ubnd-hoang-mai-2026-03-02.xlsx"
    assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(part.get_content()))
    assert book.sheetnames == ["Tổng hợp", "Bài đọc nhiều", "Bài đăng"]
    summary = {r[0]: r for r in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in book["Tổng hợp"][1]][:4] == ["Đơn vị", "Mã đơn vị", "Bài đăng", "Lượt xem tăng"]
    assert summary["Phường Vĩnh Hưng"][2:8] == (3, 111, 6, 7, 1, 2)
    assert summary["Phường Tương Mai"][6] == 0 and summary["Quận Hoàng Mai"][6] is None
    posts = list(book["Bài đăng"].iter_rows(min_row=2, values_only=True))
    assert posts[0][:3] == (datetime(2026, 3, 2, 13, 0), "Phường Vĩnh Hưng", "Lịch tiếp công dân tháng 3")
    top = list(book["Bài đọc nhiều"].iter_rows(min_row=2, values_only=True))
    assert top[0][:4] == (1, "Tin a1 của vinh-hung", "Phường Vĩnh Hưng", 70)
    # chat: short, no table; the file channel writes the workbook beside the text
    (_, _, body), = world.hook.on("/chat")
    chat = json.loads(body)["message"]
    assert len(chat) <= 2000 and "|" not in chat and chat.startswith("Báo cáo tuần — UBND quận Hoàng Mai")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "bao-cao-tuan-ubnd-hoang-mai-2026-03-02.xlsx", "ubnd-hoang-mai-weekly-20260309-0000.txt"]
    # once: the same Monday later, and the daily digest keeps its own windows
    assert run(world, at(170)) == [] and len(world.smtp.messages) == 1
    assert ledger.is_due(world.db, world.config.recipients[0], at(170))


def test_monthly_report_covers_the_calendar_month(world):
    run(world, at(168))
    results = run(world, at(days=30))  # Wednesday 01/04/2026 08:00
    assert {r.status for r in results} == {"delivered"}
    rows = world.db.conn.execute("SELECT kind, window_start, window_end FROM digests ORDER BY id").fetchall()
    assert rows[-1] == ("monthly", "2026-02-28T17:00:00Z", "2026-03-31T17:00:00Z")  # 01/03 – 01/04 VN
    msg = email.message_from_bytes(world.smtp.messages[-1][2], policy=policy.default)
    assert msg["Subject"].startswith("Báo cáo tháng 03/2026: 4 bài")  # with Tương Mai's of Sunday 01/03
    assert "Tháng 03/2026 (giờ Việt Nam)" in msg.get_body(("plain",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert "- Phường Tương Mai: 1 bài · +0 lượt xem · 30/31 ngày không có bài · truy cập được 25% (4 lần)" in text


def test_report_periods_in_vietnam_time(world):
    r = world.config.recipients[0]
    sunday_night = datetime(2026, 3, 8, 23, 59, tzinfo=clock.VN_TZ)
    assert reports.period(r, "weekly", sunday_night) == ("2026-02-22T17:00:00Z", "2026-03-01T17:00:00Z")
    assert reports.period(r, "monthly", datetime(2026, 1, 1, 8, 0, tzinfo=clock.VN_TZ)) == (
        "2025-11-30T17:00:00Z", "2025-12-31T17:00:00Z")  # December 2025
    assert reports.period(r, "monthly", datetime(2026, 1, 1, 7, 59, tzinfo=clock.VN_TZ)) == (
        "2025-10-31T17:00:00Z", "2025-11-30T17:00:00Z")  # before its send time: November's is the latest


def test_digest_charts_are_inline_not_attachments(world):
    world.mp.setenv("PORTALWATCH_NOW", clock.iso(at(24)))
    ledger.run(world.db, world.config, now=at(24), force=True)
    msg = email.message_from_bytes(world.smtp.messages[-1][2], policy=policy.default)
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert images and all(p.get_content_disposition() == "inline" and p.get_filename() is None for p in images)
    assert list(msg.iter_attachments()) == []
    html = msg.get_body(("html",)).get_content()
    assert all(f'cid:{p["Content-ID"].strip("<>")}' in html for p in images)
