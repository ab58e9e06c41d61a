"""Values that extraction returns. Plain dataclasses: no Scrapy, no I/O."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

# Keys a site's `[site.selectors]` table may override (CSS selectors, `::text`/`::attr()` allowed).
SELECTOR_KEYS = (
    "list_item",  # one element per article on a list page
    "item_link",  # inside list_item: the <a> to the article
    "item_date",  # inside list_item: element whose text holds the date (and often the views)
    "item_views",  # inside list_item: element whose text holds the view count
    "next_page",  # on a list page: the <a> to the next page
    "title",  # article page
    "date",  # article page: element whose text holds the publication date
    "views",  # article page: element whose text holds the view count
    "body",  # article page: the article text container
    "category",  # article page: breadcrumb / category name
)


@dataclass
class ListEntry:
    """One article as seen on a list page."""

    url: str  # absolute URL of the article
    title: str | None = None
    published_text: str | None = None  # the date text as printed, e.g. "14/06/2018 | 11:22 AM"
    published_at: datetime | None = None  # aware datetime (Asia/Ho_Chi_Minh)
    views: int | None = None  # None when the list does not print a count (never 0 for "missing")
    summary: str | None = None
    # values printed on the page but refused as implausible, one sentence each, e.g.
    # "views '99999999999999999999' is not a plausible count": the spider records each as a
    # fetch_errors row naming the site and URL, and the field stays None
    rejected: list[str] = field(default_factory=list)


@dataclass
class PagerFacts:
    """What a list page's pager prints about the whole list (None: not printed)."""

    current: int | None = None  # this page's number, e.g. 6
    highest: int | None = None  # the highest page number it links to or names, e.g. 12
    pages: int | None = None  # "Trang 6 / 12": the number of pages
    item_range: tuple[int, int] | None = None  # "Hiển thị 21 - 40 of 95": this page's first and last item
    total: int | None = None  # "… of 95", "Tổng số 95 tin": the items of the whole list


@dataclass
class ListPage:
    entries: list[ListEntry]
    next_url: str | None = None  # absolute URL of the next list page, None on the last page
    # field name -> the selector or rule that produced it, e.g. {"item_link": "h3.asset-title a"}
    provenance: dict[str, str] = field(default_factory=dict)
    items: int = 0  # list items on the page; more than len(entries) when `limit` cut the reading short
    pager: PagerFacts = field(default_factory=PagerFacts)
    # what was learned about the site's list pages (the item container, the fields' elements):
    # give it back to parse_list for the site's next list page (faster, and the same list)
    hint: ListHint | None = None


@dataclass(frozen=True)
class ListHint:
    """Per-site decisions of the list rules, found on one list page and tried first on the next:
    `item` an XPath to the item containers, `link_shape` the URL shape of their links,
    `trailing` whether items continue in the siblings after their container, and the CSS
    selectors (inside an item) that give the same date, count and summary as the rules did on
    every item of that page (None: the rules)."""

    item: str
    link_shape: tuple
    trailing: bool = False
    date: str | None = None
    views: str | None = None
    summary: str | None = None

    def to_json(self) -> str:
        """Kept between crawls (the store's list_hints), so a crawl's first list page is read as
        fast as its later ones."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> ListHint | None:
        """The hint a to_json text describes; None for anything else (a hint is only a shortcut)."""
        try:
            d = json.loads(text or "")
            path, keys = d.pop("link_shape")
            hint = cls(link_shape=(tuple(map(str, path)), tuple(map(str, keys))), **d)
        except (TypeError, ValueError, KeyError, AttributeError):
            return None
        return hint if isinstance(hint.item, str) and hint.item else None


@dataclass
class ArticlePage:
    """One article page."""

    url: str
    title: str | None = None
    published_text: str | None = None
    published_at: datetime | None = None
    views: int | None = None
    body: str | None = None  # plain text, paragraphs separated by blank lines
    category: str | None = None
    lead: str | None = None
    author: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)  # tag/keyword links, when the page has them
    rejected: list[str] = field(default_factory=list)  # as ListEntry.rejected
