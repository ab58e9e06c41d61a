"""Monthly numbers, silent sites as digests count them, an article's history by id, URL or title,
search highlights without lone stop-words, and the HTML report in one language."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from monitor.analyst.datasette import metadata
from monitor.analyst.query import connect
from monitor.analyst.search import MARK_END, MARK_START, search, unmark_stopwords
from monitor.cli import cli
from tests.analyst.conftest import item


def q(store, sql, *params):
    return [tuple(r) for r in store.conn.execute(sql, params).fetchall()]


def canned(store, name: str, **params):
    from datasette.utils import escape_fts

    from monitor.analyst.dsplugin.portalwatch_datasette import unmark

    conn = connect(store.path)
    conn.create_function("escape_fts", 1, escape_fts)  # as Datasette and our plugin register them
    conn.create_function("pw_unmark", 2, unmark)
    sql = metadata(store.path)["databases"][store.path.stem]["queries"][name]["sql"]
    names = set(re.findall(r":(\w+)", sql))
    cur = conn.execute(sql, {n: params.get(n, "") for n in names})
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r, strict=True)) for r in cur]
    conn.close()
    return rows


@pytest.fixture
def months(built):
    """`built` (November) plus posts across a month end, Vietnam time."""
    built.apply([
        item("vinh-hung", "m1", "2026-12-01T02:00:00Z", views=3, published="2026-11-30T18:00:00Z"),  # 01/12 VN
        item("vinh-hung", "m2", "2026-12-01T02:00:00Z", views=4, published="2026-11-30T16:00:00Z"),  # 30/11 VN
        item("ea-kao", "m3", "2026-12-02T02:00:00Z", views=1, published="2026-12-02T01:00:00Z"),
    ])
    built.apply([item("vinh-hung", "m1", "2026-12-03T02:00:00Z", views=13)])  # +10 in December
    return built


def test_site_monthly_posts_counts_posts_and_gains_per_vietnam_month(months):
    rows = q(months, "SELECT site_id, month, posts, views_gained, articles_read FROM site_monthly_posts"
                     " ORDER BY site_id, month")
    assert rows == [
        ("dinh-cong", "2026-11", 1, 25, 1),   # a2: +30, -5
        ("ea-kao", "2026-11", 1, 0, 0),
        ("ea-kao", "2026-12", 1, 0, 1),       # m3's first reading: no gain claimed
        ("vinh-hung", "2026-11", 2, 31, 1),   # a1 (19/11) and m2 (30/11 23:00 VN); a1 gained 0+5+25+1
        ("vinh-hung", "2026-12", 1, 10, 2),   # m1 (01/12 01:00 VN); its +10, m2's first reading
    ]
    assert q(months, "SELECT name, parent FROM site_monthly_posts WHERE site_id = 'vinh-hung' LIMIT 1") == [
        ("Phường Vĩnh Hưng", "hoang-mai")]


def test_least_posts_lists_every_site_of_the_month_even_without_posts(months):
    rows = canned(months, "least_posts")  # the month of the newest reading: December
    assert [(r["site_id"], r["month"], r["posts"]) for r in rows] == [
        ("dinh-cong", "2026-12", 0), ("hoang-mai", "2026-12", 0), ("to-1", "2026-12", 0),
        ("ea-kao", "2026-12", 1), ("vinh-hung", "2026-12", 1)]
    wards = canned(months, "least_posts", month="2026-11", level="ward")
    assert [(r["site_id"], r["posts"], r["views_gained"]) for r in wards] == [("dinh-cong", 1, 25), ("vinh-hung", 2, 31)]
    read = canned(months, "most_read_month", month="2026-11", parent="hoang-mai")
    assert [(r["site_id"], r["views_gained"]) for r in read] == [("vinh-hung", 31), ("dinh-cong", 25)]
    assert [r["month"] for r in canned(months, "monthly_posts", site_id="vinh-hung")] == ["2026-12", "2026-11"]


def test_silent_sites_count_live_posts_as_digests_do(store):
    """A ward whose only recent post was taken down, or whose newest date lies after the last
    check, is silent: the digest said "16 ngày chưa có bài mới" while silent_sites listed nothing."""
    from crawler.items import GoneItem

    store.apply([item("vinh-hung", "old", "2026-11-20T01:00:00Z", published="2026-11-01T01:00:00Z"),
                 item("vinh-hung", "new", "2026-11-20T01:00:00Z", published="2026-11-19T01:00:00Z"),
                 item("dinh-cong", "old", "2026-11-20T01:00:00Z", published="2026-11-02T01:00:00Z"),
                 item("dinh-cong", "future", "2026-11-20T01:00:00Z", published="2026-12-25T01:00:00Z"),
                 item("ea-kao", "x", "2026-11-20T01:00:00Z", published="2026-11-18T01:00:00Z")])
    for n in (1, 2):
        store.apply([GoneItem("vinh-hung", "new", "https://vinh-hung.example.vn/new", 404, f"2026-11-2{n}T01:00:00Z")])
    store.apply([item("vinh-hung", "old", "2026-11-22T01:00:00Z"), item("dinh-cong", "old", "2026-11-22T01:00:00Z"),
                 item("ea-kao", "x", "2026-11-22T01:00:00Z")])
    assert q(store, "SELECT status FROM articles WHERE key = 'new'") == [("removed",)]
    assert q(store, "SELECT site_id, last_post_at, days_silent FROM site_activity WHERE articles > 0"
                    " ORDER BY site_id") == [
        ("dinh-cong", "2026-11-02T01:00:00Z", 20), ("ea-kao", "2026-11-18T01:00:00Z", 4),
        ("vinh-hung", "2026-11-01T01:00:00Z", 21)]
    assert q(store, "SELECT site_id FROM silent_sites WHERE articles > 0") == [("vinh-hung",), ("dinh-cong",)]
    assert [r["site_id"] for r in canned(store, "silent", days="5") if r["last_post_at"]] == ["vinh-hung", "dinh-cong"]
    assert [r["site_id"] for r in canned(store, "silent", days="3") if r["last_post_at"]] == [
        "vinh-hung", "dinh-cong", "ea-kao"]


@pytest.fixture
def titled(built):
    built.apply([item("dinh-cong", "t1", "2026-11-21T01:00:00Z", views=3, title="Thông báo lịch tiếp công dân tháng 12"),
                 item("ea-kao", "t2", "2026-11-21T01:00:00Z", views=8, title="Lịch tiếp công dân của xã Ea Kao")])
    return built


def test_article_history_by_id_url_or_title(titled):
    by_id = canned(titled, "article_history", article="1")
    assert [(r["article_id"], r["views"], r["gained"]) for r in by_id] == [
        (1, 10, None), (1, 15, 5), (1, 40, 25), (1, 41, 1)]
    url = q(titled, "SELECT url FROM articles WHERE id = 1")[0][0]
    assert canned(titled, "article_history", article=url) == by_id
    assert [r["article_id"] for r in canned(titled, "article_history", article="hoi nghi dong da")] == [1] * 4
    both = canned(titled, "article_history", article="tiep cong dan")
    assert sorted({(r["article_id"], r["title"]) for r in both}) == [
        (2, "Thông báo lịch tiếp công dân"), (4, "Thông báo lịch tiếp công dân tháng 12"),
        (5, "Lịch tiếp công dân của xã Ea Kao")]
    assert canned(titled, "article_history", article="") == []


def run(store, *args, code=0):
    r = CliRunner().invoke(cli, ["--db", str(store.path), *args])
    assert r.exit_code == code, r.output
    return r


def test_history_command(titled):
    url = q(titled, "SELECT url FROM articles WHERE id = 1")[0][0]
    for ref in ("1", url, url + "?utm_source=zalo&utm_medium=share", "HỘI NGHỊ TẠI ĐỐNG ĐA"):
        out = run(titled, "history", ref).output
        assert "#1 · Phường Vĩnh Hưng" in out and "Hội nghị tại Đống Đa" in out, ref
        assert re.search(r"19/11/2026 23:00\s+│\s+10 │\s+│ article", out), out
        assert "4 reading(s)" in out and "10 on 19/11/2026 23:00 → 41 on 22/11/2026 09:00" in " ".join(out.split())
    data = json.loads(run(titled, "history", "1", "--json").output)
    assert data["article"]["id"] == 1 and [r["views"] for r in data["readings"]] == [10, 15, 40, 41]
    # the exact title wins over titles that merely contain its words
    assert "#2 · Phường Định Công" in run(titled, "history", "thong bao lich tiep cong dan").output
    many = run(titled, "history", "tiep cong dan", code=1).output
    assert "3 articles have these words in their title" in many
    assert "Error: 3 articles match 'tiep cong dan': run `portalwatch history ID`" in many
    assert all(f"│ {i} " in many for i in (2, 4, 5))
    assert run(titled, "history", "999", code=1).output.strip() == "Error: no article has the id 999"
    assert "no article title has the words 'khong co'" in run(titled, "history", "khong co", code=1).output


def test_lone_stop_words_are_not_highlighted(store):
    """«đã» was marked for "dong da": folded, "da" matches it. A stop-word keeps its mark inside a
    marked run (a phrase) or when it was typed as written."""
    a, b = MARK_START, MARK_END
    assert unmark_stopwords(f"Quận {a}Đống{b} {a}Đa{b} {a}đã{b} tổ chức", "dong da") == f"Quận {a}Đống{b} {a}Đa{b} đã tổ chức"
    assert unmark_stopwords(f"phường {a}đã{b} làm", "đã làm") == f"phường {a}đã{b} làm"
    assert unmark_stopwords(f"{a}các{b} {a}cấp{b}", "cac cap") == f"{a}các{b} {a}cấp{b}"  # the query's words in order
    assert unmark_stopwords(f"{a}Đa{b} {a}đã{b}", "da") == f"{a}Đa{b} đã"  # one word: no phrase
    store.apply([item("dinh-cong", "1", "2026-11-20T01:00:00Z", title="Đoàn công tác quận Đống Đa",
                      body="Đoàn đã đến thăm và đã trao quà tại quận Đống Đa.")])
    conn = connect(store.path)
    hit = search(conn, "dong da")[0]
    conn.close()
    assert f"{a}đã{b}" not in hit.snippet and f"{a}Đống Đa{b}" in hit.snippet  # FTS5 marks a phrase as one
    row = canned(store, "search", q="dong da")[0]
    assert "«đã»" not in row["snippet"] and "«Đống Đa»" in row["snippet"] and row["title"].endswith("«Đống Đa»")
    assert unmark_stopwords("Toàn xã «đã tổ chức» 27 buổi. Xã «đã» làm", "da to chuc", "«", "»") == (
        "Toàn xã «đã tổ chức» 27 buổi. Xã đã làm")


def test_report_in_one_language_with_new_posts_as_the_digest_counts_them(tmp_path, monkeypatch):
    from monitor.analyst.report import build
    from tests.world import World, make_config, populate

    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    populate(w)
    conn = connect(w.path)
    vi, en = build(conn, weeks=2), build(conn, weeks=2, lang="en")
    conn.close()
    # one language: no "Đơn vị — sites" pairs
    assert "<html lang='vi'>" in vi and " — sites" not in vi and "posts per week" not in vi and "<span class='en'>" not in vi
    assert "<html lang='en'>" in en and "Đơn vị" not in en and "Bài đăng mỗi tuần" not in en
    # new posts: first seen in the period after the site's first crawl (n1, n2, js, o2), not the
    # baseline's backlog published in the period (a1, a2, t1) that the old count took in too
    stats = dict(re.findall(r"<div class='stat'><b>([-\d.]+)</b>([^<]+)</div>", vi)[i][::-1] for i in range(4))
    assert stats["Bài mới trong kỳ"] == "4"
    assert "Bài mới: bài đăng trong kỳ và lần đầu thấy trong kỳ, sau lần thu thập đầu tiên" in vi
    assert "New posts in the period</div>" in en and "New posts: published in the period and first seen in it" in en
    # the first crawl (01/03/2026 08:00 VN) falls inside the period: marked
    assert "Theo dõi từ 01/03/2026: trước đó chỉ có những bài còn trên trang danh sách" in vi
    assert "Monitored since 01/03/2026" in en
    # …and on the posts-per-week chart (both drawings): a dashed line with its label at the first crawl
    import base64

    weekly = re.search(r"<picture><source media=\"[^\"]+\" srcset=\"data:image/svg\+xml;base64,([^\"]+)\">"
                       r"<img alt=\"Số bài đăng mỗi tuần của mỗi đơn vị\" src=\"data:image/svg\+xml;base64,([^\"]+)\">", vi)
    assert weekly, "no posts-per-week chart"
    for data in weekly.groups():
        svg = base64.b64decode(data).decode("utf-8")
        assert "bắt đầu theo dõi 01/03 -->" in svg and "stroke-dasharray" in svg
    r = CliRunner().invoke(cli, ["--db", str(w.path), "report", "--lang", "en", "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    assert "Monitored since 01/03/2026" in (tmp_path / "r.html").read_text(encoding="utf-8")
