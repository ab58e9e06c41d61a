"""Canonical URLs and per-site article identity."""

import pytest

from crawler.extract.urls import article_key, canonical_url

LR = "https://hoangmai.hanoi.gov.vn/cac-phuong/vinh-hung/tin-tuc/-/view_content/"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("HTTP://Example.COM/a?b=2&a=1#top", "http://example.com/a?a=1&b=2"),
        ("https://x.gov.vn:443/a", "https://x.gov.vn/a"),
        ("https://x.gov.vn/a?utm_source=fb&utm_medium=x&id=3", "https://x.gov.vn/a?id=3"),
        ("https://x.gov.vn/a?fbclid=abc&gclid=1", "https://x.gov.vn/a"),
        ("https://x.gov.vn/a;jsessionid=ABC123?x=1", "https://x.gov.vn/a?x=1"),
        ("https://x.gov.vn/a?JSESSIONID=1&x=1", "https://x.gov.vn/a?x=1"),
        ("https://x.gov.vn/p?p_auth=Zx1&_101_viewMode=print&redirect=%2Fa", "https://x.gov.vn/p"),
        ("https://x.gov.vn", "https://x.gov.vn/"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url,expected",
    [
        (LR + "2606828--ha-noi-2018-hop-tac-dau-tu--1.html", "lr:2606828"),
        (LR + "pop_up/2606828-ha-noi-2018.html?_101_viewMode=print", "lr:2606828"),
        (LR + "2606828-ha-noi-2018-hop-tac-dau-tu-va-phat-trien.html", "lr:2606828"),
        ("https://hoangmai.hanoi.gov.vn/en/tin-tuc/-/view_content/2606828-x.html", "lr:en:2606828"),
        ("https://sotttt.hanoi.gov.vn/web/sotttt-eng/culture/-/view_content/737464-a.html", "lr:en:737464"),
        ("https://sotttt.hanoi.gov.vn/web/guest/culture/-/view_content/737464-a.html", "lr:737464"),
        ("https://bn.gov.vn/tabid/255/post/3011/Slug-bai-viet.aspx", "dnn:3011"),
        ("https://th.gov.vn/portal/Pages/2024-5-17/Hoi-nghi-tong-ket-CAhvbq96.aspx", "td:CAhvbq96"),
        ("https://th.gov.vn/portal/Pages/hoi-nghi-tong-ket-468686.aspx", "td:468686"),
        ("https://x.vn/tin-tuc/hoi-nghi-20210507084003259.htm", "ts:20210507084003259"),
        ("https://x.vn/news?id=3&cat=1", "url:https://x.vn/news?cat=1&id=3"),
    ],
)
def test_article_key(url, expected):
    assert article_key(url) == expected


def test_print_view_is_the_same_article():
    assert article_key(LR + "pop_up/1917416-a.html?_101_viewMode=print") == article_key(LR + "1917416-a.html")


def test_english_copy_is_separate():
    vi = article_key("https://h.gov.vn/tin-tuc/-/view_content/1-a.html")
    en = article_key("https://h.gov.vn/en/tin-tuc/-/view_content/1-a.html")
    assert vi != en


def test_reordered_query_is_the_same_key():
    assert article_key("https://x.vn/a.php?b=2&a=1") == article_key("https://x.vn/a.php?a=1&b=2")


def test_tracking_params_do_not_change_the_key():
    assert article_key("https://x.vn/a.php?id=1&utm_source=zalo") == article_key("https://x.vn/a.php?id=1")


@pytest.mark.parametrize(
    "first,second",
    [
        # Liferay 7: the same content under the list's asset publisher and a side portlet's
        ("https://x.gov.vn/web/xa/tin-tuc/-/asset_publisher/kQ7zM3xYbP1c/content/hoi-nghi-tong-ket?_com_liferay_x_redirect=%2F",
         "https://x.gov.vn/web/xa/-/asset_publisher/Zx81Pq0LmN2b/content/hoi-nghi-tong-ket"),
        # Joomla: the article id, whichever menu item (Itemid) or category (catid) the link came from
        ("https://x.gov.vn/index.php?option=com_content&view=article&id=289:hoi-nghi&catid=8&Itemid=115",
         "https://x.gov.vn/index.php?option=com_content&view=article&id=289:hoi-nghi&Itemid=101"),
        # Jetpack related posts
        ("https://x.gov.vn/2026/11/18/hoi-nghi/", "https://x.gov.vn/2026/11/18/hoi-nghi/?relatedposts_hit=1&relatedposts_origin=3&relatedposts_position=0"),
    ],
)
def test_second_urls_of_one_article_are_one_key(first, second):
    assert article_key(first) == article_key(second)
    assert article_key(first) != article_key(first.replace("hoi-nghi", "ra-quan"))
