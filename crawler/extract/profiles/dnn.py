"""DotNetNuke (DNN) portals."""

from __future__ import annotations

import re

from .base import Profile


class DnnProfile(Profile):
    name = "dnn"
    description = (
        "DotNetNuke news module: dnn_ctr ids, …/tabid/N/post/<id>/Slug.aspx articles, "
        "?page=N pagination"
    )
    defaults = {
        "list_item": ("div[id$='_ViewNews_pnlList'] div.news-item", "div.news-item"),
        "item_link": (".news-title a", "h2 a", "h3 a"),
        "item_date": ".news-date",
        "item_views": ".news-views",
        "item_summary": ".news-summary",
        "next_page": ("div.dnn-pager span.current + a", ".dnn-pager .current + a"),
        "title": ("h1.news-detail-title", ".news-detail-title"),
        "date": ".news-detail-meta",
        "views": ".news-detail-meta",
        "body": ".news-detail-body",
        "lead": ".news-detail-summary",
        "author": ".news-detail-author",
        "category": "div.dnn-breadcrumb a",
    }
    markers = (
        ("<!-- DNN Platform", 0.5),
        ("dnn_ctr", 0.3),
        ("dnn_ContentPane", 0.2),
        ("/tabid/", 0.1),
        ("DotNetNuke", 0.2),
        ("news-detail-title", 0.1),
    )
    article_url_patterns = (re.compile(r"/post/\d+(?:/|\.aspx|$)", re.IGNORECASE),)
