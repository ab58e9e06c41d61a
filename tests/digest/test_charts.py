"""Charts that say something: real readings on the window's time axis, one scale per section; and
"fastest rising" ranked by a rate that rests on enough readings and views, with the rate spelled out."""

import base64
import re
import struct
import zlib

import lxml.html
import pytest

from monitor.digest import build, render
from tests.world import World, article, at, iso, make_config

WIDTH, HEIGHT = 240, 64
BG, LINE, GRID = 0, 2, 4  # palette indices (chart.py)


def pixels(png: bytes) -> list[bytes]:
    """The palette index of every pixel, row by row (our PNGs: 8-bit palette, filter 0)."""
    w, h = struct.unpack(">II", png[16:24])
    raw, pos, idat = b"", 8, b""
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return [raw[y * (w + 1) + 1:(y + 1) * (w + 1)] for y in range(h)]


def drawn_columns(rows: list[bytes]) -> list[int]:
    return [x for x in range(WIDTH) if any(r[x] not in (BG, GRID) for r in rows[:-1])]


def height_at(rows: list[bytes], x: int) -> int:
    """How many pixels above the axis the chart reaches in column x."""
    top = next(y for y in range(HEIGHT - 1) if rows[y][x] == LINE)
    return HEIGHT - 1 - top


def readings(w, gains: dict[str, int], site: str = "vinh-hung", extra=None):
    """Articles read once before the window (1000 views) and at 06:00, 12:00 and 18:00 UTC in it
    (window = at(0) … at(24)), gaining `gains` evenly; `extra(h, items)` adds more at each crawl."""
    from monitor.detect.events import detect

    with w.crawl(site, at(-12)) as items:
        items += [article(site, k, views=1000, published=at(-72)) for k in gains]
        if extra:
            extra(-12, items)
    for i, h in enumerate((6, 12, 18), start=1):
        with w.crawl(site, at(h)) as items:
            items += [article(site, k, views=1000 + g * i // 3) for k, g in gains.items()]
            if extra:
                extra(h, items)
    detect(w.db, w.config, now=at(19))


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Five articles on Vĩnh Hưng gaining from +10 to +208 in the window."""
    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    readings(w, {"big": 208, "a2": 150, "a3": 120, "a4": 100, "small": 10})
    yield w
    w.store.close()


@pytest.fixture
def rising_world(tmp_path, monkeypatch):
    """Five big gainers (the "most read"), and candidates for "fastest rising"."""
    def extra(h, items):
        if h == -12:
            items += [article("vinh-hung", "r57", views=300, published=at(-72)),
                      article("vinh-hung", "r30", views=300, published=at(-72))]
            return
        items.append(article("vinh-hung", "r30", views=300 + 10 * (h // 6)))
        if h >= 12:  # +57 by 18:00 since its reading before the window (an unchanged count is no new reading)
            items.append(article("vinh-hung", "r57", views=300 if h == 12 else 357))
        if h == 18:  # a new post, 4 views a quarter of an hour after publication: one reading
            items.append(article("vinh-hung", "x4", views=4, published=at(17.75)))

    w = World(tmp_path, make_config(tmp_path), monkeypatch)
    readings(w, {f"top{i}": 3000 for i in range(5)}, extra=extra)
    yield w
    w.store.close()


def data_for(w):
    return build(w.db, w.config, w.config.recipient("ubnd-hoang-mai"), iso(0), iso(24))


def test_charts_share_one_scale_so_plus_10_and_plus_208_look_different(world):
    d = data_for(world)
    r = render(d)
    assert [(a["title"].split()[1], a["gained"]) for a in d["top_read"]] == [
        ("big", 208), ("a2", 150), ("a3", 120), ("a4", 100), ("small", 10)]
    doc = lxml.html.fromstring(r.html)
    srcs = doc.xpath('//table[@id="top-read"]//img/@src')
    charts = [pixels(base64.b64decode(s.split(",", 1)[1])) for s in srcs]
    big, small = charts[0], charts[-1]
    last = max(drawn_columns(big))
    assert height_at(big, last) >= HEIGHT - 6  # the largest gain reaches the top …
    assert height_at(small, last) <= 6  # … +10 stays near the floor
    assert height_at(charts[1], last) == pytest.approx(150 / 208 * (HEIGHT - 4), abs=3)
    assert d["charts"]["top"]["top_read"] == 208
    sparks = re.findall(r"\[([^\]]+)\]", r.text.split("== Được đọc nhiều nhất ==")[1].split("==")[0])
    assert sparks[0].endswith("█") and sparks[-1].strip() == "▁" * 14
    assert len(set(sparks)) > 1


def test_charts_have_a_time_axis_the_real_span_and_say_so(world):
    d = data_for(world)
    a, = [a for a in d["top_read"] if a["gained"] == 208]
    # the real readings as gains since the start of the window (reading before it: 1000 views)
    assert a["series"] == [[iso(0), 0], [iso(6), 69], [iso(12), 138], [iso(18), 208]]
    r = render(d)
    doc = lxml.html.fromstring(r.html)
    img = doc.xpath('//table[@id="top-read"]//img')[0]
    cols = drawn_columns(pixels(base64.b64decode(img.get("src").split(",", 1)[1])))
    assert min(cols) == 0 and max(cols) == pytest.approx(18 / 24 * WIDTH, abs=3)  # ends at 18:00, not at the edge
    assert img.get("alt") == "Lượt xem tăng thêm từ 02/03 08:00 đến 03/03 08:00: +208 (4 lần đọc số liệu)"
    note = "lượt xem tăng thêm từ 02/03/2026 08:00 đến 03/03/2026 08:00 (24 giờ), cùng thang 0–208"
    assert note in doc.xpath('//p[@class="chart-note"]')[0].text_content()
    assert note in r.text and "Lượt xem 7 ngày" not in r.html


def test_fastest_rising_needs_readings_and_views_and_spells_out_the_rate(rising_world):
    d = data_for(rising_world)
    assert [(a["title"].split()[1], a["gained"], a["hours"], a["readings"]) for a in d["rising"]] == [
        ("r57", 57, 30.0, 2), ("r30", 30, 30.0, 4)]  # x4 (+4 in a quarter of an hour, 1 reading) is not there
    text = render(d).text.split("== Tăng nhanh nhất ==")[1]
    assert "+57 lượt xem / 30 giờ ≈ 1,9/giờ (tổng 357)" in text
    assert "x4" not in text
