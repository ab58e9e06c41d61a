"""Weekly and monthly reports through the ledger: once a recipient's `weekly_at` ("mon 08:00") or
`monthly_at` ("1 08:00") has passed, the last whole week (Monday–Sunday) or calendar month before
it, Vietnam time, is planned once — a `digests` row of kind 'weekly' / 'monthly' whose window is
that period, one delivery per channel — and sent like a digest, with its .xlsx attached (email,
file). Only the latest period is planned, and only within two days of its send time: a report the
service missed (down, or `weekly_at` just added mid-week) is not replayed later (`portalwatch
reports --force` makes one by hand)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from crawler import clock
from monitor.config import Config, Recipient
from monitor.config.messages import month_before, monthly_slot, week_before, weekly_slot
from monitor.digest import report
from monitor.digest.build import page_link
from monitor.notify.ledger import Result, record, recover_stale, send_pending
from monitor.store.dbutil import transaction

KINDS = ("weekly", "monthly")


LATE = timedelta(days=2)  # a send time further back than this is skipped (the service was down)


def slot(recipient: Recipient, kind: str, now: datetime) -> datetime | None:
    """The recipient's last send time of this kind ≤ now (None: it has no such report)."""
    at = recipient.weekly_at if kind == "weekly" else recipient.monthly_at
    if at is None:
        return None
    return weekly_slot(at, now) if kind == "weekly" else monthly_slot(at, now)


def period(recipient: Recipient, kind: str, now: datetime, *, force: bool = False) -> tuple[str, str] | None:
    """The [start, end) this recipient's report of this kind covers now (UTC ISO): the period
    before its last send time; None when it has no such report (force: the period before now)."""
    at = slot(recipient, kind, now)
    if at is None and not force:
        return None
    start, end = week_before(at or now) if kind == "weekly" else month_before(at or now)
    return clock.iso(start), clock.iso(end)


def build(db: sqlite_utils.Database, config: Config, recipient: Recipient, kind: str, now: datetime,
          force: bool = False) -> dict | None:
    """The report this recipient would get now (nothing recorded)."""
    span = period(recipient, kind, now, force=force)
    if span is None:
        return None
    start, end = span
    return report.build(db, config, recipient, kind, start, end, link=page_link(config, recipient, start, end))


def plan(db: sqlite_utils.Database, config: Config, now: datetime | None = None, *,
         recipient_ids: list[str] | None = None, kinds: tuple[str, ...] = KINDS, force: bool = False) -> list[int]:
    """Plan the reports due now (each period once); their digest ids."""
    now = now or clock.now()
    out = []
    for r in config.recipients:
        if not r.channels or (recipient_ids is not None and r.id not in recipient_ids):
            continue
        for kind in kinds:
            at = slot(r, kind, now)
            span = period(r, kind, now, force=force)
            if span is None or (not force and at is not None and now - at > LATE):
                continue
            with transaction(db.conn):
                done = db.conn.execute("SELECT 1 FROM digests WHERE recipient_id = ? AND kind = ? AND window_end = ?",
                                       (r.id, kind, span[1])).fetchone()
                if done and not force:
                    continue
                start, end = span

                def data(r: Recipient = r, kind: str = kind, start: str = start, end: str = end) -> dict:
                    return report.build(db, config, r, kind, start, end, link=page_link(config, r, start, end))

                out.append(record(db, r, kind, start, end, now, data))
    return out


def run(db: sqlite_utils.Database, config: Config, now: datetime | None = None, *,
        recipient_ids: list[str] | None = None, kinds: tuple[str, ...] = KINDS, force: bool = False) -> list[Result]:
    """Plan the reports due (or forced) and send every delivery waiting."""
    now = now or clock.now()
    recover_stale(db, now)
    plan(db, config, now, recipient_ids=recipient_ids, kinds=kinds, force=force)
    return send_pending(db, config, now, recipient_ids=recipient_ids)
