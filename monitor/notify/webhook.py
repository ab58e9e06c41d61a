"""Webhook: a JSON POST of the digest's data, signed with HMAC-SHA256.

    { type = "webhook", url = "https://example.vn/hooks/portalwatch", secret_env = "PORTALWATCH_WEBHOOK_SECRET" }

Headers: `X-Portalwatch-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>`,
`X-Portalwatch-Delivery: <id>` (the same on every retry: receivers can drop repeats) and
`X-Portalwatch-Timestamp` (also in the body as `sent_at`, to refuse old replays). Any 2xx answer
counts as delivered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from monitor import __version__, clock
from monitor.notify import ChannelError, Outgoing

KEYS = ("url", "secret_env", "timeout")
REQUIRED = ("url", "secret_env")
SIGNATURE_HEADER = "X-Portalwatch-Signature"


def validate(ch: dict) -> str | None:
    if urlsplit(str(ch["url"])).scheme not in ("http", "https"):
        return f"webhook channel: 'url' must be http(s), got {ch['url']!r}"
    return None


def sign(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """For receivers (and tests): does the signature header match the body?"""
    return bool(header) and hmac.compare_digest(sign(secret, body), header)


def payload(out: Outgoing, sent_at: str) -> bytes:
    r = out.rendered()
    doc = {"type": "portalwatch.digest", "delivery": out.key, "sent_at": sent_at,
           "recipient": out.data["recipient"], "window": out.data["window"], "subject": r.subject,
           "text": r.text, "data": out.data}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def send(ch: dict, out: Outgoing) -> str:
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
    try:
        with urllib.request.urlopen(req, timeout=ch.get("timeout", 15)) as resp:
            status = resp.status
    except urllib.error.HTTPError as e:
        raise ChannelError(f"webhook {urlsplit(ch['url']).netloc}: HTTP {e.code}") from e
    except (OSError, urllib.error.URLError) as e:
        raise ChannelError(f"webhook {urlsplit(ch['url']).netloc}: {type(e).__name__}: {e}") from e
    if not 200 <= status < 300:
        raise ChannelError(f"webhook {urlsplit(ch['url']).netloc}: HTTP {status}")
    return f"HTTP {status}"
