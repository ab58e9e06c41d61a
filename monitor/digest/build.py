"""A digest's data: one recipient, one window (since, until], assembled from numbers.py (per-site
numbers), compare.py (the windows before), problems.py and sections.py (the lists of events of
monitor/kinds.py); `upgrade` brings older stored data to today's shape.

The result is plain JSON-able data (stored in `digests.data`, posted to webhooks, rendered by
render.py). Untrusted page text (titles) is reduced to one clean line (text.py), once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import sqlite_utils

from crawler import clock
from monitor.config import Config, Recipient
from monitor.digest.compare import compare, compare_windows
from monitor.digest.numbers import Query, site_level
from monitor.digest.problems import collect as collect_problems
from monitor.digest.problems import problem
from monitor.digest.sections import build as event_lists
from monitor.digest.text import one_line
from monitor.kinds import listed

MAX_NEW_POSTS = 100  # listed in full up to this many; the total is always given
VERSION = 2  # of the data; stored digests of an older version are upgraded before rendering


def as_iso(value: str | datetime | None) -> str | None:
    if value is None or isinstance(value, str) and not value:
        return None
    if isinstance(value, datetime):
        return clock.iso(value if value.tzinfo else value.replace(tzinfo=clock.VN_TZ))
    dt = clock.parse_iso(value) if "T" in value or "Z" in value else None
    if dt is None:  # a bare date or "YYYY-MM-DD HH:MM" is Vietnam local time
        dt = datetime.fromisoformat(value).replace(tzinfo=clock.VN_TZ)
    return clock.iso(dt)


def default_window(db: sqlite_utils.Database, recipient_id: str, now: datetime | None = None) -> tuple[str, str]:
    """Since the end of that recipient's last digest (else the last 24 hours), until now."""
    until = clock.iso(now or clock.now())
    row = db.conn.execute("SELECT MAX(window_end) FROM digests WHERE recipient_id = ? AND kind = 'daily'",
                          (recipient_id,)).fetchone()
    since = row[0] if row and row[0] else clock.iso(clock.parse_iso(until) - timedelta(hours=24))
    return min(since, until), until


def all_sites_recipient(config: Config) -> Recipient:
    """Stand-in when no [[recipient]] is configured: every site, in Vietnamese."""
    return Recipient(id="all-sites", name="Tất cả các trang", sites=[s.id for s in config.sites])


def build(db: sqlite_utils.Database, config: Config, recipient: Recipient, since: str, until: str,
          generated_at: str | None = None, cache: dict | None = None) -> dict:
    """The digest data for `recipient` over (since, until] (UTC ISO strings): the end is
    included, so a crawl at the very moment of the digest counts, and the next window starts
    right after it. Pass the same `cache` dict when building several recipients: what belongs
    to a site (its events, gains, counts) is then computed once per window, not per recipient."""
    sites = config.sites_for(recipient)
    q = Query(db, [s.id for s in sites], since, until)
    names = {s.id: s.name for s in sites}
    events, gains, per_site = site_level(db, [s.id for s in sites], since, until, cache)
    for st in per_site.values():
        st["silent"] = st.get("ever_crawled") and (st.get("silent_days") is None
                                                   or st["silent_days"] >= recipient.silent_days)

    new_posts = q.new_posts([e for e in events if e["kind"] == "new_article"], names)
    top = q.most_read(gains.values())
    rising, left_out = q.rising(gains.values(), shown={q.identity(g["article_id"]) for g in top})
    top, rising = [dict(g) for g in top], [dict(g) for g in rising]  # the cache's rows stay untouched
    q.describe(top + rising, names)

    site_rows, baseline, silent = [], [], []
    gained_by_site: dict[str, int] = defaultdict(int)
    for g in gains.values():
        gained_by_site[g["site_id"]] += g["gained"]
    new_by_site: dict[str, int] = defaultdict(int)
    for e in events:
        if e["kind"] == "new_article":
            new_by_site[e["site_id"]] += 1
    for s in sites:
        st = per_site.get(s.id, {})
        row = {"id": s.id, "name": s.name, "level": s.level, "new_posts": new_by_site[s.id],
               "views_gained": gained_by_site[s.id], "posts_7d": st.get("posts_7d", 0),
               "last_post_at": st.get("last_post_at"), "crawls": st.get("crawls", 0),
               "silent_days": st.get("silent_days")}
        site_rows.append(row)
        if st.get("silent"):
            silent.append({"id": s.id, "name": s.name, "days": st.get("silent_days"),
                           "last_post_at": st.get("last_post_at")})
    for e in events:
        if e["kind"] == "baseline":
            baseline.append({"site_id": e["site_id"], "site_name": names.get(e["site_id"], e["site_id"]),
                             "articles": e["details"]["articles"], "at": e["observed_at"]})
    problems = collect_problems(sites, per_site, events, names)
    comparisons = compare(db, [s.id for s in sites], since, until, cache)
    lists = event_lists(events, names)  # edited, removed, anomalies …: kinds.py says which

    data = {
        "version": VERSION,
        "recipient": {"id": recipient.id, "name": one_line(recipient.name), "language": recipient.language},
        "units": _units(config, recipient),
        "web": web_links(config, recipient, since, until),
        "window": {"since": since, "until": until},
        "generated_at": generated_at or clock.now_iso(),
        "totals": {"sites": len(sites), "new_posts": len(new_posts["all"]),
                   "views_gained": sum(gained_by_site.values()),
                   "posts_7d": sum(r["posts_7d"] for r in site_rows),
                   "crawls": sum(r["crawls"] for r in site_rows),
                   **{k.total: len(lists[k.section]) for k in listed() if k.total and k.section},
                   "problems": len(problems)},
        "compare": comparisons,
        "sites": site_rows,
        "baseline": baseline,
        "new_posts": new_posts["all"][:MAX_NEW_POSTS],
        "top_read": [_public(g) for g in top],
        "rising": [_public(g) for g in rising],
        "rising_left_out": left_out,  # ranked among the fastest, but already under most read
        "charts": {"since": since, "until": until,
                   "hours": round((clock.parse_iso(until) - clock.parse_iso(since)).total_seconds() / 3600, 1),
                   "top": {"top_read": _chart_top(top), "rising": _chart_top(rising)}},
        **lists,
        "problems": problems,
        "silent": silent,
        "link": page_link(config, recipient, since, until),
    }
    t = data["totals"]
    data["nothing_happened"] = not (t["new_posts"] or t["views_gained"] or any(lists.values()) or problems
                                    or baseline or (sites and not t["crawls"]))  # no crawl at all is news
    return data


def page_link(config: Config, recipient: Recipient, since: str, until: str) -> str | None:
    """The web page of this window (`[web] url`: its page of the recipient's first unit, over these
    dates), for the chat-sized form; None without `[web] url`."""
    units = recipient.parents or recipient.sites
    if not config.web.url or not units:
        return None
    first = units[0]
    return config.web.link(f"/u/{quote(first, safe='')}?{urlencode({'since': since, 'until': until})}")


def _units(config: Config, recipient: Recipient) -> list[dict]:
    """The recipient's parent units (sites or [[unit]]s) by name, with how many sites each covers
    (its own portal included when the recipient covers it too). `unnamed`: the name is only the id
    (a [[unit]] that `sites import` made without a parent_name): the digest says so, not the id alone."""
    out = []
    for p in recipient.parents:
        unit = config.unit(p)
        own = [p] if p in recipient.sites else []  # the parent's own portal, when the recipient reads it too
        n = len(config.tree.sites_under([p], own))
        name = one_line(unit.name if unit else p)
        out.append({"id": p, "name": name, "level": unit.level if unit else None, "sites": n,
                    "unnamed": name.strip().lower() in (p, (unit.id if unit else p))})
    return out


def web_links(config: Config, recipient: Recipient, since: str, until: str) -> dict | None:
    """Deep links into `portalwatch web` when `[web] url` is set: each of the recipient's units
    over this very window, and where an article's history page is (`article` + its id)."""
    if not config.web.url:
        return None
    window = urlencode({"since": since, "until": until})
    units = []
    for uid in (recipient.parents or recipient.sites)[:10]:
        node = config.unit(uid)
        units.append({"id": uid, "name": one_line(node.name if node else uid),
                      "url": config.web.link(f"/u/{quote(uid, safe='')}?{window}")})
    return {"units": units, "article": config.web.link("/a/")}


def upgrade(data: dict) -> dict:
    """A digest stored by an older portalwatch (version 1: a delivery planned before an upgrade,
    sent or retried after it), in today's shape: every problem has every key, the charts' series
    are gains over the window, and the comparisons say "no figures". Newer data is returned as is."""
    if data.get("version", 1) >= VERSION:
        return data
    data = json.loads(json.dumps(data))  # a copy: the stored row stays as it was
    since, until = data["window"]["since"], data["window"]["until"]
    data["problems"] = [problem(p["site_id"], p["site_name"], p["kind"], since=p.get("since"), at=p.get("at"),
                                runs=p.get("runs"), error=p.get("error"), field=p.get("field"),
                                share=p.get("share"), usual=p.get("usual"), sample_id=p.get("sample_id"))
                        for p in data.get("problems", [])]
    for key in ("top_read", "rising"):
        for a in data.get(key, []):
            pts = a.get("series") or []
            before = [v for t, v in pts if t <= since]
            inside = [[t, v] for t, v in pts if since < t <= until]
            base = before[-1] if before else inside[0][1] if inside else 0
            a["series"] = ([[since, 0]] if before else []) + [[t, max(0, v - base)] for t, v in inside]
            a["readings"] = len(inside) + bool(before)
            a["hours"] = round(a["gained"] / a["rate"], 1) if a.get("rate") else None
    data["charts"] = {"since": since, "until": until,
                      "hours": round((clock.parse_iso(until) - clock.parse_iso(since)).total_seconds() / 3600, 1),
                      "top": {k: _chart_top(data.get(k, [])) for k in ("top_read", "rising")}}
    data["compare"] = {name: {"since": clock.iso(a), "until": clock.iso(b), "crawls": None, "new_posts": None,
                              "views_gained": None} for name, (a, b) in compare_windows(since, until)}
    data["version"] = VERSION
    return data


def _public(g: dict) -> dict:
    """An article of most read / rising: `start` is its count at the chart's start (0 for a new post)."""
    keys = ("article_id", "site_name", "title", "url", "views", "gained", "rate", "hours", "span", "readings",
            "series", "published_at")
    return {**{k: g.get(k) for k in keys}, "start": g.get("base")}


def _chart_top(items: list[dict]) -> int:
    """The shared vertical scale of a section's charts: 0 … the largest gain shown."""
    return max([v for g in items for _, v in g["series"]] + [1])
