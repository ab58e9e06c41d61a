"""The `sites` mirror and the `crawls` rows: opened by a CrawlStartedItem (or a coordinator),
counted and closed by a CrawlFinishedItem. Mixed into Store, inside its transactions."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict

from crawler import clock
from crawler.items import INCOMPLETE, CrawlFinishedItem, CrawlStartedItem
from monitor.store.dbutil import inserted_id, pid_alive, transaction


class CrawlRows:
    """Site mirroring and crawl bookkeeping of the store."""

    conn: sqlite3.Connection
    crawl_ids: dict[str, int]

    def _tx(self):
        return transaction(self.conn)

    def sync_sites(self, sites: Iterable) -> None:
        """Mirror configured sites into `sites` (insert new, update changed; keep removed ones)."""
        now = clock.now_iso()
        with self._tx():
            for s in sites:
                cfg = {k: v for k, v in asdict(s).items() if v not in (None, [], {})}
                row = dict(
                    id=s.id, name=s.name, level=s.level, parent=s.parent, profile=s.profile,
                    host=s.host, start_urls=json.dumps(s.start_urls),
                    aliases=json.dumps(s.aliases, ensure_ascii=False),
                    merged_from=json.dumps(s.merged_from, ensure_ascii=False),
                    enabled=int(s.enabled), config=json.dumps(cfg, ensure_ascii=False), updated_at=now,
                )
                cur = self.conn.execute("SELECT 1 FROM sites WHERE id = ?", (s.id,)).fetchone()
                if cur:
                    sets = ", ".join(f"{k} = :{k}" for k in row if k != "id")
                    self.conn.execute(f"UPDATE sites SET {sets} WHERE id = :id", row)
                else:
                    row["added_at"] = now
                    cols = ", ".join(row)
                    self.conn.execute(
                        f"INSERT INTO sites ({cols}) VALUES ({', '.join(':' + k for k in row)})", row
                    )

    # -- crawls ---------------------------------------------------------------------------
    def abort_stale_crawls(self) -> int:
        """Crawls left 'running' by a process that no longer exists become 'aborted'."""
        stale = []
        for cid, pid in self.conn.execute("SELECT id, pid FROM crawls WHERE outcome = 'running'"):
            if pid is None or not pid_alive(pid) or pid == os.getpid():
                stale.append(cid)
        if stale:
            with self._tx():
                self.conn.executemany(
                    "UPDATE crawls SET outcome = 'aborted', finished_at = COALESCE(finished_at, ?),"
                    " error_summary = COALESCE(error_summary, 'process ended before the crawl finished')"
                    " WHERE id = ?",
                    [(clock.now_iso(), c) for c in stale],
                )
        return len(stale)

    def begin_crawl(self, site_id: str, list_walk: str = "full") -> int:
        """A `crawls` row opened by a coordinator that crawls elsewhere (Scrapyd nodes)."""
        with self._tx():
            cur = self.conn.execute(
                "INSERT INTO crawls (site_id, started_at, pid, list_walk) VALUES (?, ?, ?, ?)",
                (site_id, clock.now_iso(), os.getpid(), list_walk),
            )
        return inserted_id(cur)

    def mark_aborted(self, pids: Iterable[int], summary: str, after_id: int = 0, outcome: str = "aborted") -> int:
        """Crawl rows of these (killed) processes still 'running' become `outcome`: 'aborted' (an
        interrupt, a child gone) or 'failed' (not finished at the crawl's timeout: the site's
        failure); returns how many. Rows of sites that finished keep their outcome."""
        pids = list(pids)
        if not pids:
            return 0
        with self._tx():
            return self.conn.execute(
                "UPDATE crawls SET outcome = ?, finished_at = ?, error_summary = ?"
                f" WHERE pid IN ({', '.join('?' * len(pids))}) AND id > ? AND outcome = 'running'",
                (outcome, clock.now_iso(), summary, *pids, after_id),
            ).rowcount

    def _start_crawl(self, it: CrawlStartedItem) -> None:
        cur = self.conn.execute(
            "INSERT INTO crawls (site_id, started_at, pid, list_walk) VALUES (?, ?, ?, ?)",
            (it.site_id, it.started_at, it.pid, it.list_walk),
        )
        self.crawl_ids[it.site_id] = inserted_id(cur)

    def _finish_crawl(self, it: CrawlFinishedItem, crawl_id: int | None) -> None:
        if crawl_id is None:
            raise ValueError(f"crawl of site {it.site_id!r} finished but never started (no crawl_started item)")
        pages = {"list_pages": it.list_pages, "article_pages": it.article_pages,
                 "pages_fetched": it.list_pages + it.article_pages + it.not_modified_pages}
        sets = ", ".join(f"{k} = {k} + :{k}" for k in pages)
        self.conn.execute(f"UPDATE crawls SET {sets} WHERE id = :id", {**pages, "id": crawl_id})
        # the store records errors too (values it refused): count what the crawl row holds
        stored = self.conn.execute("SELECT errors FROM crawls WHERE id = ?", (crawl_id,)).fetchone()[0]
        outcome = it.outcome
        if outcome == "ok" and max(it.errors, stored or 0):
            outcome = "partial"
        summary = "; ".join(filter(None, [self._error_summary(crawl_id), it.error_summary])) or None
        if it.storage_error:
            outcome, summary = "failed", it.storage_error
        self.conn.execute(
            "UPDATE crawls SET finished_at = ?, outcome = ?, error_summary = ? WHERE id = ?",
            (it.finished_at, outcome, summary, crawl_id),
        )
        if it.list_hint and outcome in ("ok", "partial"):
            self.conn.execute(
                "INSERT INTO list_hints (site_id, hint, learned_at) VALUES (?, ?, ?)"
                " ON CONFLICT (site_id) DO UPDATE SET hint = excluded.hint, learned_at = excluded.learned_at",
                (it.site_id, it.list_hint, it.finished_at))

    def _error_summary(self, crawl_id: int) -> str | None:
        # a list that was probably not walked to its end first: it says the crawl missed articles
        rows = self.conn.execute(
            "SELECT error, COUNT(*) FROM fetch_errors WHERE crawl_id = ? GROUP BY error"
            " ORDER BY substr(error, 1, ?) = ? DESC, 2 DESC LIMIT 3",
            (crawl_id, len(INCOMPLETE), INCOMPLETE),
        ).fetchall()
        if not rows:
            return None
        return "; ".join(f"{err} ×{n}" if n > 1 else err for err, n in rows)

    def add_crawl_counts(self, crawl_id: int, counts: dict[str, int]) -> None:
        if not counts:
            return
        sets = ", ".join(f"{k} = {k} + :{k}" for k in counts)
        with self._tx():
            self.conn.execute(f"UPDATE crawls SET {sets} WHERE id = :id", {**counts, "id": crawl_id})

    def finish_crawl(self, crawl_id: int, outcome: str, error_summary: str | None = None) -> None:
        with self._tx():
            self.conn.execute(
                "UPDATE crawls SET finished_at = ?, outcome = ?, error_summary = ? WHERE id = ?",
                (clock.now_iso(), outcome, error_summary, crawl_id),
            )
