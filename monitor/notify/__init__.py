"""Delivery channels for digests, and the ledger that makes each delivery happen once.

Sending only: a channel table's keys and checks (and its stable name) are monitor/channels.py,
which config.py validates with. One module per channel type: smtp.py (email), webhook.py,
apprise_channel.py, files.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from monitor.channels import unknown_type


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
        raise ChannelError(unknown_type(kind))
    return mods[kind]


def send(channel: dict[str, Any], out: Outgoing) -> str:
    """Deliver through one channel; return a short receipt, raise on failure. The channel calls
    `out.going_out()` right before it connects (or writes)."""
    receipt = module(channel).send(channel, out) or "ok"
    out.going_out()  # a channel that forgot to: claimed before it is recorded as delivered
    return receipt
