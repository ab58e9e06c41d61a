"""The change-detection thresholds and the extraction-broken rule, shared by detect/events.py
(which records `extraction_broken` events) and detect/site_status.py (`sites health`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from monitor.config import Config

FIELDS = {"date": "published_at", "views": "views", "title": "title"}  # crawls.missing_X -> field


@dataclass
class DetectOptions:
    """Thresholds. `unreachable_after` is read from `[portalwatch] unreachable_after` when set."""

    unreachable_after: int = 3  # consecutive failed crawls before site_unreachable
    jump_factor: float = 10.0  # a gain this many times the article's recent hourly rate …
    jump_min: int = 500  # … and at least this many views is a views_anomaly; so is any gain
    # above jump_factor × max(the count before, jump_min), with or without a recent rate
    jump_window_days: float = 7.0  # "recent" rate = over this many days before the reading
    broken_share: float = 0.5  # share of articles missing a field in one crawl …
    broken_margin: float = 0.4  # … at least this much above the site's usual share
    broken_history: int = 5  # usual share = over this many previous good crawls
    broken_min_articles: int = 5  # ignore crawls that saw fewer articles

    @classmethod
    def from_config(cls, config: Config | None) -> DetectOptions:
        opts = cls()
        n = getattr(getattr(config, "service", None), "unreachable_after", None)
        if isinstance(n, int) and n >= 1:
            opts.unreachable_after = n
        return opts


@dataclass
class FieldShare:
    missing: int
    share: float  # missing / articles seen in the last good crawl (capped at 1)
    usual: float | None  # the same over the previous good crawls; None without history
    broken: bool = False


def usual_missing(conn: sqlite3.Connection, site_ids: list[str], before_crawl: int, history: int) -> dict | None:
    """{"date"|"views"|"title": share} over the last `history` good crawls before `before_crawl`
    that saw articles, or None when there is no such crawl."""
    marks = ",".join("?" * len(site_ids))
    row = conn.execute(
        "SELECT SUM(articles_seen), SUM(missing_date), SUM(missing_views), SUM(missing_title) FROM"
        f" (SELECT * FROM crawls WHERE site_id IN ({marks}) AND id < ? AND outcome IN ('ok', 'partial')"
        "  AND articles_seen > 0 ORDER BY id DESC LIMIT ?)", (*site_ids, before_crawl, history)).fetchone()
    if not row[0]:
        return None
    return {name: min(1.0, (row[1 + n] or 0) / row[0]) for n, name in enumerate(FIELDS)}


def broken_fields(seen: int, counts: dict[str, int], usual: dict | None,
                  opts: DetectOptions) -> dict[str, FieldShare]:
    """Per field: share missing now vs usual; `broken` by the rule of DetectOptions `opts`."""
    out = {}
    for name in FIELDS:
        share = min(1.0, counts[name] / seen) if seen else 0.0
        u = usual[name] if usual else None
        broken = (u is not None and seen >= opts.broken_min_articles and share >= opts.broken_share
                  and share - u >= opts.broken_margin)
        out[name] = FieldShare(counts[name], round(share, 3), None if u is None else round(u, 3), broken)
    return out
