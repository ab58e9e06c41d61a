"""Delivery channels for digests, and the ledger that makes each delivery happen once.

Sending only: a channel table's keys and checks (and its stable name) are monitor/config/channels.py,
which monitor/config/load.py validates with. One module per channel type: smtp.py (email), webhook.py,
apprise_channel.py, files.py.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from monitor.config.channels import unknown_type
from monitor.notify.outgoing import ChannelError, NotClaimed, Outgoing

__all__ = ["ChannelError", "NotClaimed", "Outgoing", "module", "send"]


def _modules() -> dict[str, ModuleType]:
    from monitor.notify import apprise_channel, files, smtp, webhook

    return {"email": smtp, "smtp": smtp, "webhook": webhook, "apprise": apprise_channel,
            "file": files, "files": files}


def module(channel: dict[str, Any]) -> ModuleType:
    """The notify module that sends this channel's type (ChannelError for an unknown type)."""
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
