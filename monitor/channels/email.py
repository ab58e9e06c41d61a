"""Email over SMTP: multipart/alternative (text + HTML with the charts as inline cid: images, in
multipart/related), inside multipart/mixed when a report carries its .xlsx.

    { type = "email", to = ["vp@hoangmai.hanoi.gov.vn"], from = "portalwatch@example.vn",
      host = "smtp.example.vn", port = 587, security = "starttls",
      username_env = "PORTALWATCH_SMTP_USER", password_env = "PORTALWATCH_SMTP_PASSWORD" }

security: "starttls" (default; port 587), "ssl" (port 465) or "none" (port 25, local relays only:
credentials are never sent without TLS). The envelope recipients are the configured `to` list,
never anything parsed from the message, and header values are single lines.
"""

from __future__ import annotations

import base64
import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import Any

from crawler import clock
from monitor.channels.base import Channel, ChannelError, Delivery

PORTS = {"starttls": 587, "ssl": 465, "none": 25}  # the default port of each `security`
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}


def addresses(value) -> list[str]:
    """An email channel's `to` / `reply_to`: one address or a list of them, as a list."""
    return [value] if isinstance(value, str) else list(value)


class EmailChannel(Channel):
    type = "email"
    aliases = ("smtp",)
    keys = ("to", "from", "host", "port", "security", "username_env", "password_env", "timeout", "ca_file",
            "reply_to")
    required = ("to", "from", "host")

    @classmethod
    def problem(cls, table: dict[str, Any]) -> str | None:
        for key in ("to", "from", "reply_to"):
            for addr in addresses(table.get(key, [])):
                if not isinstance(addr, str) or any(c in addr for c in "\r\n") or "@" not in parseaddr(addr)[1]:
                    return f"email channel: {key!r}: not an email address: {addr!r}"
        if table.get("security", "starttls") not in PORTS:
            return f"email channel: 'security' must be starttls, ssl or none, got {table['security']!r}"
        if not isinstance(table.get("port", 0), int):
            return "email channel: 'port' must be an integer"
        return None

    def target(self) -> str:
        return "email:" + ",".join(sorted(addresses(self.table.get("to", []))))

    def send(self, out: Delivery) -> str:
        ch = self.table
        msg = build_message(ch, out)
        security = ch.get("security", "starttls")
        port = ch.get("port", PORTS[security])
        timeout = ch.get("timeout", 30)
        creds = _credentials(ch)
        if creds and security == "none":
            raise ChannelError("email channel: refusing to send credentials without TLS (security = 'none')")
        context = ssl.create_default_context(cafile=ch.get("ca_file"))
        out.going_out()
        server: smtplib.SMTP | None = None
        try:
            if security == "ssl":
                server = smtplib.SMTP_SSL(ch["host"], port, timeout=timeout, context=context)
            else:
                server = smtplib.SMTP(ch["host"], port, timeout=timeout)
            if security == "starttls":
                server.starttls(context=context)
            if creds:
                _login(server, *creds)
            refused = server.send_message(msg, from_addr=parseaddr(ch["from"])[1], to_addrs=addresses(ch["to"]))
        except (OSError, smtplib.SMTPException) as e:
            _close(server)
            raise ChannelError(f"SMTP {ch['host']}:{port}: {type(e).__name__}: {e}") from e
        # DATA was answered 250: the server has taken the message. Whatever QUIT answers (421, a
        # dropped connection, a timeout) it is delivered; failing it here would send it again.
        _close(server, quit=True)
        if refused:
            raise ChannelError(f"SMTP refused some recipients: {', '.join(refused)}")
        return msg["Message-ID"]


def _header(value: str) -> str:
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split())


def build_message(ch: dict, out: Delivery) -> EmailMessage:
    r = out.rendered(images="cid")
    msg = EmailMessage(policy=SMTP)
    name, addr = parseaddr(ch["from"])
    msg["From"] = Address(display_name=_header(name or "portalwatch"), addr_spec=addr)
    msg["To"] = ", ".join(addresses(ch["to"]))
    if ch.get("reply_to"):
        msg["Reply-To"] = ", ".join(addresses(ch["reply_to"]))
    msg["Subject"] = _header(r.subject)
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = f"<{out.key}@{addr.rsplit('@', 1)[-1]}>"  # the same on every retry
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Portalwatch-Delivery"] = out.key
    msg.set_content(r.text, subtype="plain", charset="utf-8")
    msg.add_alternative(r.html, subtype="html", charset="utf-8")
    html_part = list(msg.iter_parts())[1]  # multipart/alternative: text, then html
    for cid, png in r.images.items():  # shown in the HTML (cid:), not listed as attachments
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", disposition="inline")
    for name, blob in r.attachments.items():  # a report's .xlsx: multipart/mixed around the rest
        maintype, subtype = MIME.get(name.rsplit(".", 1)[-1], "application/octet-stream").split("/")
        msg.add_attachment(blob, maintype=maintype, subtype=subtype, filename=name)
    return msg


def _credentials(ch: dict) -> tuple[str, str] | None:
    if not ch.get("username_env") and not ch.get("password_env"):
        return None
    values = []
    for key in ("username_env", "password_env"):
        var = ch.get(key)
        if not var or os.environ.get(var) is None:
            raise ChannelError(f"email channel: environment variable {var or key!r} is not set")
        values.append(os.environ[var])
    return values[0], values[1]


def _login(server: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib only encodes ASCII credentials; others go as AUTH PLAIN in UTF-8 (RFC 4616)."""
    if (user + password).isascii():
        server.login(user, password)
        return
    server.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, resp = server.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, resp)


def _close(server: smtplib.SMTP | None, quit: bool = False) -> None:
    if server is None:
        return
    try:
        if quit:
            server.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        server.close()
