"""Templates as they are in the wild: every profile's pages with the date and count
elements renamed, moved or printed in another format must still give exact values (the field
chain: selectors, then the rules `auto` uses); no dates invented from the body; `auto` keeps
list items whose URLs differ in shape; more date and count formats."""

from datetime import UTC, datetime

import pytest

from crawler.extract.dates import find_datetime
from crawler.extract.numbers import match_view_count
from crawler.extract.profiles import get_profile

from .test_liferay_samples import D1712928_URL, D1917416_URL, read, vn
from .test_profiles import (
    DNN_ARTICLE,
    DNN_ARTICLE_URL,
    DNN_LIST,
    DNN_LIST_URL,
    TD_ARTICLE,
    TD_ARTICLE_URL,
    TD_LIST,
    TD_LIST_URL,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# ------------------------------------------------------------------ Liferay (real saved pages)
LR_DATE = '<div class="assetPublishDate block_timer">'
LR_VIEWS = "&nbsp;|&nbsp;View count: 3945"

def _lr_date_div(html: str) -> str:
    start = html.index(LR_DATE)
    return html[start : html.index("</div>", start) + 6]


# (name, transformation of liferay-detail-1917416.with-views.html); every variant must still read
# 24/08/2017 3:42 PM and 3945 views
LIFERAY_VARIANTS = [
    ("date element renamed", lambda h: h.replace(LR_DATE, '<div class="ngay-dang">')),
    ("count in its own span", lambda h: h.replace(LR_VIEWS, '</div><div><span class="luot-xem">View count: 3945</span>')),
    ("count as 'Số lượt xem (3.945)'", lambda h: h.replace(LR_VIEWS, '</div><div class="so-lx">Số lượt xem (3.945)')),
    ("count as 'Lượt xem (3 945)', thin space", lambda h: h.replace(LR_VIEWS, "</div><p>Lượt xem (3\u2009945)</p><div>")),
    (
        "count after an eye icon",
        lambda h: h.replace(LR_VIEWS, '</div><span class="view"><i class="fa fa-eye"></i> 3.945</span><div>'),
    ),
    ("count in a title attribute", lambda h: h.replace(LR_VIEWS, '</div><span title="Lượt xem: 3945">3,9K</span><div>')),
    ("count in data-views", lambda h: h.replace(LR_VIEWS, '</div><span class="hits" data-views="3945"></span><div>')),
    (
        "date renamed and count moved",
        lambda h: h.replace(LR_DATE, '<div class="publish">').replace(LR_VIEWS, '</div><em>Lượt xem: 3.945</em><div>'),
    ),
    (
        "date in <time datetime>",
        lambda h: h.replace(_lr_date_div(h), '<div class="info"><time datetime="2017-08-24T15:42:00+07:00">'
                            "24/08/2017 | 3:42 PM</time> | View count: 3945</div>"),
    ),
]


@pytest.mark.parametrize("profile", ["liferay", "auto"])
@pytest.mark.parametrize("name,change", LIFERAY_VARIANTS, ids=[v[0] for v in LIFERAY_VARIANTS])
def test_liferay_detail_variants_read_exact_values(profile, name, change):
    html = read("liferay-detail-1917416.with-views.html")
    changed = change(html)
    assert changed != html, "the variant must change the page"
    art = get_profile(profile).parse_article(changed, D1917416_URL, now=NOW)
    assert art.published_at == vn(2017, 8, 24, 15, 42), art.provenance
    assert art.views == 3945, art.provenance
    assert art.title.startswith("Danh sách các trò chơi G1")
    assert art.rejected == []


def test_liferay_fallback_provenance_names_the_rule():
    html = LIFERAY_VARIANTS[2][1](read("liferay-detail-1917416.with-views.html"))
    art = get_profile("liferay").parse_article(html, D1917416_URL, now=NOW)
    assert art.provenance["date"] == "div.assetPublishDate"
    assert art.provenance["views"] == "auto: label 'Số lượt xem' near the title"


def test_liferay_list_variant_count_renamed():
    html = read("liferay-list-pctn.vi.html")
    # list items print the count in its own element after the date line, in parentheses
    changed = html.replace("&nbsp;|&nbsp;View count: 1108", '</div><div class="luot-xem">Số lượt xem (1.108)')
    assert changed != html
    page = get_profile("liferay").parse_list(changed, "https://sotttt.hanoi.gov.vn/pctn", now=NOW)
    assert page.entries[0].views == 1108
    assert page.entries[0].published_at == vn(2018, 6, 14, 11, 22)
    assert [e.views for e in page.entries[1:4]] == [5915, 935, 905]


# ------------------------------------------------------------------ Tân Dân and DNN
TD_VIEWS = '<span class="tandan-span-view">Lượt xem: 400</span>'
TD_DATE = '<span class="tandan-span-date-publish">Đăng ngày 17 - 05 - 2024 | 08:30</span>'
TD_VARIANTS = [
    ("views renamed", lambda h: h.replace(TD_VIEWS, '<span class="tandan-luot-xem">Lượt xem: 400</span>')),
    ("views: eye icon", lambda h: h.replace(TD_VIEWS, '<span class="lx"><i class="fa fa-eye"></i> 400</span>')),
    ("views: titled element", lambda h: h.replace(TD_VIEWS, '<span title="Lượt xem">400</span>')),
    ("date renamed, other label", lambda h: h.replace(TD_DATE, '<span class="ngay">Cập nhật lúc: 17/05/2024 08:30</span>')),
    ("date: Thời gian đăng", lambda h: h.replace(TD_DATE, "<p>Thời gian đăng: 17/05/2024 08:30</p>")),
    ("date: English month", lambda h: h.replace(TD_DATE, "<span>May 17, 2024 08:30</span>")),
    ("date: two-digit year", lambda h: h.replace(TD_DATE, "<span>17/05/24 08:30</span>")),
    (
        "date: meta article:published_time",
        lambda h: h.replace(TD_DATE, "").replace(
            "<head>", '<head><meta property="article:published_time" content="2024-05-17T01:30:00Z">'
        ),
    ),
]


@pytest.mark.parametrize("profile", ["tandan", "auto"])
@pytest.mark.parametrize("name,change", TD_VARIANTS, ids=[v[0] for v in TD_VARIANTS])
def test_tandan_article_variants(profile, name, change):
    changed = change(TD_ARTICLE)
    assert changed != TD_ARTICLE
    art = get_profile(profile).parse_article(changed, TD_ARTICLE_URL, now=NOW)
    assert art.published_at == vn(2024, 5, 17, 8, 30), art.provenance
    assert art.views == 400, art.provenance
    assert art.body.startswith("Đoạn thứ nhất")


def test_tandan_list_variant():
    changed = TD_LIST.replace('class="tandan-span-view"', 'class="luot-xem"').replace(
        'class="tandan-span-date-publish"', 'class="ngay"'
    )
    page = get_profile("tandan").parse_list(changed, TD_LIST_URL, now=NOW)
    assert [e.views for e in page.entries] == [400, 1234, 0]
    assert [e.published_at for e in page.entries] == [vn(2024, 5, 17), vn(2024, 5, 9), vn(2024, 5, 3)]


DNN_META = '<div class="news-detail-meta">Thứ năm, 26/7/2018, 14:49 (GMT+7) | Lượt xem: 1.234</div>'
DNN_VARIANTS = [
    (
        "meta renamed, <time>, count in parentheses",
        lambda h: h.replace(
            DNN_META,
            '<div class="news-meta"><time datetime="2018-07-26T14:49:00+07:00">26/07/2018 14:49</time>'
            ' | <span class="hits">Số lượt xem (1.234)</span></div>',
        ),
    ),
    ("count without colon, comma", lambda h: h.replace("Lượt xem: 1.234", "Lượt xem 1,234")),
    ("count first", lambda h: h.replace("Lượt xem: 1.234", "1.234 lượt xem")),
    (
        "count in data-views",
        lambda h: h.replace(" | Lượt xem: 1.234</div>", '</div><div class="v" data-views="1234"><i class="icon-eye"></i></div>'),
    ),
    ("date: English day-month", lambda h: h.replace("Thứ năm, 26/7/2018, 14:49 (GMT+7)", "26 July 2018, 14:49")),
    ("date: abbreviated month", lambda h: h.replace("Thứ năm, 26/7/2018, 14:49 (GMT+7)", "Jul 26, 2018 2:49 PM")),
]


@pytest.mark.parametrize("profile", ["dnn", "auto"])
@pytest.mark.parametrize("name,change", DNN_VARIANTS, ids=[v[0] for v in DNN_VARIANTS])
def test_dnn_article_variants(profile, name, change):
    changed = change(DNN_ARTICLE)
    assert changed != DNN_ARTICLE
    art = get_profile(profile).parse_article(changed, DNN_ARTICLE_URL, now=NOW)
    assert art.published_at == vn(2018, 7, 26, 14, 49), art.provenance
    assert art.views == 1234, art.provenance


def test_dnn_list_variant():
    changed = DNN_LIST.replace('<span class="news-views">Lượt đọc: 1.234</span>', '<span class="c" data-views="1234">1.234</span>')
    changed = changed.replace('class="news-date"', 'class="ngay"')
    assert changed.count('data-views="1234"') == 1
    page = get_profile("dnn").parse_list(changed, DNN_LIST_URL, now=NOW)
    assert [e.views for e in page.entries] == [1234, 57]
    assert [e.published_at for e in page.entries] == [vn(2026, 6, 29, 14, 49), vn(2026, 6, 28, 8, 5)]
    assert page.provenance["views"] == "auto: attribute data-views"


# ------------------------------------------------------------------ no invented dates
@pytest.mark.parametrize("profile", ["liferay", "auto"])
@pytest.mark.parametrize("fixture", ["liferay-detail-draft.empty-date.html", "liferay-detail-draft.no-date-element.html"])
def test_no_date_from_the_body(profile, fixture):
    html = read(fixture)
    assert "ngày 10/10/2017" in html and "trước ngày 30/9/2016" in html and "Ngày ban hành: 18/08/2016" in html
    art = get_profile(profile).parse_article(html, D1712928_URL, now=NOW)
    assert art.published_at is None and art.published_text is None, art.provenance
    assert "date" not in art.provenance
    assert art.title == "Xử phạt doanh nghiệp vi phạm trong hoạt động gửi, phát tán tin nhắn"
    assert art.body.startswith("Thực hiện Công văn số 2027/STTTT-BCVT ngày 10/10/2017")


def test_header_date_in_another_element_is_still_read():
    html = read("liferay-detail-draft.no-date-element.html").replace(
        '<div class="asset-full-content  show-asset-title">',
        '<div class="ngay-xuat-ban">Ngày xuất bản: 17/05/2017 14:48</div><div class="asset-full-content  show-asset-title">',
        1,
    )
    art = get_profile("liferay").parse_article(html, D1712928_URL, now=NOW)
    assert art.published_at == vn(2017, 5, 17, 14, 48)
    assert art.published_text == "17/05/2017 14:48"


# ------------------------------------------------------------------ auto: URLs of other shapes
def _list(hrefs):
    items = "".join(
        f'<div class="item"><h3><a href="{h}">Tin tức số {i} về hoạt động của phường trong tháng</a></h3>'
        f'<span class="date">Ngày đăng: {i + 1:02d}/11/2026</span></div>\n'
        for i, h in enumerate(hrefs)
    )
    return f"""<html><head><title>Tin tức</title></head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/gioi-thieu.html">Giới thiệu</a></div>
<div class="list">{items}</div>
<div class="pager"><a href="/tin-tuc/trang-2.htm">2</a></div></body></html>"""


@pytest.mark.parametrize(
    "hrefs",
    [
        [f"/tin-tuc/tin-so-{i}-ve-hoat-dong-phuong-{1000 + i}.html" for i in range(8)]
        + ["/tin-tuc/tin-so-8-ve-hoat-dong-giao-di.3a8.del", "/tin-tuc/tin-so-9-ve-hoat-dong-phuong-1009"],
        ["/tin-tuc/hoi-nghi-tong-ket-cong-tac-1001.html", "/tin-tuc/ra-quan-ve-sinh-moi-truong-1002.aspx"],
    ],
    ids=["truncated and unsuffixed URLs", "two items, two shapes"],
)
def test_auto_keeps_every_item_of_the_list(hrefs):
    page = get_profile("auto").parse_list(_list(hrefs), "https://phuong.example.gov.vn/tin-tuc/", now=NOW)
    assert [e.url for e in page.entries] == ["https://phuong.example.gov.vn" + h for h in hrefs]
    assert [e.published_at.day for e in page.entries] == [i + 1 for i in range(len(hrefs))]


# ------------------------------------------------------------------ formats
@pytest.mark.parametrize(
    "text,expected,matched",
    [
        ("December 1, 2026", vn(2026, 12, 1), "December 1, 2026"),
        ("1 December 2026", vn(2026, 12, 1), "1 December 2026"),
        ("Dec 1, 2026", vn(2026, 12, 1), "Dec 1, 2026"),
        ("Posted Sept. 3rd 2025 at 9:05 AM", vn(2025, 9, 3, 9, 5), "Sept. 3rd 2025 at 9:05 AM"),
        ("01/08/20", vn(2020, 8, 1), "01/08/20"),
        ("Ngày đăng: 01-08-20 16:20", vn(2020, 8, 1, 16, 20), "01-08-20 16:20"),
        ("Cập nhật lúc 16:20 01/08/2020", vn(2020, 8, 1, 16, 20), "16:20 01/08/2020"),
        ("Thời gian đăng: 01/08/2020 16:20", vn(2020, 8, 1, 16, 20), "01/08/2020 16:20"),
    ],
)
def test_more_date_formats(text, expected, matched):
    m = find_datetime(text)
    assert (m.value, m.text) == (expected, matched)


@pytest.mark.parametrize("text", ["phiên bản 1.2.20", "01/08/2020/5", "Dec 2026", "32 December 2026"])
def test_not_dates(text):
    assert find_datetime(text) is None


@pytest.mark.parametrize(
    "text,value",
    [("Số lượt xem (905)", 905), ("Lượt xem (1.234)", 1234), ("Lượt xem 1 234", 1234), ("Lượt xem: 1\u202f234", 1234)],
)
def test_count_formats(text, value):
    assert match_view_count(text).value == value


def test_machine_readable_date_is_preferred_by_auto():
    html = TD_ARTICLE.replace("<head>", '<head><meta property="article:published_time" content="2024-05-17T08:31:00+07:00">')
    art = get_profile("auto").parse_article(html, TD_ARTICLE_URL, now=NOW)
    assert art.published_at == vn(2024, 5, 17, 8, 31)
    assert art.provenance["date"] == "auto: meta article:published_time"


def test_list_item_with_an_empty_date_element_has_no_date():
    html = read("liferay-list-pctn.vi.html")
    start = html.index('<div class="assetPublishDate')
    end = html.index("</div>", start) + 6
    changed = html[:start] + '<div class="assetPublishDate block_timer"> </div>' + html[end:]
    # the first item's summary mentions another date
    changed = changed.replace('<div class="asset-summary">', '<div class="asset-summary">Công văn ngày 10/10/2017. ', 1)
    page = get_profile("liferay").parse_list(changed, "https://sotttt.hanoi.gov.vn/pctn", now=NOW)
    first = page.entries[0]
    assert first.published_at is None and first.published_text is None and first.views is None
    assert page.entries[1].published_at == vn(2017, 4, 27, 9, 7)
