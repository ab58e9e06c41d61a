"""End to end: crawl the simulator, let a simulated day and a half pass, crawl again; the district
office's digest arrives once over real SMTP and lists exactly the simulator's new posts."""

import email
import json
from email import policy

import lxml.html
import pytest

from monitor.channels import webhook
from monitor.detect.events import detect
from monitor.notify import ledger
from tests.conftest import make_portal
from tests.notify.servers import SMTPServer, WebhookReceiver

pytestmark = pytest.mark.slow
SECRET = "e2e-secret"


def office(smtp_port: int, hook_url: str) -> str:
    return f"""
[[recipient]]
id = "ubnd-hoang-mai"
name = "UBND quận Hoàng Mai"
parents = ["hoang-mai"]
sites = ["hoang-mai"]
send_at = "07:30"
channels = [
  {{ type = "email", to = ["vanphong@hoangmai.example.vn"], from = "portalwatch@example.vn", host = "127.0.0.1", port = {smtp_port}, security = "none" }},
  {{ type = "webhook", url = "{hook_url}/hook", secret_env = "PW_E2E_SECRET" }},
]
"""


def views(t):
    return t["views"] if t["views"] is not None else t["list_views"]


def crawl_and_detect(portal, monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", portal.sim.clock()["now_utc"])  # crawl on the simulator's clock
    portal.crawl()
    db = portal.db()
    try:
        detect(db, portal.load_config())
    finally:
        db.conn.close()


def test_office_gets_one_email_with_exactly_the_new_posts_and_gains(tmp_path, monkeypatch):
    smtp, hook = SMTPServer().start(), WebhookReceiver()
    portal = make_portal(tmp_path, recipients=False)
    try:
        text = portal.config.read_text(encoding="utf-8")  # re-read every article: exact view counts
        text = text.replace("\nprofile = ", '\nrevisit = { mode = "always" }\nprofile = ')
        portal.config.write_text(text + office(smtp.port, hook.url), encoding="utf-8")
        monkeypatch.setenv("PW_E2E_SECRET", SECRET)
        config = portal.load_config()
        wards = {s.id for s in config.sites_for(config.recipient("ubnd-hoang-mai"))}

        crawl_and_detect(portal, monkeypatch)
        before = {t["url"]: t for t in portal.sim.truth(include_body=False, include_removed=False)}
        portal.sim.advance(hours=30)
        crawl_and_detect(portal, monkeypatch)
        after = [t for t in portal.sim.truth(include_body=False, include_removed=False) if t["site_id"] in wards]
        new = {t["url"] for t in after if t["url"] not in before}
        assert new, "the simulator should publish in 30 hours"
        gains = dict.fromkeys(wards, 0)
        for t in after:
            old = views(before[t["url"]]) if t["url"] in before else 0
            if views(t) is not None:
                gains[t["site_id"]] += max(0, views(t) - (old or 0))

        db = portal.db()
        try:
            ledger.run(db, config)  # on the simulator's clock: 14:00 in Hanoi, past send_at
            assert ledger.run(db, config) == []  # a second run sends nothing
        finally:
            db.conn.close()

        assert len(smtp.messages) == 1
        msg = email.message_from_bytes(smtp.messages[0][2], policy=policy.default)
        assert msg.get_content_type() == "multipart/alternative" and msg["To"] == "vanphong@hoangmai.example.vn"
        html = lxml.html.fromstring(msg.get_body(("html",)).get_content())
        assert set(html.xpath('//ul[@id="new-posts"]//a/@href')) == new
        shown = {tr.get("data-site"): int(tr.xpath('td[@class="views"]')[0].text_content().strip("+").replace(".", ""))
                 for tr in html.xpath('//table[@id="wards"]//tr[@data-site]')}
        assert shown == gains
        text_part = msg.get_body(("plain",)).get_content()
        assert f"Bài mới ({len(new)})" in text_part

        (_, headers, body), = hook.on("/hook")
        assert webhook.verify(SECRET, body, headers[webhook.SIGNATURE_HEADER])
        data = json.loads(body)["data"]
        assert {p["url"] for p in data["new_posts"]} == new
        assert {s["id"]: s["views_gained"] for s in data["sites"]} == gains
    finally:
        portal.server.stop()
        smtp.stop()
        hook.stop()
