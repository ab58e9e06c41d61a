"""The profile: platform detection and per-site selectors; pages are read by `list_page` and
`article_page` (selector chains in `css`, checked values stored by `fields`).

A profile is mostly data: `defaults` maps selector keys (SELECTOR_KEYS plus the optional
"item_summary", "lead", "author", "tags") to a CSS selector or a tuple of alternatives tried in
order. Per-site `selectors` override them key by key. Fields without a selector (all of them for
`auto`) come from the rules in `rules_regions`, `rules_items`, `rules_lists`, `rules_hint`,
`rules_pages`, `rules_totals`, `rules_article`, `rules_dates` and `rules_counts`. The next page
is always checked against the pager (`rules_pages.Pager.accepts`): a selector's link to another
numbered page is never followed.

Every field is a chain: the profile's selectors, then (when they find no value) the rules `auto`
uses, scoped to the item or the article header, so a renamed or moved element never costs a field
that the page prints. A date element that is present but empty gives no date at all (no dates
invented from the body). Implausible values (a count over MAX_VIEWS, a date before 1995 or more
than a day ahead of `now`) give None plus a sentence in `rejected`.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from crawler import clock

from ..types import ArticlePage, ListHint, ListPage
from .article_page import read_article
from .css import SelectorSpec
from .list_page import read_list

# Keys a profile may define beyond SELECTOR_KEYS.
EXTRA_KEYS = ("item_summary", "lead", "author", "tags")


class Profile:
    """Base profile. Subclasses set `name`, `description`, `defaults`, markers and URL patterns."""

    name: str = "base"
    description: str = ""
    defaults: dict[str, SelectorSpec] = {}
    # (substring of the raw HTML, weight) summed and capped at 1.0 by fingerprint()
    markers: tuple[tuple[str, float], ...] = ()
    # regexes on the URL path(+query) that identify an article page of this platform
    article_url_patterns: tuple[re.Pattern, ...] = ()
    url_weight: float = 0.2
    # fall back to heuristics when a profile selector finds nothing (title/date/body/list items)
    fallback: bool = True

    # ------------------------------------------------------------------ detection
    def fingerprint(self, html: str, url: str) -> float:
        """0..1 confidence that the page comes from this platform."""
        score = sum(w for marker, w in self.markers if marker in html)
        if url and self.is_article_url(url):
            score += self.url_weight
        return max(0.0, min(1.0, score))

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        return any(p.search(target) for p in self.article_url_patterns)

    def selectors_for(self, overrides: dict | None) -> dict[str, SelectorSpec]:
        merged = dict(self.defaults)
        for key, value in (overrides or {}).items():
            if value:
                merged[key] = value
        return merged

    # ------------------------------------------------------------------ pages
    def parse_list(
        self, html: str, url: str, selectors: dict | None = None, now: datetime | None = None,
        hint: ListHint | None = None, limit: int | None = None,
    ) -> ListPage:
        """Entries (url, title, date, views, summary) of a list page, the next page URL and the
        pager's facts. `now` (default: clock.now()) bounds plausible dates; `hint` (the `hint`
        of an earlier list page of the same site) is tried first when the rules read the list;
        `limit`: read at most that many items (ListPage.items still counts them all)."""
        return read_list(html, url, self.selectors_for(selectors), self.fallback, now or clock.now(), hint, limit)

    def parse_article(
        self, html: str, url: str, selectors: dict | None = None, now: datetime | None = None
    ) -> ArticlePage:
        """Title, date, views, body, category, lead, author and tags of an article page.
        `now` (default: clock.now()) bounds plausible dates."""
        return read_article(html, url, self.selectors_for(selectors), self.fallback, now or clock.now())

    def __repr__(self) -> str:
        return f"<Profile {self.name}>"


__all__ = ["EXTRA_KEYS", "Profile", "SelectorSpec"]
