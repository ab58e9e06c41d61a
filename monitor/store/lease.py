"""Per-site crawl leases (the `crawl_leases` table): one process crawls a site at a time.

A crawl run takes the leases of its sites in ONE `BEGIN IMMEDIATE` transaction before it starts
(`take`), renews them from a heartbeat while it runs (`renew`, every ttl/3) and deletes them when
it ends (`release`). A site whose lease another run holds is skipped, with who holds it since when.
A holder that died leaves its rows behind: they are taken over once expired (`expires_at` passed:
any host), or at once when the holder ran on this host and its pid no longer exists.

Lease times are the real wall clock (UTC), never `PORTALWATCH_NOW`: a simulated or replayed clock
says nothing about whether a process is alive. Every write is one short transaction, so a
`kill -9` at any moment leaves whole rows or none; at worst a dead holder's rows wait for expiry.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crawler import clock
from monitor.store.connect import open_db
from monitor.store.dbutil import pid_alive, transaction

log = logging.getLogger("portalwatch.lease")

TTL = 120.0  # seconds a lease lives without a renewal; the heartbeat renews every TTL/3
TTL_ENV = "PORTALWATCH_LEASE_TTL"  # overrides TTL (seconds; tests pause a holder past it)
_COLS = "site_id, holder, pid, hostname, taken_at, renewed_at, expires_at"


@dataclass(frozen=True)
class Held:
    """A lease row: who is crawling a site, since when."""

    site_id: str
    holder: str
    pid: int
    hostname: str
    taken_at: str
    renewed_at: str
    expires_at: str

    def reason(self) -> str:
        """One line for a summary or a job log (Vietnam time)."""
        return (f"being crawled by pid {self.pid} on host {self.hostname} "
                f"since {clock.local(self.taken_at, '%H:%M')} (VN time)")


@dataclass
class Taken:
    """What `take` got: the sites leased to the caller, and the ones others hold."""

    sites: list[str] = field(default_factory=list)
    held: dict[str, Held] = field(default_factory=dict)


def new_holder() -> str:
    """A token unique to one crawl run."""
    return uuid.uuid4().hex


def hostname() -> str:
    return socket.gethostname()


def _now() -> datetime:
    return datetime.now(UTC)  # the real clock on purpose: see the module docstring


@contextmanager
def _connect(db):
    """`db` is an open sqlite3 connection (used as is) or a database path (opened and closed)."""
    if isinstance(db, sqlite3.Connection):
        yield db
        return
    with closing(open_db(db).conn) as conn:
        yield conn


def take(db, site_ids: list[str], holder: str, ttl: float = TTL) -> Taken:
    """Lease the free ones of these sites to `holder`, in one transaction: expired leases and
    leases of a dead pid on this host are dropped first; a lease `holder` already has is renewed."""
    now = _now()
    stamp, expires = clock.iso(now), clock.iso(now + timedelta(seconds=ttl))
    host, pid = hostname(), os.getpid()
    out = Taken()
    with _connect(db) as conn, transaction(conn):
        conn.execute("DELETE FROM crawl_leases WHERE expires_at <= ?", (stamp,))
        dead = [(r[0],) for r in conn.execute("SELECT site_id, pid FROM crawl_leases WHERE hostname = ?", (host,))
                if not pid_alive(r[1])]
        conn.executemany("DELETE FROM crawl_leases WHERE site_id = ?", dead)
        current = {r[0]: Held(*r) for r in conn.execute(
            f"SELECT {_COLS} FROM crawl_leases WHERE site_id IN (SELECT value FROM json_each(?))",
            (json.dumps(site_ids),))}
        for sid in dict.fromkeys(site_ids):
            other = current.get(sid)
            if other is not None and other.holder != holder:
                out.held[sid] = other
                continue
            conn.execute(
                "INSERT INTO crawl_leases (site_id, holder, pid, hostname, taken_at, renewed_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id) DO UPDATE SET"
                " renewed_at = excluded.renewed_at, expires_at = excluded.expires_at",
                (sid, holder, pid, host, stamp, stamp, expires),
            )
            out.sites.append(sid)
    return out


def renew(db, holder: str, ttl: float = TTL) -> int:
    """Push the expiry of `holder`'s leases `ttl` seconds past now; how many it still holds."""
    now = _now()
    with _connect(db) as conn, transaction(conn):
        return conn.execute("UPDATE crawl_leases SET renewed_at = ?, expires_at = ? WHERE holder = ?",
                            (clock.iso(now), clock.iso(now + timedelta(seconds=ttl)), holder)).rowcount


def release(db, holder: str, sites: list[str] | None = None) -> int:
    """Delete `holder`'s leases (all, or of these sites); how many."""
    with _connect(db) as conn, transaction(conn):
        if sites is None:
            return conn.execute("DELETE FROM crawl_leases WHERE holder = ?", (holder,)).rowcount
        return conn.execute("DELETE FROM crawl_leases WHERE holder = ? AND site_id IN (SELECT value FROM json_each(?))",
                            (holder, json.dumps(sites))).rowcount


def current(conn: sqlite3.Connection) -> list[Held]:
    """Every lease row (expired ones too), by site; empty on a database without the table."""
    try:
        return [Held(*r) for r in conn.execute(f"SELECT {_COLS} FROM crawl_leases ORDER BY site_id")]
    except sqlite3.OperationalError:
        return []


class SiteLeases:
    """`with SiteLeases(db, ids) as got:` — take the leases, renew them from a heartbeat thread
    while the block runs, release them when it ends (however it ends)."""

    def __init__(self, db, site_ids: list[str], ttl: float | None = None):
        self.db, self.site_ids = db, list(site_ids)
        self.ttl = ttl or float(os.environ.get(TTL_ENV) or TTL)
        self.held = 0
        self.holder = new_holder()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def __enter__(self) -> Taken:
        got = take(self.db, self.site_ids, self.holder, self.ttl)
        self.held = len(got.sites)
        if got.sites:
            self._beat = threading.Thread(target=self._heartbeat, name="portalwatch-lease", daemon=True)
            self._beat.start()
        return got

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        release(self.db, self.holder)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                held = renew(self.db, self.holder, self.ttl)
                if held < self.held:  # paused past the expiry: others took them; the writer stops storing them
                    log.warning("%d crawl lease(s) of this run were taken over after it went %.0fs without"
                                " renewing; those sites are no longer stored by it", self.held - held, self.ttl)
                    self.held = held
            except sqlite3.Error:
                log.exception("could not renew crawl leases; retrying in %.0fs", self.ttl / 3)
