"""Real Hanoi Liferay pages (tests/fixtures). Expected values were read off the pages by eye."""

from datetime import datetime
from pathlib import Path

import pytest

from crawler.extract.dates import VN_TZ, find_datetime, to_utc_iso
from crawler.extract.numbers import find_view_count
from crawler.extract.profiles import detect_profile, get_profile
from crawler.extract.urls import article_key

FIX = Path(__file__).resolve().parent.parent / "fixtures"
PCTN_URL = "https://sotttt.hanoi.gov.vn/pctn"
CULTURE_URL = "https://sotttt.hanoi.gov.vn/web/sotttt-eng/culture"
D1917416_URL = (
    "https://sotttt.hanoi.gov.vn/dsttdt/-/view_content/"
    "1917416-danh-sach-cac-tro-choi-g1-da-duoc-phe-duyet-noi-dung-kich-ban.html"
)
D1712928_URL = (
    "https://sotttt.hanoi.gov.vn/dssdt/-/view_content/"
    "1712928-xu-phat-doanh-nghiep-vi-pham-trong-hoat-dong-gui-phat-tan-tin-nhan.html"
)


def read(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


def vn(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


# (article id, local date/time, views) of the 20 items on liferay-list-pctn.vi.html, top to bottom
PCTN = [
    (2606828, vn(2018, 6, 14, 11, 22), 1108),
    (1662601, vn(2017, 4, 27, 9, 7), 5915),
    (929136, vn(2016, 3, 23, 15, 45), 935),
    (926626, vn(2016, 3, 22, 7, 49), 905),
    (744243, vn(2015, 11, 17), 562),
    (744234, vn(2015, 11, 6), 614),
    (744225, vn(2015, 9, 26), 527),
    (744216, vn(2015, 8, 25), 478),
    (705495, vn(2015, 4, 21), 610),
    (706971, vn(2014, 9, 29), 492),
    (706962, vn(2014, 9, 29), 460),
    (705486, vn(2014, 9, 12), 704),
    (705414, vn(2014, 5, 9), 830),
    (705450, vn(2014, 5, 9), 611),
    (705468, vn(2014, 5, 9), 664),
    (705459, vn(2014, 5, 9), 544),
    (705477, vn(2014, 5, 9), 547),
    (705405, vn(2014, 5, 9), 500),
    (705387, vn(2014, 5, 6), 571),
    (705396, vn(2014, 5, 6), 554),
]

CULTURE = [
    (737464, vn(2016, 1, 6, 15, 30), 425, "Thang Long Civilization in the spiritual life"),
    (737455, vn(2016, 1, 6, 15, 29), 494, "Eating and Drinking: Hanoi’s “Gifts” style"),
    (737445, vn(2016, 1, 6, 15, 27), 727, "Typical lifestyle of Hanoians"),
    (737436, vn(2016, 1, 6, 15, 20), 546, "The Beauty Costume of Hanoians \"Ăn Bắc, mặc Kinh”"),
    (737381, vn(2016, 1, 6, 15, 15), 697, "Hoan Kiem Lake - impression on culture and architecture"),
    (737358, vn(2016, 1, 6, 15, 12), 846, "Thang Long culture - the convergence of thousand years"),
]


@pytest.mark.parametrize("profile", ["liferay", "auto"])
def test_pctn_list(profile):
    page = get_profile(profile).parse_list(read("liferay-list-pctn.vi.html"), PCTN_URL)
    assert len(page.entries) == 20
    got = [(int(article_key(e.url).split(":")[1]), e.published_at, e.views) for e in page.entries]
    assert got == PCTN
    first = page.entries[0]
    assert first.url == (
        "https://sotttt.hanoi.gov.vn/pctn/-/view_content/"
        "2606828--ha-noi-2018-hop-tac-dau-tu-va-phat-trien-gan-ket-chinh-quyen-voi-nha-dau--1.html"
    )
    assert first.title == "“Hà Nội 2018 - Hợp tác Đầu tư và Phát triển”: Gắn kết chính quyền với nhà đầu tư"
    assert first.published_text == "14/06/2018 | 11:22 AM"
    assert first.summary.startswith("Thực hiện chỉ đạo của UBND Thành phố, chiều ngày 12/6/2018")
    assert page.entries[17].title == (
        'Kế hoạch thực hiện chương trình "Đẩy mạnh đấu tranh phòng, chống tham nhũng, '
        'thực hành tiết kiệm, chống lãng phí giai đoạn 2011 - 2015"'
    )
    assert page.next_url.startswith("https://sotttt.hanoi.gov.vn/")
    assert page.next_url.endswith("_101_cur=2")
    for key in ("list_item", "item_link", "title", "date", "views", "next_page"):
        assert page.provenance.get(key), key


def test_pctn_list_provenance_liferay():
    page = get_profile("liferay").parse_list(read("liferay-list-pctn.vi.html"), PCTN_URL)
    assert page.provenance["list_item"] == "div.asset-abstract"
    assert page.provenance["date"] == "div.assetPublishDate"
    assert page.provenance["views"] == "label 'View count' in div.assetPublishDate"


@pytest.mark.parametrize("profile", ["liferay", "auto"])
def test_english_list(profile):
    page = get_profile(profile).parse_list(read("liferay-list-culture.en.html"), CULTURE_URL)
    got = [(article_key(e.url), e.published_at, e.views, e.title) for e in page.entries]
    assert got == [(f"lr:en:{i}", d, v, t) for i, d, v, t in CULTURE]
    assert page.next_url is None


@pytest.mark.parametrize("profile", ["liferay", "auto"])
def test_detail_with_views(profile):
    art = get_profile(profile).parse_article(read("liferay-detail-1917416.with-views.html"), D1917416_URL)
    assert art.title == (
        "Danh sách các trò chơi G1 đã được phê duyệt nội dung kịch bản (cập nhật đến ngày 29/8/2018)"
    )
    assert art.published_at == vn(2017, 8, 24, 15, 42)
    assert art.published_text == "24/08/2017 | 3:42 PM"
    assert art.views == 3945
    assert art.body.startswith("Danh sách trò chơi G1 được phê duyệt nội dung kịch bản.")
    assert "Chi tiết văn bản xem tại đây./." in art.body


def test_detail_with_views_liferay_fields():
    art = get_profile("liferay").parse_article(read("liferay-detail-1917416.with-views.html"), D1917416_URL)
    assert art.category == "Danh sách trò chơi điện tử ngừng cung cấp dịch vụ"
    assert art.author == "Pho Ban bien tap"
    assert "Pho Ban bien tap" not in art.body
    assert art.lead is None  # <p class="sapo"><strong></strong></p> is empty
    assert art.provenance == {
        "title": "div.asset-full-content-title",
        "date": "div.assetPublishDate",
        "published_at": "div.assetPublishDate",
        "views": "label 'View count' in div.assetPublishDate",
        "author": "p.view-content-author",
        "body": "div.journal-content-article",
        "category": "div.dd_chuyenmuc span.tintuc",
    }


@pytest.mark.parametrize("profile", ["liferay", "auto"])
def test_detail_without_views(profile):
    art = get_profile(profile).parse_article(read("liferay-detail-1712928.no-views.html"), D1712928_URL)
    assert art.title == "Xử phạt doanh nghiệp vi phạm trong hoạt động gửi, phát tán tin nhắn"
    assert art.published_at == vn(2017, 5, 17, 14, 48)
    assert art.views is None
    assert "views" not in art.provenance
    assert art.body.startswith("Ngày 05/05/2017, Chánh thanh tra Sở Thông tin và truyền thông thành phố Hà Nội")
    assert "Thùy Dương" in art.body
    if profile == "liferay":
        assert art.category == "Danh sách số điện thoại rao vặt"


def test_detect_liferay_on_all_samples():
    for name, url in [
        ("liferay-list-pctn.vi.html", PCTN_URL),
        ("liferay-list-culture.en.html", CULTURE_URL),
        ("liferay-detail-1917416.with-views.html", D1917416_URL),
        ("liferay-detail-1712928.no-views.html", D1712928_URL),
    ]:
        assert detect_profile(read(name), url).name == "liferay"


def test_liferay_article_urls():
    lr = get_profile("liferay")
    assert lr.is_article_url(D1917416_URL)
    assert lr.is_article_url(D1917416_URL.replace("/view_content/", "/view_content/pop_up/"))
    assert not lr.is_article_url(PCTN_URL)


def test_seed_article_text():
    text = read("seed-article-vinh-hung.txt")
    m = find_datetime(text)
    assert m.text == "01/08/2020 | 16:20"
    assert m.value == vn(2020, 8, 1, 16, 20)
    assert to_utc_iso(m.value) == "2020-08-01T09:20:00Z"
    assert find_view_count(text) == 129


def test_sites_check_says_a_missing_article_count_is_normal_when_the_list_carries_it():
    """A liferay article page without a view count, whose list page carries it: `sites check`
    says that is normal here (not "views missing" followed by "OK")."""
    from rich.console import Console

    from monitor.cli.render.checks import print_check_report
    from monitor.config import parse_config
    from monitor.sites.check import check_site

    cfg = parse_config({"site": [{"id": "vinh-hung", "name": "Phường Vĩnh Hưng", "profile": "liferay",
                                  "start_urls": [PCTN_URL]}]}, "sites.toml")
    report = check_site(cfg, cfg.sites[0], list_url=PCTN_URL, article_url=D1712928_URL,
                        list_html=read("liferay-list-pctn.vi.html"),
                        article_html=read("liferay-detail-1712928.no-views.html"), offline=True, source="saved")
    console = Console(width=200, record=True)
    print_check_report(report, console)
    out = console.export_text()
    views_row = next(line for line in out.splitlines() if line.startswith("│ views "))
    assert "missing" not in views_row and "not on the article page" in views_row, views_row
    assert "normal for this site: its list pages carry the count" in " ".join(out.split())
    assert report.as_dict()["views_note"].startswith("the article page prints no view count")
    assert report.ok
