"""One digest on its way to one channel (`Outgoing`: a monitor.channels Delivery), and the two
ways a delivery attempt ends without sending: ChannelError (failed; monitor.channels') and
NotClaimed (another process took it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.channels.base import ChannelError

__all__ = ["ChannelError", "NotClaimed", "Outgoing"]


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
