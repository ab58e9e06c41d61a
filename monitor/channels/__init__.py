"""Delivery channels: one class per channel type (its keys, checks, stable name and sending), one
file each, and this registry. monitor.config validates a recipient's channel tables with it;
monitor.notify sends through it (and keeps the ledger).

A new channel type is a new file with a Channel subclass (see base.py) plus one line in CHANNELS.
Secrets never live in the TOML file: channels name environment variables (`*_env` keys).
"""

from __future__ import annotations

from typing import Any

from monitor.channels.apprise import AppriseChannel
from monitor.channels.base import Channel, ChannelError, Delivery
from monitor.channels.email import EmailChannel
from monitor.channels.file import FileChannel
from monitor.channels.webhook import WebhookChannel
from monitor.channels.zalo import ZaloChannel

CHANNELS: tuple[type[Channel], ...] = (
    EmailChannel,  # email (alias smtp): SMTP, multipart text + HTML
    WebhookChannel,  # webhook: JSON POST signed with HMAC-SHA256
    AppriseChannel,  # apprise: Telegram, Slack, Discord, Matrix … through Apprise URLs
    FileChannel,  # file (alias files): HTML / Markdown / JSON / text into a folder
    ZaloChannel,  # zalo: Zalo Official Account text messages to the office's user ids
)
TYPES: dict[str, type[Channel]] = {name: cls for cls in CHANNELS for name in (cls.type, *cls.aliases)}

__all__ = ["CHANNELS", "TYPES", "Channel", "ChannelError", "Delivery", "channel", "channel_key", "check_channel",
           "unknown_type"]


def unknown_type(kind: Any) -> str:
    """The error for a channel `type` that is none of TYPES."""
    return f"unknown channel type {kind!r} (known: {', '.join(sorted(TYPES))})"


def check_channel(table: Any) -> str | None:
    """None when the channel table is valid, else what is wrong (for config errors)."""
    if not isinstance(table, dict) or "type" not in table:
        return "expected a table with a 'type' key"
    cls = TYPES.get(table["type"])
    if cls is None:
        return unknown_type(table["type"])
    return cls.check(table)


def channel(table: dict[str, Any]) -> Channel:
    """The Channel of a (valid) table; ChannelError for an unknown type."""
    kind = table.get("type")
    cls = TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ChannelError(unknown_type(kind))
    return cls(table)


def channel_key(table: dict[str, Any]) -> str:
    """A stable name for a channel (survives reordering the TOML): its `id`, else type + target."""
    return channel(table).key()
