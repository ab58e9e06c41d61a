"""Secrets out of what is stored and shown: a webhook URL's path often is its token
(https://hooks.slack.com/services/T0…/B0…/XX…). `masked_url` keeps what says where a URL goes
(scheme, host, port, plain path words) and cuts the rest; `webhook_key` is a webhook channel's
stable key (deliveries.channel): the URL itself when nothing in it looks secret, else the masked
URL plus a short hash of the whole, so two webhooks on one host stay apart and the key never
changes while the URL does not."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

_PLAIN = re.compile(r"[a-z][a-z_-]{0,19}|[A-Za-z0-9]{1,3}")  # words such as services, hooks, api, v1
MARK = "…"


def masked_url(url: str) -> str:
    """`url` without user info, query or fragment, each path segment that is not a plain word cut
    to its first two characters and "…"."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    segments = [s if not s or _PLAIN.fullmatch(s) else s[:2] + MARK for s in parts.path.split("/")]
    return f"{parts.scheme}://{host}" + "/".join(segments)


def webhook_key(url: str) -> str:
    """The stable key of a webhook channel posting to `url` (its query never counts)."""
    url = url.split("?")[0]
    shown = masked_url(url)
    if shown == url:
        return "webhook:" + url
    return f"webhook:{shown}#{hashlib.sha256(url.encode()).hexdigest()[:10]}"


def rekey(channel: str) -> str:
    """A stored deliveries.channel in today's form: an older webhook key held the URL as is."""
    if not channel.startswith("webhook:") or _HASHED.search(channel):
        return channel
    return webhook_key(channel.removeprefix("webhook:"))


_HASHED = re.compile(r"#[0-9a-f]{10}$")
