"""Helpers the benchmarks share: the simulators (core and national) in their own process, the national control API,
an old history of articles inserted with SQL, a crawl's feed replayed through Store.apply, and
the peak RSS of crawl children (/proc)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve_simulator(seed: int, port: int = 0) -> tuple[subprocess.Popen, int]:
    """`python -m simulator --national` in a child process (on `port`, 0: any free one); (process, port)."""
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "--national", "--port", str(port), "--quiet",
                             "--seed", str(seed)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()  # http://127.0.0.1:PORT/_sim/
    if not line:
        raise SystemExit("the national simulator did not start")
    return proc, int(line.rsplit(":", 1)[1].split("/")[0])


def serve_core_simulator(articles_per_site: int) -> tuple[subprocess.Popen, str]:
    """`python -m simulator` (the core world of simulator.Simulator) in a child process; (process, base URL)."""
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "--port", "0", "--quiet", "--articles-per-site",
                             str(articles_per_site)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    if not base_url:
        raise SystemExit("the simulator did not start")
    return proc, base_url


class Control:
    """The simulator's /_sim/ endpoints (answered on any host name)."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}/_sim/"

    def get(self, name: str, **q):
        return self._call(name, q, post=False)

    def post(self, name: str, **q):
        return self._call(name, q, post=True)

    def _call(self, name: str, q: dict, post: bool):
        url = self.base + name + ("?" + urllib.parse.urlencode(q) if q else "")
        data = b"{}" if post else None
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=600) as r:
            return json.loads(r.read())


def add_history(db: Path, site_ids: list[str], n: int, *, detected: bool = False) -> float:
    """`n` old articles spread over the sites (one INSERT … SELECT per site); seconds taken.
    `detected`: change detection has seen them, as in a long-running installation (each site's
    detect_sites mark moved past them; a site without a baseline gets one), so the next
    `detect` reads only what the next crawl stores."""
    t = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA cache_size = -262144")
    per = max(1, n // len(site_ids))
    with conn:
        for sid in site_ids:
            conn.execute(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
                " INSERT INTO articles (site_id, key, url, title, published_at, first_seen_at, last_seen_at,"
                " last_fetched_at, body, views) SELECT ?, printf('old:%08d', i), printf('http://old.invalid/%s/%d', ?, i),"
                " 'Bài cũ', '2015-01-01T00:00:00Z', '2015-01-01T00:00:00Z', '2015-01-01T00:00:00Z',"
                " '2015-01-01T00:00:00Z', 'Nội dung', 7 FROM n",
                (per - 1, sid, sid),
            )
        if detected:
            conn.execute("UPDATE detect_sites SET last_article_id = (SELECT MAX(a.id) FROM articles a"
                         " WHERE a.site_id = detect_sites.site_id)")
            conn.execute("INSERT INTO detect_sites (site_id, baseline_at, baseline_articles, last_article_id)"
                         " SELECT site_id, '2015-01-01T00:00:00Z', COUNT(*), MAX(id) FROM articles"
                         " WHERE site_id NOT IN (SELECT site_id FROM detect_sites) GROUP BY site_id")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as a long-lived database is: history in the file
    conn.close()
    return time.perf_counter() - t


def add_history_elsewhere(db: Path, site_ids: list[str], n: int, *, detected: bool = False) -> float:
    """add_history in another process (the caller's own RSS stays out of it); seconds taken."""
    t = time.perf_counter()
    code = ("import sys, json; from pathlib import Path; from benchmarks._national import add_history; "
            "a = json.loads(sys.stdin.read()); add_history(Path(a['db']), a['sites'], a['n'], detected=a['d'])")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, text=True,
                   input=json.dumps({"db": str(db), "sites": site_ids, "n": n, "d": detected}))
    return time.perf_counter() - t


def replay(feed: Path, db: Path, plan_file: Path) -> dict:
    """A crawl's items (its `--feed`) written again into `db` through Store.apply, in the crawl
    pipeline's batches: the writer's capacity. {"items", "seconds" (apply alone), "rows"}."""
    from crawler.items import from_dict
    from crawler.plan import CrawlPlan
    from monitor.crawl.pipeline import BATCH_SIZE
    from monitor.store.db import Store

    plan = CrawlPlan.from_json(plan_file.read_text(encoding="utf-8"))
    items = [from_dict(json.loads(line)) for line in feed.read_text(encoding="utf-8").splitlines() if line]
    conn = sqlite3.connect(db)
    count = "SELECT (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM view_counts) + (SELECT COUNT(*) FROM article_revisions)"
    before = conn.execute(count).fetchone()[0]
    store = Store(db)
    try:
        store.abort_stale_crawls()
        store.sync_sites([*plan.sites, *plan.units])
        t = time.perf_counter()
        for i in range(0, len(items), BATCH_SIZE):
            store.apply(items[i:i + BATCH_SIZE])
        seconds = time.perf_counter() - t
    finally:
        store.close()
    rows = conn.execute(count).fetchone()[0] - before
    conn.close()
    return {"items": len(items), "seconds": seconds, "rows": rows}


def replay_elsewhere(feed: Path, db: Path, plan_file: Path) -> dict:
    """replay() in another process (a writer of its own, as the crawl child's)."""
    code = ("import sys, json; from pathlib import Path; from benchmarks._national import replay; "
            "a = json.loads(sys.stdin.read()); print(json.dumps(replay(Path(a['f']), Path(a['d']), Path(a['p']))))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, text=True, capture_output=True,
                       input=json.dumps({"f": str(feed), "d": str(db), "p": str(plan_file)}))
    return json.loads(r.stdout.strip().splitlines()[-1])


class ChildPeakRSS:
    """Polls /proc for this process's `monitor.crawl.child` children; peak RSS (VmHWM, MiB) of each."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def peak(self) -> float:
        return max(self.peaks.values(), default=0.0)

    def _run(self) -> None:
        me = str(os.getpid())
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    self._sample(pid, me)
            self._stop.wait(self.interval)

    def _sample(self, pid: str, parent: str) -> None:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[1] != parent:
                    return
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"monitor.crawl.child" not in f.read():
                    return
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        mib = int(line.split()[1]) / 1024
                        self.peaks[int(pid)] = max(self.peaks.get(int(pid), 0.0), mib)
        except (OSError, IndexError):
            pass  # the process ended meanwhile
