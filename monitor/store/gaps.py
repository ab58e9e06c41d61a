"""Which fields a crawl found for no page of an article: the crawl row's `missing_date`,
`missing_views` and `missing_title` count articles, not pages. Mixed into Store, inside its
transactions.

A field an article's list entry lacks counts as missing until an article page of the same crawl
gives it (a Liferay ward prints every count on its lists and only some on the article pages: none
of its articles lacks a count). A view count the lists never carried for an article (its stored
count was read on article pages only) is expected from the article page: missing only when that
page, read in this crawl, lacks it too.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable

from crawler.items import ArticleItem, CrawlFinishedItem, ListPageItem

MISSING = {"published_at": "missing_date", "views": "missing_views", "title": "missing_title"}  # crawls columns


class FieldGaps:
    """Per crawl and site, the articles seen with fields no page gave yet."""

    conn: sqlite3.Connection
    _lacking: dict[str, dict[str, tuple[set[str], set[str]]]]  # site -> key -> (missing, excused)
    _pending: list[tuple[str, str, tuple[set[str], set[str]]]]  # kept once the item's savepoint is released
    _row: Callable[[str, str], list | None]  # Store's: the stored row of (site, key)

    def _missing_seen(self, it: ArticleItem, row: list | None, c: Counter) -> None:
        """An article seen by this crawl (a list sighting, or a new article): each field its page
        lacks counts as missing, until an article page of the same crawl gives it. A view count
        the lists never carried for it (its stored count was read from article pages only) is not
        missing from the list: it is expected from the article page (_missing_read)."""
        lack, excused = set(), set()
        for f in it.missing:
            if (f == "views" and it.source == "list" and row is not None and row[4] is not None
                    and not self._views_from_list(row[0])):
                excused.add(f)
            else:
                lack.add(f)
                c[MISSING[f]] += 1
        self._pending.append((it.site_id, it.key, (lack, excused)))

    def _missing_read(self, it: ArticleItem, c: Counter) -> None:
        """An article page of an article this crawl has seen: a field it gives is no longer missing;
        one it lacks too, which the list was excused from, now is."""
        lack, excused = self._lacking.get(it.site_id, {}).get(it.key, (set(), set()))
        if not lack and not excused:
            return
        still = set(it.missing)
        for f in lack - still:
            c[MISSING[f]] -= 1
        for f in excused & still:
            c[MISSING[f]] += 1
        self._pending.append((it.site_id, it.key, ((lack | excused) & still, set())))

    def _views_from_list(self, article_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM view_counts WHERE article_id = ? AND source = 'list' LIMIT 1",
                                 (article_id,)).fetchone() is not None

    def _keep_gaps(self) -> None:
        """The item was stored: keep what it changed."""
        for site_id, key, marks in self._pending:
            if marks[0] or marks[1]:
                self._lacking.setdefault(site_id, {})[key] = marks
            else:
                self._lacking.get(site_id, {}).pop(key, None)
        self._pending = []

    def replay_gaps(self, items: list) -> None:
        """What the items stored before a crash left missing (a coordinator resuming a job's feed
        after its mark): an article page stored now still fills the gap of its list sighting
        stored then. Nothing is written and no count changes."""
        scratch: Counter = Counter()
        for line in items:
            if isinstance(line, CrawlFinishedItem):
                self._forget_gaps(line.site_id)
                continue
            # a feed carries a list page's sightings as one line (ListPageItem)
            sightings = line.entries if isinstance(line, ListPageItem) else [line]
            for it in sightings:
                if not isinstance(it, ArticleItem):
                    continue
                self._pending = []
                if it.source == "list":
                    self._missing_seen(it, self._row(it.site_id, it.key), scratch)
                else:
                    self._missing_read(it, scratch)
                self._keep_gaps()
        self._pending = []

    def _forget_gaps(self, site_id: str) -> None:
        """The site's crawl finished: its counts are final."""
        self._lacking.pop(site_id, None)
