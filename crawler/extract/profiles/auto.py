"""Template-independent profile: every field from the rules in `rules_*`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..urls import article_key
from .base import Profile
from .rules_pages import page_number

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){3,}", re.IGNORECASE)
_ID_RE = re.compile(r"(?:^|[-_/])\d{3,}(?:[-_.]|$)")
_ARTICLE_QUERY_RE = re.compile(r"(?:^|&)(?:id|newsid|articleid|itemid|postid|p|ItemID|NewsID)=\d+", re.IGNORECASE)


class AutoProfile(Profile):
    name = "auto"
    description = (
        "Any template: list entries from the largest group of repeated same-shape links, "
        "dates/views from item text, title/date/views/body from the article page layout"
    )
    defaults: dict = {}

    def __init__(self, platforms: tuple[Profile, ...] = ()):
        self.platforms = platforms  # the named profiles, whose article URLs count as articles too

    def fingerprint(self, html: str, url: str) -> float:
        return 0.0

    def is_article_url(self, url: str) -> bool:
        if any(prof.is_article_url(url) for prof in self.platforms):
            return True
        if not article_key(url).startswith("url:"):
            return True
        parts = urlsplit(url)
        if page_number(url):
            return False
        last = [s for s in parts.path.split("/") if s][-1:] or [""]
        name = re.sub(r"\.\w+$", "", last[0])
        if _SLUG_RE.fullmatch(name) or (_ID_RE.search("/" + name) and "-" in name):
            return True
        return bool(_ARTICLE_QUERY_RE.search(parts.query))
