"""Immediate alerts through real local receivers: grouped per run, held in quiet hours and by the
interval, never the same event twice, a site_unreachable alert only once the outage is N hours old."""

from __future__ import annotations

import email
import json
from email import policy

import pytest

from crawler import clock
from monitor.detect.events import detect
from monitor.notify import alerts, ledger
from tests.world import World, at, make_config, populate

from .servers import SMTPServer, WebhookReceiver


def office(smtp_port: int, hook: WebhookReceiver, extra: str = "") -> str:
    return f"""
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
alerts = ["site_unreachable", "extraction_broken", "article_removed", "views_anomaly"]{extra}
channels = [{{ type = "email", to = "vp@hoangmai.example.vn", from = "pw@example.vn", host = "127.0.0.1", port = {smtp_port}, security = "none", timeout = 5 }}, {{ type = "apprise", urls = ["json://127.0.0.1:{hook.port}/chat"] }}]
"""


@pytest.fixture
def receivers():
    smtp, hook = SMTPServer().start(), WebhookReceiver()
    yield smtp, hook
    smtp.stop()
    hook.stop()


def make(tmp_path, monkeypatch, receivers, extra=""):
    smtp, hook = receivers
    w = World(tmp_path, make_config(tmp_path, office(smtp.port, hook, extra)), monkeypatch)
    populate(w)  # Tương Mai fails at 09:00, 10:00, 11:00; a counter of Vĩnh Hưng drops 500 → 10 at 20:00
    return w


def run(w, now):
    w.mp.setenv("PORTALWATCH_NOW", clock.iso(now))
    return alerts.run(w.db, w.config, now)


def chats(hook) -> list[str]:
    return [json.loads(body)["message"] for _, _, body in hook.on("/chat")]


def test_one_grouped_alert_per_run_never_the_same_event_twice(tmp_path, monkeypatch, receivers):
    smtp, hook = receivers
    w = make(tmp_path, monkeypatch, receivers)
    results = run(w, at(13))  # 21:00 in Hanoi
    assert sorted((r.channel.split(":")[0], r.status) for r in results) == [("apprise", "delivered"),
                                                                           ("email", "delivered")]
    (chat,) = chats(hook)
    assert chat.splitlines()[:2] == ["Cảnh báo — UBND quận Hoàng Mai", "02/03/2026 21:00 (giờ Việt Nam)"]
    assert chat.splitlines()[3].startswith("• [Nghiêm trọng] Phường Tương Mai: không truy cập được từ 02/03/2026 09:00"
                                           " (3 lần thu thập liên tiếp thất bại) — máy chủ của trang bị lỗi")
    assert "• [Cần xem] Phường Vĩnh Hưng: “Tin a2 của vinh-hung” — lượt xem giảm từ 500 xuống 10" in chat
    assert len(chat) <= 2000
    (mail,) = smtp.messages
    msg = email.message_from_bytes(mail[2], policy=policy.default)
    assert msg["Subject"] == "Cảnh báo: Không truy cập được, Số liệu lượt xem bất thường — UBND quận Hoàng Mai"
    assert "Phường Tương Mai" in msg.get_body(("plain",)).get_content()
    rows = w.db.conn.execute("SELECT kind, COUNT(*) FROM digests GROUP BY kind").fetchall()
    assert rows == [("alert", 1)]
    # a later run, the same events: nothing
    assert run(w, at(15)) == [] and len(chats(hook)) == 1
    # the daily digest is not disturbed: its own window, its own row
    digest = ledger.run(w.db, w.config, now=at(24))
    assert {r.status for r in digest} == {"delivered"} and len(smtp.messages) == 2
    assert dict(w.db.conn.execute("SELECT kind, COUNT(*) FROM digests GROUP BY kind").fetchall()) == {
        "alert": 1, "daily": 1}


def test_quiet_hours_hold_alerts_until_morning(tmp_path, monkeypatch, receivers):
    smtp, hook = receivers
    w = make(tmp_path, monkeypatch, receivers)
    assert run(w, at(14)) == []  # 22:00: quiet (the default 22:00-06:30)
    assert alerts.plan(w.db, w.config, at(20)) == [("ubnd-hoang-mai", "quiet hours until 06:30")]
    assert run(w, at(22.4)) == [] and hook.on("/chat") == []  # 06:24
    sent = run(w, at(22.5))  # 06:30
    assert {r.status for r in sent} == {"delivered"} and len(chats(hook)) == 1
    assert "Phường Tương Mai" in chats(hook)[0]


def test_quiet_hours_off_and_the_interval_between_alerts(tmp_path, monkeypatch, receivers):
    smtp, hook = receivers
    w = make(tmp_path, monkeypatch, receivers, '\nquiet_hours = "off"\nalert_interval = "2h"')
    assert len(run(w, at(14))) == 2  # 22:00, sent: no quiet hours
    for h in (14.1, 14.2, 14.3):  # the district's own portal goes down: a new event
        with w.crawl("hoang-mai", at(h), outcome="failed", error="TimeoutError: timed out"):
            pass
    detect(w.db, w.config, now=at(14.4))
    assert alerts.plan(w.db, w.config, at(15)) == [
        ("ubnd-hoang-mai", "the last alert was at 22:00 (alert_interval 2h)")]
    assert run(w, at(15)) == [] and len(chats(hook)) == 1
    assert len(run(w, at(16))) == 2
    second = chats(hook)[1]
    assert "Quận Hoàng Mai: không truy cập được" in second and "Phường Tương Mai" not in second


def test_unreachable_for_n_hours(tmp_path, monkeypatch, receivers):
    smtp, hook = receivers
    w = make(tmp_path, monkeypatch, receivers, '\nunreachable_hours = 12')
    run(w, at(12.5))  # Tương Mai failing since 09:00: not 12 hours at 20:30; the anomaly goes alone
    assert "Phường Tương Mai" not in chats(hook)[0] and "lượt xem giảm" in chats(hook)[0]
    assert run(w, at(16)) == []  # 00:00
    with w.crawl("tuong-mai", at(20.5), outcome="failed", error="HTTP 503"):  # still down at 04:30
        pass
    monkeypatch.setenv("PORTALWATCH_NOW", clock.iso(at(21)))
    assert len(run(w, at(21))) == 0  # 05:00: quiet hours
    assert len(run(w, at(22.5))) == 2  # 06:30: 21 hours down, still failing
    assert "Phường Tương Mai: không truy cập được" in chats(hook)[1]


def test_preview_and_config_errors(tmp_path, monkeypatch, receivers):
    w = make(tmp_path, monkeypatch, receivers)
    data = alerts.build(w.db, w.config, w.config.recipients[0], at(13))
    assert [e["kind"] for e in data["events"]] == ["site_unreachable", "views_anomaly"]
    assert w.db.conn.execute("SELECT COUNT(*) FROM digests").fetchone()[0] == 0  # built, not recorded
    from monitor.config import ConfigError

    smtp, hook = receivers
    for extra, message in (('\nquiet_hours = "22h"', "key 'quiet_hours': expected \"HH:MM-HH:MM\""),
                           ('\nalerts_bad = 1', "unknown key 'alerts_bad'"),
                           ('\nalert_interval = "soon"', "key 'alert_interval': expected a duration")):
        with pytest.raises(ConfigError, match=message):
            make_config(tmp_path, office(smtp.port, hook, extra))
    with pytest.raises(ConfigError, match="'new_article' is not an event kind alerts are sent for"):
        make_config(tmp_path, office(smtp.port, hook).replace('"views_anomaly"', '"new_article"'))
