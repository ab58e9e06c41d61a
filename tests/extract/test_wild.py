"""The kinds of markup CMSs communes run (tests/fixtures/wild/: hand-made pages modelled on
WordPress, Joomla 3/4, Drupal 7-10, Liferay 6/7, a home-grown theme): pagers, which list, view
counts, dates. Expected values are the ones written into the pages (see wild/README.md)."""

from datetime import datetime
from pathlib import Path

import pytest

from crawler.extract.dates import VN_TZ
from crawler.extract.profiles import get_profile

WILD = Path(__file__).resolve().parent.parent / "fixtures" / "wild"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=VN_TZ)
WP = "https://xaphuclam.example.gov.vn/chuyen-muc/tin-tuc/"
JM = "https://xahoaan.example.gov.vn"
DR = "https://phuongtanan.example.gov.vn/tin-tuc"
LR7 = "https://xaanbinh.example.gov.vn/web/guest/tin-tuc"
INST = "_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_kQ7zM3xYbP1c"
LR7_PAGE = f"{LR7}?p_p_id={INST[1:]}&p_p_lifecycle=0&{INST}_delta=6&{INST}_cur="
LF6 = "https://phuongdonggiao.example.gov.vn/web/donggiao/tin-tuc"
LF6_PAGE = f"{LF6}?p_p_id=101_INSTANCE_Qm9x&p_p_lifecycle=0&_101_INSTANCE_Qm9x_delta=5&_101_INSTANCE_Qm9x_cur="
HG = "https://xatanhoa.example.gov.vn/tin-tuc/"
PROFILES = ["auto", "liferay", "tandan", "dnn"]


def read(name: str) -> str:
    return (WILD / name).read_text(encoding="utf-8")


def vn(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


# ------------------------------------------------------------------ pagers
# (fixture, its URL, next page, (this page's number, highest page shown), "x - y of total")
PAGERS = [
    ("wordpress-list.p1.html", WP, WP + "page/2/", (1, 12), None),  # <link rel=next>, numbers with dots
    ("wordpress-list.p5.html", WP + "page/5/", WP + "page/6/", (5, 12), None),
    ("wordpress-list.p12.html", WP + "page/12/", None, (12, 12), None),
    ("joomla3-list.p1.html", f"{JM}/index.php/tin-tuc", f"{JM}/index.php/tin-tuc?limitstart=5", (1, 5), None),
    ("joomla3-list.p3.html", f"{JM}/index.php/tin-tuc?limitstart=10", f"{JM}/index.php/tin-tuc?limitstart=15", (3, 5), None),
    # Joomla 4: icon-only next link named by aria-label "Đi tới trang tiếp", ?start= offsets
    ("joomla4-list.p3.html", f"{JM}/tin-tuc?start=10", f"{JM}/tin-tuc?start=15", (3, 9), None),
    # Drupal: zero-based ?page=, query-only hrefs, the words only in visually-hidden spans
    ("drupal-list.p1.html", DR, DR + "?page=1", (1, 12), None),
    ("drupal-list.p2.html", DR + "?page=1", DR + "?page=2", (2, 12), None),
    # Liferay 7 Clay pager: page numbers first, an icon with an sr-only "Tiếp"
    ("liferay7-list.p1.html", LR7, LR7_PAGE + "2", (1, 16), (1, 6, 95)),
    ("liferay7-list.p4.html", LR7_PAGE + "4", LR7_PAGE + "5", (4, 16), (19, 24, 95)),
    # Liferay 6 whose lfr-pagination-buttons list the page numbers before "Tiếp"
    ("liferay6-numbers-first.p1.html", LF6, LF6_PAGE + "2", (1, 5), (1, 5, 23)),
    ("liferay6-numbers-first.p2.html", LF6_PAGE + "2", LF6_PAGE + "3", (2, 5), (6, 10, 23)),
    # ?offset= pager with relative query-only hrefs and an icon next link titled "Trang sau"
    ("hometown-list.p1.html", HG, HG + "?offset=10", (1, 9), None),
    ("hometown-list.last-short.html", HG + "?offset=40", None, (5, 5), None),
]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name,url,expected,numbers,counts", PAGERS, ids=[p[0] for p in PAGERS])
def test_every_profile_follows_every_pager_kind(profile, name, url, expected, numbers, counts):
    page = get_profile(profile).parse_list(read(name), url, now=NOW)
    assert page.next_url == expected, page.provenance.get("next_page")
    assert (page.pager.current, page.pager.highest) == numbers
    if counts:
        assert (*page.pager.item_range, page.pager.total) == counts


def test_joomla_prints_the_page_count():
    page = get_profile("auto").parse_list(read("joomla3-list.p3.html"), f"{JM}/index.php/tin-tuc?limitstart=10", now=NOW)
    assert page.pager.pages == 5  # "Trang 3 / 5"


@pytest.mark.parametrize("profile", ["liferay", "auto"])
def test_a_positional_next_selector_is_never_followed_to_another_page_number(profile):
    """Liferay's old default `li:nth-child(3)` is page 3 on a pager that lists numbers first."""
    sels = {"next_page": "ul.lfr-pagination-buttons li:nth-child(3) a"}
    page = get_profile(profile).parse_list(read("liferay6-numbers-first.p1.html"), LF6, sels, now=NOW)
    assert page.next_url == LF6_PAGE + "2"
    page = get_profile(profile).parse_list(read("liferay6-numbers-first.p2.html"), LF6_PAGE + "2", sels, now=NOW)
    assert page.next_url == LF6_PAGE + "3"


def test_the_liferay_profile_walks_a_numbers_first_pager_page_by_page():
    lr = get_profile("liferay")
    pages, url = [], LF6
    for n in (1, 2, 3):
        page = lr.parse_list(read(f"liferay6-numbers-first.p{n}.html"), url, now=NOW)
        pages.append((page.pager.current, [e.views for e in page.entries]))
        url = page.next_url
    assert pages == [(1, [100, 101, 102, 103, 104]), (2, [105, 106, 107, 108, 109]), (3, [110, 111, 112, 113, 114])]
    assert url == LF6_PAGE + "4"


# ------------------------------------------------------------------ which list
def test_a_short_last_page_beside_tin_moi_and_doc_nhieu_boxes():
    page = get_profile("auto").parse_list(read("hometown-list.last-short.html"), HG + "?offset=40", now=NOW)
    assert [(e.title, e.published_at, e.views) for e in page.entries] == [
        ("Tổ chức hội nghị đối thoại với nông dân năm 2024", vn(2024, 1, 4), 44),
        ("Kiện toàn Ban chỉ đạo chuyển đổi số của xã", vn(2024, 1, 2), 19),
    ]


def test_the_site_s_list_found_on_page_1_is_the_list_on_its_last_page():
    auto = get_profile("auto")
    first = auto.parse_list(read("hometown-list.p1.html"), HG, now=NOW)
    assert first.hint is not None
    last = auto.parse_list(read("hometown-list.last-short.html"), HG + "?offset=40", now=NOW, hint=first.hint)
    assert [e.url[-10:] for e in last.entries] == ["-6021.html", "-6020.html"]
    assert [e.views for e in last.entries] == [44, 19]


def test_the_hint_reads_a_later_page_as_the_rules_do():
    auto = get_profile("auto")
    hint = auto.parse_list(read("wordpress-list.p1.html"), WP, now=NOW).hint
    cold = auto.parse_list(read("wordpress-list.p5.html"), WP + "page/5/", now=NOW)
    warm = auto.parse_list(read("wordpress-list.p5.html"), WP + "page/5/", now=NOW, hint=hint)
    assert warm.provenance["list_item"].startswith("auto: 3 items of the site's list")
    assert [(e.url, e.title, e.published_at, e.views, e.summary) for e in warm.entries] == [
        (e.url, e.title, e.published_at, e.views, e.summary) for e in cold.entries]
    assert [e.views for e in warm.entries] == [56, 134, 2045]


def test_titles_leave_out_screen_reader_text_of_read_more_links():
    page = get_profile("auto").parse_list(read("liferay7-list.p1.html"), LR7, now=NOW)
    assert page.entries[0].title == "Hội nghị tổng kết công tác xây dựng nông thôn mới năm 2024"
    assert not any(e.title.startswith("Xem thêm") for e in page.entries)


# ------------------------------------------------------------------ counts and dates on lists
# (fixture, URL, counts, (date, as printed) of each item)
LISTS = [
    # Twenty Twenty-One: "<time>20 Tháng Mười Một, 2026</time></span><span>583 lượt xem": not 2026583
    ("wordpress-list.twentyone.html", "https://xaphuclam.example.gov.vn/category/tin-tuc/", [583, 1163, 7, 42],
     [(vn(2026, 11, 20 - i, 9, i), f"{20 - i} Tháng Mười Một, 2026") for i in range(4)]),
    # tagDiv: the bare number in span.td-nr-views-<id>, no label
    ("wordpress-list.tagdiv.html", "https://xaphuclam.example.gov.vn/?cat=8", [16, 67, 88, 91],
     [(vn(2026, 11, 18 - 2 * i, 8), f"{18 - 2 * i}/11/2026") for i in range(4)]),
    # Drupal 7's month-first "D, m/d/Y - H:i"; "Tin mới" in the first sidebar, before the content
    ("drupal7-list.html", "https://xavinhthanh.example.gov.vn/tin-tuc", [266, 12, 1045, 3],
     [(vn(2026, 11, 13, 7, 5), "11/13/2026 - 07:05"), (vn(2026, 10, 6, 11), "10/06/2026 - 11:00"),
      (vn(2026, 10, 5, 14, 54), "10/05/2026 - 14:54"), (vn(2026, 9, 12, 8, 30), "09/12/2026 - 08:30")]),
    # Liferay 7 draft documents: an empty date span, summaries that cite dated documents
    ("liferay7-list.drafts.html", "https://xaanbinh.example.gov.vn/web/guest/du-thao", [59, 53, 66], [(None, None)] * 3),
]


@pytest.mark.parametrize("name,url,views,dates", LISTS, ids=[x[0] for x in LISTS])
def test_list_counts_and_dates(name, url, views, dates):
    page = get_profile("auto").parse_list(read(name), url, now=NOW)
    assert [e.views for e in page.entries] == views
    assert [(e.published_at, e.published_text) for e in page.entries] == dates


# ------------------------------------------------------------------ article pages
ARTICLES = [
    # Post Views Counter block at the end of the content; sidebar "Tổng truy cập", footer "Lượt truy cập"
    ("wordpress-article.html", 1234, vn(2024, 5, 31, 8, 15)),
    # "Lượt truy cập: 312" in Joomla's info block (the article's), the footer counter is the site's
    ("joomla-article.html", 312, vn(2024, 4, 28, 8, 30)),
    # "1.234 lượt xem" after the body and JSON-LD interactionStatistic
    ("drupal-article.html", 1234, vn(2024, 3, 30, 8, 45)),
    ("drupal-article.after-body.html", 1234, vn(2024, 3, 30, 8, 45)),
    ("drupal-article.jsonld-only.html", 1234, vn(2024, 3, 30, 8, 45)),
    # Liferay 7: the metadata (date, "1.234 Lượt xem") after the body
    ("liferay7-article.html", 1234, vn(2024, 2, 29, 9, 29)),
    # "Số lần xem: 56"; "Đang online: 15 | Lượt truy cập: 345.678" above the title is the site's
    ("hometown-article.html", 56, vn(2024, 5, 28, 8, 5)),
]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name,views,published", ARTICLES, ids=[a[0] for a in ARTICLES])
def test_article_counts_and_dates(profile, name, views, published):
    art = get_profile(profile).parse_article(read(name), "https://x.example.gov.vn/bai-viet-1", now=NOW)
    assert art.views == views, art.provenance
    assert art.published_at == published, art.provenance
    assert art.title == ("Hội nghị tổng kết công tác xây dựng nông thôn mới năm 2024")
    assert "Lượt xem" not in art.body and "lượt xem" not in art.body


def test_a_site_visitor_counter_is_never_an_article_count():
    html = read("hometown-article.html").replace(" | Số lần xem: 56", "")
    top = html.replace("Đang online: 15 | Lượt truy cập: 345.678", "Đang xem: 15 | Tổng lượt xem: 345.678")
    for page in (html, top):
        art = get_profile("auto").parse_article(page, "https://xatanhoa.example.gov.vn/tin-tuc/x-6100.html", now=NOW)
        assert art.views is None, art.provenance  # not the site's 345.678, 15 or 12
    html = read("wordpress-article.html").replace("Lượt xem:", "Xem")
    art = get_profile("auto").parse_article(html, "https://xaphuclam.example.gov.vn/x/", now=NOW)
    assert art.views is None  # not "Tổng truy cập: 1.234.567", not the footer's "Lượt truy cập: 456.789"


@pytest.mark.parametrize("profile", ["auto", "liferay"])
def test_no_date_from_a_cited_document_in_the_lead(profile):
    """A real Hanoi draft-documents page (no date line) whose lead cites "Công văn số
    2027/STTTT-BCVT ngày 10/10/2017"."""
    html = read("liferay-draft.cite-in-lead.html")
    art = get_profile(profile).parse_article(html, "https://sotttt.hanoi.gov.vn/dssdt/-/view_content/1712928-x.html", now=NOW)
    assert art.published_at is None and art.published_text is None, art.provenance
    assert art.title == "Xử phạt doanh nghiệp vi phạm trong hoạt động gửi, phát tán tin nhắn"


def test_a_date_line_is_not_a_sentence_or_a_citation():
    from crawler.extract.profiles.rules_dates import date_line

    assert date_line("Ngày đăng 01/08/2020 | 16:20 | View count: 129", "01/08/2020 | 16:20")
    assert date_line("17/05/2017 | 2:48 PM", "17/05/2017 | 2:48 PM")
    assert date_line("Đăng vào ngày 12/03/2024", "12/03/2024")
    assert not date_line("Thực hiện Công văn số 2027/STTTT-BCVT ngày 10/10/2017 của Sở", "10/10/2017")
    assert not date_line("Ý kiến góp ý gửi về Sở trước ngày 30/9/2016.", "30/9/2016")
    assert not date_line("Ngày ban hành: 18/08/2016", "18/08/2016")
    assert not date_line("Ngày 19/11/2026, UBND phường Mỹ Long đã tổ chức Hội nghị triển khai nhiệm vụ bảo hiểm y tế", "19/11/2026")


def test_a_page_count_printed_right_before_the_page_numbers():
    """WP-PageNavi: `<span class="pages">Trang 4 trên 4</span><a>1</a><a>2</a>…`, no space between."""
    items = "".join(f"<div class='it'><h3><a href='/tin/bai-viet-so-{i}-ve-viec.html'>Bài viết số {i} về việc của phường</a>"
                    f"</h3><span>0{i}/11/2026</span></div>" for i in range(1, 4))
    pager = ("<div class='wp-pagenavi'><span class='pages'>Trang 4 trên 4</span><a class='page smaller' href='/tin/'>1</a>"
             "<a href='/tin/page/2/'>2</a><a href='/tin/page/3/'>3</a><span class='current'>4</span></div>")
    page = get_profile("auto").parse_list(f"<html><body><main>{items}{pager}</main></body></html>", "https://x.vn/tin/page/4/", now=NOW)
    assert (page.pager.current, page.pager.highest, page.pager.pages) == (4, 4, 4)
    assert page.next_url is None


def test_a_remembered_list_that_is_a_box_on_another_page_is_not_taken():
    def li(i, day):
        return (f"<li><a href='/tin-tuc/bai-viet-so-{i}-cua-xa.html'>Bài viết số {i} của xã trong tháng</a>"
                f" <span>{day:02d}/11/2026</span></li>")

    first = ("<html><body><div class='box'><ul class='list'>" + "".join(li(i, 20 - i) for i in range(1, 6))
             + "</ul></div></body></html>")
    hint = get_profile("auto").parse_list(first, "https://x.vn/tin-tuc/", now=NOW).hint
    assert hint is not None
    other = ("<html><body><div class='news'>" + "".join(
        f"<article><h2><a href='/thong-bao/thong-bao-so-{i}-cua-xa.html'>Thông báo số {i} của UBND xã</a></h2>"
        f"<p>Ngày đăng: {i:02d}/10/2026</p></article>" for i in range(1, 4))
        + "</div><div class='box'><h3>Tin mới</h3><ul class='list'>" + "".join(li(i, 20 - i) for i in range(1, 6))
        + "</ul></div></body></html>")
    page = get_profile("auto").parse_list(other, "https://x.vn/thong-bao/", now=NOW, hint=hint)
    assert [e.url for e in page.entries] == [f"https://x.vn/thong-bao/thong-bao-so-{i}-cua-xa.html" for i in range(1, 4)]
