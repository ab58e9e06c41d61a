"""One article's view history, found by what an analyst has at hand: its id, its URL (as
printed anywhere, tracking parameters and all) or words of its title (diacritics ignored)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from crawler.extract.urls import canonical_url
from monitor.analyst.search import fold, plain

_COLUMNS = ("id", "site_id", "site_name", "title", "url", "published_at", "views", "status")
_SELECT = ("SELECT a.id, a.site_id, COALESCE(s.name, a.site_id), COALESCE(a.title, a.list_title), a.url,"
           " a.published_at, a.views, a.status FROM articles a LEFT JOIN sites s ON s.id = a.site_id")


@dataclass
class Found:
    """What a reference matched: `how` (id, url, title) and the candidates (best first)."""

    how: str
    articles: list[dict] = field(default_factory=list)
    total: int = 0  # how many match in all (a title search shows the best `limit`)


def find(conn: sqlite3.Connection, ref: str, limit: int = 20) -> Found:
    """The articles `ref` names: a number is an id, an http(s) URL a page (compared canonically,
    so `?utm_…` or a print view still match), anything else words of the title. A title typed
    in full (diacritics and case aside) wins over titles that merely contain its words."""
    ref = " ".join(ref.split())
    if not ref:
        return Found("title")
    if ref.isdigit():
        rows = _rows(conn, f"{_SELECT} WHERE a.id = ?", (int(ref),))
        return Found("id", rows, len(rows))
    if ref.lower().startswith(("http://", "https://")):
        rows = _rows(conn, f"{_SELECT} WHERE a.url = ?", (ref,))
        if not rows:
            want = canonical_url(ref)
            host = ref.split("/")[2] if ref.count("/") >= 2 else ""
            rows = [r for r in _rows(conn, f"{_SELECT} WHERE a.url LIKE ?", (f"%{host}%",))
                    if canonical_url(r["url"]) == want]
        return Found("url", rows, len(rows))
    words = " ".join('"' + w.replace('"', '""') + '"' for w in fold(ref).split())
    match = "{title_ascii} : (" + words + ")"
    rows = _rows(conn, f"{_SELECT} WHERE a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
                       " ORDER BY rank LIMIT ?) ORDER BY a.published_at DESC, a.id", (match, limit))
    exact = [r for r in rows if _same(r["title"], ref)]
    if len(exact) == 1:
        return Found("title", exact, 1)
    total = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)).fetchone()[0]
    return Found("title", rows, total)


def _same(a: str | None, b: str) -> bool:
    return plain(a or "") == plain(b)


def _rows(conn: sqlite3.Connection, sql: str, params: tuple) -> list[dict]:
    return [dict(zip(_COLUMNS, r, strict=True)) for r in conn.execute(sql, params)]


def readings(conn: sqlite3.Connection, article_id: int) -> list[dict]:
    """Every stored reading of the article, oldest first, with the gain since the one before."""
    rows = conn.execute(
        "SELECT observed_at, views, views - LAG(views) OVER (ORDER BY observed_at, id), source"
        " FROM view_counts WHERE article_id = ? ORDER BY observed_at, id", (article_id,))
    return [dict(zip(("observed_at", "views", "gained", "source"), r, strict=True)) for r in rows]

