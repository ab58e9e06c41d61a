"""Hostile or broken page content: counts that are not counts, impossible dates,
control and bidi characters, huge fields. Each refused value is None plus one sentence."""

from datetime import UTC, datetime, timedelta

import pytest

from crawler import clock
from crawler.extract.dates import VN_TZ, check_published, find_datetime, to_utc_iso
from crawler.extract.numbers import MAX_VIEWS, check_count, match_view_count, parse_count
from crawler.extract.profiles import get_profile

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 10:00 in Hanoi
URL = "https://xa.example.gov.vn/bai-viet/tin-101.html"


def article(meta: str, title: str = "Xã tổ chức hội nghị tổng kết công tác năm") -> str:
    return f"""<!DOCTYPE html><html lang="vi"><head><title>{title}</title></head><body>
<div class="bai"><h1>{title}</h1>
<div class="tt-bai">{meta}</div>
<div class="noi-dung"><p>Sáng nay, Ủy ban nhân dân xã tổ chức hội nghị tổng kết công tác năm với sự tham dự của đông đảo cán bộ.</p>
<p>Hội nghị đã đánh giá kết quả đạt được và đề ra phương hướng nhiệm vụ cho năm tới của địa phương.</p></div>
</div></body></html>"""


def parse(meta: str, profile: str = "auto", **kw):
    return get_profile(profile).parse_article(article(meta, **kw), URL, now=NOW)


# ------------------------------------------------------------------ counts
@pytest.mark.parametrize(
    "meta,views,rejected",
    [
        # empty, JS-filled counter: the minutes of the date are not a count
        ("Ngày đăng: 20-11-2026 09:55 Lượt đọc:", None, None),
        ("Ngày đăng: 20-11-2026 09:55 | Lượt đọc: <span id='c'></span>", None, None),
        ("Ngày đăng: 20-11-2026 09:55 | Lượt xem: -5 | Mã tin 4821", None, "views '-5' is not a plausible count"),
        ("Ngày đăng: 20-11-2026 | Lượt xem: 1e9", None, "views '1e9' is not a plausible count"),
        ("Ngày đăng: 20-11-2026 | Lượt xem: 12abc", None, "views '12abc' is not a plausible count"),
        (
            "Ngày đăng: 20-11-2026 | Lượt xem: 1.234.567.890.123",
            None,
            "views '1.234.567.890.123' is not a plausible count (over 1,000,000,000)",
        ),
        (
            "Ngày đăng: 20-11-2026 | View count: 99999999999999999999",
            None,
            "views '99999999999999999999' is not a plausible count (over 1,000,000,000)",
        ),
        ("Ngày đăng: 20-11-2026 | Lượt xem: 1.000.000.000", 1_000_000_000, None),
        ("Ngày đăng: 20-11-2026 09:55 | Lượt đọc: 1.234", 1234, None),
    ],
)
def test_count_belongs_to_its_label_and_is_bounded(meta, views, rejected):
    art = parse(meta)
    assert art.views == views, art.provenance
    assert art.published_at is not None  # the date itself is fine
    assert art.rejected == ([rejected] if rejected else [])


@pytest.mark.parametrize(
    "text", ["20-11-2026 09:55 Lượt đọc:", "09:55 lượt xem", "Lượt xem: 20/11/2026", "Lượt xem:12.34"]
)
def test_no_count_from_a_date_or_time(text):
    m = match_view_count(text)
    assert m is None or m.value is None


def test_bare_counts():
    assert parse_count("(905)") == 905
    assert parse_count(str(MAX_VIEWS + 1)) is None
    assert check_count("") is None and check_count("  ") is None  # empty counter: nothing to refuse
    assert check_count("-5").rejected == "views '-5' is not a plausible count"
    assert check_count("1 234").value == 1234


def test_list_entry_refuses_an_implausible_count():
    html = """<html><body><div class="tandan-article-news-item">
<h3 class="tandan-p-article-news-title"><a href="/portal/Pages/2024-5-17/Bai-viet-CAhvbq96.aspx">Hội nghị tổng kết công tác năm 2024</a></h3>
<span class="tandan-span-date-publish">Đăng ngày 17 - 05 - 2024</span>
<span class="tandan-span-view">Lượt xem: 99999999999999999999</span></div></body></html>"""
    page = get_profile("tandan").parse_list(html, "https://x.gov.vn/portal/Pages/tin-tuc.aspx", now=NOW)
    (e,) = page.entries
    assert e.views is None and e.published_at is not None
    assert e.rejected == ["views '99999999999999999999' is not a plausible count (over 1,000,000,000)"]


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize(
    "meta,why",
    [
        ("Ngày đăng: 01-01-1900", "date '01-01-1900' is not a plausible publication date (before 1995-01-01)"),
        ("Ngày đăng: 31-12-1994 23:59", "date '31-12-1994 23:59' is not a plausible publication date (before 1995-01-01)"),
        (
            "Ngày đăng: 31-12-2100",
            "date '31-12-2100' is not a plausible publication date (more than a day after 2026-11-21 10:00 +07:00)",
        ),
        (
            "Ngày đăng: 22-11-2026 10:01",
            "date '22-11-2026 10:01' is not a plausible publication date (more than a day after 2026-11-21 10:00 +07:00)",
        ),
    ],
)
def test_impossible_dates_are_refused(meta, why):
    art = parse(meta)
    assert art.published_at is None and art.published_text is None
    assert art.rejected == [why]


@pytest.mark.parametrize("meta", ["Ngày đăng: 01-01-1995", "Ngày đăng: 22-11-2026 10:00"])
def test_dates_at_the_bounds_are_kept(meta):
    art = parse(meta)
    assert art.published_at is not None and art.rejected == []


def test_offset_is_always_fixed_plus_seven():
    for text in ("01-01-1900", "01/08/2020 16:20", "2024-05-17T01:30:00Z", "December 1, 2026"):
        dt = find_datetime(text).value
        assert dt.utcoffset() == timedelta(hours=7), text
        assert dt.tzinfo == VN_TZ
    # no Local Mean Time (+07:06:40 in zoneinfo for 1900): 00:00 local is 17:00 UTC the day before
    assert to_utc_iso(find_datetime("01-01-1900").value) == "1899-12-31T17:00:00Z"
    assert check_published(find_datetime("01-01-1900").value, NOW) is not None


def test_now_comes_from_portalwatch_now(monkeypatch):
    monkeypatch.setenv("PORTALWATCH_NOW", "2020-08-01T00:00:00Z")
    assert clock.now() == datetime(2020, 8, 1, tzinfo=UTC)
    # a page dated after the pinned clock (+1 day) is refused without passing `now`
    art = get_profile("auto").parse_article(article("Ngày đăng: 05-08-2020 10:00"), URL)
    assert art.published_at is None and len(art.rejected) == 1
    art = get_profile("auto").parse_article(article("Ngày đăng: 01-08-2020 10:00"), URL)
    assert art.published_at == datetime(2020, 8, 1, 10, 0, tzinfo=VN_TZ)


# ------------------------------------------------------------------ text
UNSAFE = "\x07\x1b[31m\x85\u202e\u2066"
UNSAFE_CHARS = "\x00\x07\x1b\x85\u202a\u202e\u2066\u2069"


def test_control_and_bidi_characters_are_stripped_from_every_field():
    title = f"Xã tổ chức{UNSAFE} hội nghị tổng kết công tác năm"
    art = parse(f"Ngày đăng: 20-11-2026 {UNSAFE}| Lượt xem: 5", title=title)
    assert art.title == "Xã tổ chức[31m hội nghị tổng kết công tác năm"
    for value in (art.title, art.published_text, art.body, art.category, art.lead, art.author):
        assert value is None or not any(c in value for c in UNSAFE_CHARS)
    assert "\n\n" in art.body  # paragraph breaks survive
    html = f"""<html><body><ul class="ds">
<li class="muc"><h3><a href="/tin/bai-viet-so-mot-1001.html">Bài viết{UNSAFE} số một của xã</a></h3><p>Ngày đăng: 20-11-2026</p>
<p>Tóm tắt{UNSAFE} của bài viết số một, đủ dài để là một đoạn tóm tắt.</p></li>
<li class="muc"><h3><a href="/tin/bai-viet-so-hai-1002.html">Bài viết số hai của xã</a></h3><p>Ngày đăng: 19-11-2026</p></li>
</ul></body></html>"""
    e = get_profile("auto").parse_list(html, "https://xa.example.gov.vn/tin/", now=NOW).entries[0]
    assert e.title == "Bài viết[31m số một của xã"
    assert not any(c in e.summary for c in UNSAFE_CHARS)


def test_title_is_bounded_at_a_word():
    title = "Hội nghị " + "tổng kết " * 100
    art = parse("Ngày đăng: 20-11-2026", title=title)
    assert len(art.title) <= 500 and art.title.endswith("kết…")
    assert title.startswith(art.title[:-1])
