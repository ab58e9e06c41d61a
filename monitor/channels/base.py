"""What every channel type is: a class owning its keys, their checks, its stable name and its
sending. One class per file in this package; monitor/channels/__init__.py lists them.

    class FaxChannel(Channel):
        type = "fax"                      # the `type` of its [[recipient]] channel tables
        keys = ("number", "token_env")    # allowed besides `type` and `id`
        required = ("number",)

        @classmethod
        def problem(cls, table): ...      # what is wrong with a table (None: fine)
        def target(self): ...             # its stable name without an `id`: "fax:+84…"
        def send(self, out): ...          # deliver one digest; a short receipt, or ChannelError

Sending gets the digest as a `Delivery` (monitor/notify/outgoing.py's Outgoing is one): the
rendered versions, the data, an idempotency key, and `going_out()` to call right before the
first byte leaves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Protocol


class ChannelError(RuntimeError):
    """A delivery attempt failed; the message is stored in deliveries.last_error."""


class Rendered(Protocol):
    """One digest rendered in every format (monitor.digest.render.Rendered)."""

    subject: str
    text: str
    html: str
    markdown: str
    images: dict[str, bytes]  # content id → PNG, shown inline by the HTML (email)
    attachments: dict[str, bytes]  # file name → bytes, sent along (a report's .xlsx)

    def chat(self, limit: int = 2000) -> str: ...  # the chat-sized plain text


class Delivery(Protocol):
    """One digest on its way to one channel, as a channel sees it."""

    recipient_id: str
    data: dict
    base_dir: Path

    @property
    def key(self) -> str: ...

    def rendered(self, images: str = "data") -> Rendered: ...

    def going_out(self) -> None: ...


class Channel:
    """One channel table of a [[recipient]], checked (`check`) and sendable (`send`)."""

    type: ClassVar[str]  # its `type` in the TOML file
    aliases: ClassVar[tuple[str, ...]] = ()  # other accepted spellings of `type`
    keys: ClassVar[tuple[str, ...]] = ()  # the keys it allows besides `type` and `id`
    required: ClassVar[tuple[str, ...]] = ()  # those it cannot do without

    def __init__(self, table: dict[str, Any]):
        self.table = table

    @classmethod
    def problem(cls, table: dict[str, Any]) -> str | None:
        """The type's own check of a table whose keys are allowed and complete (None: valid)."""
        return None

    @classmethod
    def check(cls, table: dict[str, Any]) -> str | None:
        """None when the table is valid, else what is wrong (one line, for the config error)."""
        allowed = set(cls.keys) | {"type", "id"}
        for key in table:
            if key not in allowed:
                hint = " (secrets come from environment variables: use the *_env keys)" if key in (
                    "password", "secret", "username", "token") else ""
                return f"{table['type']} channel: unknown key {key!r}{hint}; allowed: {', '.join(sorted(allowed))}"
        for key in cls.required:
            if key not in table:
                return f"{table['type']} channel: missing required key {key!r}"
        return cls.problem(table)

    def target(self) -> str:
        """Its stable name when it has no `id`: type + target, e.g. "email:a@x.vn"."""
        raise NotImplementedError

    def key(self) -> str:
        """The name of this channel in the ledger (survives reordering the TOML): `id`, else target()."""
        return str(self.table["id"]) if self.table.get("id") else self.target()

    def send(self, out: Delivery) -> str:
        """Deliver one digest; return a short receipt, raise ChannelError on failure. Call
        `out.going_out()` once everything is rendered, right before the first byte goes out."""
        raise NotImplementedError
