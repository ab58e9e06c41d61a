"""View counts and their labels."""

import pytest

from crawler.extract.numbers import find_view_count, match_view_count, parse_count


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1.234", 1234),
        ("1,234", 1234),
        ("129", 129),
        ("1 234", 1234),
        ("1\xa0234", 1234),
        (" 0 ", 0),
        ("1.234.567", 1234567),
        ("12.34", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("12 lượt", None),
    ],
)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Ngày đăng 01/08/2020 | 16:20  | View count: 129", 129),
        ("Ngày đăng 14/06/2018 | 11:22 AM &nbsp;|&nbsp;View count: 1108", 1108),
        ("Publish date 24/08/2017 | 3:42 PM\n\t&nbsp;|&nbsp;View count: 3945", 3945),
        ("Views: 12", 12),
        ("Lượt xem: 400", 400),
        ("LƯỢT XEM: 1.234", 1234),
        ("Lượt đọc: 1.234", 1234),
        ("Số lượt xem 2,500", 2500),
        ("Lượt truy cập: 98", 98),
        ("Lượt views: 7", 7),
        ("luot xem:\xa015", 15),
        ("View count: 0", 0),
        ("1.234 lượt xem", 1234),
        ("Ngày đăng 01/08/2020 | 16:20", None),
        ("17/05/2017 | 2:48 PM", None),
        ("reviews: 5", None),
        ("", None),
    ],
)
def test_find_view_count(text, expected):
    assert find_view_count(text) == expected


def test_match_reports_label_as_printed():
    m = match_view_count("Ngày đăng 14/06/2018 | 11:22 AM | View count: 1108")
    assert (m.value, m.label) == (1108, "View count")
    assert match_view_count("Lượt xem: 400").label == "Lượt xem"
