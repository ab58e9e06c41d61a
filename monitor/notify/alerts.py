"""Immediate alerts through the ledger: after each detect, each recipient with `alerts` gets ONE
message with the serious events not yet alerted (grouped), unless it is in its quiet hours or had
an alert less than `alert_interval` ago (then they wait: held, sent by a later run). An event goes
into at most one alert per recipient (table `alerted`, written in the alert's own transaction), and
the alert is a `digests` row of kind 'alert' with one delivery per channel, sent exactly like a
digest (monitor/notify/ledger.py).

    alerts = ["site_unreachable", "extraction_broken", "article_removed", "views_anomaly"]
    quiet_hours = "22:00-06:30"     # the default; "off" sends at night too
    alert_interval = "1h"           # the default
    unreachable_hours = 6           # a site_unreachable alert waits until the outage is 6 hours old
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlite_utils

from crawler import clock
from monitor.config import Config, Recipient
from monitor.config.messages import quiet_until
from monitor.digest import alert
from monitor.digest.build import page_link
from monitor.notify.ledger import Result, record, recover_stale, send_pending
from monitor.store.dbutil import transaction
from monitor.when import duration

LOOKBACK = timedelta(hours=24)  # events older than this (beyond unreachable_hours) never alert


def held(recipient: Recipient, db: sqlite_utils.Database, now: datetime) -> str | None:
    """Why this recipient's alerts wait now (quiet hours, the interval), None when they may go."""
    end = quiet_until(recipient.quiet_hours, now)
    if end is not None:
        return f"quiet hours until {clock.local(clock.iso(end), '%H:%M')}"
    last = db.conn.execute("SELECT MAX(created_at) FROM digests WHERE recipient_id = ? AND kind = 'alert'",
                           (recipient.id,)).fetchone()[0]
    gap = duration(recipient.alert_interval, "mh") or timedelta(hours=1)
    if last and clock.parse_iso(last) + gap > now:
        return f"the last alert was at {clock.local(last, '%H:%M')} (alert_interval {recipient.alert_interval})"
    return None


def due_events(db: sqlite_utils.Database, config: Config, recipient: Recipient, now: datetime) -> list[dict]:
    """The recipient's events of its alert kinds not alerted yet; a site_unreachable one only once the
    outage is `unreachable_hours` old and the site still fails."""
    if not recipient.alerts:
        return []
    sites = [s.id for s in config.sites_for(recipient)]
    since = clock.iso(now - LOOKBACK - timedelta(hours=recipient.unreachable_hours))
    rows = db.conn.execute(
        "SELECT e.id, e.kind, e.site_id, e.article_id, e.observed_at, e.details, a.title, a.url FROM events e"
        " LEFT JOIN articles a ON a.id = e.article_id"
        " WHERE e.kind IN (SELECT value FROM json_each(:kinds)) AND e.site_id IN (SELECT value FROM json_each(:sites))"
        " AND e.observed_at > :since AND e.observed_at <= :now"
        " AND NOT EXISTS (SELECT 1 FROM alerted x WHERE x.recipient_id = :rid AND x.event_id = e.id)"
        " ORDER BY e.observed_at, e.id",
        {"kinds": json.dumps(recipient.alerts), "sites": json.dumps(sites), "since": since,
         "now": clock.iso(now), "rid": recipient.id}).fetchall()
    out = []
    for eid, kind, site, aid, observed, details, title, url in rows:
        d = json.loads(details or "{}")
        if kind == "site_unreachable" and recipient.unreachable_hours:
            began = clock.parse_iso(d.get("since") or observed)
            if began + timedelta(hours=recipient.unreachable_hours) > now or not _still_failing(db, site):
                continue
        out.append({"id": eid, "kind": kind, "site_id": site, "article_id": aid, "observed_at": observed,
                    "details": d, "title": title, "url": url})
    return out


def _still_failing(db: sqlite_utils.Database, site_id: str) -> bool:
    row = db.conn.execute("SELECT outcome FROM crawls WHERE site_id = ? AND finished_at IS NOT NULL"
                          " ORDER BY finished_at DESC, id DESC LIMIT 1", (site_id,)).fetchone()
    return bool(row) and row[0] == "failed"


def build(db: sqlite_utils.Database, config: Config, recipient: Recipient, now: datetime) -> dict | None:
    """The alert this recipient would get now (None: nothing to alert), ignoring quiet hours."""
    events = due_events(db, config, recipient, now)
    if not events:
        return None
    names = {s.id: s.name for s in config.sites_for(recipient)}
    since = _since(db, recipient, events)
    until = clock.iso(now)
    return alert.build(recipient, events, names, since, until, page_link(config, recipient, since, until))


def _since(db: sqlite_utils.Database, recipient: Recipient, events: list[dict]) -> str:
    last = db.conn.execute("SELECT MAX(window_end) FROM digests WHERE recipient_id = ? AND kind = 'alert'",
                           (recipient.id,)).fetchone()[0]
    return last or min(e["observed_at"] for e in events)


def plan(db: sqlite_utils.Database, config: Config, now: datetime | None = None, *,
         recipient_ids: list[str] | None = None) -> list[tuple[str, int | str]]:
    """Plan the alerts due now: [(recipient id, digest id)], or [(recipient id, why it waits)]."""
    now = now or clock.now()
    out: list[tuple[str, int | str]] = []
    for r in config.recipients:
        if not r.alerts or not r.channels or (recipient_ids is not None and r.id not in recipient_ids):
            continue
        with transaction(db.conn):  # chosen and marked in one transaction: never the same event twice
            data = build(db, config, r, now)
            if data is None:
                continue
            why = held(r, db, now)
            if why:
                out.append((r.id, why))
                continue
            w, built = data["window"], data

            def recorded(built: dict = built) -> dict:
                return built

            digest_id = record(db, r, "alert", w["since"], w["until"], now, recorded)
            db.conn.executemany("INSERT INTO alerted (recipient_id, event_id, digest_id) VALUES (?, ?, ?)",
                                [(r.id, e["id"], digest_id) for e in data["events"]])
            out.append((r.id, digest_id))
    return out


def run(db: sqlite_utils.Database, config: Config, now: datetime | None = None, *,
        recipient_ids: list[str] | None = None) -> list[Result]:
    """Plan the alerts due now and send every delivery waiting (alerts, and digests due a retry)."""
    now = now or clock.now()
    recover_stale(db, now)
    plan(db, config, now, recipient_ids=recipient_ids)
    return send_pending(db, config, now, recipient_ids=recipient_ids)


def wanted(config: Config) -> bool:
    """Does any recipient ask for alerts?"""
    return any(r.alerts and r.channels for r in config.recipients)
