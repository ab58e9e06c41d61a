"""What a district or ward office reads: its units over today, this week or this month (the
digest's numbers for that window, monitor/digest/build.py), the newest posts with a chart each,
an article's whole view history with its edits and removal, and search. Read-only: every query
runs on the read-only connection (state.Readers). Who may see what is `Scope`'s answer."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler import clock
from crawler.sites import Site, Unit
from monitor.analyst import search as fts
from monitor.config import Config, Recipient
from monitor.digest import chart
from monitor.digest.build import build
from monitor.digest.text import one_line
from monitor.web.users import User

WINDOWS = ("today", "week", "month")
NEWEST = 20


# -- who sees what --------------------------------------------------------------------------------------
def sites_under(config: Config, unit_id: str) -> list[Site]:
    """The sites a unit covers: itself when it is a site, and every site below it (config.tree)."""
    own = [unit_id] if config.tree.is_site(unit_id) else []
    return [config.site(sid) for sid in config.tree.sites_under([unit_id], own)]


@dataclass
class Scope:
    """An office sees the sites under its units; operators and admins see every site."""

    user: User
    config: Config

    @property
    def everything(self) -> bool:
        return self.user.role != "office"

    def site_ids(self) -> set[str]:
        if self.everything:
            return {s.id for s in self.config.sites}
        return {s.id for u in self.user.units if self.config.unit(u) for s in sites_under(self.config, u)}

    def units(self) -> list[Site | Unit]:
        """The units on the home page: an office's own; for others every unit that has sites
        under it (districts, provinces), then the sites that have no parent."""
        if not self.everything:
            return [n for n in (self.config.unit(u) for u in self.user.units) if n is not None]
        every: list[Site | Unit] = [*self.config.units, *self.config.sites]
        parents = {n.parent for n in every if n.parent}
        nodes = [n for n in every if n.id in parents or not n.parent]
        return sorted(nodes, key=lambda n: (n.id not in parents, n.name))

    def may_see_unit(self, unit_id: str) -> bool:
        """A unit that exists, and for an office: one of its units or one below them."""
        tree = self.config.tree
        if unit_id not in tree:
            return False
        if self.everything:
            return True
        mine = {tree.resolve(u) or u for u in self.user.units}
        return bool(mine & {tree.resolve(unit_id), *tree.ancestors(unit_id)})

    def may_see_site(self, stored_id: str) -> bool:
        """A stored site id (a former id or a merged unit counts as the site it became)."""
        site = configured_site(self.config, stored_id)
        return site is not None and (self.everything or site.id in self.site_ids())


def configured_site(config: Config, stored_id: str) -> Site | None:
    """The configured site a stored site id belongs to now: itself, a former id, a merged unit."""
    node = config.tree.node(stored_id)
    if isinstance(node, Site):
        return node
    return next((s for s in config.sites if stored_id in s.merged_from), None)


# -- windows ----------------------------------------------------------------------------------------------
@dataclass
class Window:
    key: str  # today, week, month, or "custom" (a digest's window)
    since: str
    until: str


def window(key: str, now: datetime | None = None) -> Window:
    """Today (since 00:00), this week (since Monday 00:00), this month (since the 1st), Vietnam time."""
    now = (now or clock.now()).astimezone(clock.VN_TZ)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = {"today": midnight, "week": midnight - timedelta(days=now.weekday()),
             "month": midnight.replace(day=1)}[key]
    return Window(key, clock.iso(start), clock.iso(now))


def parse_window(params, now: datetime | None = None) -> Window:
    """`?w=today|week|month`, or `?since=…&until=…` (ISO, as the digest's links give them);
    ValueError with the reason for anything else."""
    since, until = params.get("since"), params.get("until")
    if since or until:
        try:
            a, b = clock.parse_iso(since or ""), clock.parse_iso(until or "")
        except (ValueError, TypeError):
            raise ValueError("since and until: expected ISO times such as 2026-12-01T01:00:00Z") from None
        if a is None or b is None or not a < b:
            raise ValueError("since and until: expected ISO times, since before until")
        if b - a > timedelta(days=92):
            raise ValueError("a window of at most 92 days")
        return Window("custom", clock.iso(a), clock.iso(b))
    key = params.get("w") or "today"
    if key not in WINDOWS:
        raise ValueError(f"w: expected one of {', '.join(WINDOWS)}")
    return window(key, now)


# -- the unit page ------------------------------------------------------------------------------------------
def unit_page(db, config: Config, unit_id: str, win: Window, lang: str) -> dict:
    """The digest's data for this unit over the window, plus the newest posts with their charts."""
    node = config.unit(unit_id)
    assert node is not None
    rec = Recipient(id=f"web:{unit_id}", name=node.name, parents=[unit_id],
                    sites=[unit_id] if isinstance(node, Site) else [], language=lang)
    data = build(db, config, rec, win.since, win.until)
    names = {s["id"]: s["name"] for s in data["sites"]}
    data["newest"] = newest_posts(db.conn, list(names), names, win)
    c = data["charts"]
    data["pngs"] = {a["article_id"]: chart.data_uri(chart.sparkline_png(a["series"], c["since"], c["until"], c["top"][key]))
                    for key in ("top_read", "rising") for a in data[key] if a["series"]}
    data["newest_pngs"] = {p["article_id"]: chart.data_uri(chart.sparkline_png(
        p["series"], p["series"][0][0], win.until, max(v for _, v in p["series"]) or 1)) for p in data["newest"] if p["series"]}
    data["trouble"] = {p["site_id"]: p for p in data["problems"]}
    data["silent_ids"] = {s["id"] for s in data["silent"]}
    above = config.unit(node.parent) if node.parent else None
    data["node"] = {"id": node.id, "name": node.name, "level": node.level, "parent": node.parent,
                    "parent_name": above.name if above else None}
    return data


def newest_posts(conn: sqlite3.Connection, site_ids: list[str], names: dict, win: Window,
                 limit: int = NEWEST) -> list[dict]:
    """The latest posts of these sites (published by the window's end), newest first, each with
    its views then and its readings since publication as [time, views] points for a chart."""
    rows = []
    for sid in site_ids:  # one index range per site (idx_articles_site_published), then merged
        rows += conn.execute(
            "SELECT id, site_id, COALESCE(title, list_title), url, published_at, views, status FROM articles"
            " WHERE site_id = ? AND published_at <= ? ORDER BY published_at DESC LIMIT ?",
            (sid, win.until, limit)).fetchall()
    rows.sort(key=lambda r: (r[4], r[0]), reverse=True)
    out = []
    for aid, sid, title, url, published, views, status in rows[:limit]:
        pts = conn.execute("SELECT observed_at, views FROM view_counts WHERE article_id = ? AND observed_at <= ?"
                           " ORDER BY observed_at, id", (aid, win.until)).fetchall()
        series = ([[published, 0]] if pts and published < pts[0][0] else []) + [[t, v] for t, v in pts]
        out.append({"article_id": aid, "site_id": sid, "site_name": names.get(sid, sid), "title": one_line(title),
                    "url": url, "published_at": published, "views": pts[-1][1] if pts else views,
                    "status": status, "series": series, "readings": len(pts)})
    return out


# -- the article page ----------------------------------------------------------------------------------------
_ARTICLE = ("id", "site_id", "key", "url", "title", "list_title", "category", "published_at", "published_text",
            "author", "first_seen_at", "last_seen_at", "views", "views_observed_at", "views_checked_at", "status",
            "removed_at")


def article_page(conn: sqlite3.Connection, article_id: int) -> dict | None:
    """An article with every view-count reading (and the gain since the one before), its views
    per day, its edits and removal, and a chart of its whole history."""
    row = conn.execute(f"SELECT {', '.join(_ARTICLE)} FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return None
    a = dict(zip(_ARTICLE, row, strict=True))
    a["title"] = one_line(a["title"] or a["list_title"])
    readings, prev = [], None
    for t, v in conn.execute("SELECT observed_at, views FROM view_counts WHERE article_id = ? ORDER BY observed_at, id",
                             (article_id,)):
        readings.append({"at": t, "views": v, "change": None if prev is None else v - prev})
        prev = v
    days = [{"day": d, "gained": g} for d, g in conn.execute(
        "SELECT day, views_gained FROM views_daily WHERE article_id = ? ORDER BY day", (article_id,))]
    edits = [{"at": t, "field": f, "old": one_line(o, 300) if f != "body" else None,
              "new": one_line(n, 300) if f != "body" else None,
              "old_len": len(o or "") if f == "body" else None, "new_len": len(n or "") if f == "body" else None}
             for t, f, o, n in conn.execute("SELECT observed_at, field, old_value, new_value FROM article_revisions"
                                            " WHERE article_id = ? ORDER BY observed_at, id", (article_id,))]
    anomalies = [{"at": t, **json.loads(d)} for t, d in conn.execute(
        "SELECT observed_at, details FROM events WHERE article_id = ? AND kind = 'views_anomaly'"
        " ORDER BY observed_at", (article_id,))]
    a.update(readings=readings, days=days, edits=edits, anomalies=anomalies, png=None)
    if readings:
        start = min(a["published_at"] or readings[0]["at"], readings[0]["at"])
        end = max(readings[-1]["at"], a["views_checked_at"] or readings[-1]["at"])
        series = ([[start, 0]] if a["published_at"] and start < readings[0]["at"] else []) \
            + [[r["at"], r["views"]] for r in readings]
        if end > readings[-1]["at"]:
            series.append([end, readings[-1]["views"]])  # checked since, unchanged
        a["png"] = chart.data_uri(chart.sparkline_png(series, start, end, max(r["views"] for r in readings) or 1))
        a["chart"] = {"since": start, "until": end, "top": max(r["views"] for r in readings)}
    return a


# -- search ---------------------------------------------------------------------------------------------------
NEWEST = fts.NEWEST  # a search ranks the newest this many matches


def search_page(conn: sqlite3.Connection, q: str, site_ids: list[str] | None, limit: int = 30) -> dict:
    """`portalwatch search`'s ranking (monitor/analyst/search.py `find`) over the sites this person
    sees (None: every site), among the newest NEWEST matches (`more`: there were more). ValueError
    for an empty query."""
    if site_ids is not None and not site_ids:
        return {"hits": [], "total": 0, "more": False}
    found = fts.find(conn, q, sites=sorted(site_ids) if site_ids else (), newest=NEWEST, limit=limit)
    return {"hits": found.hits, "total": found.total, "more": found.more}
