"""Analyst benchmark: the top-gainers view and search on a national-scale database.

    python -m benchmarks.analyst_bench [--scale 1.0] [--db /tmp/analyst_bench.db] [--keep]

Generates 3,355 sites, 1,000,000 articles and 10,000,000 view_counts rows (times --scale) with
the real schema, then times, on a read-only connection as analysts get it:
  * "top 100 articles by views gained in the last 7 days" (SELECT * FROM top_articles_7d)
  * searches (monitor.analyst.search.search, 20 ranked hits with snippets), rare and common words.
Generation bulk-loads with the triggers and view_counts indexes dropped, then builds the FTS
index and views_daily exactly as migration 3 does, and restores triggers and indexes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from crawler import clock
from monitor.analyst.query import connect
from monitor.analyst.search import FOLD_SQL, search
from monitor.store.connect import open_db
from monitor.store.schema import fill_totals

SYLLABLES = (
    "hội nghị đại biểu nhân dân phường xã quận huyện tỉnh thành phố ủy ban đảng bộ chi bộ công tác "
    "tuyên truyền phổ biến giáo dục pháp luật kinh tế xã hội văn hóa thể thao y tế an ninh trật tự "
    "đô thị môi trường nông thôn mới chuyển đổi số cải cách hành chính tiếp công dân thông báo kế hoạch "
    "triển khai thực hiện nghị quyết chương trình hành động phát triển đầu tư xây dựng giao thông "
    "đường phố cấp nước điện chiếu sáng phòng cháy chữa cháy thiên tai lũ lụt mùa màng lúa gạo cà phê "
    "thanh niên phụ nữ cựu chiến binh mặt trận tổ quốc khen thưởng thi đua năm tháng quý đợt"
).split()
PLACES = ["Vĩnh Hưng", "Đống Đa", "Hoàng Liệt", "Định Công", "Ea Kao", "Đại Phúc", "Quảng Phú",
          "Hoằng Đồng", "Đông Tiến", "Tương Mai", "Ba Đình", "Cầu Giấy", "Long Biên", "Hải Châu"]


def _ts(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def generate(path: Path, scale: float, seed: int = 7, *, articles: int | None = None, days: int = 730) -> dict:
    """Build the database at `path`; returns counts and timings. `articles` (default 1,000,000 ×
    scale, ten readings each) published over the last `days`, on 3,355 × scale sites."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    n_sites = int(3355 * scale)
    n_articles = articles if articles is not None else int(1_000_000 * scale)
    n_readings = 10 * n_articles
    db = open_db(path)
    conn = db.conn
    t0 = time.monotonic()
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    vc_indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('view_counts', 'views_daily')"
        " AND sql IS NOT NULL").fetchall()
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    for name, _ in vc_indexes:
        conn.execute(f"DROP INDEX {name}")
    now = clock.now().timestamp()
    sites = []
    for i in range(n_sites):
        parent = f"tinh-{i % 63}" if i >= 63 else None
        sites.append((f"site-{i}" if parent else f"tinh-{i}", f"{'Phường' if parent else 'Tỉnh'} {PLACES[i % len(PLACES)]} {i}",
                      "ward" if parent else "province", parent, "t", "t"))
    conn.executemany("INSERT INTO sites (id, name, level, parent, added_at, updated_at) VALUES (?,?,?,?,?,?)", sites)

    def articles():
        for aid in range(1, n_articles + 1):
            site = sites[rng.randrange(n_sites)]
            place = PLACES[rng.randrange(len(PLACES))]
            words = rng.choices(SYLLABLES, k=10)
            title = " ".join(words[:4]).capitalize() + f" tại {place} " + " ".join(words[4:])
            body = " ".join(rng.choices(SYLLABLES, k=40)) + f" {place}."
            published = now - rng.random() * days * 86400
            yield (aid, site[0], f"k{aid}", f"https://{site[0]}.gov.vn/tin/{aid}", title, body,
                   _ts(published), _ts(published + 3600), _ts(now))

    conn.executemany(
        "INSERT INTO articles (id, site_id, key, url, title, body, published_at, first_seen_at, last_seen_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)", articles())
    published = conn.execute("SELECT published_at FROM articles ORDER BY id").fetchall()
    t_articles = time.monotonic() - t0

    def readings():
        per = n_readings / n_articles
        rid, left = 0, n_readings
        for aid in range(1, n_articles + 1):
            k = left if aid == n_articles else min(left, max(1, int(rng.expovariate(1 / per))))
            left -= k
            start = clock.parse_iso(published[aid - 1][0]).timestamp() + 3600
            times = sorted(start + (now - start) * rng.random() ** 2 for _ in range(k))
            views = rng.randrange(0, 50)
            for t in times:
                views += 1 + int(rng.expovariate(1 / 20))
                rid += 1
                yield (rid, aid, _ts(t), views, "list")
            if left <= 0:
                break

    conn.executemany("INSERT INTO view_counts (id, article_id, observed_at, views, source) VALUES (?,?,?,?,?)",
                     readings())
    for _, sql in vc_indexes:
        if "views_daily" not in sql:
            conn.execute(sql)
    conn.execute("UPDATE articles SET (views, views_observed_at, views_checked_at) = (SELECT v.views, v.observed_at,"
                 " v.observed_at FROM view_counts v WHERE v.article_id = articles.id ORDER BY v.id DESC LIMIT 1)")
    t_rows = time.monotonic() - t0
    conn.execute("DELETE FROM views_daily")
    conn.execute(
        "INSERT INTO views_daily (article_id, day, views_gained, views, readings, last_observed_at)"
        " SELECT article_id, day, SUM(gain), views, COUNT(*), MAX(observed_at) FROM ("
        " SELECT article_id, date(observed_at, '+7 hours') AS day, observed_at, views, views - COALESCE("
        " LAG(views) OVER (PARTITION BY article_id ORDER BY observed_at, id), views) AS gain FROM view_counts)"
        " GROUP BY article_id, day")
    for _, sql in vc_indexes:
        if "views_daily" in sql:
            conn.execute(sql)
    t_daily = time.monotonic() - t0
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    conn.execute("INSERT INTO articles_fts (rowid, title, body, title_ascii, body_ascii, site_key) SELECT id, title,"
                 f" body, {FOLD_SQL.format(x='title')}, {FOLD_SQL.format(x='body')}, hex(site_id) FROM articles")
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    for _, sql in triggers:
        conn.execute(sql)
    fill_totals(conn)  # the per-site month and week totals the triggers would have kept
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {
        "sites": n_sites, "articles": n_articles, "view_counts": n_readings,
        "articles_s": t_articles, "readings_s": t_rows - t_articles, "daily_s": t_daily - t_rows,
        "fts_s": time.monotonic() - t0 - t_daily, "total_s": time.monotonic() - t0,
        "size_mb": os.path.getsize(path) / 2**20,
    }


def timed(fn, repeat: int = 5) -> tuple[float, float, object]:
    """(first run ms, median of the following runs ms, result)."""
    t = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - t) * 1000
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return first, statistics.median(runs), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (default 1.0)")
    ap.add_argument("--db", default="/tmp/portalwatch-analyst-bench.db")
    ap.add_argument("--reuse", action="store_true", help="time an existing database instead of generating")
    args = ap.parse_args()
    path = Path(args.db)
    if args.reuse and path.exists():
        open_db(path).conn.close()  # bring an older generated database up to the current schema
    else:
        print(f"generating {path} at scale {args.scale} …", flush=True)
        g = generate(path, args.scale)
        print(f"  {g['sites']:,} sites, {g['articles']:,} articles, {g['view_counts']:,} view_counts rows, "
              f"{g['size_mb']:,.0f} MB in {g['total_s']:.0f} s (articles {g['articles_s']:.0f} s, readings "
              f"{g['readings_s']:.0f} s, views_daily {g['daily_s']:.0f} s, FTS {g['fts_s']:.0f} s)")
    conn = connect(path)
    in_window = conn.execute(
        "SELECT COUNT(*) FROM views_daily WHERE day >= date('now', '+7 hours', '-6 days')").fetchone()[0]
    print(f"views_daily rows in the last 7 days: {in_window:,}")
    checks = [
        ("top 100 by views gained, last 7 days (top_articles_7d)",
         lambda: conn.execute("SELECT * FROM top_articles_7d").fetchall()),
        ("the same from article_gains_7d LIMIT 100",
         lambda: conn.execute("SELECT * FROM article_gains_7d LIMIT 100").fetchall()),
    ]
    for text in ("vinh hung", "Đống Đa", "hoi nghi dai bieu", "cap nuoc dong da", "chuyen doi so"):
        checks.append((f"search {text!r} (20 hits, snippets)", lambda text=text: search(conn, text, limit=20)))
    worst = 0.0
    for label, fn in checks:
        first, median, result = timed(fn)
        worst = max(worst, median)
        n = len(result)
        print(f"  {label:58s} first {first:7.1f} ms   median {median:7.1f} ms   ({n} rows)")
    conn.close()
    print(f"target < 500 ms each: {'met' if worst < 500 else 'NOT met'} (worst median {worst:.0f} ms)")


if __name__ == "__main__":
    main()
