"""The syntax of a `[[recipient]]` channel table: each channel type's keys and pure checks, and
the channel's stable name. No sending here (that is monitor/notify/); config/load.py validates with it.

A channel is a table with a `type`:
  email (alias smtp)  SMTP, multipart text+HTML            notify/smtp.py
  webhook             JSON POST signed with HMAC-SHA256     notify/webhook.py
  apprise             Telegram, Slack, Discord, Matrix …   notify/apprise_channel.py
  file (alias files)  HTML/Markdown/JSON into a folder      notify/files.py
Secrets never live in the TOML file: channels name environment variables (`*_env` keys).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from monitor.config.masking import webhook_key

SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}  # the default port of each `security`
FILE_FORMATS = ("html", "md", "json", "txt")
DEFAULT_FILE_FORMATS = ["html", "md", "json"]


@dataclass(frozen=True)
class ChannelType:
    """The keys a channel type allows (besides type and id), those it requires, and its own check."""

    keys: tuple[str, ...]
    required: tuple[str, ...]
    validate: Callable[[dict], str | None]


def addresses(value) -> list[str]:
    """An email channel's `to` / `reply_to`: one address or a list of them, as a list."""
    return [value] if isinstance(value, str) else list(value)


def _email(ch: dict) -> str | None:
    for key in ("to", "from", "reply_to"):
        for addr in addresses(ch.get(key, [])):
            if not isinstance(addr, str) or any(c in addr for c in "\r\n") or "@" not in parseaddr(addr)[1]:
                return f"email channel: {key!r}: not an email address: {addr!r}"
    if ch.get("security", "starttls") not in SMTP_PORTS:
        return f"email channel: 'security' must be starttls, ssl or none, got {ch['security']!r}"
    if not isinstance(ch.get("port", 0), int):
        return "email channel: 'port' must be an integer"
    return None


def _webhook(ch: dict) -> str | None:
    if urlsplit(str(ch["url"])).scheme not in ("http", "https"):
        return f"webhook channel: 'url' must be http(s), got {ch['url']!r}"
    return None


def _apprise(ch: dict) -> str | None:
    if not ch.get("urls") and not ch.get("url_env"):
        return "apprise channel: give 'urls' (a list) or 'url_env' (an environment variable)"
    if not isinstance(ch.get("urls", []), list):
        return "apprise channel: 'urls' must be a list of strings"
    if ch.get("format", "text") not in ("text", "markdown"):
        return "apprise channel: 'format' must be text or markdown"
    return None


def _file(ch: dict) -> str | None:
    formats = ch.get("formats", DEFAULT_FILE_FORMATS)
    if not isinstance(formats, list) or not formats or any(f not in FILE_FORMATS for f in formats):
        return f"file channel: 'formats' must be a list drawn from {', '.join(FILE_FORMATS)}"
    return None


EMAIL = ChannelType(("to", "from", "host", "port", "security", "username_env", "password_env", "timeout",
                     "ca_file", "reply_to"), ("to", "from", "host"), _email)
WEBHOOK = ChannelType(("url", "secret_env", "timeout"), ("url", "secret_env"), _webhook)
APPRISE = ChannelType(("urls", "url_env", "format"), (), _apprise)
FILE = ChannelType(("path", "formats"), ("path",), _file)
TYPES = {"email": EMAIL, "smtp": EMAIL, "webhook": WEBHOOK, "apprise": APPRISE, "file": FILE, "files": FILE}


def unknown_type(kind: Any) -> str:
    """The error for a channel `type` that is none of TYPES."""
    return f"unknown channel type {kind!r} (known: {', '.join(sorted(TYPES))})"


def check_channel(channel: Any) -> str | None:
    """None when the channel table is valid, else what is wrong (for config errors)."""
    if not isinstance(channel, dict) or "type" not in channel:
        return "expected a table with a 'type' key"
    spec = TYPES.get(channel["type"])
    if spec is None:
        return unknown_type(channel["type"])
    allowed = set(spec.keys) | {"type", "id"}
    for key in channel:
        if key not in allowed:
            hint = " (secrets come from environment variables: use the *_env keys)" if key in (
                "password", "secret", "username", "token") else ""
            return f"{channel['type']} channel: unknown key {key!r}{hint}; allowed: {', '.join(sorted(allowed))}"
    for key in spec.required:
        if key not in channel:
            return f"{channel['type']} channel: missing required key {key!r}"
    return spec.validate(channel)


def channel_key(channel: dict[str, Any]) -> str:
    """A stable name for a channel (survives reordering the TOML): its `id`, else type + target,
    with no secret in it (it is stored in deliveries.channel and shown)."""
    if channel.get("id"):
        return str(channel["id"])
    kind = channel["type"]
    if kind in ("email", "smtp"):
        to = channel.get("to", [])
        return "email:" + ",".join(sorted([to] if isinstance(to, str) else to))
    if kind == "webhook":  # a token in the URL's path is masked (monitor/config/masking.py)
        return webhook_key(str(channel.get("url", "")))
    if kind in ("file", "files"):
        return "file:" + str(channel.get("path", ""))
    secret = "|".join(channel.get("urls", [])) + "|" + str(channel.get("url_env", ""))
    return "apprise:" + hashlib.sha256(secret.encode()).hexdigest()[:12]
