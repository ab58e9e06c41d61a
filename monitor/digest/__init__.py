"""Daily digests: build.py (the data, from numbers.py, compare.py, problems.py) → render.py
(Jinja2 text/HTML/Markdown).

Sending, and remembering what was sent, is monitor.notify's job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from crawler import clock
from monitor.config import Config, Recipient
from monitor.digest.build import all_sites_recipient, as_iso, build, default_window
from monitor.digest.render import Rendered, render

__all__ = ["Rendered", "build", "build_for", "default_window", "preview", "preview_rendered", "render", "pick_recipient",
           "resolve_window"]


def pick_recipient(config: Config, recipient_id: str | None = None) -> Recipient:
    """The named recipient, else the first configured one, else a stand-in covering every site."""
    if recipient_id:
        return config.recipient(recipient_id)
    return config.recipients[0] if config.recipients else all_sites_recipient(config)


def resolve_window(db: sqlite_utils.Database, recipient_id: str, since: str | datetime | None = None,
                   until: str | datetime | None = None, now: datetime | None = None) -> tuple[str, str]:
    """(since, until) as UTC ISO: explicit values win; by default since the recipient's last
    digest (else the last 24 hours) until now; an explicit end alone means the 24 hours before it."""
    d_since, d_until = default_window(db, recipient_id, now)
    until_iso = as_iso(until) or d_until
    since_iso = as_iso(since)  # None for None or "" (not given)
    if since_iso is None:
        since_iso = d_since if until is None else clock.iso(clock.parse_iso(until_iso) - timedelta(hours=24))
    return min(since_iso, until_iso), until_iso


def build_for(db: sqlite_utils.Database, config: Config, recipient: Recipient,
              since: str | datetime | None = None, until: str | datetime | None = None,
              now: datetime | None = None) -> dict:
    """Build with the window resolved by resolve_window()."""
    s, u = resolve_window(db, recipient.id, since, until, now)
    return build(db, config, recipient, s, u, generated_at=clock.iso(now or clock.now()))


def preview(db: sqlite_utils.Database, config: Config, recipient_id: str | None = None,
            since: str | datetime | None = None, until: str | datetime | None = None) -> tuple[str, str]:
    """(text, html) of a recipient's digest, without sending or recording anything."""
    out = preview_rendered(db, config, recipient_id, since, until)
    return out.text, out.html


def preview_rendered(db: sqlite_utils.Database, config: Config, recipient_id: str | None = None,
                     since: str | datetime | None = None, until: str | datetime | None = None) -> Rendered:
    """A recipient's digest in every format (text, html, markdown, chat(), data), nothing recorded."""
    return render(build_for(db, config, pick_recipient(config, recipient_id), since, until))
