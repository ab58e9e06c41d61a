"""Two crawls of the same sites into one database at the same time: each site is
crawled by one of them (its lease), the other skips it; everything is stored once."""

import threading

import pytest

from tests.conftest import make_portal, manual_crawl

pytestmark = pytest.mark.slow


def test_two_crawls_of_the_same_sites_at_once_store_everything_once(tmp_path):
    p = make_portal(tmp_path, articles_per_site=30)
    try:
        sites = ["vinh-hung", "tuong-mai", "ea-kao"]
        p.crawl(["hoang-mai"])  # the database exists; the race is on the sites below
        start = threading.Barrier(2)
        results = [None, None]

        def run(i):
            start.wait()
            results[i] = manual_crawl(p.config, p.db_path, sites)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            assert r.ok, r.stderr_tail
        # the per-site leases let one of them crawl each site; the other skips it
        crawled = [c["site_id"] for r in results for c in r.crawls]
        assert sorted(crawled) == sorted(sites), [r.crawls for r in results]
        assert all(c["outcome"] == "ok" for r in results for c in r.crawls)
        skipped = [s for r in results for s in r.skipped]
        assert sorted(skipped) == sorted(sites), [r.skipped for r in results]
        db = p.db()
        try:
            truth = [t for t in p.sim.truth(include_removed=False, include_body=False) if t["site_id"] in sites]
            assert db.execute("SELECT COUNT(*) FROM articles WHERE site_id IN (?, ?, ?)", sites).fetchone()[0] == len(truth)
            assert db.execute("SELECT COUNT(*) FROM fetch_errors").fetchone()[0] == 0
            # simulated time stands still: one reading per article and count, however many crawls
            dup = db.execute("SELECT COUNT(*) FROM (SELECT article_id, views FROM view_counts"
                             " GROUP BY article_id, views HAVING COUNT(*) > 1)").fetchone()[0]
            assert dup == 0
        finally:
            db.conn.close()
    finally:
        p.server.stop()
