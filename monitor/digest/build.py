"""The numbers of a digest: one recipient, one window (since, until], read from the database.

The result is plain JSON-able data (stored in `digests.data`, posted to webhooks, rendered by
render.py). Untrusted page text (titles) is reduced to one clean line here, once.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timedelta

import sqlite_utils

from monitor import clock
from monitor.config import Config, Recipient, Site, Unit
from monitor.digest.reasons import reason_key

MAX_NEW_POSTS = 100  # listed in full up to this many; the total is always given
TOP_N = 5
RISING_MIN_VIEWS = 20  # "fastest rising" needs at least this many views gained …
RISING_MIN_HOURS = 2.0  # … over at least this many hours …
RISING_MIN_READINGS = 2  # … seen in this many real readings (the one before the window counts)
VERSION = 2  # of the data; stored digests of an older version are upgraded before rendering
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


def one_line(text: str | None, limit: int = 300) -> str:
    """Untrusted text as a single line: control characters (CR, LF, tabs …) become spaces."""
    text = " ".join(_CONTROL.sub(" ", text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    row = db.conn.execute("SELECT MAX(window_end) FROM digests WHERE recipient_id = ?", (recipient_id,)).fetchone()
    since = row[0] if row and row[0] else clock.iso(clock.parse_iso(until) - timedelta(hours=24))
    return min(since, until), until


def all_sites_recipient(config: Config) -> Recipient:
    """Stand-in when no [[recipient]] is configured: every site, in Vietnamese."""
    return Recipient(id="all-sites", name="Tất cả các trang", sites=[s.id for s in config.sites])


def covered_sites(config: Config, recipient: Recipient) -> list:
    """config.sites_for(recipient), with the site tree indexed once per config (many recipients)."""
    index = config.__dict__.get("_digest_index")
    size = (len(config.sites), len(config.units))
    if index is None or index[0] != size:
        children: dict[str, list[str]] = defaultdict(list)
        nodes: list[Site | Unit] = [*config.sites, *config.units]
        for s in nodes:  # through [[unit]]s: province > district > wards
            if s.parent:
                children[s.parent].append(s.id)
        index = (size, {s.id: s for s in config.sites}, children)
        config.__dict__["_digest_index"] = index
    _, by_id, children = index
    wanted, seen, out = list(recipient.sites), set(), []
    for p in recipient.parents:
        stack, visited = list(reversed(children.get(p, []))), set()
        while stack:  # depth first, like Config.sites_for (and safe from cycles)
            sid = stack.pop()
            if sid not in visited:
                visited.add(sid)
                if sid in by_id:  # a [[unit]] has no posts of its own
                    wanted.append(sid)
                stack.extend(reversed(children.get(sid, [])))
    for sid in wanted:
        if sid not in seen:
            seen.add(sid)
            out.append(by_id[sid] if sid in by_id else config.site(sid))
    return out


def build(db: sqlite_utils.Database, config: Config, recipient: Recipient, since: str, until: str,
          generated_at: str | None = None, cache: dict | None = None) -> dict:
    """The digest data for `recipient` over (since, until] (UTC ISO strings): the end is
    included, so a crawl at the very moment of the digest counts, and the next window starts
    right after it. Pass the same `cache` dict when building several recipients: what belongs
    to a site (its events, gains, counts) is then computed once per window, not per recipient."""
    sites = covered_sites(config, recipient)
    q = _Query(db, [s.id for s in sites], since, until)
    names = {s.id: s.name for s in sites}
    events, gains, per_site = _site_level(db, [s.id for s in sites], since, until, cache)
    for st in per_site.values():
        st["silent"] = st.get("ever_crawled") and (st.get("silent_days") is None
                                                   or st["silent_days"] >= recipient.silent_days)

    new_posts = q.new_posts([e for e in events if e["kind"] == "new_article"], names)
    top = sorted((g for g in gains.values() if g["gained"] > 0), key=lambda g: (-g["gained"], g["article_id"]))[:TOP_N]
    top_ids = {g["article_id"] for g in top}
    rising = q.rising(g for g in gains.values() if g["article_id"] not in top_ids)
    top, rising = [dict(g) for g in top], [dict(g) for g in rising]  # the cache's rows stay untouched
    q.describe(top + rising, names)

    site_rows, baseline, problems, silent = [], [], [], []
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
        if not st.get("ever_crawled"):
            problems.append(_problem(s.id, s.name, "never_crawled"))
        elif st.get("last_outcome") == "failed":
            problems.append(_problem(s.id, s.name, "failing", since=st.get("failing_since"),
                                     error=st.get("last_error")))
        elif st.get("last_outcome") == "partial":
            problems.append(_problem(s.id, s.name, "partial", since=st.get("last_crawl_at"),
                                     error=st.get("last_error")))
    for e in events:
        d, name = e["details"], names.get(e["site_id"], e["site_id"])
        if e["kind"] == "baseline":
            baseline.append({"site_id": e["site_id"], "site_name": name, "articles": d["articles"],
                             "at": e["observed_at"]})
        elif e["kind"] == "site_unreachable":
            problems.append(_problem(e["site_id"], name, "unreachable", since=d.get("since"), at=e["observed_at"],
                                     runs=d.get("failed_runs"), error=d.get("last_error")))
        elif e["kind"] == "extraction_broken":
            problems.append(_problem(e["site_id"], name, "extraction_broken", at=e["observed_at"],
                                     field=d.get("field"), share=d.get("share"), usual=d.get("usual"),
                                     sample_id=d.get("sample_id")))
    problems = _merge_problems(problems)
    compare = _compare(db, [s.id for s in sites], since, until, cache)

    data = {
        "version": VERSION,
        "recipient": {"id": recipient.id, "name": one_line(recipient.name), "language": recipient.language},
        "units": _units(config, recipient),
        "window": {"since": since, "until": until},
        "generated_at": generated_at or clock.now_iso(),
        "totals": {"sites": len(sites), "new_posts": len(new_posts["all"]),
                   "views_gained": sum(gained_by_site.values()),
                   "posts_7d": sum(r["posts_7d"] for r in site_rows),
                   "crawls": sum(r["crawls"] for r in site_rows),
                   "edited": 0, "removed": 0, "anomalies": 0, "problems": len(problems)},
        "compare": compare,
        "sites": site_rows,
        "baseline": baseline,
        "new_posts": new_posts["all"][:MAX_NEW_POSTS],
        "top_read": [_public(g) for g in top],
        "rising": [_public(g) for g in rising],
        "charts": {"since": since, "until": until,
                   "hours": round((clock.parse_iso(until) - clock.parse_iso(since)).total_seconds() / 3600, 1),
                   "top": {"top_read": _chart_top(top), "rising": _chart_top(rising)}},
        "edited": _edits(events, names),
        "removed": [dict(site_name=names.get(e["site_id"], e["site_id"]), title=one_line(e["details"].get("title")),
                         url=e["details"].get("url"), at=e["observed_at"])
                    for e in events if e["kind"] == "article_removed"],
        "anomalies": [dict(site_name=names.get(e["site_id"], e["site_id"]), title=one_line(e.get("title")),
                           url=e.get("url"), reason=e["details"]["reason"], old=e["details"]["old"],
                           new=e["details"]["new"], at=e["observed_at"])
                      for e in events if e["kind"] == "views_anomaly"],
        "problems": problems,
        "silent": silent,
    }
    t = data["totals"]
    t.update(edited=len(data["edited"]), removed=len(data["removed"]), anomalies=len(data["anomalies"]))
    data["nothing_happened"] = not (t["new_posts"] or t["views_gained"] or t["edited"] or t["removed"]
                                    or t["anomalies"] or problems or baseline)
    return data


def _units(config: Config, recipient: Recipient) -> list[dict]:
    """The recipient's parent units (sites or [[unit]]s) by name, with how many sites each covers."""
    out = []
    for p in recipient.parents:
        unit = config.unit(p)
        n = len(covered_sites(config, Recipient(id=recipient.id, name=recipient.name, parents=[p])))
        out.append({"id": p, "name": one_line(unit.name if unit else p), "level": unit.level if unit else None,
                    "sites": n})
    return out


def _compare(db, site_ids: list[str], since: str, until: str, cache: dict | None) -> dict:
    """New posts and views gained in the window just before this one (same length) and in the
    same window a week earlier; the counts are None when no crawl ran then (nothing to compare).
    Read from detect's events (views_changed gains, plus the first count of each new post: the
    same sum as the window's own gains), per site and through the cache: cheap for past windows."""
    out = {}
    for name, (a, b) in _compare_windows(since, until):
        a_iso, b_iso = clock.iso(a), clock.iso(b)
        store = cache.setdefault(("compare", a_iso, b_iso), {}) if cache is not None else {}
        missing = [sid for sid in site_ids if sid not in store]
        if missing:
            store.update(dict.fromkeys(missing, (0, 0, 0)))
            for sid, crawls, posts, views in db.conn.execute(_COMPARE_SQL, {"sites": json.dumps(missing),
                                                                            "a": a_iso, "b": b_iso}):
                store[sid] = (crawls, posts or 0, views or 0)
        crawls, posts, views = (sum(col) for col in zip(*(store[sid] for sid in site_ids), strict=True)) \
            if site_ids else (0, 0, 0)
        known = bool(crawls) and a < b
        out[name] = {"since": a_iso, "until": b_iso, "crawls": crawls,
                     "new_posts": posts if known else None, "views_gained": views if known else None}
    return out


def _compare_windows(since: str, until: str) -> tuple:
    """(name, (start, end)) of the window just before (same length) and of the same window a week earlier."""
    s, u = clock.parse_iso(since), clock.parse_iso(until)
    return ("previous", (s - (u - s), s)), ("week_before", (s - timedelta(days=7), u - timedelta(days=7)))


_COMPARE_SQL = """
SELECT s.value,
  (SELECT COUNT(*) FROM crawls c WHERE c.site_id = s.value AND c.started_at > :a AND c.started_at <= :b),
  (SELECT COUNT(*) FROM events e WHERE e.site_id = s.value AND e.observed_at > :a AND e.observed_at <= :b
     AND e.kind = 'new_article'),
  (SELECT SUM(CASE e.kind WHEN 'views_changed' THEN json_extract(e.details, '$.gained')
     ELSE (SELECT v.views FROM view_counts v WHERE v.article_id = e.article_id AND v.observed_at <= :b
           ORDER BY v.observed_at, v.id LIMIT 1) END)
   FROM events e WHERE e.site_id = s.value AND e.observed_at > :a AND e.observed_at <= :b
     AND e.kind IN ('views_changed', 'new_article'))
FROM json_each(:sites) s
"""


def upgrade(data: dict) -> dict:
    """A digest stored by an older portalwatch (version 1: a delivery planned before an upgrade,
    sent or retried after it), in today's shape: every problem has every key, the charts' series
    are gains over the window, and the comparisons say "no figures". Newer data is returned as is."""
    if data.get("version", 1) >= VERSION:
        return data
    data = json.loads(json.dumps(data))  # a copy: the stored row stays as it was
    since, until = data["window"]["since"], data["window"]["until"]
    data["problems"] = [_problem(p["site_id"], p["site_name"], p["kind"], since=p.get("since"), at=p.get("at"),
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
                              "views_gained": None} for name, (a, b) in _compare_windows(since, until)}
    data["version"] = VERSION
    return data


def _site_level(db, site_ids: list[str], since: str, until: str, cache: dict | None):
    """Events, per-article gains and per-site counts of these sites, through the cache."""
    store = cache.setdefault((since, until), {}) if cache is not None else {}
    missing = [sid for sid in site_ids if sid not in store]
    if missing:
        q = _Query(db, missing, since, until)
        events = q.events()
        drops: dict[int, int] = defaultdict(int)
        for e in events:
            if e["kind"] == "views_anomaly" and e["details"].get("reason") == "decrease":
                drops[e["article_id"]] += e["details"]["old"] - e["details"]["new"]
        gains = q.gains({e["article_id"] for e in events if e["kind"] == "new_article"}, drops)
        stats = q.site_stats()
        for sid in missing:
            store[sid] = {"events": [], "gains": [], "stats": stats.get(sid, {})}
        for e in events:
            store[e["site_id"]]["events"].append(e)
        for g in gains.values():
            store[g["site_id"]]["gains"].append(g)
    events = sorted((e for sid in site_ids for e in store[sid]["events"]), key=lambda e: (e["observed_at"], e["id"]))
    gains = {g["article_id"]: g for sid in site_ids for g in store[sid]["gains"]}
    return events, gains, {sid: dict(store[sid]["stats"]) for sid in site_ids}


def _public(g: dict) -> dict:
    keys = ("article_id", "site_name", "title", "url", "views", "gained", "rate", "hours", "readings", "series",
            "published_at")
    return {k: g.get(k) for k in keys}


def _chart_top(items: list[dict]) -> int:
    """The shared vertical scale of a section's charts: 0 … the largest gain shown."""
    return max([v for g in items for _, v in g["series"]] + [1])


PROBLEM_KINDS = ("unreachable", "extraction_broken", "failing", "partial", "never_crawled")


def _problem(site_id: str, site_name: str, kind: str, *, since: str | None = None, at: str | None = None,
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


def _merge_problems(problems: list[dict]) -> list[dict]:
    """One 'failing' line per site is enough when an 'unreachable' event says the same."""
    unreachable = {p["site_id"] for p in problems if p["kind"] == "unreachable"}
    return [p for p in problems if not (p["kind"] == "failing" and p["site_id"] in unreachable)]


def _edits(events: list[dict], names: dict) -> list[dict]:
    by_article: dict[int, dict] = {}
    for e in sorted((e for e in events if e["kind"] == "article_edited"), key=lambda e: e["observed_at"]):
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


# The articles row holds the latest reading (views, views_observed_at): when it is inside the
# window it is the window's last reading, found without a seek. The reading before the window
# is one index seek. The rest (_READING_SQL) is only for windows that end in the past, and for
# articles with no reading before the window (their first reading inside it is the baseline).
_GAINS_SQL = """
SELECT a.id, a.site_id, a.views_observed_at, a.views, julianday(a.views_observed_at),
       b.views, julianday(b.observed_at), julianday(a.published_at)
FROM articles a
LEFT JOIN view_counts b ON b.id = (SELECT id FROM view_counts WHERE article_id = a.id
    AND observed_at <= :since ORDER BY observed_at DESC, id DESC LIMIT 1)
WHERE a.site_id IN (SELECT value FROM json_each(:sites)) AND a.views_observed_at > :since
"""
_READING_SQL = """
SELECT x.value, r.views, julianday(r.observed_at), r.observed_at
FROM json_each(:ids) x JOIN view_counts r ON r.id = (SELECT id FROM view_counts WHERE article_id = x.value
    AND observed_at > :since AND observed_at <= :until ORDER BY observed_at {order}, id {order} LIMIT 1)
"""


class _Query:
    """The SQL, scoped to a list of sites (passed as one JSON parameter) and a window."""

    def __init__(self, db: sqlite_utils.Database, site_ids: list[str], since: str, until: str):
        self.conn, self.sites, self.since, self.until = db.conn, json.dumps(site_ids), since, until

    def events(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT e.id, e.kind, e.site_id, e.article_id, e.observed_at, e.details, a.title, a.url"
            " FROM events e LEFT JOIN articles a ON a.id = e.article_id"
            " WHERE e.site_id IN (SELECT value FROM json_each(?)) AND e.observed_at > ? AND e.observed_at <= ?"
            " AND e.kind != 'views_changed' ORDER BY e.observed_at, e.id", (self.sites, self.since, self.until))
        keys = ("id", "kind", "site_id", "article_id", "observed_at", "details", "title", "url")
        return [{**dict(zip(keys, r, strict=True)), "details": json.loads(r[5])} for r in rows]

    def gains(self, new_ids: set[int], drops: dict[int, int]) -> dict[int, dict]:
        """Views gained per article with a reading in the window: its last reading minus the
        starting point (the last reading before the window; 0 for a new post; else its first
        reading), plus what the counter lost in resets (detect's views_anomaly 'decrease'
        events), so a reset is an anomaly, never a negative gain. `rate` is views per hour
        since the starting point (for a new post: since publication). About one index seek per
        article read in the window; the readings themselves are never scanned."""
        args = {"sites": self.sites, "since": self.since, "until": self.until}
        rows = self.conn.execute(_GAINS_SQL, args).fetchall()
        late = [r[0] for r in rows if r[2] > self.until]  # latest reading after the window's end
        lasts = self._readings(late, "DESC")
        firsts = self._readings([r[0] for r in rows if r[5] is None], "ASC")
        out = {}
        for aid, sid, last_t, last_v, last_j, before_v, before_j, published_j in rows:
            if last_t > self.until:
                if aid not in lasts:
                    continue  # no reading inside the window
                last_v, last_j = lasts[aid]
            if before_v is not None:
                base_v, base_j = before_v, before_j
            elif aid in new_ids:
                base_v, base_j = 0, published_j if published_j and published_j < last_j else firsts[aid][1]
            else:
                base_v, base_j = firsts[aid]
            gained = max(0, last_v - base_v + drops.get(aid, 0))
            hours = (last_j - base_j) * 24
            rate = round(gained / hours, 2) if hours >= 1 / 60 else None
            out[aid] = {"article_id": aid, "site_id": sid, "gained": gained, "views": last_v,
                        "rate": rate, "hours": round(hours, 1), "new": aid in new_ids, "base": base_v,
                        "before": before_v is not None}
        return out

    def _readings(self, ids: list[int], order: str) -> dict[int, tuple[int, float]]:
        """The first (ASC) or last (DESC) reading inside the window of each article."""
        if not ids:
            return {}
        sql = _READING_SQL.format(order=order)
        return {aid: (v, j) for aid, v, j, _ in self.conn.execute(
            sql, {"ids": json.dumps(ids), "since": self.since, "until": self.until})}

    def rising(self, gains) -> list[dict]:
        """Fastest rising: views per hour, among articles with enough views, hours and readings
        for the rate to mean something (RISING_MIN_*)."""
        out = []
        for g in sorted((g for g in gains if g["rate"] and g["gained"] >= RISING_MIN_VIEWS
                         and g["hours"] >= RISING_MIN_HOURS), key=lambda g: (-g["rate"], g["article_id"])):
            n = self.conn.execute("SELECT COUNT(*) FROM view_counts WHERE article_id = ? AND observed_at > ?"
                                  " AND observed_at <= ?", (g["article_id"], self.since, self.until)).fetchone()[0]
            if n + g["before"] >= RISING_MIN_READINGS:
                out.append({**g, "readings": n + g["before"]})
                if len(out) == TOP_N:
                    break
        return out

    def describe(self, items: list[dict], names: dict) -> None:
        """Title, link and the window's readings as views gained so far, for the few articles shown
        with a chart: [time, gain] pairs from the starting point (the window's start when there is a
        reading before it, the publication of a new post, else the first reading) to the last reading."""
        for g in items:
            title, url, published = self.conn.execute(
                "SELECT COALESCE(title, list_title), url, published_at FROM articles WHERE id = ?",
                (g["article_id"],)).fetchone()
            g.update(title=one_line(title), url=url, published_at=published,
                     site_name=names.get(g["site_id"], g["site_id"]))
            pts = self.conn.execute(
                "SELECT observed_at, views FROM view_counts WHERE article_id = ? AND observed_at > ?"
                " AND observed_at <= ? ORDER BY observed_at, id", (g["article_id"], self.since, self.until)).fetchall()
            start = self.since if g["before"] else max(published, self.since) if g["new"] and published else None
            if start and pts and start >= pts[0][0]:
                start = None
            g["series"] = ([[start, 0]] if start else []) + [[t, max(0, v - g["base"])] for t, v in pts]
            g.setdefault("readings", len(pts) + g["before"])

    def new_posts(self, events: list[dict], names: dict) -> dict:
        ids = json.dumps([e["article_id"] for e in events])
        rows = self.conn.execute(
            "SELECT a.id, a.site_id, COALESCE(a.title, a.list_title), a.url, a.published_at, a.first_seen_at,"
            " a.views, a.status FROM articles a WHERE a.id IN (SELECT value FROM json_each(?))"
            " ORDER BY a.published_at IS NULL, a.published_at DESC, a.first_seen_at DESC, a.id DESC", (ids,))
        keys = ("article_id", "site_id", "title", "url", "published_at", "first_seen_at", "views", "status")
        out = []
        for r in rows:
            d = dict(zip(keys, r, strict=True))
            d.update(title=one_line(d["title"]), site_name=names.get(d["site_id"], d["site_id"]))
            out.append(d)
        return {"all": out}

    def site_stats(self) -> dict[str, dict]:
        until = clock.parse_iso(self.until)
        week = clock.iso(until - timedelta(days=7))
        out: dict[str, dict] = defaultdict(dict)
        for sid, n7, last in self.conn.execute(
            "SELECT site_id, SUM(published_at > ?), MAX(published_at) FROM articles"
            " WHERE site_id IN (SELECT value FROM json_each(?)) AND status = 'live' AND published_at <= ?"
            " GROUP BY site_id", (week, self.sites, self.until)):
            days = (until - clock.parse_iso(last)).days if last else None
            out[sid].update(posts_7d=n7 or 0, last_post_at=last, silent_days=days)
        for sid, n in self.conn.execute(
            "SELECT site_id, COUNT(*) FROM crawls WHERE site_id IN (SELECT value FROM json_each(?))"
            " AND started_at > ? AND started_at <= ? GROUP BY site_id", (self.sites, self.since, self.until)):
            out[sid]["crawls"] = n
        for sid, outcome, err, started in self.conn.execute(
            "SELECT site_id, outcome, error_summary, started_at FROM crawls WHERE id IN (SELECT MAX(id) FROM crawls"
            " WHERE site_id IN (SELECT value FROM json_each(?)) AND outcome IN ('ok', 'partial', 'failed')"
            " AND started_at <= ? GROUP BY site_id)", (self.sites, self.until)):
            out[sid].update(ever_crawled=True, last_outcome=outcome, last_error=err, last_crawl_at=started)
            if outcome == "failed":
                out[sid]["failing_since"] = self.conn.execute(
                    "SELECT MIN(started_at) FROM crawls WHERE site_id = ? AND outcome = 'failed' AND id >"
                    " (SELECT COALESCE(MAX(id), 0) FROM crawls WHERE site_id = ? AND outcome IN ('ok', 'partial'))",
                    (sid, sid)).fetchone()[0]
        for sid in list(out):
            st = out[sid]
            if st.get("last_post_at"):
                st["ever_crawled"] = True
        return out
