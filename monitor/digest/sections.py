"""The digest's lists of events under a heading of their own (edited, removed, anomalies, …): one
per event kind whose `section` is its own (monitor/kinds.py), in the order of the kinds.

A section with a builder here gets its own shape; any other gets the plain one (site, title, link,
time), which every template shows without being told about it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from monitor.digest.text import one_line
from monitor.kinds import listed


def build(events: list[dict], names: dict[str, str]) -> dict[str, list[dict]]:
    """{section: items} for every listed section, from the window's events (sorted by time)."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by_kind[e["kind"]].append(e)
    out: dict[str, list[dict]] = {}
    for kind in listed():
        assert kind.section is not None
        items = BUILDERS.get(kind.section, plain)(by_kind.get(kind.name, []), names)
        out.setdefault(kind.section, []).extend(items)
    return out


def headings(lang: str) -> list[tuple[str, str]]:
    """(section, heading) of every listed section, in digest order: the heading is its kind's label."""
    out: dict[str, str] = {}
    for kind in listed():
        assert kind.section is not None
        out.setdefault(kind.section, kind.label[lang])
    return list(out.items())


def plain(events: list[dict], names: dict[str, str]) -> list[dict]:
    """Site, title and link (from the event's details, else the article's), and when it was seen."""
    out = []
    for e in events:
        d = e["details"]
        out.append(dict(site_name=names.get(e["site_id"], e["site_id"]),
                        title=one_line(d.get("title") if "title" in d else e.get("title")),
                        url=d.get("url") if "url" in d else e.get("url"), at=e["observed_at"]))
    return out


def anomalies(events: list[dict], names: dict[str, str]) -> list[dict]:
    return [dict(site_name=names.get(e["site_id"], e["site_id"]), title=one_line(e.get("title")),
                 url=e.get("url"), reason=e["details"]["reason"], old=e["details"]["old"],
                 new=e["details"]["new"], at=e["observed_at"]) for e in events]


def edits(events: list[dict], names: dict[str, str]) -> list[dict]:
    """One line per article: its first old title → its last new title, and whether the body changed."""
    by_article: dict[int, dict] = {}
    for e in sorted(events, key=lambda e: e["observed_at"]):
        d = e["details"]
        row = by_article.setdefault(e["article_id"], {
            "site_name": names.get(e["site_id"], e["site_id"]), "url": d.get("url"), "old_title": None,
            "new_title": None, "title": one_line(e.get("title")), "body_changed": False, "at": e["observed_at"]})
        if d["field"] == "title":
            row["old_title"] = row["old_title"] or one_line(d.get("old_title"))
            row["new_title"] = one_line(d.get("new_title"))
        else:
            row["body_changed"] = True
        row["at"] = e["observed_at"]
    return list(by_article.values())


BUILDERS: dict[str, Callable[[list[dict], dict[str, str]], list[dict]]] = {"edited": edits, "anomalies": anomalies}
