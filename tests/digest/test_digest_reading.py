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
