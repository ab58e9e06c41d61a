"""Typed items the spider yields and the pipeline stores."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class ListPageItem:
    """Every article sighting of one list page, stored together (one item instead of twenty)."""

    site_id: str
    url: str
    entries: list[ArticleItem]


@dataclass
class NotModifiedItem:
    """An article page answered 304: content unchanged since the stored ETag/Last-Modified."""

    site_id: str
    key: str
    observed_at: str


@dataclass
class GoneItem:
    """An article URL answered 404/410."""

    site_id: str
    key: str
    url: str
    status: int
    observed_at: str


@dataclass
class FetchErrorItem:
    site_id: str
    url: str
    error: str
    observed_at: str
    status: int | None = None


@dataclass
class SampleItem:
    """A page kept for the operator (extraction broke on it)."""

    site_id: str
    url: str
    kind: str
    reason: str
    html: str
    observed_at: str
