"""Every kind of event detect records, and every kind of problem a digest lists: one record each.

Detect builds each event's dedupe key from its EventKind; the digest takes from it where the
event shows (`section`), under which heading (`label`) and in which total (`total`); Datasette's
description of `events.kind` and the alerts' seriousness (`severity`) come from here too. A new
kind is a record below, the detect rule that emits it, and its test (docs/development.md).

`section` says where a digest shows the kind's events:
  "baseline"   the "first crawl of …" lines under the summary
  "new_posts"  the new posts list (with its count)
  "problems"   a problem line (the ProblemKind whose `event` is this kind)
  None         not listed on their own (views_changed: summed into views gained, top read, rising)
  other        a list of its own under that name in the digest data, headed by the kind's `label`,
               counted in totals[section] when `total` names it; listed in the order of KINDS
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("info", "warning", "critical")  # how urgently a person should look, least first
SPECIAL_SECTIONS = ("baseline", "new_posts", "problems")


@dataclass(frozen=True)
class EventKind:
    name: str  # events.kind
    key: str  # the dedupe key, str.format-ted with the event's parts ({site}, {article}, …)
    label: dict[str, str]  # the kind in words, {"vi": …, "en": …}
    severity: str  # one of SEVERITIES
    section: str | None  # where a digest shows it (see above)
    total: str | None  # the digest totals key it counts into; None: not counted
    when: str  # when detect records one (docs, Datasette)
    pruned: bool = False  # deleted after [portalwatch] event_retention_days (housekeeping)

    def dedupe_key(self, **parts: object) -> str:
        return self.key.format(**parts)


@dataclass(frozen=True)
class ProblemKind:
    name: str  # the digest's problems[].kind
    label: dict[str, str]  # the line, {"vi": …, "en": …}, str.format-ted with since, runs, field, share, usual
    severity: str  # one of SEVERITIES
    event: str | None  # the event kind it is read from; None: from the site's last crawl
    details: dict[str, str] = field(default_factory=dict)  # problem key ← that event's details key
    when: str = ""


KINDS: tuple[EventKind, ...] = (
    EventKind("baseline", "baseline:{site}", {"vi": "Lần thu thập đầu tiên", "en": "First crawl"}, "info",
              "baseline", None, "a site's first finished crawl (N articles recorded; no new_article for them)"),
    EventKind("new_article", "new:{article}", {"vi": "Bài mới", "en": "New posts"}, "info",
              "new_posts", "new_posts", "an article first seen after the baseline"),
    EventKind("views_changed", "views:{reading}", {"vi": "Lượt xem tăng", "en": "Views gained"}, "info",
              None, "views_gained", "a view-count reading went up (one per stored reading)", pruned=True),
    EventKind("article_edited", "edit:{article}:{crawl}:{part}", {"vi": "Bài được sửa", "en": "Edited posts"},
              "info", "edited", "edited", "title (old/new kept) or body changed, per article and crawl"),
    EventKind("article_removed", "removed:{article}:{at}", {"vi": "Bài bị gỡ", "en": "Removed posts"},
              "warning", "removed", "removed", "confirmed gone (404/410 on two consecutive checks)"),
    EventKind("views_anomaly", "anomaly:{reading}",
              {"vi": "Số liệu lượt xem bất thường", "en": "Unusual view counts"}, "warning",
              "anomalies", "anomalies", "a reading went down, or jumped far beyond the article's recent rate"
              " or its own count before"),
    EventKind("site_unreachable", "unreachable:{site}:{first_crawl}",
              {"vi": "Không truy cập được", "en": "Site unreachable"}, "critical",
              "problems", "problems", "N consecutive failed crawls (one event per outage)"),
    EventKind("extraction_broken", "broken:{crawl}:{field}",
              {"vi": "Không đọc được dữ liệu", "en": "Extraction broken"}, "critical",
              "problems", "problems", "most articles of a crawl lost a field the site usually has"),
)

PROBLEMS: tuple[ProblemKind, ...] = (
    ProblemKind("unreachable", {"vi": "không truy cập được từ {since} ({runs} lần thu thập liên tiếp thất bại)",
                                "en": "unreachable since {since} ({runs} failed crawls in a row)"}, "critical",
                "site_unreachable", {"since": "since", "runs": "failed_runs", "error": "last_error"},
                "N failed crawls in a row (a site_unreachable event)"),
    ProblemKind("extraction_broken", {"vi": "không đọc được {field} ở {share}% số bài (thường {usual}%)",
                                      "en": "{field} could not be read on {share}% of posts (usually {usual}%)"},
                "critical", "extraction_broken",
                {"field": "field", "share": "share", "usual": "usual", "sample_id": "sample_id"},
                "an extraction_broken event"),
    ProblemKind("failing", {"vi": "lần thu thập gần nhất thất bại (từ {since})",
                            "en": "last crawl failed (since {since})"}, "warning", None,
                when="the last crawl failed"),
    ProblemKind("partial", {"vi": "lần thu thập gần nhất ({since}) không đọc được một số trang",
                            "en": "some pages could not be read in the last crawl ({since})"}, "info", None,
                when="the last crawl could not read some pages"),
    ProblemKind("never_crawled", {"vi": "chưa thu thập được lần nào", "en": "not crawled yet"}, "info", None,
                when="no crawl finished yet (e.g. a ward just added to sites.toml)"),
)

EVENT_KINDS: dict[str, EventKind] = {k.name: k for k in KINDS}
PROBLEM_KINDS: dict[str, ProblemKind] = {p.name: p for p in PROBLEMS}


def event_kind(name: str) -> EventKind:
    """The record of an event kind (KeyError naming the known kinds for any other name)."""
    try:
        return EVENT_KINDS[name]
    except KeyError:
        raise KeyError(f"unknown event kind {name!r} (known: {', '.join(EVENT_KINDS)})") from None


def listed() -> list[EventKind]:
    """The kinds a digest lists under a heading of their own, in digest order."""
    return [k for k in EVENT_KINDS.values() if k.section and k.section not in SPECIAL_SECTIONS]


def unlisted() -> list[str]:
    """Kinds a digest never lists (only sums): their events are not read one by one."""
    return [k.name for k in EVENT_KINDS.values() if k.section is None]


def read_kinds() -> list[str]:
    """Kinds whose events a digest reads one by one (every kind but the unlisted)."""
    return [k.name for k in EVENT_KINDS.values() if k.section is not None]


def problem_of(event: str) -> ProblemKind | None:
    """The problem line an event kind becomes in a digest, if any."""
    return next((p for p in PROBLEM_KINDS.values() if p.event == event), None)
