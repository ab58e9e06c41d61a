"""Site and unit ids an analyst names (--site, --parent), checked against the database."""

from __future__ import annotations

import difflib
import json
import sqlite3


class UnknownIdError(ValueError):
    """An id that names no stored site or unit; the message lists the close matches."""


def known(conn: sqlite3.Connection) -> tuple[set[str], set[str]]:
    """(site ids, unit ids): every stored site, former id and parent; units are sites and parents."""
    sites = {r[0] for r in conn.execute("SELECT id FROM sites UNION SELECT DISTINCT site_id FROM articles")}
    for (raw,) in conn.execute("SELECT aliases FROM sites WHERE aliases IS NOT NULL"):
        try:
            sites.update(json.loads(raw) or [])
        except (ValueError, TypeError):
            pass
    parents = {r[0] for r in conn.execute("SELECT DISTINCT parent FROM sites WHERE parent IS NOT NULL")}
    return sites, sites | parents


def check(conn: sqlite3.Connection, sites=(), parents=()) -> None:
    """Raise UnknownIdError for the first id that names nothing in the database."""
    site_ids, unit_ids = known(conn)
    for opt, values, pool in (("--site", sites, site_ids), ("--parent", parents, unit_ids)):
        for v in values:
            if v not in pool:
                close = difflib.get_close_matches(v, sorted(pool), n=3, cutoff=0.75)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise UnknownIdError(f"{opt} {v}: no such {'site' if opt == '--site' else 'site or unit'} in the "
                                     f"database{hint} (`portalwatch sites list` shows the ids)")
