"""SharePoint portals by Tân Dân (province and commune sites)."""

from __future__ import annotations

import re

from .base import Profile


class TanDanProfile(Profile):
    name = "tandan"
    description = (
        "Tân Dân SharePoint portal: tandan-* classes, 'Đăng ngày 17 - 05 - 2024', "
        "'Lượt xem: N', ?PageIndex=N pagination"
    )
    defaults = {
        "list_item": ("div.tandan-article-news-item", "div.tandan-article-news"),
        "item_link": (".tandan-p-article-news-title a", "h3 a"),
        "item_date": ".tandan-span-date-publish",
        "item_views": ".tandan-span-view",
        "item_summary": ".tandan-p-article-news-summary",
        "next_page": ("div.tandan-paging span.CurrentPage + a", ".CurrentPage + a"),
        "title": ("h1.tandan-p-article-news-title", ".tandan-p-article-news-title"),
        "date": ".tandan-span-date-publish",
        "views": ".tandan-span-view",
        "lead": ".tandan-p-article-news-summary",
        "body": (
            "div.tandan-p-article-main div.ms-rtestate-field",
            ".tandan-p-article-main",
            "div.ms-rtestate-field",
        ),
        "author": ".tandan-author",
        "category": "div.tandan-breadcrumb a",
        "tags": ".td-tags a",
    }
    markers = (
        ("tandan-p-article", 0.4),
        ("tandan-span-date-publish", 0.3),
        ("tandan-", 0.1),
        ("ms-rtestate-field", 0.1),
        ("PageIndex=", 0.1),
        ("/Pages/", 0.1),
        ("_spPageContextInfo", 0.1),
    )
    article_url_patterns = (
        re.compile(r"/Pages/\d{4}-\d{1,2}-\d{1,2}/[^/]+\.aspx$", re.IGNORECASE),
        re.compile(r"/Pages/[^/?]*-\d{4,}\.aspx$", re.IGNORECASE),
    )
