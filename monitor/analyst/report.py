"""`portalwatch report`: one self-contained HTML file with charts (matplotlib SVG, base64-embedded).

Nothing is fetched when the file is opened: no scripts, fonts or images from the network. Every
piece of crawled text is HTML-escaped; charts are `<img>` data URIs, so text inside them can never
become markup. Time runs to the newest observation in the database (not the wall clock), so a
replayed or simulated database reports on its own period.
"""

from __future__ import annotations

import base64
import html
import io
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta

from crawler import clock
from monitor.analyst.report_labels import LABELS, number
from monitor.config.tree import stored_tree

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.sub{color:#666;margin-top:0} .note{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{padding:.3rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums} img{width:100%;max-width:100%;height:auto}
picture{display:block;margin:.5rem 0}
@media (max-width:700px){body{margin:1rem auto;font-size:17px} table{font-size:.95rem} th,td{padding:.35rem .3rem}}
.stats{display:flex;gap:1rem;flex-wrap:wrap} .stat{background:#f5f7fa;padding:.6rem 1rem;border-radius:6px}
.stat b{display:block;font-size:1.3rem} .empty{color:#888;font-style:italic}
"""


@dataclass
class Scope:
    sites: list[tuple[str, str]]  # (id, name), in display order
    as_of: str  # UTC ISO: the newest observation
    weeks: list[str]  # Monday dates (local), oldest first
    notes: list[str] = field(default_factory=list)
    lang: str = "vi"
    started: str | None = None  # UTC ISO: the first crawl of these sites (monitoring began)

    @property
    def t(self) -> dict[str, str]:
        return LABELS[self.lang]


def _scope(conn, sites, parents, weeks: int) -> Scope:
    """The enabled sites, or the named ones and every site or unit below the named parents
    (monitor/config/tree.py over the `sites` mirror)."""
    params: dict = {}
    where = ["enabled"]
    if sites or parents:
        ors = []
        if sites:
            ors.append("id IN (" + ", ".join(f":s{i}" for i in range(len(sites))) + ")")
            params.update({f"s{i}": s for i, s in enumerate(sites)})
        if parents:
            ors.append("id IN (SELECT value FROM json_each(:under))")
            params["under"] = json.dumps(stored_tree(conn).below(parents))
        where = ["(" + " OR ".join(ors) + ")"]
    rows = conn.execute(f"SELECT id, name FROM sites WHERE {' AND '.join(where)} ORDER BY id", params).fetchall()
    as_of = conn.execute(
        "SELECT MAX(t) FROM (SELECT MAX(observed_at) AS t FROM view_counts"
        " UNION ALL SELECT MAX(last_seen_at) FROM articles)"
    ).fetchone()[0] or clock.now_iso()
    end = clock.parse_iso(as_of).astimezone(clock.VN_TZ).date()
    monday = end - timedelta(days=end.weekday())
    week_list = [(monday - timedelta(weeks=k)).isoformat() for k in range(weeks - 1, -1, -1)]
    return Scope(rows, as_of, week_list)


def _in(ids: list[str], params: dict) -> str:
    params.update({f"i{k}": v for k, v in enumerate(ids)})
    return ", ".join(f":i{k}" for k in range(len(ids))) or "NULL"


def weekly_posts(conn, scope: Scope) -> dict[str, dict[str, int]]:
    """{site_id: {week: posts}} over the report's weeks (missing weeks are 0)."""
    params = {"w0": scope.weeks[0]}
    rows = conn.execute(
        f"SELECT site_id, week, posts FROM site_weekly_posts WHERE week >= :w0"
        f" AND site_id IN ({_in([s for s, _ in scope.sites], params)})", params,
    )
    out: dict[str, dict[str, int]] = {s: dict.fromkeys(scope.weeks, 0) for s, _ in scope.sites}
    for site_id, week, posts in rows:
        if week in out[site_id]:
            out[site_id][week] = posts
    return out


def top_articles(conn, scope: Scope, n: int) -> list[dict]:
    """The n articles that gained most views over the report's weeks."""
    params = {"d0": scope.weeks[0], "n": n}
    ids = _in([s for s, _ in scope.sites], params)
    return [dict(zip(("id", "site_id", "title", "url", "views", "gained"), r, strict=True)) for r in conn.execute(
        "SELECT a.id, a.site_id, a.title, a.url, a.views, g.gained FROM (SELECT d.article_id,"
        " SUM(d.views_gained) AS gained FROM views_daily d JOIN articles a ON a.id = d.article_id"
        f" WHERE d.day >= :d0 AND a.site_id IN ({ids}) GROUP BY +d.article_id"
        " ORDER BY gained DESC, d.article_id LIMIT :n) g JOIN articles a ON a.id = g.article_id"
        " ORDER BY g.gained DESC, a.id", params,
    )]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.family": "DejaVu Sans", "svg.fonttype": "path", "text.parse_math": False,
        "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100,
    })
    return plt


PHONE = "(max-width: 700px)"  # below this the narrow drawing of each chart is shown


def _svg_data(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    fig.clf()
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _responsive(draw, alt: str) -> str:
    """The chart drawn twice: wide for screens, narrow with big type for phones (<picture>)."""
    plt = _plt()
    wide, narrow = _svg_data(draw(plt, False)), _svg_data(draw(plt, True))
    plt.close("all")
    return (f'<picture><source media="{PHONE}" srcset="{narrow}">'
            f'<img alt="{html.escape(alt)}" src="{wide}"></picture>')


def _short(text: str | None, n: int = 60, untitled: str = "(không tiêu đề)") -> str:
    text = " ".join((text or untitled).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def chart_views(conn, arts: list[dict], scope: Scope) -> str:
    return _responsive(lambda plt, narrow: _draw_views(plt, narrow, conn, arts, scope), scope.t["alt_views"])


def _draw_views(plt, narrow: bool, conn, arts: list[dict], scope: Scope):
    import matplotlib.dates as mdates

    fs = 13 if narrow else 11
    fig, ax = plt.subplots(figsize=(4.8, 4.2) if narrow else (11, 4.5))
    start = scope.weeks[0]
    for a in arts:
        pts = conn.execute(
            "SELECT observed_at, views FROM view_counts WHERE article_id = ? ORDER BY observed_at, id", (a["id"],)
        ).fetchall()
        before = [p for p in pts if p[0] < start]
        pts = before[-1:] + [p for p in pts if p[0] >= start]
        xs = [clock.parse_iso(t).astimezone(clock.VN_TZ).replace(tzinfo=None) for t, _ in pts]
        xs.append(clock.parse_iso(scope.as_of).astimezone(clock.VN_TZ).replace(tzinfo=None))
        ys = [v for _, v in pts] + [pts[-1][1]]
        ax.step(xs, ys, where="post", marker="o", markersize=3,
                label=f"{_short(a['title'], 22 if narrow else 48, scope.t['untitled'])} ({a['site_id']})")
    ax.set_ylabel(scope.t["c_views_y"], fontsize=fs)
    ax.tick_params(labelsize=fs)
    lo, hi = ax.get_xlim()
    days = max(1, round((hi - lo) / (4 if narrow else 12)))  # whole days: never two ticks labelled the same day
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=days))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=fs - 1, loc="upper left", bbox_to_anchor=(0, -0.1), ncol=1 if narrow else 2, frameon=False)
    ax.set_title(scope.t["c_views"], loc="left", fontsize=fs + 1, wrap=True)
    return fig


def chart_weekly(posts: dict[str, dict[str, int]], scope: Scope, names: dict[str, str], top: int = 10) -> str:
    """Stacked bars: posts per week, one colour per site (the busiest `top`, the rest as one)."""
    return _responsive(lambda plt, narrow: _draw_weekly(plt, narrow, posts, scope, names, top), scope.t["alt_weekly"])


def _draw_weekly(plt, narrow: bool, posts, scope: Scope, names: dict[str, str], top: int):
    fs = 13 if narrow else 11
    fig, ax = plt.subplots(figsize=(4.8, 4.4) if narrow else (11, 4.2))
    ranked = sorted(posts, key=lambda s: (-sum(posts[s].values()), s))
    series = [(_short(names[s], 30), [posts[s][w] for w in scope.weeks]) for s in ranked[:top]]
    if len(ranked) > top:
        rest = [sum(posts[s][w] for s in ranked[top:]) for w in scope.weeks]
        series.append((scope.t["c_others"].format(n=len(ranked) - top), rest))
    x = range(len(scope.weeks))
    bottom = [0] * len(scope.weeks)
    colors = plt.get_cmap("tab20").colors
    for i, (label, ys) in enumerate(series):
        ax.bar(x, ys, bottom=bottom, label=label, color=colors[i % len(colors)], width=0.75)
        bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
    for xi, total in zip(x, bottom, strict=True):
        ax.text(xi, total, str(total), ha="center", va="bottom", fontsize=fs - 3 if narrow else fs - 1)
    ax.set_xticks(list(x), _week_labels(scope), rotation=60 if narrow else 45, fontsize=fs - 2, ha="right")
    ax.tick_params(axis="y", labelsize=fs)
    ax.set_ylabel(scope.t["c_weekly_y"], fontsize=fs)
    ax.set_xlabel(scope.t["c_weekly_x"], fontsize=fs)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3, axis="y")
    start = _start_x(scope)
    if start is not None:  # the jump at the first crawl is where monitoring began, not a change in posting
        ax.axvline(start, color="#c0392b", linestyle="--", linewidth=1.5)
        right = start > len(scope.weeks) / 2  # the label on the side with room
        label = scope.t["c_start"].format(date=clock.local(scope.started, "%d/%m"))
        ax.text(start, ax.get_ylim()[1], f"{label} " if right else f" {label}", color="#c0392b",
                ha="right" if right else "left", va="top", fontsize=fs - 2)
    if narrow:
        ax.legend(fontsize=fs - 1, loc="upper left", bbox_to_anchor=(0, -0.3), ncol=1, frameon=False)
    else:
        ax.legend(fontsize=fs - 1, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title(scope.t["c_weekly"], loc="left", fontsize=fs + 1)
    return fig


def _start_x(scope: Scope) -> float | None:
    """Where monitoring began on the weekly charts' axis (bar i is centred on i), None when it began
    before the first week shown (or never)."""
    if not scope.started:
        return None
    day = clock.parse_iso(scope.started).astimezone(clock.VN_TZ).date()
    first = date.fromisoformat(scope.weeks[0])
    if day <= first:
        return None
    return (day - first).days / 7 - 0.5


def chart_heatmap(posts: dict[str, dict[str, int]], scope: Scope, names: dict[str, str]) -> str:
    return _responsive(lambda plt, narrow: _draw_heatmap(plt, narrow, posts, scope, names), scope.t["alt_heat"])


def _draw_heatmap(plt, narrow: bool, posts, scope: Scope, names: dict[str, str]):
    fs = 13 if narrow else 11
    sids = list(posts)
    grid = [[posts[s][w] for w in scope.weeks] for s in sids]
    fig, ax = plt.subplots(figsize=(4.8, 1.2 + 0.5 * max(len(sids), 1)) if narrow
                           else (11, 0.8 + 0.42 * max(len(sids), 1)))
    im = ax.imshow(grid, aspect="auto", cmap="YlGn", vmin=0)
    peak = max((max(r) for r in grid if r), default=0)
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=fs - 4 if narrow else fs - 2,
                    color="white" if peak and v > peak * 0.6 else "#333")
    ax.set_xticks(range(len(scope.weeks)), _week_labels(scope), rotation=60 if narrow else 45, fontsize=fs - 2,
                  ha="right")
    ax.set_yticks(range(len(sids)), [_short(names[s], 16 if narrow else 32) for s in sids], fontsize=fs - 1)
    ax.spines[:].set_visible(False)
    if not narrow:
        fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01, label=scope.t["c_heat_bar"])
    start = _start_x(scope)
    if start is not None:
        ax.axvline(start, color="#c0392b", linestyle="--", linewidth=1.5)
    ax.set_title(scope.t["c_heat"], loc="left", fontsize=fs + 1)
    return fig


def _week_labels(scope: Scope) -> list[str]:
    """'dd/mm' of each Monday; the week still running is marked with *."""
    return [date.fromisoformat(w).strftime("%d/%m") for w in scope.weeks[:-1]] + [
        date.fromisoformat(scope.weeks[-1]).strftime("%d/%m") + "*"]


def build(conn: sqlite3.Connection, *, sites=(), parents=(), weeks: int = 12, top: int = 8,
          heatmap_rows: int = 40, lang: str = "vi") -> str:
    """The report as an HTML string, in one language (`lang`: vi or en)."""
    scope = _scope(conn, list(sites), list(parents), weeks)
    scope.lang = lang
    t = scope.t
    names = {s: n for s, n in scope.sites}
    e = html.escape
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(t['title'].format(date=clock.local(scope.as_of, '%d/%m/%Y')))}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(t['h1'])}</h1>",
        "<p class='sub'>" + e(t["sub"].format(as_of=clock.local(scope.as_of), sites=len(scope.sites), weeks=weeks,
                                               start=date.fromisoformat(scope.weeks[0]).strftime("%d/%m/%Y"))) + "</p>",
    ]
    if not scope.sites:
        parts.append(f"<p class='empty'>{e(t['no_sites'])}</p></body></html>")
        return "".join(parts)
    ids = [s for s, _ in scope.sites]
    params: dict = {}
    scope.started = conn.execute(f"SELECT MIN(started_at) FROM crawls WHERE site_id IN ({_in(ids, params)})",
                                 params).fetchone()[0]
    parts.append(_stats(conn, scope))
    arts = top_articles(conn, scope, top)
    parts.append(f"<h2>{e(t['h_top'])}</h2>")
    if arts and any(a["gained"] for a in arts):
        parts.append(chart_views(conn, arts, scope))
        parts.append(_articles_table(arts, names, scope))
    else:
        parts.append(f"<p class='empty'>{e(t['no_growth'])}</p>")
    posts = weekly_posts(conn, scope)
    parts.append(f"<h2>{e(t['h_weekly'])}</h2>")
    parts.append(chart_weekly(posts, scope, names))
    if _start_x(scope) is not None:
        parts.append(f"<p class='note'>{e(t['monitoring'].format(date=clock.local(scope.started, '%d/%m/%Y')))}</p>")
    busiest = sorted(posts, key=lambda s: (-sum(posts[s].values()), s))
    shown = {s: posts[s] for s in busiest[:heatmap_rows]}
    parts.append(f"<h2>{e(t['h_heat'])}</h2>")
    if len(busiest) > heatmap_rows:
        parts.append(f"<p class='sub'>{e(t['busiest'].format(n=heatmap_rows, total=len(busiest)))}</p>")
    parts.append(chart_heatmap(shown, scope, names))
    parts.append(_silent_table(conn, scope))
    parts.append(f"<p class='sub'>{e(t['footer'])}</p></body></html>")
    return "".join(parts)


def new_posts(conn, scope: Scope) -> int:
    """Posts new in the report's period, as the daily digest counts them: a `new_article` event
    (first seen after the site's first crawl) in the period, published in it (or undated)."""
    params: dict = {"d0": _day_start(scope.weeks[0])}
    ids = _in([s for s, _ in scope.sites], params)
    return conn.execute(
        "SELECT COUNT(DISTINCT e.article_id) FROM events e JOIN articles a ON a.id = e.article_id"
        f" WHERE e.kind = 'new_article' AND e.observed_at >= :d0 AND e.site_id IN ({ids})"
        " AND (a.published_at IS NULL OR a.published_at >= :d0)", params).fetchone()[0]


def _day_start(day: str) -> str:
    """00:00 Vietnam time of a local day, as UTC ISO."""
    from datetime import datetime

    return clock.iso(datetime.fromisoformat(day).replace(tzinfo=clock.VN_TZ))


def _stats(conn, scope: Scope) -> str:
    params: dict = {"d0": scope.weeks[0]}
    ids = _in([s for s, _ in scope.sites], params)
    articles = conn.execute(f"SELECT COUNT(*) FROM articles WHERE site_id IN ({ids})", params).fetchone()[0]
    gained = conn.execute(
        "SELECT SUM(d.views_gained) FROM views_daily d JOIN articles a ON a.id = d.article_id"
        f" WHERE d.day >= :d0 AND a.site_id IN ({ids})", params,
    ).fetchone()[0]
    t = scope.t
    cells = [(t["stat_sites"], len(scope.sites)), (t["stat_articles"], articles or 0),
             (t["stat_new"], new_posts(conn, scope)), (t["stat_gained"], gained or 0)]
    return ("<div class='stats'>" + "".join(
        f"<div class='stat'><b>{number(v, scope.lang)}</b>{html.escape(k)}</div>" for k, v in cells
    ) + f"</div><p class='note'>{html.escape(t['new_note'])}</p>")


def _link(url: str | None, text: str) -> str:
    if url and url.lower().startswith(("http://", "https://")):
        return f"<a href='{html.escape(url, quote=True)}'>{html.escape(text)}</a>"
    return html.escape(text)


def _articles_table(arts: list[dict], names: dict[str, str], scope: Scope) -> str:
    t = scope.t
    rows = "".join(
        f"<tr><td>{_link(a['url'], _short(a['title'], 110, t['untitled']))}</td>"
        f"<td>{html.escape(names.get(a['site_id'], a['site_id']))}</td>"
        f"<td class='n'>{number(a['views'] or 0, scope.lang)}</td><td class='n'>+{number(a['gained'], scope.lang)}</td></tr>"
        for a in arts
    )
    return (f"<table><tr><th>{t['th_article']}</th><th>{t['th_site']}</th><th class='n'>{t['th_views']}</th>"
            f"<th class='n'>{t['th_gained']}</th></tr>{rows}</table>")


def _silent_table(conn, scope: Scope) -> str:
    t = scope.t
    params: dict = {}
    ids = _in([s for s, _ in scope.sites], params)
    rows = conn.execute(
        f"SELECT name, last_post_at, days_silent FROM silent_sites WHERE site_id IN ({ids})", params
    ).fetchall()
    head = f"<h2>{html.escape(t['h_silent'])}</h2>"
    if not rows:
        return head + f"<p class='empty'>{html.escape(t['none'])}</p>"
    body = "".join(
        f"<tr><td>{html.escape(n or '')}</td><td>{html.escape(clock.local(d) if d else t['never'])}</td>"
        f"<td class='n'>{'' if days is None else days}</td></tr>" for n, d, days in rows
    )
    return head + (f"<table><tr><th>{t['th_site']}</th><th>{t['th_newest']}</th>"
                   f"<th class='n'>{t['th_days']}</th></tr>{body}</table>")
