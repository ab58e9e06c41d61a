"""What one list walk saw (pages, article links, what the pagers printed) and, when it ends,
whether it probably missed articles — in words an operator reads ("pager shows page 12 but
the walk stopped at page 6: next link not found"). Plain data and functions: the spider feeds
each list page to `ListWalk.saw` and asks `ListWalk.missed` when the walk stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.extract.types import ListPage
from crawler.extract.urls import canonical_url

# why a walk stopped
END = "end"  # no next link
MAX_PAGES = "max_pages"  # the page budget of the crawl (max_pages, or a shallow walk)
AGE = "age"  # every article on the page is older than max_age_days
LOOP = "loop"  # the next link leads back to a page already read
OFF_SITE = "off_site"  # the next link leads to another host


@dataclass
class ListWalk:
    """One list (a start URL) walked page by page in one crawl."""

    start_url: str
    pages: int = 0  # list pages read
    links: int = 0  # article links read on them (repeats included)
    number: int | None = None  # the pager's number of the last page read
    highest: int | None = None  # the highest page number a pager showed
    item_range: tuple[int, int] | None = None  # "Hiển thị 21 - 29 …" on the last page read
    total: int | None = None  # "… of 29": the list's article count
    last_url: str = ""
    skipped: list[str] = field(default_factory=list)  # "page 2 (from page 1 to page 3)"
    visited: set[str] = field(default_factory=set)

    def saw(self, url: str, listing: ListPage) -> None:
        """Count one list page of the walk and what its pager prints."""
        facts = listing.pager
        self.pages += 1
        self.links += len(listing.entries)
        self.last_url = url
        self.visited.add(canonical_url(url))
        if facts.current is not None and self.number is not None and facts.current > self.number + 1:
            gap = range(self.number + 1, facts.current)
            shown = f"page {gap[0]}" if len(gap) == 1 else f"pages {gap[0]}–{gap[-1]}"
            self.skipped.append(f"{shown} (the next link of page {self.number} led to page {facts.current})")
        self.number = facts.current if facts.current is not None else (self.number or 0) + 1
        if facts.highest is not None:
            self.highest = max(self.highest or 0, facts.highest)
        if facts.total is not None:
            self.total = facts.total
        self.item_range = facts.item_range

    def seen(self, url: str) -> bool:
        return canonical_url(url) in self.visited

    def missed(self, stop: str, *, max_pages: int, max_age_days: int | None = None, full: bool = True,
               newer_than_limit: bool = False, next_url: str | None = None) -> list[str]:
        """Why this walk probably did not see every article of its list (empty: it did), given
        why it stopped. `newer_than_limit`: the last page still listed articles inside
        max_age_days."""
        out = [f"the walk skipped {s}" for s in self.skipped]
        where = f"page {self.number}" if self.number is not None else f"list page {self.pages}"
        why = {END: "next link not found", LOOP: f"the next link leads back to a page already read ({next_url})",
               OFF_SITE: f"the next link leads off the site ({next_url})"}.get(stop)
        if why is not None:
            if self.highest is not None and self.number is not None and self.highest > self.number:
                out.append(f"pager shows page {self.highest} but the walk stopped at {where}: {why}")
            elif self.item_range is not None and self.total is not None and self.item_range[1] < self.total:
                first, last = self.item_range
                out.append(f"the list shows articles {first} - {last} of {self.total} but the walk stopped at {where}: {why}")
            elif self.total is not None and self.links < self.total:
                out.append(f"the list says {self.total} articles but {self.links} article links were read "
                           f"on {self.pages} page(s)")
        elif stop == MAX_PAGES and full and max_age_days and newer_than_limit:
            out.append(f"the walk stopped at max_pages {max_pages} while {where} still lists articles newer "
                       f"than max_age_days {max_age_days}: older articles inside the age limit were not read")
        return out


def walk_horizon(truncated: set[str], oldest: dict[str, str | None]) -> str | None:
    """The date after which every list was walked completely: an unseen article newer than
    this is missing from its list. "" when every list was walked to its end; None when a
    shortened list showed no dates (nothing can be said). `truncated`: the lists whose walk
    stopped early; `oldest`: per list, the oldest publication it showed."""
    cutoffs = []
    for lid in truncated:
        date = oldest.get(lid)
        if date is None:
            return None
        cutoffs.append(date)
    return max(cutoffs, default="")


def inside_lists(oldest: dict[str, str | None], newest: str | None, published: str) -> bool:
    """Is this publication between the oldest and the newest article the site's lists showed?"""
    first = min((d for d in oldest.values() if d), default=None)
    return first is not None and newest is not None and first <= published <= newest


def unlisted_reason(urls: list[str]) -> str:
    """The words for live articles, dated inside the lists, that no list page showed."""
    return (f"{len(urls)} live article(s) dated between the newest and the oldest article of the lists were "
            f"on no list page this crawl (e.g. {urls[0]}): the walk skipped them")


__all__ = ["AGE", "END", "LOOP", "MAX_PAGES", "OFF_SITE", "ListWalk", "inside_lists", "unlisted_reason", "walk_horizon"]
