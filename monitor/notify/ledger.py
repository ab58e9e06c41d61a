"""The `deliveries` ledger: plan each (recipient, channel, window) once, send it, remember it.

Semantics (also in docs/digests.md, "Delivery semantics"):
- A digest is planned once per recipient and window, in one transaction with one `deliveries` row
  per channel (status 'pending'); the next window starts where this one ends, so no period is
  reported twice and none is skipped.
- The digest is rendered first; just before the first byte goes out the row is committed as
  'sending' (attempt counted); right after, 'delivered'. A delivered row is never sent again.
  A crash while rendering leaves the row 'pending' (nothing went out): the next run sends it.
- Email: once DATA is answered 250 the message is delivered, whatever QUIT answers.
  Webhook: only a 2xx answer to the POST itself counts (redirects are not followed). A webhook
  that answers after the timeout is sent again: webhooks are at-least-once, with a stable
  X-Portalwatch-Delivery id for receivers to drop repeats.
- An attempt that fails (server down, refused, HTTP error, missing env var) is 'failed' and is
  retried on later runs with exponential backoff (5 min, 10 min, … capped at 6 h); after
  MAX_ATTEMPTS it is 'gave_up'. Every channel is attempted on its own: one failing channel never
  blocks the others.
- A process killed between sending and recording leaves 'sending'; the next run marks it
  'uncertain' and does NOT resend it (at-most-once for that narrow window): a digest that may
  have arrived is never sent twice. `portalwatch deliveries` lists it; after checking, an
  operator resends with `portalwatch deliveries --retry ID`. Every attempt of a delivery carries
  the same id (email Message-ID, webhook X-Portalwatch-Delivery, file name), so a receiver can
  drop a repeat.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import sqlite_utils

from crawler import clock
from monitor import notify
from monitor.channels import channel_key
from monitor.config import Config, Recipient
from monitor.digest import build, resolve_window
from monitor.notify.outgoing import Outgoing
from monitor.store.dbutil import pid_alive, transaction

BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 10
STALE_AFTER = timedelta(hours=1)  # a 'sending' row this old is abandoned even if its pid lives
OPEN = ("pending", "failed")


@dataclass
class Result:
    delivery_id: int
    recipient_id: str
    channel: str
    status: str
    attempts: int
    detail: str


def run(db: sqlite_utils.Database, config: Config, now: datetime | None = None, *,
        recipient_ids: list[str] | None = None, force: bool = False,
        since: str | datetime | None = None, until: str | datetime | None = None) -> list[Result]:
    """Plan the digests that are due (or forced, or the explicit window), then send everything
    pending or due for a retry. Returns one Result per attempted delivery."""
    now = now or clock.now()
    recover_stale(db, now)
    recipients = [config.recipient(r) for r in recipient_ids] if recipient_ids else config.recipients
    cache: dict = {}  # recipients planned together share per-site numbers
    for r in recipients:
        if r.channels and (since or until or force or is_due(db, r, now)):
            plan(db, config, r, now, since=since, until=until, check_due=not (force or since or until), cache=cache)
    return send_pending(db, config, now, recipient_ids=[r.id for r in recipients])


def last_slot(send_at: str, now: datetime) -> datetime:
    """The most recent moment ≤ now at the recipient's local send time (HH:MM, Vietnam time)."""
    hh, mm = (int(x) for x in send_at.split(":"))
    local = now.astimezone(clock.VN_TZ)
    slot = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
    return slot if slot <= local else slot - timedelta(days=1)


def is_due(db: sqlite_utils.Database, recipient: Recipient, now: datetime) -> bool:
    """Due when the send time has come today and no digest of this recipient reaches it (the
    first digest ever waits for today's send time too)."""
    slot = last_slot(recipient.send_at, now)
    last = db.conn.execute("SELECT MAX(window_end) FROM digests WHERE recipient_id = ? AND kind = 'daily'",
                           (recipient.id,)).fetchone()[0]
    if last is None:
        return slot.date() == now.astimezone(clock.VN_TZ).date()
    return last < clock.iso(slot)


def plan(db: sqlite_utils.Database, config: Config, recipient: Recipient, now: datetime, *,
         since=None, until=None, check_due: bool = False, cache: dict | None = None) -> int | None:
    """Build and record one digest with a 'pending' delivery per channel; return its id.
    Planning the same window again adds nothing (except rows for channels added since)."""
    conn = db.conn
    with transaction(conn):
        if check_due and not is_due(db, recipient, now):
            return None  # another process planned it first
        since_iso, until_iso = resolve_window(db, recipient.id, since, until, now)
        return record(db, recipient, "daily", since_iso, until_iso, now,
                      lambda: build(db, config, recipient, since_iso, until_iso, generated_at=clock.iso(now),
                                    cache=cache))


def record(db: sqlite_utils.Database, recipient: Recipient, kind: str, since: str, until: str, now: datetime,
           data: Callable[[], dict]) -> int:
    """Inside the caller's transaction: the digest row of this recipient, kind and window (built by
    `data()` only when new) and one 'pending' delivery per channel (none twice); its id."""
    conn = db.conn
    now_iso = clock.iso(now)
    row = conn.execute("SELECT id FROM digests WHERE recipient_id = ? AND kind = ? AND window_start = ?"
                       " AND window_end = ?", (recipient.id, kind, since, until)).fetchone()
    if row:
        digest_id = row[0]
    else:
        digest_id = conn.execute(
            "INSERT INTO digests (recipient_id, kind, window_start, window_end, created_at, data) VALUES (?,?,?,?,?,?)",
            (recipient.id, kind, since, until, now_iso, json.dumps(data(), ensure_ascii=False))).lastrowid
    for ch in recipient.channels:
        conn.execute(
            "INSERT OR IGNORE INTO deliveries (digest_id, recipient_id, kind, channel, channel_type, window_start,"
            " window_end, status, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,'pending',?,?)",
            (digest_id, recipient.id, kind, channel_key(ch), ch["type"], since, until, now_iso, now_iso))
    return digest_id


def send_pending(db: sqlite_utils.Database, config: Config, now: datetime | None = None, *,
                 recipient_ids: list[str] | None = None) -> list[Result]:
    """Attempt every delivery that is pending, or failed and due for its retry."""
    now = now or clock.now()
    rows = db.conn.execute(
        "SELECT d.id, d.digest_id, d.recipient_id, d.channel, g.data FROM deliveries d"
        " JOIN digests g ON g.id = d.digest_id WHERE d.status IN ('pending', 'failed')"
        " AND d.next_attempt_at <= ? ORDER BY d.id", (clock.iso(now),)).fetchall()
    results = []
    for did, digest_id, rid, key, data in rows:
        if recipient_ids is not None and rid not in recipient_ids:
            continue
        channel = _channel(config, rid, key)
        if channel is None:
            _finish(db, did, "gave_up", "recipient or channel no longer configured", now)
            continue
        out = Outgoing(did, digest_id, rid, json.loads(data), base_dir=Path(config.path).resolve().parent,
                       claim=partial(_claim, db, did, now))
        try:
            receipt = notify.send(channel, out)
        except notify.NotClaimed:
            continue  # another process took it
        except Exception as e:  # noqa: BLE001 - any failure of one channel is recorded, never raised
            if not out.claimed and not _claim(db, did, now):  # failed before anything went out
                continue  # (still an attempt, unless another process took the row meanwhile)
            status = _record_failure(db, did, f"{type(e).__name__}: {e}" if not isinstance(e, notify.ChannelError) else str(e), now)
            results.append(Result(did, rid, key, status, _attempts(db, did), str(e)))
            continue
        _record_success(db, did, now)
        results.append(Result(did, rid, key, "delivered", _attempts(db, did), receipt))
    return results


def recover_stale(db: sqlite_utils.Database, now: datetime | None = None) -> int:
    """'sending' rows whose process died (or that are older than STALE_AFTER) become 'uncertain'."""
    now = now or clock.now()
    stale = []
    for did, pid, claimed_at in db.conn.execute(
            "SELECT id, claimed_pid, claimed_at FROM deliveries WHERE status = 'sending'").fetchall():
        old = claimed_at < clock.iso(now - STALE_AFTER)
        if pid != os.getpid() and (old or not pid_alive(pid)):
            stale.append(did)
    for did in stale:
        _finish(db, did, "uncertain", "the sending process ended before recording the result: it may have "
                "arrived, so it is not resent automatically (portalwatch deliveries --retry ID)", now, only="sending")
    return len(stale)


def retry(db: sqlite_utils.Database, delivery_id: int, now: datetime | None = None) -> bool:
    """Operator's decision: send this (failed, gave_up or uncertain) delivery again on the next run."""
    cur = db.conn.execute(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ?"
        " AND status IN ('failed', 'gave_up', 'uncertain')", (clock.iso(now or clock.now()), delivery_id))
    return cur.rowcount == 1


def list_deliveries(db: sqlite_utils.Database, statuses: tuple[str, ...] | None = None) -> list[dict]:
    where = f" WHERE status IN ({', '.join('?' * len(statuses))})" if statuses else ""
    return [dict(r) for r in db.query(
        "SELECT id, recipient_id, kind, channel, channel_type, window_start, window_end, status, attempts,"
        f" next_attempt_at, last_error, created_at, delivered_at FROM deliveries{where} ORDER BY id",
        list(statuses or ()))]


# -- the state changes, each its own committed transaction ----------------------------------------
def _claim(db, did: int, now: datetime) -> bool:
    cur = db.conn.execute(
        "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, claimed_pid = ?, claimed_at = ?"
        " WHERE id = ? AND status IN ('pending', 'failed') AND next_attempt_at <= ?",
        (os.getpid(), clock.iso(now), did, clock.iso(now)))
    return cur.rowcount == 1


def _record_success(db, did: int, now: datetime) -> None:
    db.conn.execute("UPDATE deliveries SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ?",
                    (clock.iso(now), did))


def _record_failure(db, did: int, error: str, now: datetime) -> str:
    attempts = _attempts(db, did)
    status = "gave_up" if attempts >= MAX_ATTEMPTS else "failed"
    wait = min(BACKOFF_FIRST * 2 ** max(0, attempts - 1), BACKOFF_CAP)
    db.conn.execute("UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                    (status, error[:1000], clock.iso(now + wait), did))
    return status


def _finish(db, did: int, status: str, error: str, now: datetime, only: str | None = None) -> None:
    db.conn.execute(f"UPDATE deliveries SET status = ?, last_error = ? WHERE id = ?{' AND status = ?' if only else ''}",
                    (status, error, did, *([only] if only else [])))


def _attempts(db, did: int) -> int:
    return db.conn.execute("SELECT attempts FROM deliveries WHERE id = ?", (did,)).fetchone()[0]


def _channel(config: Config, rid: str, key: str) -> dict | None:
    for r in config.recipients:
        if r.id == rid:
            return next((ch for ch in r.channels if channel_key(ch) == key), None)
    return None
