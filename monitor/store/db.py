"""The SQLite store's write side: the batched upsert of crawled items with the view-count rule
(site mirroring and crawl rows: monitor/store/crawls.py; reads: reads.py; opening: connect.py).

The crawl is the one writer of these tables. Every batch is one transaction, so `kill -9` at any
moment leaves either the whole batch or none of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from crawler import clock
from crawler.items import (
    ArticleItem,
    CrawlFinishedItem,
    CrawlStartedItem,
    FetchErrorItem,
    GoneItem,
    IncompleteListItem,
    ListPageItem,
    NotModifiedItem,
    SampleItem,
)
from monitor.store.connect import open_db
from monitor.store.crawls import CrawlRows
from monitor.store.dbfile import StorageError, explain, is_storage_error
from monitor.store.dbutil import inserted_id
from monitor.store.gaps import FieldGaps
from monitor.store.reads import IN_CHUNK, Reads

GONE_CONFIRMATIONS = 2  # consecutive 404/410 answers before an article counts as removed
SAMPLES_PER_SITE = 20  # html_samples kept per site (oldest dropped)
SQLITE_INT_MAX = 2**63 - 1  # the largest INTEGER SQLite stores


def content_hash(body: str) -> str:
    """SHA-1 of the body text: a changed hash is a body edit (titles are compared directly)."""
    return hashlib.sha1(body.encode()).hexdigest()


class Store(Reads, CrawlRows, FieldGaps):
    """Write side of the database: the one writer of the crawl's tables (crawl pipeline, the
    coordinator that ingests item feeds, `sites check --keep`, tests)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.db = open_db(self.path)
        self.conn: sqlite3.Connection = self.db.conn
        self._rows: dict[tuple[str, str], list] | None = None
        self._primed: set[str] = set()
        self._batch: dict[tuple[str, str], list] = {}  # rows of this batch's articles (unprimed sites)
        self._data_version: int | None = None  # PRAGMA data_version after our last batch
        self.crawl_ids: dict[str, int] = {}  # site id -> its crawl row, from CrawlStartedItem
        self._lacking: dict[str, dict[str, tuple[set[str], set[str]]]] = {}  # FieldGaps
        self._pending: list[tuple[str, str, tuple[set[str], set[str]]]] = []
        # the crawl run's lease token (monitor.store.lease): set, a batch stores a site only while
        # the run holds its lease; `lost`: site id -> why it no longer does (nothing more stored)
        self.lease: str | None = None
        self.lost: dict[str, str] = {}

    def close(self) -> None:
        self.conn.close()

    # -- the batched upsert ------------------------------------------------------------------
    def apply(self, items: list, crawl_ids: dict[str, int] | None = None, *,
              ingest_mark: tuple[str, int] | None = None) -> dict[str, Counter]:
        """Store a batch of items in one transaction; return per-site counters.

        `crawl_ids`: crawl rows already open for these sites (a coordinator's, monitor/cluster): a
        site's CrawlStartedItem then adopts its row instead of opening one.
        `ingest_mark=(job_id, seq)`: the items are a feed's lines up to `seq`; the mark is stored in
        the same transaction (table ingest_marks), so a feed is ingested once (monitor/cluster).

        Each item is written inside its own SAVEPOINT: a sighting that SQLite refuses (a value
        it cannot hold, a constraint) is rolled back alone and recorded as a fetch_errors row;
        the other sightings of the batch, and the other sites, are stored. A storage failure (a
        full disk, a read-only file, a lock held too long) rolls the whole batch back and raises
        StorageError, whose message names the cause ("disk full: …"); the store stays usable.
        """
        given = crawl_ids or {}
        counts: dict[str, Counter] = {}
        flushed: dict[str, Counter] = {}
        opened = dict(self.crawl_ids)  # crawl rows opened before this batch (a rollback keeps only these)
        try:
            with self._tx():
                self._check_other_writers()
                if self.lease is not None:
                    items = self._leased(items, given)
                self._preload(items)
                for item in items:
                    c = counts.setdefault(item.site_id, Counter())
                    crawl_id = given.get(item.site_id) or self.crawl_ids.get(item.site_id)
                    if isinstance(item, CrawlStartedItem):
                        if item.site_id not in given:  # given: a row the coordinator opened (a node's job)
                            self._start_crawl(item)
                    elif isinstance(item, CrawlFinishedItem):
                        self._flush_counts(counts, given, flushed)
                        self._forget_gaps(item.site_id)
                        self._finish_crawl(item, crawl_id)
                    elif isinstance(item, ListPageItem):
                        self._guarded(item.entries, c, crawl_id)
                    elif isinstance(item, ArticleItem):
                        self._guarded([item], c, crawl_id)
                    elif isinstance(item, NotModifiedItem):
                        self.conn.execute(
                            "UPDATE articles SET last_fetched_at = ?, last_seen_at = MAX(last_seen_at, ?),"
                            " gone_checks = 0 WHERE site_id = ? AND key = ?",
                            (item.observed_at, item.observed_at, item.site_id, item.key),
                        )
                        c["not_modified"] += 1
                    elif isinstance(item, GoneItem):
                        self._apply_gone(item, c)
                    elif isinstance(item, FetchErrorItem | IncompleteListItem):
                        self._fetch_error(item.site_id, item.url, item.error, item.observed_at, crawl_id,
                                          getattr(item, "status", None), c)
                    elif isinstance(item, SampleItem):
                        self._save_sample(item, item.crawl_id if item.crawl_id is not None else crawl_id)
                    else:
                        raise TypeError(f"cannot store {type(item).__name__}")
                self._flush_counts(counts, given, flushed)
                if ingest_mark is not None:
                    self.conn.execute(
                        "INSERT INTO ingest_marks (job_id, seq, updated_at) VALUES (?, ?, ?)"
                        " ON CONFLICT (job_id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at",
                        (ingest_mark[0], ingest_mark[1], clock.now_iso()))
        except BaseException as e:
            self._primed.clear()  # the cache may hold rows of the rolled-back batch
            self.crawl_ids = opened  # rows this batch opened were rolled back with it
            if isinstance(e, sqlite3.Error) and is_storage_error(e) and not isinstance(e, StorageError):
                raise StorageError(explain(self.path, e)) from e
            raise
        finally:
            self._batch = {}
        self._data_version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return counts

    def _leased(self, items: list, given: dict[str, int]) -> list:
        """Inside the write transaction: the items of sites whose lease is still the run's. A site
        whose lease row is another run's, or gone (taken over once expired: the run was paused
        past its lease), is lost: its crawl row becomes 'aborted' and nothing more of it is stored."""
        sites = sorted({it.site_id for it in items} - set(self.lost))
        if sites:
            rows = {r[0]: r[1:] for r in self.conn.execute(
                "SELECT site_id, holder, pid, hostname FROM crawl_leases WHERE site_id IN (SELECT value FROM json_each(?))",
                (json.dumps(sites),))}
            for sid in sites:
                holder, pid, host = rows.get(sid, (None, None, None))
                if holder == self.lease:
                    continue
                who = f"pid {pid} on host {host}" if holder else "another run"
                why = (f"its crawl lease was taken over by {who} while this crawl was paused past it;"
                       " nothing more of it stored by this crawl")
                self.lost[sid] = why
                logging.getLogger("portalwatch.lease").warning("site %s: %s", sid, why)
        kept = [it for it in items if it.site_id not in self.lost or isinstance(it, CrawlStartedItem)]
        for sid, why in self.lost.items():
            cid = given.get(sid) or self.crawl_ids.get(sid)
            started = next((it for it in kept if isinstance(it, CrawlStartedItem) and it.site_id == sid), None)
            if cid is None and started is not None and sid not in given:
                self._start_crawl(started)  # its row, to say why it stops here
                cid = self.crawl_ids.get(sid)
            if cid is not None:
                self.conn.execute("UPDATE crawls SET outcome = 'aborted', finished_at = ?, error_summary = ?"
                                  " WHERE id = ? AND outcome = 'running'", (clock.now_iso(), why, cid))
        return [it for it in kept if it.site_id not in self.lost]

    def _flush_counts(self, counts: dict[str, Counter], given: dict[str, int], flushed: dict[str, Counter]) -> None:
        """Add the batch's counters not yet added to the crawl rows (before a crawl finishes)."""
        for site_id, c in counts.items():
            done = flushed.setdefault(site_id, Counter())
            cid = given.get(site_id) or self.crawl_ids.get(site_id)
            keep = {k: v - done[k] for k, v in c.items() if k in _CRAWL_COUNTERS and v - done[k]}
            if cid and keep:
                sets = ", ".join(f"{k} = {k} + :{k}" for k in keep)
                self.conn.execute(f"UPDATE crawls SET {sets} WHERE id = :id", {**keep, "id": cid})
                done.update(keep)

    def _preload(self, items: list) -> None:
        """Inside the write transaction: the rows of this batch's articles, one query per site
        (sites primed for the whole crawl use their cache). Exact: no one else writes meanwhile."""
        wanted: dict[str, list[str]] = {}
        for item in items:
            if isinstance(item, ListPageItem):
                entries = item.entries
            elif isinstance(item, ArticleItem):
                entries = [item]
            else:
                continue
            if item.site_id not in self._primed:
                wanted.setdefault(item.site_id, []).extend(e.key for e in entries)
        for sid, keys in wanted.items():
            keys = list(dict.fromkeys(keys))
            for i in range(0, len(keys), IN_CHUNK):
                chunk = keys[i:i + IN_CHUNK]
                for r in self.conn.execute(
                    f"SELECT site_id, key, {_ROW_COLS} FROM articles WHERE site_id = ? AND key IN"
                    f" ({', '.join('?' * len(chunk))})", (sid, *chunk),
                ):
                    self._batch[(r[0], r[1])] = list(r[2:])
                for k in chunk:
                    self._batch.setdefault((sid, k), None)  # type: ignore[arg-type]

    def save_samples(self, items: list[SampleItem]) -> list[int]:
        """Keep pages in html_samples outside a crawl (`sites check --keep`), with the per-site
        cap; returns the new rows' ids (those the cap did not drop at once)."""
        before = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM html_samples").fetchone()[0]
        self.apply(items)
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM html_samples WHERE id > ? ORDER BY id", (before,))]

    def _check_other_writers(self) -> None:
        """Inside the write lock: when another connection (a second crawl of the same sites)
        committed since our last batch, the cached rows may be stale; read from the database."""
        dv = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if self._data_version is not None and dv != self._data_version and self._primed:
            self._primed.clear()
        self._data_version = dv

    def _guarded(self, entries: list[ArticleItem], c: Counter, crawl_id: int | None) -> None:
        """The sightings of one item (a list page, an article page) in one SAVEPOINT; when SQLite
        refuses one, they are written again one by one, and only the refused one is lost."""
        for it in entries:
            if it.views is not None and not 0 <= it.views <= SQLITE_INT_MAX:
                self._fetch_error(it.site_id, it.url, f"{it.source} page: view count {it.views} refused: not a count that can be stored",
                                  it.observed_at, crawl_id, None, c)
                it.views = None
        if self._attempt(entries, c, crawl_id) is None or len(entries) == 1:
            return
        for it in entries:
            self._attempt([it], c, crawl_id)

    def _attempt(self, entries: list[ArticleItem], c: Counter, crawl_id: int | None) -> Exception | None:
        self.conn.execute("SAVEPOINT item")
        mine: Counter = Counter()
        self._pending = []
        try:
            for it in entries:
                self._apply_article(it, mine, crawl_id)
        except (sqlite3.Error, OverflowError, ValueError, TypeError) as e:
            self._pending = []
            if is_storage_error(e) or not self.conn.in_transaction:
                raise  # not this sighting's fault: the whole batch fails, and says why
            self.conn.execute("ROLLBACK TO item")
            self.conn.execute("RELEASE item")
            self._primed.discard(entries[0].site_id)  # cached rows may hold what was rolled back
            for it in entries:
                self._batch.pop((it.site_id, it.key), None)
            if len(entries) == 1:
                it = entries[0]
                self._fetch_error(it.site_id, it.url, f"could not store the {it.source} sighting: {e}",
                                  it.observed_at, crawl_id, None, c)
            return e
        self.conn.execute("RELEASE item")
        c.update(mine)
        self._keep_gaps()
        return None

    def _fetch_error(self, site_id, url, error, observed_at, crawl_id, status, c: Counter) -> None:
        self.conn.execute(
            "INSERT INTO fetch_errors (crawl_id, site_id, url, status, error, observed_at) VALUES (?, ?, ?, ?, ?, ?)",
            (crawl_id, site_id, url, status, error, observed_at),
        )
        c["errors"] += 1

    def prime(self, site_ids: Iterable[str]) -> None:
        """Load the rows apply() compares against, for these sites, in one query each.

        While the crawl is the only writer the cache stays exact and each sighting costs one
        write instead of a read and a write; apply() drops it when another process wrote.
        """
        if self._rows is None:
            self._rows = {}
        # read before the rows: a commit by another process from here on drops the cache
        self._data_version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        for sid in site_ids:
            for r in self.conn.execute(f"SELECT site_id, key, {_ROW_COLS} FROM articles WHERE site_id = ?", (sid,)):
                self._rows[(r[0], r[1])] = list(r[2:])
            self._primed.add(sid)

    def _cache(self, site_id: str) -> dict | None:
        """The cache holding this site's rows: the crawl-long one, or this batch's."""
        if self._rows is not None and site_id in self._primed:
            return self._rows
        return self._batch

    def _row(self, site_id: str, key: str) -> list | None:
        if self._rows is not None and site_id in self._primed:
            return self._rows.get((site_id, key))
        if (site_id, key) in self._batch:
            return self._batch[(site_id, key)]
        r = self.conn.execute(
            f"SELECT {_ROW_COLS} FROM articles WHERE site_id = ? AND key = ?", (site_id, key)
        ).fetchone()
        return list(r) if r else None

    def _apply_article(self, it: ArticleItem, c: Counter, crawl_id: int | None) -> None:
        row = self._row(it.site_id, it.key)
        is_article = it.source == "article"
        if it.source == "list" or row is None:
            c["articles_seen"] += 1
            self._missing_seen(it, row, c)
        else:
            self._missing_read(it, c)
        if row is None:
            body_hash = content_hash(it.body) if is_article and it.body is not None else None
            # ON CONFLICT: another process may have stored this article a moment ago
            cur = self.conn.execute(
                "INSERT INTO articles (site_id, key, url, title, list_title, category, published_at,"
                " published_text, summary, body, author, content_hash, first_seen_at, last_seen_at,"
                " last_fetched_at, views, views_observed_at, views_checked_at, etag, last_modified)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (site_id, key) DO NOTHING",
                (
                    it.site_id, it.key, it.url, it.title, None if is_article else it.title,
                    it.category, it.published_at, it.published_text, it.summary, it.body, it.author,
                    body_hash, it.observed_at, it.observed_at, it.observed_at if is_article else None,
                    it.views, it.observed_at if it.views is not None else None,
                    it.observed_at if it.views is not None else None, it.etag, it.last_modified,
                ),
            )
            if cur.rowcount == 0:
                self._primed.discard(it.site_id)
                self._batch.pop((it.site_id, it.key), None)
                row = self._row(it.site_id, it.key)
        if row is None:
            c["articles_new"] += 1
            aid = inserted_id(cur)
            if it.views is not None:
                self._reading(aid, it, crawl_id)
                c["views_changed"] += 1
            cache = self._cache(it.site_id)
            if cache is not None:
                cache[(it.site_id, it.key)] = [
                    cur.lastrowid, it.title, None if is_article else it.title, body_hash, it.views, "live",
                    it.published_at, it.published_text, it.category, it.summary, it.author,
                ]
            return

        aid, title, list_title, old_hash, views, status = row[:6]
        current = dict(zip(_FILLABLE, row[6:], strict=True))
        sets: dict[str, object] = {"last_seen_at": it.observed_at}
        updated = False
        if status != "live":
            sets.update(status="live", removed_at=None)
            updated = True
        if it.source == "list":
            sets["gone_checks"] = 0
        if it.title:
            if is_article:
                if title and it.title != title and old_hash is not None:
                    self._revision(aid, it, "title", title, it.title, crawl_id)
                    updated = True
                sets["title"] = it.title
            else:
                if list_title and it.title != list_title:
                    self._revision(aid, it, "list_title", list_title, it.title, crawl_id)
                    updated = True
                sets["list_title"] = it.title
                if not title:
                    sets["title"] = it.title
        for f in _FILLABLE:  # the article page is authoritative; a list only fills gaps
            value = getattr(it, f)
            if value is not None and (is_article or current[f] is None):
                sets[f] = value
        if is_article:
            sets.update(last_fetched_at=it.observed_at, gone_checks=0, url=it.url)
            if it.etag or it.last_modified:
                sets.update(etag=it.etag, last_modified=it.last_modified)
            if it.body is not None:
                new_hash = content_hash(it.body)
                if old_hash and new_hash != old_hash:
                    old_body = self.conn.execute("SELECT body FROM articles WHERE id = ?", (aid,)).fetchone()[0]
                    self._revision(aid, it, "body", old_body, it.body, crawl_id)
                    updated = True
                if new_hash != old_hash:
                    sets.update(body=it.body, content_hash=new_hash)
        if it.views is not None:
            sets["views_checked_at"] = it.observed_at
            if (views is None or it.views != views) and self._reading(aid, it, crawl_id, unless_equal=True):
                sets.update(views=it.views, views_observed_at=it.observed_at)
                c["views_changed"] += 1
        if updated:
            c["articles_updated"] += 1
        cols = ", ".join(f"{k} = :{k}" for k in sets)
        self.conn.execute(f"UPDATE articles SET {cols} WHERE id = :_id", {**sets, "_id": aid})
        if self._cache(it.site_id) is not None:  # `row` is the cached list: keep it exact
            for i, name in enumerate(_ROW_NAMES):
                if name in sets:
                    row[i] = sets[name]

    def _reading(self, article_id: int, it: ArticleItem, crawl_id: int | None, unless_equal: bool = False) -> bool:
        """Store a reading; with `unless_equal`, only when the database (not just the cache)
        holds a different count: a concurrent crawl may have stored this one already."""
        sql = "INSERT INTO view_counts (article_id, observed_at, views, source, crawl_id) SELECT ?,?,?,?,?"
        args: tuple = (article_id, it.observed_at, it.views, it.source, crawl_id)
        if unless_equal:
            sql += " WHERE NOT EXISTS (SELECT 1 FROM articles WHERE id = ? AND views IS ?)"
            args += (article_id, it.views)
        return self.conn.execute(sql, args).rowcount == 1

    def _revision(self, aid, it, field, old, new, crawl_id) -> None:
        self.conn.execute(
            "INSERT INTO article_revisions (article_id, observed_at, field, old_value, new_value, crawl_id)"
            " VALUES (?,?,?,?,?,?)",
            (aid, it.observed_at, field, old, new, crawl_id),
        )

    def _apply_gone(self, it: GoneItem, c: Counter) -> None:
        row = self.conn.execute(
            "SELECT id, gone_checks, status FROM articles WHERE site_id = ? AND key = ?",
            (it.site_id, it.key),
        ).fetchone()
        if row is None:
            return
        aid, checks, status = row
        checks += 1
        if status == "live" and checks >= GONE_CONFIRMATIONS:
            self.conn.execute(
                "UPDATE articles SET gone_checks = ?, status = 'removed', removed_at = ? WHERE id = ?",
                (checks, it.observed_at, aid),
            )
            c["articles_removed"] += 1
        else:
            self.conn.execute("UPDATE articles SET gone_checks = ? WHERE id = ?", (checks, aid))

    def _save_sample(self, it: SampleItem, crawl_id: int | None) -> None:
        self.conn.execute(
            "INSERT INTO html_samples (site_id, url, kind, reason, html, saved_at, crawl_id)"
            " VALUES (?,?,?,?,?,?,?)",
            (it.site_id, it.url, it.page, it.reason, it.html, it.observed_at, crawl_id),
        )
        self.conn.execute(
            "DELETE FROM html_samples WHERE site_id = ? AND id NOT IN"
            " (SELECT id FROM html_samples WHERE site_id = ? ORDER BY id DESC LIMIT ?)",
            (it.site_id, it.site_id, SAMPLES_PER_SITE),
        )

    def ingest_mark(self, job_id: str) -> int:
        """The last feed line of this job stored (0: none)."""
        row = self.conn.execute("SELECT seq FROM ingest_marks WHERE job_id = ?", (job_id,)).fetchone()
        return row[0] if row else 0


_FILLABLE = ("published_at", "published_text", "category", "summary", "author")
_ROW_NAMES = ("id", "title", "list_title", "content_hash", "views", "status", *_FILLABLE)
_ROW_COLS = ", ".join(_ROW_NAMES)
_CRAWL_COUNTERS = {
    "articles_seen", "articles_new", "articles_updated", "views_changed", "not_modified",
    "missing_date", "missing_views", "missing_title", "errors",
}
