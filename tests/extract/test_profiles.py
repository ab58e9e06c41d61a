"""Profiles on small hand-written pages following simulator/TEMPLATES.md, plus an unknown template."""

from datetime import datetime

import pytest

from crawler.extract.dates import VN_TZ
from crawler.extract.profiles import (
    PROFILES,
    Profile,
    UnknownProfileError,
    detect_profile,
    get_profile,
)
from crawler.extract.types import SELECTOR_KEYS


def vn(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


# ------------------------------------------------------------------ Tân Dân SharePoint
TD_BASE = "https://quangphu.thanhhoa.gov.vn"
TD_LIST_URL = TD_BASE + "/portal/Pages/tin-tuc.aspx?PageIndex=2"


def td_item(day, code, title, views):
    return f"""
<div class="tandan-article-news-item">
  <div class="tandan-article-news-img"><a href="/portal/Pages/2024-5-{day}/Bai-viet-{code}.aspx"><img src="/i/{code}.jpg" alt=""></a></div>
  <h3 class="tandan-p-article-news-title"><a href="/portal/Pages/2024-5-{day}/Bai-viet-{code}.aspx">{title}</a></h3>
  <div class="tandan-article-news-info"><span class="tandan-span-date-publish">Đăng ngày {day:02d} - 05 - 2024</span>
  <span class="tandan-span-view">Lượt xem: {views}</span></div>
  <p class="tandan-p-article-news-summary">Ngày 12/5/2024, UBND xã Quảng Phú tổ chức hội nghị tổng kết công tác năm.</p>
</div>"""


TD_LIST = f"""<!DOCTYPE html><html lang="vi-VN"><head><title>Tin tức - Sự kiện</title></head><body>
<div class="tandan-header"><a href="/portal/Pages/default.aspx">CỔNG THÔNG TIN ĐIỆN TỬ XÃ QUẢNG PHÚ</a></div>
<div class="tandan-menu"><ul><li><a href="/portal/Pages/default.aspx">Trang chủ</a></li>
<li><a href="/portal/Pages/tin-tuc.aspx">Tin tức - Sự kiện</a></li></ul></div>
<div class="tandan-breadcrumb"><a href="/portal/Pages/default.aspx">Trang chủ</a> &gt; <a href="/portal/Pages/tin-tuc.aspx">Tin tức - Sự kiện</a></div>
<div class="tandan-list-news">
{td_item(17, "CAhvbq96", "Hội nghị tổng kết công tác năm 2024 của xã Quảng Phú", 400)}
{td_item(9, "X1b2C3d4", "Ra quân vệ sinh môi trường các thôn trong xã", "1.234")}
{td_item(3, "Zz9Yy8Xx", "Tuyên truyền phòng chống cháy rừng mùa khô", 0)}
</div>
<div class="tandan-paging"><a href="/portal/Pages/tin-tuc.aspx?PageIndex=1">1</a> <span class="CurrentPage">2</span>
<a href="/portal/Pages/tin-tuc.aspx?PageIndex=3">3</a> <a href="/portal/Pages/tin-tuc.aspx?PageIndex=9">»</a></div>
</body></html>"""

TD_ARTICLE_URL = TD_BASE + "/portal/Pages/2024-5-17/Hoi-nghi-tong-ket-CAhvbq96.aspx"
TD_ARTICLE = """<!DOCTYPE html><html lang="vi-VN"><head><title>Hội nghị tổng kết</title></head><body>
<div class="tandan-menu"><ul><li><a href="/portal/Pages/default.aspx">Trang chủ</a></li></ul></div>
<div class="tandan-breadcrumb"><a href="/portal/Pages/default.aspx">Trang chủ</a> &gt;
<a href="/portal/Pages/tin-tuc.aspx">Tin tức - Sự kiện</a></div>
<div class="tandan-article">
<h1 class="tandan-p-article-news-title">Hội nghị tổng kết công tác năm 2024 của xã Quảng Phú</h1>
<div><span class="tandan-span-date-publish">Đăng ngày 17 - 05 - 2024 | 08:30</span>
<span class="tandan-span-view">Lượt xem: 400</span></div>
<p class="tandan-p-article-news-summary">Sáng 17/5, xã Quảng Phú tổng kết công tác năm.</p>
<div class="tandan-p-article-main"><div class="ms-rtestate-field">
<p>Đoạn thứ nhất của bài viết về hội nghị tổng kết.</p><p>Đoạn thứ hai&nbsp;của bài viết.</p>
</div></div>
<div class="td-tags">Từ khóa: <a href="/t/1">hội nghị</a> <a href="/t/2">tổng kết</a></div>
</div></body></html>"""


def test_tandan_list():
    page = get_profile("tandan").parse_list(TD_LIST, TD_LIST_URL)
    assert [e.url for e in page.entries] == [
        TD_BASE + "/portal/Pages/2024-5-17/Bai-viet-CAhvbq96.aspx",
        TD_BASE + "/portal/Pages/2024-5-9/Bai-viet-X1b2C3d4.aspx",
        TD_BASE + "/portal/Pages/2024-5-3/Bai-viet-Zz9Yy8Xx.aspx",
    ]
    assert [e.published_at for e in page.entries] == [vn(2024, 5, 17), vn(2024, 5, 9), vn(2024, 5, 3)]
    assert [e.views for e in page.entries] == [400, 1234, 0]
    assert page.entries[0].title == "Hội nghị tổng kết công tác năm 2024 của xã Quảng Phú"
    assert page.entries[0].published_text == "17 - 05 - 2024"
    assert page.entries[0].summary.startswith("Ngày 12/5/2024")
    assert page.next_url == TD_BASE + "/portal/Pages/tin-tuc.aspx?PageIndex=3"
    assert page.provenance == {
        "list_item": "div.tandan-article-news-item",
        "item_link": ".tandan-p-article-news-title a",
        "title": ".tandan-p-article-news-title a",
        "date": ".tandan-span-date-publish",
        "views": "label 'Lượt xem' in .tandan-span-view",
        "summary": ".tandan-p-article-news-summary",
        "next_page": "div.tandan-paging span.CurrentPage + a",
    }


def test_tandan_article():
    art = get_profile("tandan").parse_article(TD_ARTICLE, TD_ARTICLE_URL)
    assert art.title == "Hội nghị tổng kết công tác năm 2024 của xã Quảng Phú"
    assert art.published_at == vn(2024, 5, 17, 8, 30)
    assert art.published_text == "17 - 05 - 2024 | 08:30"
    assert art.views == 400
    assert art.lead == "Sáng 17/5, xã Quảng Phú tổng kết công tác năm."
    assert art.body == "Đoạn thứ nhất của bài viết về hội nghị tổng kết.\n\nĐoạn thứ hai của bài viết."
    assert art.category == "Tin tức - Sự kiện"
    assert art.tags == ["hội nghị", "tổng kết"]
    assert art.provenance["views"] == "label 'Lượt xem' in .tandan-span-view"
    assert art.provenance["body"] == "div.tandan-p-article-main div.ms-rtestate-field"


def test_tandan_detection_and_urls():
    assert detect_profile(TD_LIST, TD_LIST_URL).name == "tandan"
    assert detect_profile(TD_ARTICLE, TD_ARTICLE_URL).name == "tandan"
    td = get_profile("tandan")
    assert td.is_article_url(TD_ARTICLE_URL)
    assert td.is_article_url(TD_BASE + "/portal/Pages/hoi-nghi-468686.aspx")
    assert not td.is_article_url(TD_LIST_URL)


# ------------------------------------------------------------------ DNN
DNN_BASE = "https://daiphuc.bacninh.gov.vn"
DNN_LIST_URL = DNN_BASE + "/tabid/255/Default.aspx"


def dnn_item(pid, title, date, views):
    return f"""<div class="news-item"><h2 class="news-title"><a href="/tabid/255/post/{pid}/Bai-{pid}.aspx">{title}</a></h2>
<div class="news-info"><span class="news-date">{date}</span> <span class="news-views">Lượt đọc: {views}</span></div>
<p class="news-summary">Tóm tắt bài viết số {pid}.</p></div>"""


DNN_LIST = f"""<!DOCTYPE html><html><head><title>Tin tức</title></head><body>
<!-- DNN Platform - http://www.dnnsoftware.com -->
<form id="Form"><div id="dnn_ContentPane">
<div id="dnn_ctr507_ViewNews_pnlList">
{dnn_item(3011, "Phường Đại Phúc ra quân làm sạch đường phố", "(29/06/2026, 14:49)", "1.234")}
{dnn_item(3010, "Hội nghị triển khai nhiệm vụ quý III", "(28/06/2026, 08:05)", "57")}
<div class="dnn-pager"><span class="current">1</span> <a href="/tabid/255/Default.aspx?page=2">2</a>
<a href="/tabid/255/Default.aspx?page=2" class="next">Trang sau</a></div>
</div></div></form></body></html>"""

DNN_ARTICLE_URL = DNN_BASE + "/tabid/255/post/3011/Bai-3011.aspx"
DNN_ARTICLE = """<!DOCTYPE html><html><head><title>Phường Đại Phúc ra quân</title></head><body>
<!-- DNN Platform -->
<div class="dnn-breadcrumb"><a href="/Default.aspx">Trang chủ</a> › <a href="/tabid/255/Default.aspx">Tin tức</a></div>
<div id="dnn_ContentPane"><div id="dnn_ctr507_ViewNews_pnlDetail" class="news-detail">
<h1 class="news-detail-title">Phường Đại Phúc ra quân làm sạch đường phố</h1>
<div class="news-detail-meta">Thứ năm, 26/7/2018, 14:49 (GMT+7) | Lượt xem: 1.234</div>
<div class="news-detail-body"><p>Sáng nay, phường ra quân.</p><p>Hàng trăm người tham gia.</p></div>
</div></div></body></html>"""


def test_dnn_list():
    page = get_profile("dnn").parse_list(DNN_LIST, DNN_LIST_URL)
    assert [e.url for e in page.entries] == [
        DNN_BASE + "/tabid/255/post/3011/Bai-3011.aspx",
        DNN_BASE + "/tabid/255/post/3010/Bai-3010.aspx",
    ]
    assert [e.published_at for e in page.entries] == [vn(2026, 6, 29, 14, 49), vn(2026, 6, 28, 8, 5)]
    assert [e.views for e in page.entries] == [1234, 57]
    assert page.next_url == DNN_BASE + "/tabid/255/Default.aspx?page=2"
    assert page.provenance["views"] == "label 'Lượt đọc' in .news-views"


def test_dnn_article():
    art = get_profile("dnn").parse_article(DNN_ARTICLE, DNN_ARTICLE_URL)
    assert art.title == "Phường Đại Phúc ra quân làm sạch đường phố"
    assert art.published_at == vn(2018, 7, 26, 14, 49)
    assert art.views == 1234
    assert art.body == "Sáng nay, phường ra quân.\n\nHàng trăm người tham gia."
    assert art.category == "Tin tức"
    assert art.provenance["date"] == ".news-detail-meta"
    assert art.provenance["views"] == "label 'Lượt xem' in .news-detail-meta"


def test_dnn_detection_and_urls():
    assert detect_profile(DNN_LIST, DNN_LIST_URL).name == "dnn"
    assert detect_profile(DNN_ARTICLE, DNN_ARTICLE_URL).name == "dnn"
    assert get_profile("dnn").is_article_url(DNN_ARTICLE_URL)
    assert not get_profile("dnn").is_article_url(DNN_LIST_URL)


# ------------------------------------------------------------------ auto on the same pages
@pytest.mark.parametrize(
    "html,url,n,views",
    [(TD_LIST, TD_LIST_URL, 3, [400, 1234, 0]), (DNN_LIST, DNN_LIST_URL, 2, [1234, 57])],
)
def test_auto_on_known_templates(html, url, n, views):
    page = get_profile("auto").parse_list(html, url)
    assert len(page.entries) == n
    assert [e.views for e in page.entries] == views
    assert all(e.published_at for e in page.entries)
    assert page.next_url is not None and page.next_url.endswith(("PageIndex=3", "page=2"))


# ------------------------------------------------------------------ an unknown template
UNK_URL = "https://xaphuocthanh.example.gov.vn/chuyen-muc/tin-dia-phuong/trang/2"


def unk_item(n, title, date, views):
    views_html = f'<small class="luot">Số lượt xem {views}</small>' if views is not None else ""
    return f"""<article class="bv">
  <figure><a href="/bai-viet/2024/{n}/{title.lower().replace(' ', '-')}-{n}.html"><img src="/anh/{n}.jpg"></a></figure>
  <div class="bv-noidung">
    <h4><a href="/bai-viet/2024/{n}/{title.lower().replace(' ', '-')}-{n}.html">{title}</a></h4>
    <a class="cm" href="/chuyen-muc/tin-dia-phuong">Tin địa phương</a>
    <div class="bv-tt"><time>{date}</time> {views_html}</div>
    <div class="bv-tom">Trích dẫn ngày 01/01/2020 của bài viết số {n} với nội dung đủ dài để là tóm tắt.</div>
  </div>
</article>"""


UNK_LIST = f"""<!DOCTYPE html><html lang="vi"><head><title>Tin địa phương - Xã Phước Thạnh</title></head><body>
<div id="top-bar"><ul class="mainmenu"><li><a href="/">Trang chủ</a></li>
<li><a href="/chuyen-muc/gioi-thieu">Giới thiệu chung về xã Phước Thạnh</a></li>
<li><a href="/chuyen-muc/tin-dia-phuong">Tin tức địa phương của xã</a></li></ul></div>
<div class="khung"><div class="cot-chinh">
{unk_item(101, "Xã Phước Thạnh tổ chức lễ ra quân", "08:15 15/3/2024", "2.001")}
{unk_item(102, "Họp dân thôn Một về quy hoạch", "14:00 14/3/2024", 37)}
{unk_item(103, "Tiêm chủng mở rộng đợt một năm nay", "13/3/2024", None)}
{unk_item(104, "Khánh thành nhà văn hóa thôn Hai", "09:30 12/3/2024", 0)}
<div class="phan-trang"><a href="/chuyen-muc/tin-dia-phuong/trang/1">‹</a> <a href="/chuyen-muc/tin-dia-phuong/trang/1">1</a>
<strong>2</strong> <a href="/chuyen-muc/tin-dia-phuong/trang/3">3</a> <a href="/chuyen-muc/tin-dia-phuong/trang/8">›</a></div>
</div>
<div class="cot-phu"><div class="box-hot"><h5>Tin xem nhiều</h5><ul>
<li><a href="/bai-viet/2023/9/tin-cu-9.html">Một tin cũ được xem nhiều nhất tháng</a> <span>01/09/2023</span></li>
<li><a href="/bai-viet/2023/8/tin-cu-8.html">Một tin cũ khác được xem nhiều</a> <span>01/08/2023</span></li>
</ul></div></div></div>
<div id="chan"><a href="/lien-he">Liên hệ với Ủy ban nhân dân xã</a> Lượt truy cập: 123456</div>
</body></html>"""

UNK_ARTICLE_URL = "https://xaphuocthanh.example.gov.vn/bai-viet/2024/101/xa-phuoc-thanh-to-chuc-le-ra-quan-101.html"
UNK_ARTICLE = """<!DOCTYPE html><html lang="vi"><head>
<title>Xã Phước Thạnh tổ chức lễ ra quân - Tin địa phương - Xã Phước Thạnh</title></head><body>
<div id="top-bar"><ul class="mainmenu"><li><a href="/">Trang chủ</a></li></ul></div>
<div class="vitri"><a href="/">Trang chủ</a> » <a href="/chuyen-muc/tin-dia-phuong">Tin địa phương</a></div>
<div class="khung"><div class="cot-chinh"><div class="chitiet">
<h2 class="tieu-de-muc">Tin địa phương</h2>
<h3 class="tieu-de">Xã Phước Thạnh tổ chức lễ ra quân</h3>
<div class="thong-tin"><span>Cập nhật: 08:15 15/3/2024</span> - <span>Số lượt xem: 2.001</span></div>
<div class="noi-dung"><p>Sáng ngày 14/3/2024, xã Phước Thạnh tổ chức lễ ra quân thực hiện nhiệm vụ năm 2024.</p>
<p>Tham dự buổi lễ có đại diện lãnh đạo huyện và đông đảo nhân dân trong xã.</p>
<p>Buổi lễ kết thúc lúc 11 giờ cùng ngày với nhiều hoạt động ý nghĩa.</p></div>
</div></div></div>
<div id="chan">Lượt truy cập: 123456</div></body></html>"""


def test_auto_unknown_list():
    page = get_profile("auto").parse_list(UNK_LIST, UNK_URL)
    base = "https://xaphuocthanh.example.gov.vn/bai-viet/2024/"
    assert [e.url for e in page.entries] == [
        base + "101/xã-phước-thạnh-tổ-chức-lễ-ra-quân-101.html",
        base + "102/họp-dân-thôn-một-về-quy-hoạch-102.html",
        base + "103/tiêm-chủng-mở-rộng-đợt-một-năm-nay-103.html",
        base + "104/khánh-thành-nhà-văn-hóa-thôn-hai-104.html",
    ]
    assert [e.title for e in page.entries] == [
        "Xã Phước Thạnh tổ chức lễ ra quân",
        "Họp dân thôn Một về quy hoạch",
        "Tiêm chủng mở rộng đợt một năm nay",
        "Khánh thành nhà văn hóa thôn Hai",
    ]
    assert [e.published_at for e in page.entries] == [
        vn(2024, 3, 15, 8, 15),
        vn(2024, 3, 14, 14, 0),
        vn(2024, 3, 13),
        vn(2024, 3, 12, 9, 30),
    ]
    assert [e.views for e in page.entries] == [2001, 37, None, 0]
    assert page.next_url == "https://xaphuocthanh.example.gov.vn/chuyen-muc/tin-dia-phuong/trang/3"
    assert page.provenance["list_item"].startswith("auto: 4 repeated links")
    assert page.provenance["views"] == "auto: label 'Số lượt xem' in item text"


def test_auto_unknown_article():
    art = get_profile("auto").parse_article(UNK_ARTICLE, UNK_ARTICLE_URL)
    assert art.title == "Xã Phước Thạnh tổ chức lễ ra quân"
    assert art.published_at == vn(2024, 3, 15, 8, 15)
    assert art.views == 2001
    assert art.body.startswith("Sáng ngày 14/3/2024, xã Phước Thạnh")
    assert art.body.count("\n\n") == 2
    assert art.category == "Tin địa phương"
    assert art.provenance["title"] == "auto: h3.tieu-de (matches <title>)"
    assert detect_profile(UNK_ARTICLE, UNK_ARTICLE_URL).name == "auto"


def test_auto_article_title_fallbacks():
    html = (
        "<html><head><title>Tiêu đề bài viết rất hay | Cổng TTĐT</title></head>"
        "<body><div>Ngày đăng: 02/03/2024</div><p>Nội dung bài viết đủ dài để làm thân bài chính.</p></body></html>"
    )
    art = get_profile("auto").parse_article(html, "https://x.gov.vn/a-b-c-d.html")
    assert art.title == "Tiêu đề bài viết rất hay"
    assert art.provenance["title"] == "auto: <title> minus site suffix"
    assert art.published_at == vn(2024, 3, 2)
    assert art.views is None


# ------------------------------------------------------------------ overrides, registry
def test_selector_overrides_field_by_field():
    html = TD_LIST.replace('class="tandan-span-view"', 'class="so-xem"').replace("Lượt xem: ", "")
    plain = get_profile("tandan").parse_list(html, TD_LIST_URL)
    assert [e.views for e in plain.entries] == [None, None, None]
    page = get_profile("tandan").parse_list(html, TD_LIST_URL, {"item_views": "span.so-xem::text"})
    assert [e.views for e in page.entries] == [400, 1234, 0]
    assert page.provenance["views"] == "span.so-xem::text"
    assert page.provenance["date"] == ".tandan-span-date-publish"


def test_attr_override_for_links():
    page = get_profile("tandan").parse_list(
        TD_LIST, TD_LIST_URL, {"item_link": "div.tandan-article-news-img a::attr(href)"}
    )
    assert page.entries[0].url == TD_BASE + "/portal/Pages/2024-5-17/Bai-viet-CAhvbq96.aspx"
    assert page.provenance["item_link"] == "div.tandan-article-news-img a::attr(href)"
    assert page.entries[0].title == "Hội nghị tổng kết công tác năm 2024 của xã Quảng Phú"


def test_auto_with_overrides():
    page = get_profile("auto").parse_list(
        UNK_LIST, UNK_URL, {"list_item": "article.bv", "item_link": "h4 a", "item_date": "time"}
    )
    assert len(page.entries) == 4
    assert page.provenance["list_item"] == "article.bv"
    assert page.provenance["date"] == "time"
    assert page.entries[0].published_at == vn(2024, 3, 15, 8, 15)
    assert page.entries[1].views == 37


def test_missing_fields_are_none_not_dropped():
    html = "<html><body><div class='asset-abstract'><h3 class='asset-title'><a href='/a/-/view_content/5-x.html'>Tiêu đề</a></h3></div></body></html>"
    page = get_profile("liferay").parse_list(html, "https://h.gov.vn/a")
    assert len(page.entries) == 1
    e = page.entries[0]
    assert (e.published_at, e.views, e.summary) == (None, None, None)
    assert page.next_url is None


def test_registry():
    assert set(PROFILES) == {"liferay", "tandan", "dnn", "auto"}
    for name, prof in PROFILES.items():
        assert isinstance(prof, Profile)
        assert prof.name == name and prof.description
    assert get_profile("Liferay") is PROFILES["liferay"]
    with pytest.raises(ValueError, match="liferay"):
        get_profile("wordpress")
    with pytest.raises(KeyError):
        get_profile("wordpress")
    assert issubclass(UnknownProfileError, ValueError)


def test_profile_defaults_use_known_keys():
    allowed = set(SELECTOR_KEYS) | {"item_summary", "lead", "author", "tags"}
    for prof in PROFILES.values():
        assert set(prof.defaults) <= allowed, prof.name


def test_detect_falls_back_to_auto():
    assert detect_profile("<html><body><p>hello</p></body></html>", "https://x.vn/").name == "auto"
    assert PROFILES["auto"].fingerprint("<html></html>", "https://x.vn/") == 0.0


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://x.vn/tin-tuc/xa-to-chuc-hoi-nghi-tong-ket-123.html", True),
        ("https://x.vn/tabid/255/post/3011/Slug.aspx", True),
        ("https://x.vn/news.php?id=123", True),
        ("https://x.vn/tin-tuc", False),
        ("https://x.vn/tin-tuc/trang-2.htm", False),
        ("https://x.vn/", False),
    ],
)
def test_auto_is_article_url(url, expected):
    assert PROFILES["auto"].is_article_url(url) is expected


@pytest.mark.parametrize(
    "html,url,expected",
    [
        ('<a href="?page=3">Tiếp</a><a href="?page=2">2</a>', "https://x.vn/l?page=1", "https://x.vn/l?page=3"),
        ('<a href="/l/trang-3.htm">3</a><a href="/l/trang-1.htm">1</a>', "https://x.vn/l/trang-2.htm", "https://x.vn/l/trang-3.htm"),
        ('<a href="/l/page/3">3</a>', "https://x.vn/l/page/2", "https://x.vn/l/page/3"),
        ('<a href="?p=2">2</a><a href="?p=5">»</a>', "https://x.vn/l", "https://x.vn/l?p=2"),
        ('<a href="?x_INSTANCE_ab_cur=3">3</a>', "https://x.vn/l?x_INSTANCE_ab_cur=2", "https://x.vn/l?x_INSTANCE_ab_cur=3"),
        ('<a href="/l.aspx?ChuyenMucID=32&amp;page=2">Trang sau</a>', "https://x.vn/l.aspx?ChuyenMucID=32", "https://x.vn/l.aspx?ChuyenMucID=32&page=2"),
        ('<a rel="next" href="/l/p-9">older</a>', "https://x.vn/l", "https://x.vn/l/p-9"),
        ('<a href="/PhanTrang/1747/3/Tin.html">3</a>', "https://x.vn/PhanTrang/1747/2/Tin.html", None),
        ('<a href="javascript:;">Tiếp</a><a href="?page=1">1</a>', "https://x.vn/l?page=2", None),
        ('<a href="?page=9">Cuối cùng</a>', "https://x.vn/l?page=8", None),
    ],
)
def test_auto_next_page(html, url, expected):
    page = get_profile("auto").parse_list(f"<html><body><div>{html}</div></body></html>", url)
    assert page.next_url == expected


def test_auto_time_datetime_and_html5_headers():
    items = "".join(
        f"<article class='post'><header class='entry-header'><h2><a href='/bai-so-{i}-tieu-de/'>Bài số {i} có tiêu đề dài</a></h2>"
        f"<div class='entry-meta'><time datetime='2024-05-1{i}T08:0{i}:00+07:00'>1{i} Tháng 5, 2024</time>"
        f" <span>Lượt xem: {i * 10}</span></div></header></article>"
        for i in range(1, 4)
    )
    html = f"<html><body><header class='site-header'><a href='/gioi-thieu-ve-xa/'>Giới thiệu về xã nhà</a></header><main>{items}</main></body></html>"
    page = get_profile("auto").parse_list(html, "https://x.vn/")
    assert [e.published_at for e in page.entries] == [vn(2024, 5, 11, 8, 1), vn(2024, 5, 12, 8, 2), vn(2024, 5, 13, 8, 3)]
    assert [e.published_text for e in page.entries] == ["11 Tháng 5, 2024", "12 Tháng 5, 2024", "13 Tháng 5, 2024"]
    assert [e.views for e in page.entries] == [10, 20, 30]


def test_auto_items_without_wrapper():
    html = "<html><body><div id='content'>" + "".join(
        f"<h3><a href='/tin/{i}.html'>Tiêu đề bài viết số {i}</a></h3>"
        f"<p class='d'>Ngày {i}/6/2024 - Lượt đọc: {i}</p><p>Tóm tắt bài viết số {i} đủ dài để làm tóm tắt.</p>"
        for i in range(1, 4)
    ) + "</div></body></html>"
    page = get_profile("auto").parse_list(html, "https://x.vn/tin")
    assert [(e.published_at, e.views) for e in page.entries] == [(vn(2024, 6, i), i) for i in range(1, 4)]
    assert page.entries[0].summary == "Tóm tắt bài viết số 1 đủ dài để làm tóm tắt."


LR7 = "_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_k3Yx_cur"
VNPT = "_dsnews_WAR_vnpteportalnewsportlet_INSTANCE_Ab12_cur"


@pytest.mark.parametrize(
    "pager,url,expected",
    [
        (  # Liferay 6 instance portlet, "Tiếp" button
            '<ul class="pager lfr-pagination-buttons"><li class="disabled first"><a href="javascript:;">← Đầu tiên</a></li>'
            '<li class="disabled"><a href="javascript:;">Trước</a></li><li><a href="/l?_101_INSTANCE_x9_cur=2">Tiếp</a></li>'
            '<li class="last"><a href="/l?_101_INSTANCE_x9_cur=5">Cuối cùng →</a></li></ul>',
            "https://h.gov.vn/l",
            "https://h.gov.vn/l?_101_INSTANCE_x9_cur=2",
        ),
        (  # last page: "Tiếp" disabled
            '<ul class="pager lfr-pagination-buttons"><li class="first"><a href="/l?_101_cur=1">← Đầu tiên</a></li>'
            '<li><a href="/l?_101_cur=1">Trước</a></li><li class="disabled"><a href="javascript:;">Tiếp</a></li>'
            '<li class="disabled last"><a href="javascript:;">Cuối cùng →</a></li></ul>',
            "https://h.gov.vn/l?_101_cur=2",
            None,
        ),
        (  # Liferay 7.x: numbered pager with an icon + screen-reader "Next"
            f'<ul class="pagination"><li class="page-item active"><a class="page-link" href="/l?{LR7}=1">1</a></li>'
            f'<li class="page-item"><a class="page-link" href="/l?{LR7}=2">2</a></li>'
            f'<li class="page-item"><a class="page-link" href="/l?{LR7}=2"><span class="sr-only">Next</span> ›</a></li></ul>',
            f"https://h.gov.vn/l?{LR7}=1",
            f"https://h.gov.vn/l?{LR7}=2",
        ),
        (  # VNPT ePortal news portlet: page numbers only
            f'<div class="paging"><span class="current">3</span> <a href="/l?{VNPT}=4">4</a> <a href="/l?{VNPT}=2">2</a></div>',
            f"https://h.gov.vn/l?{VNPT}=3",
            f"https://h.gov.vn/l?{VNPT}=4",
        ),
    ],
)
def test_liferay_variant_pagination(pager, url, expected):
    item = (
        "<div class='asset-abstract'><h3 class='asset-title'><a href='/l/-/view_content/7-x.html'>Tiêu đề</a></h3>"
        "<div class='assetPublishDate'>Ngày đăng 01/08/2020 | 16:20 | View count: 9</div></div>"
    )
    html = f"<html class='aui ltr'><body>{item}{pager}</body></html>"
    page = get_profile("liferay").parse_list(html, url)
    assert page.entries[0].views == 9
    assert page.next_url == expected


def test_auto_article_ignores_the_site_visitor_counter():
    html = UNK_ARTICLE.replace(" - <span>Số lượt xem: 2.001</span>", "")
    art = get_profile("auto").parse_article(html, UNK_ARTICLE_URL)
    assert art.published_at == vn(2024, 3, 15, 8, 15)
    assert art.views is None
