"""Webhook: a JSON POST of the digest's data, signed with HMAC-SHA256.

    { type = "webhook", url = "https://example.vn/hooks/portalwatch", secret_env = "PORTALWATCH_WEBHOOK_SECRET" }

Headers: `X-Portalwatch-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>`,
`X-Portalwatch-Delivery: <id>` (the same on every retry: receivers can drop repeats) and
`X-Portalwatch-Timestamp` (also in the body as `sent_at`, to refuse old replays). Only a 2xx
answer to the POST counts as delivered: redirects are not followed (a 3xx is a failure naming its
Location), since following one turns the POST into a GET the receiver never accepted.
At-least-once: a receiver that answers after `timeout` gets the same POST again on the retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from crawler import __version__, clock
from monitor.channels.base import Channel, ChannelError, Delivery
from monitor.channels.masking import webhook_key

SIGNATURE_HEADER = "X-Portalwatch-Signature"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx answer to the POST is returned as an HTTPError, never followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def sign(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """For receivers (and tests): does the signature header match the body?"""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body), header)


def payload(out: Delivery, sent_at: str) -> bytes:
    r = out.rendered()
    kind = out.data.get("kind", "daily")  # portalwatch.digest, .alert, .weekly, .monthly
    doc = {"type": "portalwatch." + ("digest" if kind == "daily" else kind), "delivery": out.key, "sent_at": sent_at,
           "recipient": out.data["recipient"], "window": out.data["window"], "subject": r.subject,
           "text": r.text, "data": out.data}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


class WebhookChannel(Channel):
    type = "webhook"
    keys = ("url", "secret_env", "timeout")
    required = ("url", "secret_env")

    @classmethod
    def problem(cls, table: dict[str, Any]) -> str | None:
        if urlsplit(str(table["url"])).scheme not in ("http", "https"):
            return f"webhook channel: 'url' must be http(s), got {table['url']!r}"
        return None

    def target(self) -> str:
        """The URL, with a token in its path masked (deliveries.channel is stored and shown)."""
        return webhook_key(str(self.table.get("url", "")))

    def send(self, out: Delivery) -> str:
        ch = self.table
        var = ch["secret_env"]
        secret = os.environ.get(var)
        if not secret:
            raise ChannelError(f"webhook channel: environment variable {var!r} is not set")
        sent_at = clock.now_iso()
        body = payload(out, sent_at)
        req = urllib.request.Request(ch["url"], data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": f"portalwatch/{__version__}",
            SIGNATURE_HEADER: sign(secret, body), "X-Portalwatch-Delivery": out.key,
            "X-Portalwatch-Timestamp": sent_at})
        out.going_out()
        where = urlsplit(ch["url"]).netloc
        try:
            with _OPENER.open(req, timeout=ch.get("timeout", 15)) as resp:
                status = resp.status
        except urllib.error.HTTPError as e:
            moved = e.headers.get("Location") if 300 <= e.code < 400 and e.headers else None
            hint = f" (redirect to {moved!r} not followed: set the channel's url to the final address)" if moved else ""
            raise ChannelError(f"webhook {where}: HTTP {e.code}{hint}") from e
        except (OSError, urllib.error.URLError) as e:
            raise ChannelError(f"webhook {where}: {type(e).__name__}: {e}") from e
        if not 200 <= status < 300:
            raise ChannelError(f"webhook {where}: HTTP {status}")
        return f"HTTP {status}"
