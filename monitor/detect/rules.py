"""The change-detection thresholds and the extraction-broken rule, shared by detect/events.py
(which records `extraction_broken` events) and detect/site_status.py (`sites health`).

A site's usual share of articles missing a field comes from its healthy crawls only: a crawl
that was itself broken (an `extraction_broken` event records it, or, for crawls detect has not
examined yet, the same rule applied in order) never becomes "usual", so a site stays broken
until it reads normally again.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from dataclasses import dataclass

from monitor.config import Config
from monitor.kinds import event_kind

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
    broken_history: int = 5  # usual share = over this many previous healthy crawls
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


_GOOD = "outcome IN ('ok', 'partial') AND articles_seen > 0"
_COUNTS = "articles_seen, missing_date, missing_views, missing_title"


def _broken_keys() -> tuple[list[str], list[str]]:
    """The extraction_broken event's dedupe key around the crawl id, per field: (prefixes, suffixes)."""
    parts = [event_kind("extraction_broken").dedupe_key(site="", crawl="\x00", field=f).split("\x00") for f in FIELDS]
    return [p[0] for p in parts], [p[1] for p in parts]


def _healthy_sql(site_ids: list[str]) -> tuple[str, list]:
    """Good crawls of these sites with no extraction_broken event (one unique-key seek per field)."""
    prefixes, suffixes = _broken_keys()
    seeks = " OR ".join("e.dedupe_key = ? || c.id || ?" for _ in FIELDS)
    args = [a for pair in zip(prefixes, suffixes, strict=True) for a in pair]
    return (f"c.site_id IN ({','.join('?' * len(site_ids))}) AND c.{_GOOD}"
            f" AND NOT EXISTS (SELECT 1 FROM events e WHERE {seeks})", [*site_ids, *args])


def _share(rows) -> dict | None:
    seen = sum(r[0] for r in rows)
    if not seen:
        return None
    return {name: min(1.0, sum(r[1 + n] or 0 for r in rows) / seen) for n, name in enumerate(FIELDS)}


def usual_missing(conn: sqlite3.Connection, site_ids: list[str], before_crawl: int, history: int) -> dict | None:
    """{"date"|"views"|"title": share} over the last `history` healthy crawls before `before_crawl`
    (ok or partial, articles seen, no extraction_broken event), or None when there is none."""
    where, args = _healthy_sql(site_ids)
    rows = conn.execute(f"SELECT {_COUNTS} FROM crawls c WHERE {where} AND c.id < ? ORDER BY c.id DESC LIMIT ?",
                        (*args, before_crawl, history)).fetchall()
    return _share(rows)


def history_usual(conn: sqlite3.Connection, site_ids: list[str], crawl_id: int, opts: DetectOptions,
                  limit: int = 200) -> dict | None:
    """The usual shares for crawl `crawl_id` from healthy history, also when detect has not run over
    the crawls before it: those (after detect's watermark, at most `limit`) are judged here in order,
    each against the healthy ones before it, and a broken one is left out like a recorded one."""
    row = conn.execute("SELECT value FROM detect_state WHERE name = 'crawls'").fetchone()
    mark = row[0] if row else 0
    marks = ",".join("?" * len(site_ids))
    fresh = conn.execute(
        f"SELECT {_COUNTS} FROM crawls WHERE site_id IN ({marks}) AND {_GOOD} AND id > ? AND id < ?"
        " ORDER BY id DESC LIMIT ?", (*site_ids, mark, crawl_id, limit)).fetchall()[::-1]
    where, args = _healthy_sql(site_ids)
    first = min(crawl_id, mark + 1)
    prior = conn.execute(f"SELECT {_COUNTS} FROM crawls c WHERE {where} AND c.id < ? ORDER BY c.id DESC LIMIT ?",
                         (*args, first, opts.broken_history)).fetchall()[::-1]
    healthy: deque = deque(prior, maxlen=opts.broken_history)
    for r in fresh:
        usual = _share(healthy)
        shares = broken_fields(r[0], dict(zip(FIELDS, r[1:4], strict=True)), usual, opts)
        if not any(f.broken for f in shares.values()):
            healthy.append(r)
    return _share(healthy)


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
