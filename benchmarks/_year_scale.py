"""A sampled year database grown to the whole country: each site outside the sample gets a copy
of the history of the sampled site next to it in the world's order (same province as a rule),
with its own ids, and its host in the URLs. Rows and sizes are then the whole country's (within
the sample's spread), so what depends on the database's size (digests of a whole province,
analyst views, housekeeping, backups, a crawl cycle's reads and writes) is measured at full size.

Plain SQL (INSERT … SELECT), one transaction per group of sampled sites; the copy number k of a
site shifts every id by k times the sample's largest (articles, readings, crawls); the FTS index is
fed by its trigger; views_daily is copied, not recomputed (its trigger is dropped meanwhile, in
the same transaction).
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
GROUP = 8  # sampled sites copied per transaction


def copies(world, sampled: list[str], everyone: list[str]) -> dict[str, list[str]]:
    """Sampled site -> the sites that take its history: each site outside the sample takes the
    sampled site at or after it in the world's order (the last one for the tail)."""
    order = {sid: i for i, sid in enumerate(everyone)}
    marks = sorted(order[s] for s in sampled)
    by_index = {order[s]: s for s in sampled}
    chosen = set(sampled)
    out: dict[str, list[str]] = {s: [] for s in sampled}
    for sid in everyone:
        if sid not in chosen:
            i = bisect.bisect_left(marks, order[sid])
            out[by_index[marks[min(i, len(marks) - 1)]]].append(sid)
    return out


def scale_up(db: Path, world, sampled: list[str], everyone: list[str], say=print) -> dict:
    """Fill every site of `everyone` outside `sampled` with a copy of a sampled site's history."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=60)
    conn.execute("PRAGMA cache_size = -262144")
    t0 = time.perf_counter()
    top = {t: conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {t}").fetchone()[0]
           for t in ("articles", "view_counts", "crawls", "events")}
    a, v, c, e = (top[t] for t in ("articles", "view_counts", "crawls", "events"))
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'view_counts_daily'").fetchone()[0]
    plan = copies(world, sampled, everyone)
    conn.execute("CREATE TEMP TABLE copy (src TEXT, dst TEXT PRIMARY KEY, k INTEGER, src_host TEXT, dst_host TEXT)")
    groups = [sampled[i:i + GROUP] for i in range(0, len(sampled), GROUP)]
    for n, group in enumerate(groups, 1):
        conn.execute("DELETE FROM temp.copy")
        conn.executemany("INSERT INTO temp.copy VALUES (?, ?, ?, ?, ?)",
                         [(s, d, k, world.sites[s].host, world.sites[d].host)
                          for s in group for k, d in enumerate(plan[s], 1)])
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DROP TRIGGER view_counts_daily")
        conn.execute(f"INSERT INTO articles (id, site_id, {_ARTICLE_COLS}) SELECT x.id + m.k * {a}, m.dst,"
                     f" {_ARTICLE_COLS.replace('url,', 'replace(x.url, m.src_host, m.dst_host),', 1)}"
                     f" FROM temp.copy m JOIN articles x ON x.site_id = m.src AND x.id < {a}")
        conn.execute(f"INSERT INTO crawls (id, site_id, {_CRAWL_COLS}) SELECT x.id + m.k * {c}, m.dst, {_CRAWL_COLS}"
                     f" FROM temp.copy m JOIN crawls x ON x.site_id = m.src AND x.id < {c}")
        conn.execute(f"INSERT INTO fetch_errors (crawl_id, site_id, url, status, error, observed_at)"
                     f" SELECT x.crawl_id + m.k * {c}, m.dst, replace(x.url, m.src_host, m.dst_host), x.status,"
                     f" x.error, x.observed_at FROM temp.copy m JOIN fetch_errors x ON x.site_id = m.src"
                     f" AND x.crawl_id < {c}")
        conn.execute(f"INSERT INTO view_counts (id, article_id, observed_at, views, source, crawl_id)"
                     f" SELECT x.id + m.k * {v}, x.article_id + m.k * {a}, x.observed_at, x.views, x.source,"
                     f" x.crawl_id + m.k * {c} FROM temp.copy m JOIN articles y ON y.site_id = m.src AND y.id < {a}"
                     f" JOIN view_counts x ON x.article_id = y.id AND x.id < {v}")
        conn.execute(f"INSERT INTO views_daily SELECT x.article_id + m.k * {a}, x.day, x.views_gained, x.views,"
                     f" x.readings, x.last_observed_at FROM temp.copy m JOIN articles y ON y.site_id = m.src"
                     f" AND y.id < {a} JOIN views_daily x ON x.article_id = y.id")
        conn.execute(f"INSERT INTO events (kind, site_id, article_id, observed_at, detected_at, dedupe_key, details)"
                     f" SELECT x.kind, m.dst, x.article_id + m.k * {a}, x.observed_at, x.detected_at,"
                     f" x.dedupe_key || '@' || m.dst, x.details FROM temp.copy m JOIN events x ON x.site_id = m.src"
                     f" AND x.id < {e}")
        conn.execute(f"INSERT INTO detect_sites SELECT m.dst, x.baseline_at, x.baseline_articles,"
                     f" x.last_article_id + m.k * {a} FROM temp.copy m JOIN detect_sites x ON x.site_id = m.src")
        conn.execute(trigger)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        say(f"#   copies {n}/{len(groups)}: {time.perf_counter() - t0:.0f} s", flush=True)
    for name, table in (("view_counts", "view_counts"), ("crawls", "crawls")):
        conn.execute(f"INSERT INTO detect_state (name, value) SELECT ?, MAX(id) FROM {table} WHERE true"
                     " ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name,))
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"groups": len(groups), "seconds": time.perf_counter() - t0}
