"""What a crawl reads about stored articles, a list page at a time (never the whole history
at once): `Reads` (mixed into Store) and `Reader`, the read-only connection the spider gets
(it answers crawler.stored.KnownLookup)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable

from crawler.plan import Known
from monitor.store.connect import open_db

_KNOWN_COLS = (
    "a.key, a.id, a.url, a.list_title, a.title, a.published_at, a.views, a.views_checked_at,"
    " a.views_observed_at, a.first_seen_at, a.last_fetched_at, a.etag, a.last_modified, a.status,"
    " a.body IS NOT NULL, p.views, p.observed_at FROM articles a LEFT JOIN view_counts p ON p.id = ("
    "SELECT v.id FROM view_counts v WHERE v.article_id = a.id AND v.observed_at < a.views_observed_at"
    " ORDER BY v.observed_at DESC LIMIT 1)"
)
IN_CHUNK = 500  # keys per `IN (…)` lookup


def _known(r) -> Known:
    """A Known from a row of _KNOWN_COLS: the fields up to status, body IS NOT NULL, the previous reading."""
    fields: tuple = (*r[1:14], bool(r[14]), r[15], r[16])
    return Known(*fields)


class Reads:
    """What a crawl reads about stored articles, a page at a time (never the whole history at
    once: a crawl's memory does not grow with what is stored). Mixed into Store; `Reader` is the read-only connection the spider uses."""

    conn: sqlite3.Connection

    def known_for(self, site_id: str, keys: Iterable[str]) -> dict[str, Known]:
        """The stored state of these articles of the site (absent keys: new articles)."""
        keys = list(dict.fromkeys(keys))
        out: dict[str, Known] = {}
        for i in range(0, len(keys), IN_CHUNK):
            chunk = keys[i:i + IN_CHUNK]
            rows = self.conn.execute(
                f"SELECT {_KNOWN_COLS} WHERE a.site_id = ? AND a.key IN ({', '.join('?' * len(chunk))})",
                (site_id, *chunk),
            )
            out.update((r[0], _known(r)) for r in rows)
        return out

    def live_since(self, site_id: str, horizon: str):
        """(key, url) of the site's live articles published at or after `horizon` ("" = all of
        them): those a complete list walk down to `horizon` must have shown. A cursor, not a list."""
        if horizon:
            return self.conn.execute(
                "SELECT key, url FROM articles WHERE site_id = ? AND status = 'live' AND published_at >= ?",
                (site_id, horizon))
        return self.conn.execute("SELECT key, url FROM articles WHERE site_id = ? AND status = 'live'", (site_id,))

    def dates_usual(self, site_id: str, recent: int = 20) -> bool:
        """The site has ≥ 5 live articles and its `recent` newest stored ones all have a date."""
        rows = self.conn.execute(
            "SELECT published_at FROM articles WHERE site_id = ? AND status = 'live' ORDER BY id DESC LIMIT ?",
            (site_id, max(recent, 5)),
        ).fetchall()
        return len(rows) >= 5 and all(r[0] for r in rows[:recent])

    def known_articles(self, site_id: str) -> dict[str, Known]:
        """Every stored article of a site (tests, plans for nodes without a database)."""
        rows = self.conn.execute(f"SELECT {_KNOWN_COLS} WHERE a.site_id = ?", (site_id,))
        return {r[0]: _known(r) for r in rows}

    def list_views_share(self, site_id: str, recent: int = 50) -> float | None:
        """Share of the site's most recent live articles whose count was ever read on a list page
        (None for a site with fewer than 5): what "the list usually shows views" means."""
        row = self.conn.execute(
            "SELECT COUNT(*), SUM(EXISTS (SELECT 1 FROM view_counts v WHERE v.article_id = a.id AND v.source = 'list'))"
            " FROM (SELECT id FROM articles WHERE site_id = ? AND status = 'live' ORDER BY first_seen_at DESC, id DESC"
            " LIMIT ?) a",
            (site_id, recent),
        ).fetchone()
        return None if row[0] < 5 else row[1] / row[0]


    def list_hint(self, site_id: str) -> str | None:
        """The site's list as its last crawl found it (crawler ListHint.to_json)."""
        row = self.conn.execute("SELECT hint FROM list_hints WHERE site_id = ?", (site_id,)).fetchone()
        return row[0] if row else None


class Reader(Reads):
    """A read-only connection for the spider (the pipeline's Store is the writer)."""

    def __init__(self, path: str | os.PathLike):
        self.db = open_db(path, readonly=True)
        self.conn = self.db.conn

    def close(self) -> None:
        self.conn.close()
