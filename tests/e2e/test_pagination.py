"""Real crawls (a child process, real SQLite) of small sites on 127.0.0.1 whose pagers are of
the kinds CMSs print: every kind is walked to its end with `profile = "auto"` (and the
`liferay` profile on a pager that lists page numbers first), and a walk that probably missed
articles makes the site's crawl `partial` with a fetch_errors row in words, which `sites health`
and `sites check` say."""

from __future__ import annotations

import html
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import manual_crawl

from .hostile import HostileServer

pytestmark = pytest.mark.slow

NOW = "2026-11-20T03:00:00Z"
PER_PAGE = 3


class Site:
    """A news list of `n` articles, `PER_PAGE` a page, with the pager of `style`; `cut` pages
    print no link to the next page (their pager still shows the last page)."""

    def __init__(self, srv: HostileServer, style: str, n: int = 14, root: str = "/xa"):
        self.srv, self.style, self.n, self.root = srv, style, n, root
        self.last = (n + PER_PAGE - 1) // PER_PAGE
        self.cut: set[int] = set()
        self.hidden: set[int] = set()  # articles no list shows (their pages stay)
        self.next_to: dict[int, int] = {}  # page -> the page its next link leads to
        self.total_text = False

    def article_path(self, i: int) -> str:
        return f"{self.root}/tin-tuc/bai-viet-so-{i}-ve-hoat-dong-cua-xa.html"

    def page_url(self, p: int, relative: bool = False) -> str:
        base = f"{self.root}/tin-tuc/"
        q = {"wp": f"page/{p}/" if p > 1 else "", "joomla": f"?start={(p - 1) * PER_PAGE}" if p > 1 else "",
             "drupal": f"?page={p - 1}" if p > 1 else "", "offset": f"?offset={(p - 1) * PER_PAGE}",
             "liferay": f"?p_p_id=101&_101_delta={PER_PAGE}&_101_cur={p}" if p > 1 else ""}[self.style]
        if relative and q.startswith("?"):
            return q
        return base + q

    def day(self, i: int) -> int:
        return 19 - i if i < 19 else 1

    def serve(self) -> None:
        for i in range(1, self.n + 1):
            self.srv.page(self.article_path(i), self.article(i))
        for p in range(1, self.last + 1):
            self.srv.page(self.page_url(p), self.list_page(p))

    def article(self, i: int) -> str:
        title = f"Bài viết số {i} về hoạt động của xã"
        return (f"<html lang='vi'><head><title>{title}</title></head><body><div class='menu'><a href='{self.root}/'>Trang chủ</a></div>"
                f"<main><h1>{title}</h1><div class='info'>Ngày đăng: {self.day(i):02d}/11/2026 08:30 | Lượt xem: {100 + i}</div>"
                f"<div class='noi-dung'><p>Nội dung bài viết số {i}: UBND xã tổ chức hội nghị triển khai nhiệm vụ năm 2026 với "
                f"sự tham dự của đại diện các ban, ngành, đoàn thể và nhân dân trong xã.</p></div></main></body></html>")

    def list_page(self, p: int) -> str:
        first = (p - 1) * PER_PAGE + 1
        ids = [i for i in range(first, min(first + PER_PAGE, self.n + 1)) if i not in self.hidden]
        items = "".join(
            f"<div class='item'><h3><a href='{self.article_path(i)}'>Bài viết số {i} về hoạt động của xã</a></h3>"
            f"<div class='info'>Ngày đăng: {self.day(i):02d}/11/2026 08:30 | Lượt xem: {100 + i}</div></div>"
            for i in ids)
        if self.style == "liferay":
            items = "".join(
                f"<div class='asset-abstract'><h3 class='asset-title'><a href='{self.root}/-/view_content/{900 + i}-bai-{i}.html'>"
                f"Bài viết số {i} về hoạt động của xã</a></h3><div class='assetPublishDate'>Ngày đăng {self.day(i):02d}/11/2026 | 08:30"
                f" | View count: {100 + i}</div></div>" for i in ids)
        head = ""
        nxt = self.next_to.get(p, p + 1)
        if self.style == "wp" and p < self.last and p not in self.cut:
            head = f"<link rel='next' href='{self.srv.url}{self.page_url(nxt)}'>"
        total = (f"<p class='ket-qua'>Hiển thị {first} - {first + len(ids) - 1} of {self.n} kết quả.</p>"
                 if self.total_text else "")
        return (f"<html lang='vi'><head><title>Tin tức</title>{head}</head><body>"
                f"<div class='menu'><a href='{self.root}/'>Trang chủ</a> <a href='{self.root}/gioi-thieu'>Giới thiệu</a></div>"
                f"<main><h2>Tin tức</h2><div class='list'>{items}</div>{total}{self.pager(p)}</main>"
                "<div class='chan'>Tổng truy cập: 12.345</div></body></html>")

    def pager(self, p: int) -> str:
        cut = p in self.cut
        nxt = self.next_to.get(p, p + 1)
        shown = [n for n in sorted({1, self.last, p - 1, p, p + 1}) if 1 <= n <= self.last and not (cut and n == p + 1)]
        rel = self.style in ("drupal", "joomla", "offset")

        def href(n: int) -> str:
            return html.escape(self.page_url(n, relative=rel))

        if self.style == "liferay":  # page numbers first, then the buttons
            nums = "".join(f"<li class='active'><a href='javascript:;'>{n}</a></li>" if n == p
                           else f"<li><a href='{href(n)}'>{n}</a></li>" for n in shown)
            tiep = (f"<li><a href='{href(nxt)}'>Tiếp</a></li>" if p < self.last and not cut
                    else "<li class='disabled'><a href='javascript:;'>Tiếp</a></li>")
            return f"<ul class='pager lfr-pagination-buttons'>{nums}{tiep}</ul>"
        parts, prev = [], 0
        for n in shown:
            if n - prev > 1:
                parts.append("<span class='dots'>…</span>")
            parts.append(f"<span class='current' aria-current='page'>{n}</span>" if n == p else f"<a href='{href(n)}'>{n}</a>")
            prev = n
        if p < self.last and not cut:
            parts.append({
                "wp": f"<a class='next page-numbers' href='{href(nxt)}'>Trang sau »</a>",
                "joomla": f"<a aria-label='Đi tới trang tiếp' href='{href(nxt)}'><span class='icon-angle-right'></span></a>",
                "drupal": (f"<a href='{href(nxt)}' title='Đến trang tiếp theo' rel='next'>"
                           "<span class='visually-hidden'>Trang tiếp theo</span>››</a>"),
                "offset": f"<a href='{href(nxt)}' title='Trang sau'><i class='fa fa-angle-right'></i></a>",
            }[self.style])
        return f"<nav class='pagination'>{' '.join(parts)}</nav>"


@pytest.fixture
def srv():
    s = HostileServer()
    yield s
    s.stop()


def config(tmp_path: Path, url: str, profile: str = "auto", extra: str = "") -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(
        "[portalwatch]\ndelay = 0\nretries = 0\ntimeout = 20\nautothrottle = false\n\n"
        f'[[site]]\nid = "xa"\nname = "Xã Thử"\nstart_urls = ["{url}"]\nprofile = "{profile}"\n{extra}',
        encoding="utf-8")
    return path


def run(cfg: Path, db: Path):
    result = manual_crawl(cfg, db, now=NOW)
    assert result.ok, result.stderr_tail
    (row,) = result.crawls
    return row


def q(db: Path, sql: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("style,profile", [("wp", "auto"), ("joomla", "auto"), ("drupal", "auto"), ("offset", "auto"),
                                           ("liferay", "liferay"), ("liferay", "auto")])
def test_every_pager_kind_is_walked_to_the_end(srv, tmp_path, style, profile):
    site = Site(srv, style)
    site.serve()
    db = tmp_path / "pw.db"
    row = run(config(tmp_path, srv.url + site.page_url(1), profile), db)
    assert (row["outcome"], row["list_pages"], row["errors"]) == ("ok", site.last, 0), row
    got = q(db, "SELECT title, views FROM articles ORDER BY views")
    assert got == [(f"Bài viết số {i} về hoạt động của xã", 100 + i) for i in range(1, site.n + 1)]


def test_a_cut_pager_makes_the_crawl_partial_in_words(srv, tmp_path):
    from monitor.config import load_config
    from monitor.detect.site_status import health_rows
    from monitor.sites.check import check_site

    site = Site(srv, "wp")
    site.cut = {3}  # page 3 links no page 4 (the pager still shows page 5)
    site.serve()
    db = tmp_path / "pw.db"
    cfg = config(tmp_path, srv.url + site.page_url(1))
    row = run(cfg, db)
    words = "pager shows page 5 but the walk stopped at page 3: next link not found"
    assert row["outcome"] == "partial" and row["list_pages"] == 3
    assert words in row["error_summary"]
    assert q(db, "SELECT url, error FROM fetch_errors") == [(srv.url + site.page_url(3), "list incomplete: " + words)]
    assert len(q(db, "SELECT id FROM articles")) == 9  # what was read is stored
    (health,) = health_rows(db, load_config(cfg))
    assert health.status == "partial"
    assert health.detail == f"the last crawl may have missed articles: {words} ({srv.url + site.page_url(3)})"
    assert health.incomplete == [f"{words} ({srv.url + site.page_url(3)})"]
    conf = load_config(cfg)
    report = check_site(conf, conf.sites[0], list_url=srv.url + site.page_url(3), list_html=site.list_page(3), offline=True)
    assert report.pager["current"] == 3 and report.pager["highest"] == 5
    assert any(words in p for p in report.problems), report.problems


def test_the_sites_health_and_check_commands_say_it_in_words(srv, tmp_path):
    from tests.sites.conftest import run_cli

    site = Site(srv, "drupal")
    site.cut = {2}
    site.serve()
    db = tmp_path / "pw.db"
    cfg = config(tmp_path, srv.url + site.page_url(1))
    run(cfg, db)
    words = "pager shows page 5 but the walk stopped at page 2: next link not found"
    out = " ".join(run_cli(cfg, db, "sites", "health", "--problems").output.split())
    assert "partial" in out and words in out
    # the page health names, checked live: `sites check` says why a crawl stops there (exit 1)
    cut_url = srv.url + site.page_url(2)
    assert cut_url in out
    out = " ".join(run_cli(cfg, db, "sites", "check", "xa", "--list-url", cut_url, expect=1).output.split())
    assert f"{words}; a crawl would miss the rest of the list" in out, out


def test_printed_totals_larger_than_what_was_read(srv, tmp_path):
    site = Site(srv, "joomla")
    site.total_text = True
    site.serve()
    # no page numbers at all: page 1 links page 2 by an icon, page 2 links nothing; only
    # "Hiển thị 4 - 6 of 14 kết quả." tells that the list goes on
    for p in (1, 2):
        head, _, _ = site.list_page(p).partition("<nav")
        more = "<a aria-label='Đi tới trang tiếp' href='?start=3'><span class='icon-angle-right'></span></a>" if p == 1 else ""
        srv.page(site.page_url(p), head + more + "</main></body></html>")
    db = tmp_path / "pw.db"
    row = run(config(tmp_path, srv.url + site.page_url(1)), db)
    assert row["outcome"] == "partial"
    assert q(db, "SELECT error FROM fetch_errors") == [
        ("list incomplete: the list says 14 articles but 6 article links were read on 2 page(s)",)]


def test_a_next_link_that_skips_a_page(srv, tmp_path):
    site = Site(srv, "offset", n=15)
    site.next_to = {1: 3}  # "›" on page 1 leads to page 3; the numbers show 1, 2 … 5
    site.serve()
    srv.page(site.page_url(1), site.list_page(1).replace(f"<a href='{site.page_url(2, True)}'>2</a>", ""))
    db = tmp_path / "pw.db"
    row = run(config(tmp_path, srv.url + site.page_url(1)), db)
    assert row["outcome"] == "partial"
    assert ("list incomplete: the walk skipped page 2 (the next link of page 1 led to page 3)",) in q(
        db, "SELECT error FROM fetch_errors")


def test_articles_that_vanish_between_list_pages(srv, tmp_path):
    site = Site(srv, "wp")
    site.serve()
    db = tmp_path / "pw.db"
    cfg = config(tmp_path, srv.url + site.page_url(1))
    assert run(cfg, db)["outcome"] == "ok"
    site.hidden = {5}  # still online, on no list page any more (between articles 4 and 6)
    site.serve()
    row = run(cfg, db)
    assert row["outcome"] == "partial"
    (err,) = q(db, "SELECT error FROM fetch_errors")
    assert err[0] == ("list incomplete: 1 live article(s) dated between the newest and the oldest article of the lists "
                      f"were on no list page this crawl (e.g. {srv.url + site.article_path(5)}): the walk skipped them")


def test_max_pages_before_the_age_limit(srv, tmp_path):
    site = Site(srv, "wp")
    site.serve()
    db = tmp_path / "pw.db"
    row = run(config(tmp_path, srv.url + site.page_url(1), extra="max_pages = 2\nmax_age_days = 60\n"), db)
    assert row["outcome"] == "partial"
    assert q(db, "SELECT error FROM fetch_errors") == [(
        "list incomplete: the walk stopped at max_pages 2 while page 2 still lists articles newer than max_age_days 60:"
        " older articles inside the age limit were not read",)]
    row = run(config(tmp_path, srv.url + site.page_url(1), extra="max_pages = 2\n"), tmp_path / "other.db")
    assert row["outcome"] == "ok"  # the page budget alone is the operator's choice
