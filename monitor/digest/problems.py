"""A digest's problem lines: sites never crawled, failing or partial (from their last crawl), and
unreachable or with broken extraction (from detect's events), one shape for every kind. The kinds,
their words and the events they come from: PROBLEM_KINDS in monitor/kinds.py."""

from __future__ import annotations

from monitor.digest.reasons import reason_key
from monitor.digest.text import one_line
from monitor.kinds import PROBLEM_KINDS


def problem(site_id: str, site_name: str, kind: str, *, since: str | None = None, at: str | None = None,
            runs: int | None = None, error: str | None = None, field: str | None = None,
            share: float | None = None, usual: float | None = None, sample_id: int | None = None,
            reason: str | None = None) -> dict:
    """One problem line; every kind has every key (None when it does not apply), so templates
    never meet a missing key. `reason` names the plain-words label (reasons.py); `error` is
    the technical text, for operators."""
    error = one_line(error, 200) or None
    return {"site_id": site_id, "site_name": site_name, "kind": kind, "since": since, "at": at, "runs": runs,
            "reason": reason or reason_key(error), "error": error, "field": field, "share": share,
            "usual": usual, "sample_id": sample_id}


def merge(problems: list[dict]) -> list[dict]:
    """One line per site and problem: the latest of a kind's lines (events come in time order; an
    extraction_broken event is recorded per crawl, `runs` then counts them), and no 'failing' line
    where an 'unreachable' one says the same."""
    unreachable = {p["site_id"] for p in problems if p["kind"] == "unreachable"}
    out: dict[tuple, dict] = {}
    for p in problems:
        if p["kind"] == "failing" and p["site_id"] in unreachable:
            continue
        key = (p["site_id"], p["kind"], p["field"])
        if p["kind"] == "extraction_broken":
            p = {**p, "runs": (out[key]["runs"] if key in out else 0) + 1}
        out.pop(key, None)
        out[key] = p  # the latest, in the place of its latest event
    return list(out.values())


def collect(sites: list, per_site: dict[str, dict], events: list[dict], names: dict[str, str]) -> list[dict]:
    """The problems of these sites in the window: from each site's last crawl (per_site: the window's
    site stats), then from detect's events, a 'failing' line dropped where 'unreachable' says it."""
    problems = []
    for s in sites:
        st = per_site.get(s.id, {})
        if not st.get("ever_crawled"):
            problems.append(problem(s.id, s.name, "never_crawled"))
        elif st.get("last_outcome") == "failed":
            problems.append(problem(s.id, s.name, "failing", since=st.get("failing_since"),
                                    error=st.get("last_error")))
        elif st.get("last_outcome") == "partial":
            problems.append(problem(s.id, s.name, "partial", since=st.get("last_crawl_at"),
                                    error=st.get("last_error")))
    by_event = {p.event: p for p in PROBLEM_KINDS.values() if p.event}
    for e in events:
        kind = by_event.get(e["kind"])
        if kind is not None:  # site_unreachable, extraction_broken: the details a line needs (kinds.py)
            d = e["details"]
            problems.append(problem(e["site_id"], names.get(e["site_id"], e["site_id"]), kind.name,
                                    at=e["observed_at"], **{k: d.get(v) for k, v in kind.details.items()}))
    return merge(problems)
