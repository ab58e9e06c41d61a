"""Date variants as printed on the portals (see shared/portals.md)."""

from datetime import UTC, datetime

import pytest

from crawler.extract.dates import VN_TZ, find_datetime, parse_datetime, to_utc_iso

CASES = [
    # text, expected local "YYYY-MM-DD HH:MM", expected matched text
    ("Ngày đăng 01/08/2020 | 16:20  | View count: 129", "2020-08-01 16:20", "01/08/2020 | 16:20"),
    ("Ngày đăng 14/06/2018 | 11:22 AM &nbsp;|&nbsp;View count: 1108", "2018-06-14 11:22", "14/06/2018 | 11:22 AM"),
    ("Ngày đăng 14/06/2018 | 11:22 PM", "2018-06-14 23:22", "14/06/2018 | 11:22 PM"),
    ("Ngày đăng 17/11/2015 | 12:00 AM", "2015-11-17 00:00", "17/11/2015 | 12:00 AM"),
    ("Ngày đăng 17/11/2015 | 12:30 PM", "2015-11-17 12:30", "17/11/2015 | 12:30 PM"),
    ("Ngày đăng 14/06/2018 | 09:05 SA", "2018-06-14 09:05", "14/06/2018 | 09:05 SA"),
    ("Ngày đăng 14/06/2018 | 02:05 CH", "2018-06-14 14:05", "14/06/2018 | 02:05 CH"),
    ("Publish date 24/08/2017 | 3:42 PM", "2017-08-24 15:42", "24/08/2017 | 3:42 PM"),
    ("17/05/2017 | 2:48 PM", "2017-05-17 14:48", "17/05/2017 | 2:48 PM"),
    ("Đăng ngày 17 - 05 - 2024", "2024-05-17 00:00", "17 - 05 - 2024"),
    ("Đăng ngày 17 - 05 - 2024 | 08:30", "2024-05-17 08:30", "17 - 05 - 2024 | 08:30"),
    ("(29/06/2026, 14:49)", "2026-06-29 14:49", "29/06/2026, 14:49"),
    ("Thứ năm, 26/7/2018, 00:00 (GMT+7)", "2018-07-26 00:00", "26/7/2018, 00:00 (GMT+7)"),
    ("Thứ năm, 26/7/2018, 14:49 (GMT+7) | Lượt xem: 1.234", "2018-07-26 14:49", "26/7/2018, 14:49 (GMT+7)"),
    ("Ngày đăng: 23-01-2014", "2014-01-23 00:00", "23-01-2014"),
    ("2024-05-17T08:30:00+07:00", "2024-05-17 08:30", "2024-05-17T08:30:00+07:00"),
    ("14:49 29/06/2026", "2026-06-29 14:49", "14:49 29/06/2026"),
    ("Cập nhật lúc 08:15 | 3/2/2021", "2021-02-03 08:15", "08:15 | 3/2/2021"),
    ("1/8/2020", "2020-08-01 00:00", "1/8/2020"),
    ("Ngày 5/1/2023 UBND xã họp", "2023-01-05 00:00", "5/1/2023"),
    ("26.07.2018 10:00", "2018-07-26 10:00", "26.07.2018 10:00"),
    ("ngày 17 tháng 5 năm 2024", "2024-05-17 00:00", "17 tháng 5 năm 2024"),
    ("32/13/2020 rồi 02/03/2021", "2021-03-02 00:00", "02/03/2021"),
    ("Ngày đăng 01/08/2020 | 16:20 (sửa 02/08/2020)", "2020-08-01 16:20", "01/08/2020 | 16:20"),
]


@pytest.mark.parametrize("text,local,matched", CASES)
def test_find_datetime(text, local, matched):
    m = find_datetime(text)
    assert m is not None
    assert m.value.tzinfo is not None
    assert m.value.astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M") == local
    assert m.text == matched


@pytest.mark.parametrize(
    "text",
    ["", "không có ngày", "32/13/2020", "31/02/2021", "nhiệm kỳ 2020-2025", "Điện thoại: (024) 35123536", "1.234", None],
)
def test_no_date(text):
    assert find_datetime(text) is None
    assert parse_datetime(text) is None


def test_day_first_always():
    assert parse_datetime("01/08/2020").month == 8
    assert parse_datetime("12/01/2020").month == 1


def test_explicit_offsets_are_honoured():
    assert to_utc_iso(parse_datetime("26/7/2018, 10:00 (GMT+9)")) == "2018-07-26T01:00:00Z"
    assert to_utc_iso(parse_datetime("2024-05-17T01:30:00Z")) == "2024-05-17T01:30:00Z"
    assert parse_datetime("2024-05-17T01:30:00Z").tzinfo == VN_TZ


@pytest.mark.parametrize(
    "dt,expected",
    [
        (datetime(2020, 8, 1, 16, 20, tzinfo=VN_TZ), "2020-08-01T09:20:00Z"),
        (datetime(2020, 8, 1, 3, 0, 59, 999, tzinfo=VN_TZ), "2020-07-31T20:00:59Z"),
        (datetime(2020, 8, 1, 9, 20, tzinfo=UTC), "2020-08-01T09:20:00Z"),
        (datetime(2020, 8, 1, 16, 20), "2020-08-01T09:20:00Z"),  # naive = Vietnam local time
    ],
)
def test_to_utc_iso(dt, expected):
    assert to_utc_iso(dt) == expected
