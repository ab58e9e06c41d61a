"""A sampled year database grown to the whole country: each site outside the sample gets a copy
of the history of the sampled site next to it in the world's order (same province as a rule),
with its own ids, and its host in the URLs. Rows and sizes are then the whole country's (within
the sample's spread), so what depends on the database's size (digests of a whole province,
analyst views, housekeeping, backups, a crawl cycle's reads and writes) is measured at full size.

Plain SQL (INSERT … SELECT), one transaction per round of copies; the FTS index is fed by its
trigger; views_daily is copied, not recomputed (its trigger is dropped meanwhile, in the same
transaction).
"""

from __future__ import annotations

import bisect
import sqlite3
import time
from pathlib import Path

_ARTICLE_COLS = ("key, url, title, list_title, category, published_at, published_text, summary, body, author,"
                 " content_hash, first_seen_at, last_seen_at, last_fetched_at, views, views_observed_at,"
                 " views_checked_at, status, removed_at, gone_checks, etag, last_modified")
_CRAWL_COLS = ("started_at, finished_at, outcome, pages_fetched, list_pages, article_pages, not_modified,"
               " articles_seen, articles_new, articles_updated, views_changed, missing_date, missing_views,"
               " missing_title, errors, error_summary, pid, list_walk")


def copies(world, sampled: list[str], everyone: list[str]) -> list[list[tuple[str, str]]]:
    """Rounds of (sampled site, site to fill): each site outside the sample takes the sampled
    site at or after it in the world's order (the last one for the tail); a round gives each
    sampled site at most one copy."""
    order = {sid: i for i, sid in enumerate(everyone)}
    marks = sorted(order[s] for s in sampled)
    by_index = {order[s]: s for s in sampled}
    per: dict[str, list[str]] = {}
    chosen = set(sampled)
    for sid in everyone:
        if sid in chosen:
            continue
        i = bisect.bisect_left(marks, order[sid])
        per.setdefault(by_index[marks[min(i, len(marks) - 1)]], []).append(sid)
    rounds: list[list[tuple[str, str]]] = []
    for src, dsts in per.items():
        for k, dst in enumerate(dsts):
            if len(rounds) <= k:
                rounds.append([])
            rounds[k].append((src, dst))
    return rounds


def scale_up(db: Path, world, sampled: list[str], everyone: list[str], say=print) -> dict:
    """Fill every site of `everyone` outside `sampled` with a copy of a sampled site's history."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=60)
    conn.execute("PRAGMA cache_size = -262144")
    t0 = time.perf_counter()
    top = {t: conn.execute(f"SELECT COALESCE(MAX({c}), 0) + 1 FROM {t}").fetchone()[0]
           for t, c in (("articles", "id"), ("view_counts", "id"), ("crawls", "id"))}
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'view_counts_daily'").fetchone()[0]
    rounds = copies(world, sampled, everyone)
    conn.execute("CREATE TEMP TABLE copy (src TEXT PRIMARY KEY, dst TEXT, src_host TEXT, dst_host TEXT)")
    for k, pairs in enumerate(rounds, 1):
        a, v, c = (top[t] * k for t in ("articles", "view_counts", "crawls"))
        conn.execute("DELETE FROM temp.copy")
        conn.executemany("INSERT INTO temp.copy VALUES (?, ?, ?, ?)",
                         [(s, d, world.sites[s].host, world.sites[d].host) for s, d in pairs])
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DROP TRIGGER view_counts_daily")
        conn.execute(f"INSERT INTO articles (id, site_id, {_ARTICLE_COLS}) SELECT x.id + {a}, m.dst,"
                     f" {_ARTICLE_COLS.replace('url,', 'replace(x.url, m.src_host, m.dst_host),', 1)}"
                     f" FROM articles x JOIN temp.copy m ON m.src = x.site_id WHERE x.id < {top['articles']}")
        conn.execute(f"INSERT INTO crawls (id, site_id, {_CRAWL_COLS}) SELECT x.id + {c}, m.dst, {_CRAWL_COLS}"
                     f" FROM crawls x JOIN temp.copy m ON m.src = x.site_id WHERE x.id < {top['crawls']}")
        conn.execute(f"INSERT INTO fetch_errors (crawl_id, site_id, url, status, error, observed_at)"
                     f" SELECT x.crawl_id + {c}, m.dst, replace(x.url, m.src_host, m.dst_host), x.status, x.error,"
                     f" x.observed_at FROM fetch_errors x JOIN temp.copy m ON m.src = x.site_id"
                     f" WHERE x.crawl_id < {top['crawls']}")
        conn.execute(f"INSERT INTO view_counts (id, article_id, observed_at, views, source, crawl_id)"
                     f" SELECT x.id + {v}, x.article_id + {a}, x.observed_at, x.views, x.source, x.crawl_id + {c}"
                     f" FROM view_counts x JOIN articles y ON y.id = x.article_id JOIN temp.copy m ON m.src = y.site_id"
                     f" WHERE x.id < {top['view_counts']}")
        conn.execute(f"INSERT INTO views_daily SELECT x.article_id + {a}, x.day, x.views_gained, x.views, x.readings,"
                     f" x.last_observed_at FROM views_daily x JOIN articles y ON y.id = x.article_id"
                     f" JOIN temp.copy m ON m.src = y.site_id WHERE x.article_id < {top['articles']}")
        conn.execute(f"INSERT INTO events (kind, site_id, article_id, observed_at, detected_at, dedupe_key, details)"
                     f" SELECT x.kind, m.dst, x.article_id + {a}, x.observed_at, x.detected_at,"
                     f" x.dedupe_key || '@' || m.dst, x.details FROM events x JOIN temp.copy m ON m.src = x.site_id"
                     f" WHERE x.dedupe_key NOT LIKE '%@%'")
        conn.execute(f"INSERT INTO detect_sites SELECT m.dst, x.baseline_at, x.baseline_articles,"
                     f" x.last_article_id + {a} FROM detect_sites x JOIN temp.copy m ON m.src = x.site_id")
        conn.execute(trigger)
        conn.execute("COMMIT")
        say(f"#   copy {k}/{len(rounds)}: {len(pairs)} sites, {time.perf_counter() - t0:.0f} s")
    for name, table in (("view_counts", "view_counts"), ("crawls", "crawls")):
        conn.execute("INSERT INTO detect_state (name, value) SELECT ?, MAX(id) FROM " + table +
                     " WHERE true ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name,))
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"rounds": len(rounds), "seconds": time.perf_counter() - t0}
