"""What the office reads in a digest means what it says: a day compared with only when it was
fully measured, one span per rising article, a cross-posted article once, the counts beside each
chart, and no unit named by its id."""

import lxml.html
import pytest

from monitor.detect.events import detect
from monitor.digest import build, render
from tests.world import World, article, at, iso, make_config


@pytest.fixture
def w(tmp_path, monkeypatch):
    world = World(tmp_path, make_config(tmp_path), monkeypatch)
    yield world
    world.store.close()


def data_for(w, rid="ubnd-hoang-mai"):
    return build(w.db, w.config, w.config.recipient(rid), iso(0), iso(24))


def test_a_window_with_the_first_crawl_inside_is_not_compared_as_if_measured(w):
    """The baseline crawl at 20:00 falls inside the previous window (08:00 → 08:00): its gains
    after the baseline are only part of that day, so no "443 → 1.454 (+1.011)"."""
    with w.crawl("vinh-hung", at(-12)) as items:  # the first crawl: inside the previous window
        items += [article("vinh-hung", "a1", views=100, published=at(-48))]
    detect(w.db, w.config, now=at(-11))
    w.seen("vinh-hung", "a1", at(-6), views=150)  # +50 in the previous window, after the baseline
    detect(w.db, w.config, now=at(-5))
    w.seen("vinh-hung", "a1", at(12), views=400)
    detect(w.db, w.config, now=at(13))
    d = data_for(w)
    prev = d["compare"]["previous"]
    assert prev["crawls"] == 2 and prev["complete"] is False and prev["measured_from"] == iso(-12)
    assert prev["new_posts"] is None and prev["views_gained"] is None
    text = render(d).text
    assert "So với kỳ trước (01/03 08:00 – 02/03 08:00): kỳ trước chưa đo đủ (bắt đầu theo dõi lúc 01/03 20:00)" \
        in text
    assert "→" not in text.split("So với kỳ trước")[1].splitlines()[0]
    # a week earlier nothing ran at all: "no figures yet", as before
    assert "So với cùng kỳ tuần trước (23/02 08:00 – 24/02 08:00): chưa có số liệu" in text
    d["recipient"]["language"] = "en"
    assert "previous period not fully measured (monitoring began 01/03 20:00)" in render(d).text


def test_a_site_first_crawled_later_makes_the_earlier_window_incomplete_too(w):
    """Tương Mai was crawled for a week; Vĩnh Hưng's first crawl is in this window. The previous
    day measured Tương Mai only: comparing it with a day that counts both would mislead."""
    for day in range(-8, 1):
        w.seen("tuong-mai", "t1", at(day * 24 + 6), views=100 + 10 * (day + 8), published=at(-400))
        detect(w.db, w.config, now=at(day * 24 + 7))
    d = data_for(w)
    assert d["compare"]["previous"]["complete"] is True and d["compare"]["previous"]["views_gained"] == 10
    with w.crawl("vinh-hung", at(2)) as items:
        items += [article("vinh-hung", "a1", views=100, published=at(-48))]
    w.seen("vinh-hung", "a1", at(12), views=300)
    detect(w.db, w.config, now=at(13))
    d = data_for(w)
    assert [c["complete"] for c in d["compare"].values()] == [False, False]
    assert d["compare"]["previous"]["measured_from"] == iso(2)
    assert "kỳ trước chưa đo đủ (bắt đầu theo dõi lúc 02/03 10:00)" in render(d).text


def rising_world(w):
    """Five posts gaining +3000 from 1000 (the most read, also the fastest: 100/hour), r57 +57 and
    r30 +30 from 300; every article read at 20:00 the day before the window (at(-12)), then at 06:00,
    12:00 and 18:00 UTC in it: each rate runs over 30 hours, not the window's 24."""
    gains = {**{f"top{i}": 3000 for i in range(5)}, "r57": 57, "r30": 30}
    for i, h in enumerate((-12, 6, 12, 18)):
        with w.crawl("vinh-hung", at(h)) as items:
            items += [article("vinh-hung", k, views=(1000 if k.startswith("top") else 300) + g * i // 3,
                              published=at(-72)) for k, g in gains.items()]
    detect(w.db, w.config, now=at(19))


def test_rising_items_state_their_own_span_and_the_heading_claims_no_other(w):
    rising_world(w)
    d = data_for(w)
    r57 = d["rising"][0]
    assert (r57["title"], r57["hours"], r57["span"]) == ("Tin r57 của vinh-hung", 30.0, [iso(-12), iso(18)])
    r = render(d)
    text = r.text.split("== Tăng nhanh nhất ==")[1].split("==")[0]
    assert "+57 lượt xem / 30 giờ ≈ 1,9/giờ (tổng 357), đo từ 01/03 20:00 đến 03/03 02:00" in text
    assert "24 giờ" not in text and "giờ)" not in text.splitlines()[1]  # the note names no span of its own
    assert "lần đọc ngay trước kỳ được tính" in text
    top_note = r.text.split("== Được đọc nhiều nhất ==")[1].splitlines()[1]
    assert "(24 giờ)" in top_note  # the chart's time axis: the window
    doc = lxml.html.fromstring(r.html)
    notes = [p.text_content() for p in doc.xpath('//p[@class="chart-note"]')]
    assert "(24 giờ)" in notes[0] and "giờ)" not in notes[1]
    assert "đo từ 01/03 20:00 đến 03/03 02:00" in doc.xpath('//table[@id="rising"]')[0].text_content()


def test_rising_says_why_the_most_read_are_left_out(w):
    rising_world(w)
    d = data_for(w)
    assert [a["title"].split()[1] for a in d["rising"]] == ["r57", "r30"]
    assert sorted(d["rising_left_out"]) == sorted(a["article_id"] for a in d["top_read"])  # 100/hour each
    r = render(d)
    line = "5 bài cũng tăng nhanh nhưng đã có trong mục “Được đọc nhiều nhất” nên không nhắc lại."
    assert line in r.text.split("== Tăng nhanh nhất ==")[1]
    assert line in lxml.html.fromstring(r.html).xpath('//p[@class="left-out"]')[0].text_content()
    assert "Được đọc nhiều nhất" in r.markdown.split("### Tăng nhanh nhất")[1]


def test_a_post_cross_posted_under_two_urls_is_most_read_once(w):
    """The same news in two categories (two URLs, two counters): same site, same title but for case
    and spacing, same publication time. A post with the same title published at another time is
    another post."""
    title, other = "Hội nghị triển khai nhiệm vụ năm 2026", "HỘI NGHỊ  triển khai nhiệm vụ năm 2026 "
    posts = [("x1", title, at(-30), 300), ("x2", other, at(-30), 250), ("y1", title, at(-60), 40),
             ("z1", "Tin khác", at(-40), 20)]
    for i, h in enumerate((-12, 6, 18)):
        with w.crawl("vinh-hung", at(h)) as items:
            items += [article("vinh-hung", k, title=t, published=p, views=100 + g * i // 2,
                              url=f"https://vinh-hung.example.vn/{cat}/{k}.html")
                      for (k, t, p, g), cat in zip(posts, ("tin-tuc", "thong-bao", "tin-tuc", "tin-tuc"), strict=True)]
    detect(w.db, w.config, now=at(19))
    d = data_for(w)
    assert [(a["url"].rsplit("/", 1)[1], a["gained"]) for a in d["top_read"]] == [
        ("x1.html", 300), ("y1.html", 40), ("z1.html", 20)]
    assert all(not a["url"].endswith("x2.html") for a in d["rising"])
    text = render(d).text
    assert text.count("Hội nghị triển khai nhiệm vụ năm 2026 (Phường Vĩnh Hưng)") == 2  # x1 and y1
    assert "x2.html" not in text


def test_each_chart_has_its_start_and_end_count_beside_it(w):
    rising_world(w)
    d = data_for(w)
    top = d["top_read"][0]
    assert (top["start"], top["views"]) == (1000, 4000)
    r = render(d)
    assert "+3.000 lượt xem (tổng 4.000)\n  1.000 [" in r.text and "█] 4.000\n" in r.text
    assert "(tổng 357), đo từ 01/03 20:00 đến 03/03 02:00\n  300 [" in r.text and "] 357\n" in r.text
    doc = lxml.html.fromstring(r.html)
    for table, first in (("top-read", ("1.000", "4.000")), ("rising", ("300", "357"))):
        ends = doc.xpath(f'//table[@id="{table}"]//table[@class="chart-ends"]')
        assert len(ends) == len(doc.xpath(f'//table[@id="{table}"]//img'))
        assert tuple(td.text_content().strip() for td in ends[0].xpath(".//td")) == first
    assert "(tổng 4.000\\) · 1.000 `" in r.markdown and "` 4.000" in r.markdown


def test_a_unit_named_after_its_id_is_not_printed_as_if_that_were_its_name(tmp_path, monkeypatch):
    """`sites import` without a parent_name column writes `[[unit]] id = "ha-tinh", name = "ha-tinh"`:
    the scope line says it is an id with no name yet, with the unit's level word when it has one."""
    extra = """
[[unit]]
id = "ha-tinh"
name = "ha-tinh"

[[unit]]
id = "thanh-hoa"
name = "thanh-hoa"
level = "province"

[[unit]]
id = "hoang-hoa"
name = "Huyện Hoằng Hóa"
level = "district"
parent = "thanh-hoa"

[[site]]
id = "xa-thach-kim"
name = "Xã Thạch Kim"
parent = "ha-tinh"
start_urls = ["https://thachkim.example.vn/tin-tuc"]

[[site]]
id = "xa-hoang-dong"
name = "Xã Hoằng Đồng"
parent = "hoang-hoa"
start_urls = ["https://hoangdong.example.vn/tin-tuc"]
"""
    recipient = """
[[recipient]]
id = "so-tttt"
name = "Sở TT&TT"
parents = ["ha-tinh", "thanh-hoa", "hoang-hoa"]
"""
    world = World(tmp_path, make_config(tmp_path, recipient=recipient, extra=extra), monkeypatch)
    try:
        d = data_for(world, "so-tttt")
    finally:
        world.store.close()
    assert [(u["id"], u["unnamed"]) for u in d["units"]] == [("ha-tinh", True), ("thanh-hoa", True),
                                                              ("hoang-hoa", False)]
    r = render(d)
    scope = ("Phạm vi: Đơn vị “ha-tinh” (chưa đặt tên trong cấu hình, 1 đơn vị) · Tỉnh “thanh-hoa” (chưa đặt tên"
             " trong cấu hình, 1 đơn vị) · Huyện Hoằng Hóa (1 đơn vị)")
    assert scope in r.text
    assert lxml.html.fromstring(r.html).xpath('//p[@id="scope"]')[0].text_content() == scope
    assert "ha-tinh (1 đơn vị)" not in r.text and "thanh-hoa (1 đơn vị)" not in r.text
    d["recipient"]["language"] = "en"
    assert "Covers: Unit “ha-tinh” (no name in the configuration, 1 sites) · Province “thanh-hoa”" in render(d).text
