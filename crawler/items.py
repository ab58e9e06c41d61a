"""Typed items the spider yields and the pipeline stores.

Every item carries `kind` (a field with a per-class default, so feed exporters write it) and
`from_dict` rebuilds any item from such a dict: a JSON Lines feed of a crawl (a Scrapyd node
holds no database) is stored later with `Store.apply([from_dict(d) for d in lines])`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class ArticleItem:
    """One sighting of an article, from a list page (`source="list"`) or its own page."""

    site_id: str
    key: str
    url: str
    source: str  # "list" or "article"
    observed_at: str  # UTC ISO-8601
    title: str | None = None
    published_at: str | None = None  # UTC ISO-8601
    published_text: str | None = None  # the date as printed on the page
    views: int | None = None
    summary: str | None = None
    body: str | None = None
    category: str | None = None
    author: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    missing: list[str] = field(default_factory=list)  # fields the page did not yield
    kind: str = "article"


@dataclass
class ListPageItem:
    """Every article sighting of one list page, stored together (one item instead of twenty)."""

    site_id: str
    url: str
    entries: list[ArticleItem]
    kind: str = "list_page"


@dataclass
class NotModifiedItem:
    """An article page answered 304: content unchanged since the stored ETag/Last-Modified."""

    site_id: str
    key: str
    observed_at: str
    kind: str = "not_modified"


@dataclass
class GoneItem:
    """An article URL answered 404/410."""

    site_id: str
    key: str
    url: str
    status: int
    observed_at: str
    kind: str = "gone"


@dataclass
class FetchErrorItem:
    site_id: str
    url: str
    error: str
    observed_at: str
    status: int | None = None
    kind: str = "fetch_error"


# the words a fetch_errors row of an IncompleteListItem starts with (`sites health` finds them by it)
INCOMPLETE = "list incomplete: "


@dataclass
class IncompleteListItem:
    """A list walk that probably did not see every article of its list, and why, in words (e.g.
    "pager shows page 12 but the walk stopped at page 6: next link not found"). The store keeps
    it as a fetch_errors row ("list incomplete: …"), so the site's crawl is 'partial'."""

    site_id: str
    url: str  # the list page where the walk stopped (or the article no list showed)
    reason: str
    observed_at: str
    list_url: str | None = None  # the list's start URL
    pages_read: int = 0
    kind: str = "incomplete_list"

    @property
    def error(self) -> str:
        return INCOMPLETE + self.reason


@dataclass
class SampleItem:
    """A page kept for the operator (extraction broke on it)."""

    site_id: str
    url: str
    page: str  # "list" or "article" (the html_samples `kind` column)
    reason: str
    html: str
    observed_at: str
    crawl_id: int | None = None  # a sample kept outside a crawl (sites check --keep): None
    kind: str = "sample"


@dataclass
class CrawlStartedItem:
    """A site's crawl begins: the store opens its `crawls` row (and maps the site to it)."""

    site_id: str
    started_at: str
    pid: int | None = None
    list_walk: str = "full"  # "full" or "shallow" (the plan's walk depth)
    kind: str = "crawl_started"


@dataclass
class CrawlFinishedItem:
    """A site's crawl ended: the store adds the page counts and writes outcome and summary."""

    site_id: str
    finished_at: str
    outcome: str  # "ok", "partial", "failed" or "aborted"
    list_pages: int = 0
    article_pages: int = 0
    not_modified_pages: int = 0
    errors: int = 0  # errors the spider saw (the store adds those it refused itself)
    error_summary: str | None = None  # the spider's part (waits, storage errors); the store adds fetch errors
    storage_error: str | None = None  # a batch could not be stored: the crawl failed
    list_hint: str | None = None  # the site's list as this crawl found it (ListHint.to_json): kept for the next
    kind: str = "crawl_finished"


ITEM_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (ArticleItem, ListPageItem, NotModifiedItem, GoneItem, FetchErrorItem, IncompleteListItem,
                SampleItem, CrawlStartedItem, CrawlFinishedItem)
}


def from_dict(d: dict[str, Any]):
    """The item a dict (an exported item, e.g. one JSON Lines line) describes; ValueError otherwise."""
    kind = d.get("kind")
    cls = ITEM_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"not a portalwatch item: kind {kind!r} (known: {', '.join(ITEM_TYPES)})")
    names = {f.name for f in fields(cls)}
    unknown = set(d) - names
    if unknown:
        raise ValueError(f"{kind} item: unknown fields {', '.join(sorted(unknown))}")
    args = dict(d)
    if cls is ListPageItem:
        args["entries"] = [e if isinstance(e, ArticleItem) else from_dict({"kind": "article", **e})
                           for e in args.get("entries", [])]
    return cls(**args)
