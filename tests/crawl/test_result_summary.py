"""A crawl run in one line (the service's log and its job detail): outcomes counted, failed sites
named, pages, new posts and fetch errors summed, sites skipped for another run counted."""

from __future__ import annotations

from monitor.crawl.outcome import CrawlResult


def row(site: str, outcome: str, pages: int, new: int, errors: int) -> dict:
    return {"site_id": site, "outcome": outcome, "pages_fetched": pages, "articles_new": new, "errors": errors}


def test_failed_sites_are_named_and_counts_summed():
    res = CrawlResult(0, 12.0, [row("vinh-hung", "ok", 20, 3, 0), row("dai-phuc", "failed", 1, 0, 1),
                                row("ea-kao", "partial", 9, 1, 2), row("tuong-mai", "ok", 1, 0, 0)],
                      skipped={"dinh-cong": "being crawled by pid 42"})
    assert res.summary() == ("4 sites (2 ok, 1 failed: dai-phuc, 1 partial), 31 pages, 4 new posts, 3 fetch errors,"
                             " 1 skipped (crawled by another run)")


def test_one_site_and_nothing_crawled_read_as_words():
    assert CrawlResult(0, 1.0, [row("vinh-hung", "ok", 1, 1, 1)]).summary() == (
        "1 site (1 ok), 1 page, 1 new post, 1 fetch error")
    assert CrawlResult(0, 1.0, []).summary() == "0 sites (none crawled), 0 pages, 0 new posts, 0 fetch errors"
