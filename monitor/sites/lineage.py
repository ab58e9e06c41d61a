"""The stored site ids whose history belongs to a unit: itself, former ids, merged units
(`portalwatch sites lineage`, over the `site_lineage` table)."""

from __future__ import annotations

import sqlite3

LINEAGE = (
    "SELECT l.site_id, l.relation, l.hops, (SELECT COUNT(*) FROM articles a WHERE a.site_id = l.site_id)"
    " AS articles FROM site_lineage l WHERE l.unit_id = ? ORDER BY l.hops, l.site_id"
)


def lineage(conn: sqlite3.Connection, unit_id: str) -> list[dict]:
    """[{site_id, relation, hops, articles}] for the unit, nearest first (empty: not stored yet)."""
    cur = conn.execute(LINEAGE, [unit_id])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]
