"""Delivery channels for digests, and the ledger that makes each delivery happen once.

A channel is a `[[recipient]]` channel table with a `type`:
  email (alias smtp)  SMTP, multipart text+HTML            notify/smtp.py
  webhook             JSON POST signed with HMAC-SHA256     notify/webhook.py
  apprise             Telegram, Slack, Discord, Matrix …   notify/apprise_channel.py
  file (alias files)  HTML/Markdown/JSON into a folder      notify/files.py
Secrets never live in the TOML file: channels name environment variables (`*_env` keys).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any


class ChannelError(RuntimeError):
    """A delivery attempt failed; the message is stored in deliveries.last_error."""


class NotClaimed(RuntimeError):
    """Another process claimed this delivery first: nothing was sent."""


@dataclass
class Outgoing:
    """One digest on its way to one channel."""

    delivery_id: int
    digest_id: int
    recipient_id: str
    data: dict
    base_dir: Path = Path(".")  # relative file paths resolve against the config file's folder
    claim: Callable[[], bool] | None = field(default=None, repr=False)  # the ledger's 'sending' mark
    claimed: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    def going_out(self) -> None:
        """Channels call this once everything is rendered, just before the first byte goes out:
        the ledger commits the row as 'sending' here, so a crash while rendering sends nothing
        and leaves the row pending. Raises NotClaimed when another process took it."""
        if self.claimed:
            return
        if self.claim is not None and not self.claim():
            raise NotClaimed(f"delivery {self.delivery_id} was claimed by another process")
        self.claimed = True

    @property
    def key(self) -> str:
        """Idempotency key: the same for every attempt of this delivery."""
        return f"portalwatch-{self.recipient_id}-{self.digest_id}-{self.delivery_id}"

    def rendered(self, images: str = "data"):
        from monitor.digest.render import render

        if images not in self._cache:
            self._cache[images] = render(self.data, images=images)
        return self._cache[images]


def _modules() -> dict[str, ModuleType]:
    from monitor.notify import apprise_channel, files, smtp, webhook

    return {"email": smtp, "smtp": smtp, "webhook": webhook, "apprise": apprise_channel,
            "file": files, "files": files}


def module(channel: dict[str, Any]) -> ModuleType:
    mods = _modules()
    kind = channel.get("type")
    if kind not in mods:
        raise ChannelError(f"unknown channel type {kind!r} (known: {', '.join(sorted(mods))})")
    return mods[kind]


def check_channel(channel: Any) -> str | None:
    """None when the channel table is valid, else what is wrong (for config errors)."""
    if not isinstance(channel, dict) or "type" not in channel:
        return "expected a table with a 'type' key"
    try:
        mod = module(channel)
    except ChannelError as e:
        return str(e)
    allowed = set(mod.KEYS) | {"type", "id"}
    for key in channel:
        if key not in allowed:
            hint = " (secrets come from environment variables: use the *_env keys)" if key in (
                "password", "secret", "username", "token") else ""
            return f"{channel['type']} channel: unknown key {key!r}{hint}; allowed: {', '.join(sorted(allowed))}"
    for key in mod.REQUIRED:
        if key not in channel:
            return f"{channel['type']} channel: missing required key {key!r}"
    return mod.validate(channel)


def channel_key(channel: dict[str, Any]) -> str:
    """A stable name for a channel (survives reordering the TOML): its `id`, else type + target."""
    if channel.get("id"):
        return str(channel["id"])
    kind = channel["type"]
    if kind in ("email", "smtp"):
        to = channel.get("to", [])
        return "email:" + ",".join(sorted([to] if isinstance(to, str) else to))
    if kind == "webhook":
        return "webhook:" + str(channel.get("url", "")).split("?")[0]
    if kind in ("file", "files"):
        return "file:" + str(channel.get("path", ""))
    secret = "|".join(channel.get("urls", [])) + "|" + str(channel.get("url_env", ""))
    return "apprise:" + hashlib.sha256(secret.encode()).hexdigest()[:12]


def send(channel: dict[str, Any], out: Outgoing) -> str:
    """Deliver through one channel; return a short receipt, raise on failure. The channel calls
    `out.going_out()` right before it connects (or writes)."""
    receipt = module(channel).send(channel, out) or "ok"
    out.going_out()  # a channel that forgot to: claimed before it is recorded as delivered
    return receipt
