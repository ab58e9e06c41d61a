"""One line per site as a crawl goes, for logs and pipes (where no live display is drawn):

    crawl: vinh-hung ok 53 pages 50 articles (4.1 s)

made from the crawl child's progress events (crawler/progress.py): a site is reported once every
request it asked for was answered, the rest when the crawl ends.
"""

from __future__ import annotations


def site_line(site_id: str, s: dict) -> str:
    """The line of one site from its progress counters."""
    pages = s.get("lists", 0) + s.get("articles", 0)
    errors = f", {s['errors']} error{'s' if s['errors'] != 1 else ''}" if s.get("errors") else ""
    took = f" ({s['seconds']:.1f} s)" if s.get("seconds") is not None else ""
    return f"crawl: {site_id} {s.get('outcome', 'done')} {pages} pages {s.get('seen', 0)} articles{errors}{took}"


class SiteLines:
    """Feed it every progress event; it returns the lines of the sites finished since the last one."""

    def __init__(self) -> None:
        self.reported: set[str] = set()

    def feed(self, event: dict) -> list[str]:
        final = event.get("event") == "done"
        out = []
        for site_id, s in sorted(event.get("sites", {}).items()):
            if site_id not in self.reported and (s.get("done") or final):
                self.reported.add(site_id)
                out.append(site_line(site_id, s))
        return out
