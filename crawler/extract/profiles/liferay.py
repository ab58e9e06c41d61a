"""Hanoi Liferay 6.x portals (district/ward sites, sotttt.hanoi …), incl. English pages."""

from __future__ import annotations

import re

from .base import Profile


class LiferayProfile(Profile):
    name = "liferay"
    description = (
        "Liferay 6.x asset publisher (Hanoi district/ward portals): div.asset-abstract items, "
        "'Ngày đăng … | View count: N' date lines, _101_cur pagination"
    )
    defaults = {
        "list_item": "div.asset-abstract",
        "item_link": (".asset-title a", "h3 a", "h4 a"),
        "item_date": "div.assetPublishDate",
        "item_views": "div.assetPublishDate",
        "item_summary": "div.asset-summary",
        # the pager's enabled middle buttons ("Trước", "Tiếp"/"next"); the one after this page is
        # taken (a position such as li:nth-child(3) is a page number on pagers that list them first)
        "next_page": "ul.lfr-pagination-buttons li:not(.disabled):not(.first):not(.last) a",
        "title": ("div.asset-full-content-title", "h1.header-title", "h3.header-title"),
        "date": "div.assetPublishDate",
        "views": "div.assetPublishDate",
        "body": "div.journal-content-article",
        "lead": "p.sapo",
        "author": "p.view-content-author",
        "category": "div.dd_chuyenmuc span.tintuc",
    }
    markers = (
        ('class="aui ', 0.3),
        ("Liferay.currentURL", 0.3),
        ("p_p_id_101_", 0.2),
        ("Liferay.Portlet", 0.1),
        ("/-/view_content/", 0.2),
        ("asset-abstract", 0.1),
        ("asset-full-content-title", 0.2),
        ("lfr-pagination", 0.1),
        ("_INSTANCE_", 0.05),
    )
    article_url_patterns = (re.compile(r"/-/view_content/(?:pop_up/)?\d+"),)
