"""Delivering digests, and the ledger that makes each delivery happen once.

The channel types themselves (keys, checks, stable names, sending) are monitor/channels/; this
package sends through them (`send`) and remembers what was sent (ledger.py, outgoing.py).
"""

from __future__ import annotations

from typing import Any

from monitor.channels import channel
from monitor.notify.outgoing import ChannelError, NotClaimed, Outgoing

__all__ = ["ChannelError", "NotClaimed", "Outgoing", "send"]


def send(table: dict[str, Any], out: Outgoing) -> str:
    """Deliver through one channel; return a short receipt, raise on failure (ChannelError for an
    unknown type). The channel calls `out.going_out()` right before it connects (or writes)."""
    receipt = channel(table).send(out) or "ok"
    out.going_out()  # a channel that forgot to: claimed before it is recorded as delivered
    return receipt
