"""The Jinja2 page templates (simulator/templates/): each one loads from the package, renders
the key markup of TEMPLATES.md for every template and flavour, agrees with the ground truth,
and escapes untrusted-looking text. A broken template file fails here."""

from __future__ import annotations

import pytest
from jinja2 import PackageLoader

from simulator import Simulator, render
from simulator.formats import print_path
from simulator.truth import truth_record

# site id -> (template file prefix, markers of the list page, markers of the article page)
CASES = {
    "vinh-hung": (
        "liferay",
        ['<html class="aui ltr" dir="ltr" lang="vi-VN">', 'id="p_p_id_101_"', '<h3 class="asset-title">',
         '<div class="assetPublishDate block_timer"> Ngày đăng ', '<div class="taglib-page-iterator"',
         '<ul class="pager lfr-pagination-buttons">', "&larr; Đầu tiên", "Cuối cùng &rarr;",
         "Liferay.currentURL=\"\\x2fhoangmai\\x2fcac-phuong\\x2fvinh-hung\\x2ftin-tuc\";"],
        ['<div class="asset-full-content-title">', '<div class="assetPublishDate block_timer">\n',
         '<p class="sapo">', '<div class="journal-content-article">', '<div class="dd_chuyenmuc">',
         'class="print">In bài viết</a>'],
    ),
    "xa-quang-phu": (
        "tandan",
        ['<div class="tandan-article-news-item">', '<span class="tandan-span-date-publish">Đăng ngày ',
         '<span class="tandan-span-view">Lượt xem: ', '<div class="tandan-paging"><span class="CurrentPage">1</span>',
         "<title>\r\n\tTin tức - Sự kiện\r\n</title>"],
        ['<h1 class="tandan-p-article-news-title">', '<div class="ms-rtestate-field"><p>',
         '<div class="td-tags"><span>Từ khóa: </span>', '<div class="tandan-breadcrumb"><a href='],
    ),
    "xa-thach-kim": (
        "tandan",
        ['<span class="tandan-ngay-dang"><i class="fa fa-clock-o"></i> ',
         '<span class="tandan-luot-xem" title="Lượt xem"><i class="fa fa-eye"></i> '],
        ['<span class="tandan-ngay-dang"><i class="fa fa-clock-o"></i> Cập nhật lúc: '],
    ),
    "dai-phuc": (
        "dnn",
        ["<!-- DNN Platform - http://www.dnnsoftware.com   -->", '<div id="dnn_ctr507_ViewNews_pnlList">',
         '<span class="news-date">(', '<span class="news-views">Lượt đọc: ',
         '<div class="dnn-pager"><span class="current">1</span>', 'class="next">Trang sau</a>'],
        ['<h1 class="news-detail-title">', '<div class="news-detail-meta">', " (GMT+7) | Lượt xem: ",
         '<div class="news-detail-body"><p>', 'class="breadcrumbLink">'],
    ),
    "vo-cuong": (
        "dnn",
        ['<span class="news-time">', '<span class="news-count" data-views="'],
        ['<div class="news-meta"><time datetime="', '<span class="news-hits">Số lượt xem ('],
    ),
    "ea-kao": (
        "plain",
        ['<div class="dau-trang">', '<ul class="ds">\n<li class="muc">', '<p class="ngay"><i class="icon-clock"></i> ',
         '<div class="so-trang"><b>1</b> <a href='],
        ['<div class="bai">\n<h1>', '<div class="tt-bai"><span class="ngay">Ngày đăng: ',
         '<div class="noi-dung">\n<p>', "<h4>Tin cùng chuyên mục</h4>"],
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def sim():
    return Simulator(seed=3, articles_per_site=45)


def test_templates_load_from_the_package_and_compile():
    env = render._ENV
    assert isinstance(env.loader, PackageLoader) and env.autoescape
    names = env.list_templates()
    for cms in ("liferay", "tandan", "dnn", "plain"):
        assert f"{cms}/list.html.j2" in names and f"{cms}/article.html.j2" in names
    for name in names:
        assert render.template(name) is render.template(name)  # compiled once, cached
    assert len(names) >= 20


@pytest.mark.parametrize("site_id", list(CASES))
def test_pages_carry_the_template_markup_and_the_truth(sim, site_id):
    prefix, list_marks, article_marks = CASES[site_id]
    site = sim.sites[site_id]
    cat = site.categories[0]
    page = render.list_page(sim, site, cat, 1)
    assert page.status == 200 and page.kind == "list"
    for mark in list_marks:
        assert mark in page.html, (site_id, mark)
    shown = site.visible(cat)[: site.page_size]
    for a in shown:
        rec = truth_record(sim, a)
        assert f'href="{a.path}"' in page.html
        assert rec["list_published_text"] in page.html
        if rec["list_views"] is not None:
            assert str(rec["list_views"]) in page.html.replace(".", "")
    page2 = render.list_page(sim, site, cat, 2)
    assert page2.status == 200 and shown[0].path not in page2.html
    a = shown[0]
    art = render.article_page(sim, site, a)
    assert art.status == 200 and art.kind == "article"
    for mark in article_marks:
        assert mark in art.html, (site_id, mark)
    rec = truth_record(sim, a)
    assert rec["published_text"] in art.html
    assert a.paragraphs[0][:30].replace("\xa0", "&nbsp;") in art.html or prefix == "liferay"
    home = render.respond(sim, site.home_path(), "")
    assert home.kind == "home" and a.path in home.html


def test_liferay_print_english_wards_and_error_pages(sim):
    site = sim.sites["vinh-hung"]
    a = next(x for x in site.visible() if x.has_en)
    path, _, query = print_path(a).partition("?")
    printed = render.respond(sim, path, query)
    assert printed.kind == "article" and '<body class="portal-popup aui">' in printed.html
    assert '<div class="print-action"><a href="javascript:print();">In trang</a></div>' in printed.html
    en = render.respond(sim, "/en" + a.path, "")
    assert en.kind == "article" and 'lang="en-US"' in en.html and "Publish date" in en.html
    wards = render.respond(sim, "/hoangmai/cac-phuong", "")
    assert wards.kind == "home" and wards.html.count('<li class="ward-item">') == 4
    missing = render.respond(sim, site.path + "/khong-co.html", "")
    assert missing.status == 404 and "Không tìm thấy trang" in missing.html


def test_untrusted_titles_and_bodies_are_escaped():
    sim = Simulator(seed=4, articles_per_site=20)
    evil = 'Tin <script>alert("x")</script> & \'nháy\''
    for site_id in CASES:
        site = sim.sites[site_id]
        a = site.visible()[0]
        sim.edit(a, title=evil, body='Đoạn <img src=x onerror=alert(1)> & "hai"')
        pages = [render.list_page(sim, site, a.category, 1).html, render.article_page(sim, site, a).html]
        for html in pages:
            assert "<script>alert" not in html and "<img src=x" not in html, site_id
            assert "Tin &lt;script&gt;alert(" in html, site_id
            assert "&amp; 'nháy'" in html, site_id
        assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;hai&quot;" in pages[1], site_id
    # Liferay lists print quotes in titles as &#034; (as the real portal does)
    lr = render.list_page(sim, sim.sites["vinh-hung"], sim.sites["vinh-hung"].categories[0], 1).html
    assert "alert(&#034;x&#034;)" in lr
    assert render.not_found_page(None, "/<b>x</b>").html.count("&lt;b&gt;x&lt;/b&gt;") == 1
