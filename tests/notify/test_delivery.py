"""Delivery through real local receivers: aiosmtpd SMTP, an http.server webhook, apprise json://."""

import email
import json
import os
import signal
import ssl
import subprocess
import sys
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest

from crawler import clock
from monitor.channels import webhook
from monitor.config import ConfigError
from monitor.notify import ledger
from tests.world import World, at, make_config, populate

from .servers import SMTPServer, WebhookReceiver, self_signed

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bí-mật-webhook-🔑"
OFFICE = "vanphong@hoangmai.example.vn"


def recipient(smtp_port: int, hook: WebhookReceiver, extra: str = "", email_extra: str = "") -> str:
    return f"""
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
send_at = "07:30"
channels = [
  {{ type = "email", to = ["{OFFICE}"], from = "Portalwatch <portalwatch@example.vn>", host = "127.0.0.1", port = {smtp_port}, security = "none", timeout = 5{email_extra} }},
  {{ type = "webhook", url = "{hook.url}/hook", secret_env = "PW_TEST_HOOK_SECRET", timeout = 5 }},
  {{ type = "apprise", urls = ["json://127.0.0.1:{hook.port}/apprise"] }},
  {{ type = "file", path = "digests" }},{extra}
]
"""


@pytest.fixture
def hook():
    h = WebhookReceiver()
    yield h
    h.stop()


@pytest.fixture
def smtp():
    s = SMTPServer().start()
    yield s
    s.stop()


@pytest.fixture
def setup(tmp_path, monkeypatch, smtp, hook):
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", SECRET)
    w = World(tmp_path, make_config(tmp_path, recipient(smtp.port, hook)), monkeypatch)
    populate(w)
    yield w
    w.store.close()


def statuses(world):
    return {r["channel_type"]: r["status"] for r in ledger.list_deliveries(world.db)}


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def test_every_channel_delivers_once_and_hostile_titles_stay_text(setup, smtp, hook, tmp_path):
    results = ledger.run(setup.db, setup.config, now=at(24))  # 08:00 in Hanoi, after send_at 07:30
    assert sorted((r.channel.split(":")[0], r.status) for r in results) == [
        ("apprise", "delivered"), ("email", "delivered"), ("file", "delivered"), ("webhook", "delivered")]

    # email: one message, to exactly the configured address, well-formed MIME
    assert len(smtp.messages) == 1
    mail_from, rcpts, raw = smtp.messages[0]
    assert (mail_from, rcpts) == ("portalwatch@example.vn", [OFFICE])
    msg = parse(raw)
    assert msg["To"] == OFFICE and msg["Bcc"] is None and "evil@example.com" not in str(msg.items())
    assert msg["Subject"] == "UBND quận Hoàng Mai: 3 bài mới, 111 lượt xem tăng thêm (03/03/2026)"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert 'Thông báo <script>alert("x")</script> Bcc: evil@example.com' in text
    assert not any(line.startswith("Bcc:") for line in text.splitlines())
    assert "<script>" not in html and "&lt;script&gt;" in html
    related = msg.get_body(("related",))
    images = [p for p in related.iter_parts() if p.get_content_type() == "image/png"]
    assert images and all(f'cid:{p["Content-ID"].strip("<>")}' in html for p in images)

    # webhook: signed JSON of the digest data
    (path, headers, body), = hook.on("/hook")
    assert webhook.verify(SECRET, body, headers[webhook.SIGNATURE_HEADER])
    assert not webhook.verify("wrong", body, headers[webhook.SIGNATURE_HEADER])
    doc = json.loads(body)
    assert doc["data"]["totals"]["new_posts"] == 3 and doc["window"] == {"since": "2026-03-02T01:00:00Z",
                                                                          "until": "2026-03-03T01:00:00Z"}
    assert headers["X-Portalwatch-Delivery"] == doc["delivery"]

    # apprise json:// posted to the same local receiver; files written next to the config
    (_, _, ap), = hook.on("/apprise")
    assert json.loads(ap)["title"] == msg["Subject"]
    names = sorted(p.name for p in (tmp_path / "digests").iterdir())
    assert names == [f"ubnd-hoang-mai-20260303-0800.{x}" for x in ("html", "json", "md")]

    # later the same morning: nothing is due, nothing is sent again
    assert ledger.run(setup.db, setup.config, now=at(26)) == []
    assert len(smtp.messages) == 1 and len(hook.requests) == 2
    # the next morning: the next window, once
    ledger.run(setup.db, setup.config, now=at(48))
    assert len(smtp.messages) == 2
    windows = {(r["window_start"], r["window_end"]) for r in ledger.list_deliveries(setup.db)}
    assert windows == {(clock.iso(at(0)), clock.iso(at(24))), (clock.iso(at(24)), clock.iso(at(48)))}


def test_not_due_before_the_send_time(setup, smtp):
    assert ledger.run(setup.db, setup.config, now=at(23)) == []  # 07:00 in Hanoi, send_at 07:30
    assert smtp.messages == []
    assert len(ledger.run(setup.db, setup.config, now=at(23), force=True)) == 4


def test_smtp_down_is_retried_with_backoff_and_delivered_once(tmp_path, monkeypatch, hook):
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", SECRET)
    down = SMTPServer()  # its port is chosen but nothing listens yet
    w = World(tmp_path, make_config(tmp_path, recipient(down.port, hook)), monkeypatch)
    populate(w)
    results = {r.channel.split(":")[0]: r for r in ledger.run(w.db, w.config, now=at(24))}
    assert results["email"].status == "failed" and "Connection refused" in results["email"].detail
    assert {k: r.status for k, r in results.items() if k != "email"} == {
        "webhook": "delivered", "apprise": "delivered", "file": "delivered"}  # not blocked
    row = next(r for r in ledger.list_deliveries(w.db) if r["channel_type"] == "email")
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("failed", 1, clock.iso(at(24) + timedelta(minutes=5)))
    assert ledger.run(w.db, w.config, now=at(24) + timedelta(minutes=2)) == []  # backing off
    down.start()
    try:
        again = ledger.run(w.db, w.config, now=at(24) + timedelta(minutes=6))
        assert [(r.channel.split(":")[0], r.status, r.attempts) for r in again] == [("email", "delivered", 2)]
        for minutes in (30, 120):
            assert ledger.run(w.db, w.config, now=at(24) + timedelta(minutes=minutes)) == []
        assert len(down.messages) == 1 and len(hook.on("/hook")) == 1
        assert set(statuses(w).values()) == {"delivered"}
    finally:
        down.stop()


def test_backoff_grows_and_gives_up(tmp_path, monkeypatch, hook):
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", SECRET)
    down = SMTPServer()  # bound, never listening: connections are refused
    w = World(tmp_path, make_config(tmp_path, recipient(down.port, hook)), monkeypatch)
    populate(w)
    now, waits = at(24), []
    for _ in range(ledger.MAX_ATTEMPTS):
        ledger.run(w.db, w.config, now=now)
        row = next(r for r in ledger.list_deliveries(w.db) if r["channel_type"] == "email")
        nxt = clock.parse_iso(row["next_attempt_at"])
        waits.append((nxt - now).total_seconds() / 60)
        now = nxt
    assert waits[:4] == [5, 10, 20, 40] and max(waits) == 360
    assert row["status"] == "gave_up" and row["attempts"] == ledger.MAX_ATTEMPTS
    later = ledger.run(w.db, w.config, now=now + timedelta(days=1))  # the next day's digest goes out …
    assert later and row["id"] not in {r.delivery_id for r in later}  # … the one that gave up stays put
    assert ledger.retry(w.db, row["id"])  # …until an operator says so
    down.stop()


def test_smtp_quit_failing_after_data_250_counts_as_delivered_once(tmp_path, monkeypatch, hook):
    """DATA answered 250, then QUIT answered 421: the server has the message; no resend."""
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", SECRET)
    flaky = SMTPServer(quit_reply="421 4.3.2 Service shutting down").start()
    try:
        w = World(tmp_path, make_config(tmp_path, recipient(flaky.port, hook)), monkeypatch)
        populate(w)
        results = {r.channel.split(":")[0]: r for r in ledger.run(w.db, w.config, now=at(24))}
        assert results["email"].status == "delivered", results["email"].detail
        for minutes in (6, 16, 40, 120, 600):  # every later run, past every backoff step
            ledger.run(w.db, w.config, now=at(24) + timedelta(minutes=minutes))
        assert len(flaky.messages) == 1
        row = next(r for r in ledger.list_deliveries(w.db) if r["channel_type"] == "email")
        assert (row["status"], row["attempts"]) == ("delivered", 1)
    finally:
        flaky.stop()


def test_webhook_redirect_is_not_followed_and_is_a_failure(tmp_path, monkeypatch):
    """A 302 to a login page that answers GET with 200 is not 'delivered': the POST was not taken."""
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", SECRET)
    hook = WebhookReceiver(status=302)
    hook.location = f"{hook.url}/login"
    try:
        w = World(tmp_path, make_config(tmp_path, f"""
[[recipient]]
id = "hook"
name = "Webhook"
sites = ["vinh-hung"]
channels = [{{ type = "webhook", url = "{hook.url}/hook", secret_env = "PW_TEST_HOOK_SECRET", timeout = 5 }}]
"""), monkeypatch)
        populate(w)
        (result,) = ledger.run(w.db, w.config, now=at(24))
        assert result.status == "failed"
        assert "HTTP 302" in result.detail and "/login" in result.detail and "not followed" in result.detail
        assert hook.log == [("POST", "/hook")]  # no GET of the landing page, no re-POST
        hook.status, hook.location = 200, None
        (again,) = ledger.run(w.db, w.config, now=at(24) + timedelta(minutes=5))
        assert again.status == "delivered" and len(hook.on("/hook")) == 2
    finally:
        hook.stop()


def test_missing_secret_fails_that_channel_only(setup, monkeypatch, smtp, hook):
    monkeypatch.delenv("PW_TEST_HOOK_SECRET")
    results = {r.channel.split(":")[0]: r for r in ledger.run(setup.db, setup.config, now=at(24))}
    assert results["webhook"].status == "failed" and "PW_TEST_HOOK_SECRET" in results["webhook"].detail
    assert results["email"].status == "delivered" and hook.on("/hook") == []


CRASH = """
import os, signal, sys
from monitor.config import load_config
from monitor.notify import ledger
from monitor.store.connect import open_db

ledger._record_success = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # dies right after sending
ledger.run(open_db(sys.argv[2]), load_config(sys.argv[1]), recipient_ids=["ubnd-hoang-mai"])
"""


def test_killed_between_send_and_record_is_never_resent_automatically(setup, smtp, tmp_path):
    env = {**os.environ, "PORTALWATCH_NOW": clock.iso(at(24)), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CRASH, str(setup.config.path), str(setup.path)],
                          env=env, capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert len(smtp.messages) == 1  # it did arrive
    assert statuses(setup)["email"] == "sending"
    # the next run finds the dead sender: the delivery is 'uncertain' and is not sent again
    after = ledger.run(setup.db, setup.config, now=at(25))
    assert sorted(r.channel.split(":")[0] for r in after) == ["apprise", "file", "webhook"]  # the rest go on
    assert len(smtp.messages) == 1
    row = next(r for r in ledger.list_deliveries(setup.db, ("uncertain",)))
    assert row["channel_type"] == "email" and "not resent automatically" in row["last_error"]
    assert ledger.run(setup.db, setup.config, now=at(26)) == []
    assert len(smtp.messages) == 1
    # an operator who checked the mailbox can resend; the Message-ID is the same, so a receiver can drop it
    assert ledger.retry(setup.db, row["id"], now=at(27))
    ledger.run(setup.db, setup.config, now=at(27))
    assert len(smtp.messages) == 2
    first, second = (parse(m[2])["Message-ID"] for m in smtp.messages)
    assert first == second


CRASH_RENDERING = """
import os, signal, sys
import monitor.digest.render  # noqa: F401 - loads the module patched below
from monitor.config import load_config
from monitor.notify import ledger
from monitor.store.connect import open_db

sys.modules["monitor.digest.render"].render = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # dies while rendering
print(ledger.run(open_db(sys.argv[2]), load_config(sys.argv[1]), recipient_ids=["ubnd-hoang-mai"]))
"""


def test_killed_while_rendering_sends_nothing_and_the_next_run_delivers(setup, smtp, hook):
    env = {**os.environ, "PORTALWATCH_NOW": clock.iso(at(24)), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CRASH_RENDERING, str(setup.config.path), str(setup.path)],
                          env=env, capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stdout.decode()[-2000:] + proc.stderr.decode()[-2000:]
    assert smtp.messages == [] and hook.requests == []
    assert set(statuses(setup).values()) == {"pending"}  # nothing went out: not 'sending', not 'uncertain'
    after = ledger.run(setup.db, setup.config, now=at(25))
    assert sorted((r.channel.split(":")[0], r.status, r.attempts) for r in after) == [
        ("apprise", "delivered", 1), ("email", "delivered", 1), ("file", "delivered", 1), ("webhook", "delivered", 1)]
    assert len(smtp.messages) == 1 and len(hook.on("/hook")) == 1


def test_starttls_with_credentials_from_the_environment(tmp_path, monkeypatch, hook):
    cert, key = self_signed(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    server = SMTPServer(tls_context=ctx, credentials=("office", "mật-khẩu")).start()
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", SECRET)
    monkeypatch.setenv("PW_SMTP_USER", "office")
    monkeypatch.setenv("PW_SMTP_PASSWORD", "mật-khẩu")
    extra = f', username_env = "PW_SMTP_USER", password_env = "PW_SMTP_PASSWORD", ca_file = "{cert}"'
    try:
        w = World(tmp_path, make_config(tmp_path, recipient(server.port, hook, email_extra=extra)
                                        .replace('security = "none"', 'security = "starttls"')), monkeypatch)
        populate(w)
        results = {r.channel.split(":")[0]: r for r in ledger.run(w.db, w.config, now=at(24))}
        assert results["email"].status == "delivered", results["email"].detail
        assert server.logins == ["office"] and len(server.messages) == 1
    finally:
        server.stop()


def test_credentials_are_never_sent_in_clear(tmp_path, monkeypatch, smtp, hook):
    monkeypatch.setenv("PW_TEST_HOOK_SECRET", SECRET)
    monkeypatch.setenv("PW_SMTP_USER", "office")
    monkeypatch.setenv("PW_SMTP_PASSWORD", "x")
    extra = ', username_env = "PW_SMTP_USER", password_env = "PW_SMTP_PASSWORD"'
    w = World(tmp_path, make_config(tmp_path, recipient(smtp.port, hook, email_extra=extra)), monkeypatch)
    populate(w)
    results = {r.channel.split(":")[0]: r for r in ledger.run(w.db, w.config, now=at(24))}
    assert results["email"].status == "failed" and "without TLS" in results["email"].detail
    assert smtp.messages == []


@pytest.mark.parametrize("channel, message", [
    ('{ type = "email", to = ["a@b.vn"], from = "c@d.vn", host = "h", password = "x" }', "environment variables"),
    ('{ type = "fax", number = "1" }', "unknown channel type 'fax'"),
    ('{ type = "webhook", url = "https://x.vn/h" }', "missing required key 'secret_env'"),
    ('{ type = "webhook", url = "file:///etc/passwd", secret_env = "S" }', r"must be http\(s\)"),
    ('{ type = "email", to = ["a@b.vn\\r\\nBcc: x@y.vn"], from = "c@d.vn", host = "h" }', "not an email address"),
    ('{ type = "apprise" }', "give 'urls'"),
])
def test_channel_tables_are_validated(tmp_path, channel, message):
    with pytest.raises(ConfigError, match=message):
        make_config(tmp_path, f"""
[[recipient]]
id = "r"
name = "R"
sites = ["vinh-hung"]
channels = [{channel}]
""")


def test_apprise_failure_is_recorded_and_retried(tmp_path, monkeypatch):
    broken = WebhookReceiver(status=500)
    try:
        config = make_config(tmp_path, f"""
[[recipient]]
id = "chat"
name = "Nhóm Zalo/Telegram của phường"
sites = ["vinh-hung"]
channels = [{{ type = "apprise", urls = ["json://127.0.0.1:{broken.port}/apprise"] }}]
""")
        w = World(tmp_path, config, monkeypatch)
        populate(w)
        (result,) = ledger.run(w.db, w.config, now=at(24))
        assert result.status == "failed" and result.detail.startswith("apprise: delivery failed")
        assert len(broken.on("/apprise")) == 1
        broken.status = 200
        (again,) = ledger.run(w.db, w.config, now=at(24) + timedelta(minutes=5))
        assert again.status == "delivered" and len(broken.on("/apprise")) == 2
    finally:
        broken.stop()
