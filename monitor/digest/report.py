"""Weekly and monthly reports: per ward — posts, views gained, its most-read post, days without a
post, availability — and the most-read posts overall, for a Monday–Sunday week or a calendar month
in Vietnam time (`build`, stored in `digests` with kind 'weekly'/'monthly'), rendered as text,
HTML, Markdown and chat, with the same tables as an .xlsx attachment (`ReportRendered`)."""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from crawler import clock
from monitor.config import Config, Recipient
from monitor.digest.text import one_line

TOP = 10  # most-read posts listed
MAX_POSTS = 5000  # posts kept in the data (for the workbook's "Bài đăng" sheet)

WORDS: dict[str, dict[str, Any]] = {
    "vi": {"weekly": "Báo cáo tuần", "monthly": "Báo cáo tháng",
           "period_weekly": "Tuần từ thứ Hai {start} đến Chủ nhật {end} (giờ Việt Nam)",
           "period_monthly": "Tháng {month} (giờ Việt Nam)",
           "subject": "{title} {span}: {posts} bài, {views} lượt xem tăng thêm — {name}",
           "summary": "{posts} bài đăng · {views} lượt xem tăng thêm · {sites} đơn vị · {avail}",
           "avail": "truy cập được {pct} số lần thu thập", "avail_none": "chưa có lần thu thập nào",
           "wards": "Theo đơn vị", "top": "Được đọc nhiều nhất",
           "ward": "{posts} bài · +{views} lượt xem · {quiet}/{days} ngày không có bài · {avail}",
           "ward_avail": "truy cập được {pct} ({n} lần)", "ward_top": "Đọc nhiều nhất: “{title}” +{gained}",
           "top_line": "{title} ({site}) +{gained} lượt xem (tổng {views})",
           "attached": "Tệp Excel đính kèm: {name} (trang tính: Tổng hợp, Bài đọc nhiều, Bài đăng).",
           "chat_attached": "Tệp Excel đầy đủ: gửi kèm email báo cáo.", "link": "Xem đầy đủ: {url}",
           "footer": "Gửi bởi portalwatch. Số liệu lấy từ các trang thông tin điện tử; thời gian là giờ Việt Nam.",
           "cols": ["Đơn vị", "Mã đơn vị", "Bài đăng", "Lượt xem tăng", "Ngày không có bài", "Số ngày",
                    "Tỉ lệ truy cập được", "Lần thu thập", "Bài gần nhất", "Bài đọc nhiều nhất", "Lượt xem tăng của bài"],
           "top_cols": ["Hạng", "Tiêu đề", "Đơn vị", "Lượt xem tăng", "Tổng lượt xem", "Ngày đăng (giờ VN)", "Địa chỉ"],
           "post_cols": ["Ngày đăng (giờ VN)", "Đơn vị", "Tiêu đề", "Lượt xem", "Địa chỉ"],
           "sheets": ["Tổng hợp", "Bài đọc nhiều", "Bài đăng"], "file": {"weekly": "bao-cao-tuan", "monthly": "bao-cao-thang"}},
    "en": {"weekly": "Weekly report", "monthly": "Monthly report",
           "period_weekly": "Week from Monday {start} to Sunday {end} (Vietnam time)",
           "period_monthly": "Month {month} (Vietnam time)",
           "subject": "{title} {span}: {posts} posts, {views} more views — {name}",
           "summary": "{posts} posts · {views} more views · {sites} units · {avail}",
           "avail": "reachable in {pct} of crawls", "avail_none": "no crawl yet",
           "wards": "By unit", "top": "Most read",
           "ward": "{posts} posts · +{views} views · {quiet}/{days} days without a post · {avail}",
           "ward_avail": "reachable {pct} ({n} crawls)", "ward_top": "Most read: “{title}” +{gained}",
           "top_line": "{title} ({site}) +{gained} views ({views} total)",
           "attached": "Excel file attached: {name} (sheets: Summary, Most read, Posts).",
           "chat_attached": "The Excel file comes with the report's email.", "link": "Details: {url}",
           "footer": "Sent by portalwatch. Figures read from the government portals; times are Vietnam time.",
           "cols": ["Unit", "Unit id", "Posts", "Views gained", "Days without a post", "Days", "Availability",
                    "Crawls", "Latest post", "Most read post", "Its views gained"],
           "top_cols": ["Rank", "Title", "Unit", "Views gained", "Total views", "Published (VN time)", "URL"],
           "post_cols": ["Published (VN time)", "Unit", "Title", "Views", "URL"],
           "sheets": ["Summary", "Most read", "Posts"], "file": {"weekly": "weekly-report", "monthly": "monthly-report"}},
}


def _in(values: list[str]) -> str:
    return json.dumps(values)


def build(db: sqlite_utils.Database, config: Config, recipient: Recipient, kind: str, start: str, end: str,
          link: str | None = None) -> dict:
    """The report of [start, end) (UTC ISO of Vietnam-local midnights) for the recipient's sites."""
    sites = config.sites_for(recipient)
    ids = [s.id for s in sites]
    names = {s.id: s.name for s in sites}
    d0 = clock.local(start, "%Y-%m-%d")
    d1 = clock.local(end, "%Y-%m-%d")
    days = (date.fromisoformat(d1) - date.fromisoformat(d0)).days
    q = {"ids": _in(ids), "s": start, "e": end, "d0": d0, "d1": d1}
    conn = db.conn
    posts = conn.execute(
        "SELECT id, site_id, title, url, COALESCE(published_at, first_seen_at) AS at, views FROM articles"
        " WHERE site_id IN (SELECT value FROM json_each(:ids)) AND COALESCE(published_at, first_seen_at) >= :s"
        " AND COALESCE(published_at, first_seen_at) < :e ORDER BY at, id", q).fetchall()
    by_article = {r[0]: list(r) for r in conn.execute(
        "SELECT a.id, a.site_id, a.title, a.url, a.views, a.published_at, MAX(0, SUM(d.views_gained)) AS g"
        " FROM views_daily d JOIN articles a ON a.id = d.article_id"
        " WHERE a.site_id IN (SELECT value FROM json_each(:ids)) AND d.day >= :d0 AND d.day < :d1"
        " GROUP BY a.id", q).fetchall()}
    # a new post counts from 0, as in the daily digest: its first reading is a gain too
    for aid, site, title, url, views, published, first in conn.execute(
            "SELECT a.id, a.site_id, a.title, a.url, a.views, a.published_at, (SELECT v.views FROM view_counts v"
            " WHERE v.article_id = a.id ORDER BY v.observed_at, v.id LIMIT 1) FROM events e"
            " JOIN articles a ON a.id = e.article_id WHERE e.kind = 'new_article'"
            " AND e.site_id IN (SELECT value FROM json_each(:ids)) AND e.observed_at >= :s AND e.observed_at < :e",
            q).fetchall():
        row = by_article.setdefault(aid, [aid, site, title, url, views, published, 0])
        row[6] += max(0, first or 0)
    gains = sorted(by_article.values(), key=lambda g: (-g[6], g[0]))
    crawls = dict((r[0], (r[1], r[2])) for r in conn.execute(
        "SELECT site_id, SUM(outcome IN ('ok', 'partial')), COUNT(*) FROM crawls"
        " WHERE site_id IN (SELECT value FROM json_each(:ids)) AND started_at >= :s AND started_at < :e"
        " AND outcome <> 'running' GROUP BY site_id", q).fetchall())
    last = dict(conn.execute(
        "SELECT site_id, MAX(COALESCE(published_at, first_seen_at)) FROM articles"
        " WHERE site_id IN (SELECT value FROM json_each(:ids)) AND COALESCE(published_at, first_seen_at) < :e"
        " GROUP BY site_id", q).fetchall())
    rows = []
    for s in sites:
        mine = [p for p in posts if p[1] == s.id]
        post_days = {clock.local(p[4], "%Y-%m-%d") for p in mine}
        best = next((g for g in gains if g[1] == s.id and g[6] > 0), None)
        ok, n = crawls.get(s.id, (0, 0))
        rows.append({"id": s.id, "name": s.name, "posts": len(mine),
                     "views_gained": sum(g[6] for g in gains if g[1] == s.id), "days_without_post": days - len(post_days),
                     "days": days, "availability": round(ok / n, 4) if n else None, "crawls": n,
                     "last_post_at": last.get(s.id),
                     "top": {"title": one_line(best[2]), "url": best[3], "gained": best[6]} if best else None})
    top = [{"article_id": g[0], "site_name": names.get(g[1], g[1]), "title": one_line(g[2]), "url": g[3],
            "views": g[4], "published_at": g[5], "gained": g[6]} for g in gains[:TOP] if g[6] > 0]
    total_ok, total_n = sum(v[0] for v in crawls.values()), sum(v[1] for v in crawls.values())
    return {"version": 2, "kind": kind,
            "recipient": {"id": recipient.id, "name": one_line(recipient.name), "language": recipient.language},
            "window": {"since": start, "until": end}, "generated_at": clock.now_iso(),
            "totals": {"sites": len(sites), "posts": len(posts), "views_gained": sum(r["views_gained"] for r in rows),
                       "crawls": total_n, "availability": round(total_ok / total_n, 4) if total_n else None},
            "sites": rows, "top_read": top,
            "posts": [{"at": p[4], "site_name": names.get(p[1], p[1]), "title": one_line(p[2]), "url": p[3],
                       "views": p[5]} for p in posts[:MAX_POSTS]],
            "link": link}


class ReportRendered:
    """A report in every format; `attachments` holds its workbook."""

    def __init__(self, data: dict):
        from monitor.digest.format import number

        self.data = d = data
        self.lang = lang = d["recipient"]["language"]
        self.w = w = WORDS[lang]
        self.num = lambda n: number(n, lang)
        until = clock.parse_iso(d["window"]["until"]) - timedelta(seconds=1)  # the last day: the end is excluded
        first, lastday = clock.local(d["window"]["since"], "%d/%m/%Y"), clock.local(clock.iso(until), "%d/%m/%Y")
        if d["kind"] == "weekly":
            self.span = f"{first[:5]}–{lastday}"
            self.period = w["period_weekly"].format(start=first, end=lastday)
        else:
            self.span = clock.local(d["window"]["since"], "%m/%Y")
            self.period = w["period_monthly"].format(month=self.span)
        t = d["totals"]
        name = one_line(d["recipient"]["name"], 80)
        self.title = f"{w[d['kind']]} — {name}"
        self.subject = one_line(w["subject"].format(title=w[d["kind"]], span=self.span, posts=self.num(t["posts"]),
                                                    views=self.num(t["views_gained"]), name=name), 200)
        self.summary = w["summary"].format(posts=self.num(t["posts"]), views=self.num(t["views_gained"]),
                                           sites=self.num(t["sites"]), avail=self._avail(t["availability"], None))
        self.images: dict[str, bytes] = {}
        self.file = f"{w['file'][d['kind']]}-{d['recipient']['id']}-{clock.local(d['window']['since'], '%Y-%m-%d')}.xlsx"
        self._xlsx: bytes | None = None

    def _pct(self, share: float) -> str:
        pct = round(share * 100, 1)
        return self.num(int(pct) if pct == int(pct) else pct) + "%"

    def _avail(self, share: float | None, n: int | None) -> str:
        if share is None:
            return self.w["avail_none"]
        if n is None:
            return self.w["avail"].format(pct=self._pct(share))
        return self.w["ward_avail"].format(pct=self._pct(share), n=self.num(n))

    def _ward(self, s: dict) -> str:
        return self.w["ward"].format(posts=self.num(s["posts"]), views=self.num(s["views_gained"]),
                                     quiet=s["days_without_post"], days=s["days"],
                                     avail=self._avail(s["availability"], s["crawls"]))

    @property
    def attachments(self) -> dict[str, bytes]:
        return {self.file: self.xlsx()}

    @property
    def text(self) -> str:
        from monitor.digest.format import safe_url

        w, out = self.w, [self.title, self.period, "", self.summary, "", f"== {self.w['wards']} =="]
        for s in self.data["sites"]:
            out.append(f"- {s['name']}: {self._ward(s)}")
            if s["top"]:
                out.append("  " + w["ward_top"].format(title=s["top"]["title"], gained=self.num(s["top"]["gained"])))
        if self.data["top_read"]:
            out += ["", f"== {w['top']} =="]
            for i, a in enumerate(self.data["top_read"], 1):
                out.append(f"{i}. " + w["top_line"].format(title=a["title"], site=a["site_name"],
                                                           gained=self.num(a["gained"]), views=self.num(a["views"])))
                if safe_url(a["url"]):
                    out.append(f"   {safe_url(a['url'])}")
        out += ["", w["attached"].format(name=self.file)]
        if safe_url(self.data.get("link")):
            out.append(w["link"].format(url=safe_url(self.data["link"])))
        return "\n".join(out + ["", "--", w["footer"]]) + "\n"

    def chat(self, limit: int = 2000) -> str:
        from monitor.digest.chat import short
        from monitor.digest.format import safe_url

        w = self.w
        url = safe_url(self.data.get("link"))
        text = ""
        for width, n in ((90, 5), (60, 3), (40, 2), (30, 0)):
            out = [self.title, self.period, self.summary, ""]
            busiest = sorted(self.data["sites"], key=lambda s: (-s["posts"], s["name"]))
            out += [f"• {short(s['name'], 40)}: {self._ward(s)}" for s in busiest[:n]]
            if len(busiest) > n:
                out.append(f"… (+{len(busiest) - n})")
            if self.data["top_read"] and n:
                a = self.data["top_read"][0]
                out += ["", w["top"] + ": " + w["top_line"].format(title=short(a["title"], width),
                                                                    site=short(a["site_name"], 40),
                                                                    gained=self.num(a["gained"]), views=self.num(a["views"]))]
            out += ["", w["chat_attached"]] + ([w["link"].format(url=url)] if url else [])
            text = "\n".join(out)
            if len(text) <= limit:
                return text
        return text[: limit - 1] + "…"

    @property
    def markdown(self) -> str:
        from monitor.digest.format import md_escape

        cols = self.w["cols"]
        out = [f"## {md_escape(self.title)}", self.period, "", f"**{self.summary}**", "",
               f"| {cols[0]} | {cols[2]} | {cols[3]} | {cols[4]} | {cols[6]} |", "|---|---:|---:|---:|---:|"]
        for s in self.data["sites"]:
            avail = self._pct(s["availability"]) if s["availability"] is not None else "—"
            out.append(f"| {md_escape(s['name'])} | {self.num(s['posts'])} | +{self.num(s['views_gained'])} |"
                       f" {s['days_without_post']}/{s['days']} | {avail} |")
        if self.data["top_read"]:
            out += ["", f"### {self.w['top']}", ""]
            out += [f"{i}. {md_escape(a['title'])} ({md_escape(a['site_name'])}) +{self.num(a['gained'])}"
                    for i, a in enumerate(self.data["top_read"], 1)]
        return "\n".join(out + ["", md_escape(self.w["attached"].format(name=self.file))]) + "\n"

    @property
    def html(self) -> str:
        from monitor.digest.format import safe_url

        e, cols = html.escape, self.w["cols"]
        cell = 'style="padding:4px 6px;border-bottom:1px solid #ddd"'
        num = 'style="padding:4px 6px;border-bottom:1px solid #ddd;text-align:right"'
        head = "".join(f'<th {cell}>{e(c)}</th>' for c in (cols[0], cols[2], cols[3], cols[4], cols[6]))
        body = []
        for s in self.data["sites"]:
            avail = self._pct(s["availability"]) if s["availability"] is not None else "—"
            body.append(f"<tr><td {cell}>{e(s['name'])}</td><td {num}>{e(self.num(s['posts']))}</td>"
                        f"<td {num}>+{e(self.num(s['views_gained']))}</td><td {num}>{s['days_without_post']}/{s['days']}</td>"
                        f"<td {num}>{e(avail)}</td></tr>")
        tops = []
        for a in self.data["top_read"]:
            url, title = safe_url(a["url"]), e(a["title"])
            tops.append(f"<li>{f'<a href={chr(34)}{e(url)}{chr(34)}>{title}</a>' if url else title} "
                        f"({e(a['site_name'])}) +{e(self.num(a['gained']))}</li>")
        top = f"<h3>{e(self.w['top'])}</h3><ol>{''.join(tops)}</ol>" if tops else ""
        return (f'<!doctype html><html lang="{self.lang}"><head><meta charset="utf-8"><title>{e(self.subject)}</title>'
                f'</head><body style="font-family:Arial,sans-serif;max-width:640px;margin:0 auto;padding:12px">'
                f'<h2 style="font-size:18px">{e(self.title)}</h2><p style="color:#555">{e(self.period)}</p>'
                f'<p><b>{e(self.summary)}</b></p><h3>{e(self.w["wards"])}</h3>'
                f'<table style="border-collapse:collapse;width:100%;font-size:14px"><tr>{head}</tr>{"".join(body)}</table>'
                f'{top}<p>{e(self.w["attached"].format(name=self.file))}</p>'
                f'<p style="color:#777;font-size:12px">{e(self.w["footer"])}</p></body></html>\n')

    def xlsx(self) -> bytes:
        """The report's tables as a workbook (monitor/analyst/xlsx.py)."""
        from monitor.analyst.xlsx import Column, Workbook

        if self._xlsx is not None:
            return self._xlsx
        w, d = self.w, self.data
        wb = Workbook()
        c = w["cols"]
        wb.sheet(w["sheets"][0], [Column(c[0], 28), Column(c[1], 16), Column(c[2], 10, "int"), Column(c[3], 13, "int"),
                                  Column(c[4], 12, "int"), Column(c[5], 8, "int"), Column(c[6], 12, "percent"),
                                  Column(c[7], 10, "int"), Column(c[8], 16, "time"), Column(c[9], 50),
                                  Column(c[10], 12, "int")],
                 [(s["name"], s["id"], s["posts"], s["views_gained"], s["days_without_post"], s["days"],
                   s["availability"], s["crawls"], s["last_post_at"], (s["top"] or {}).get("title"),
                   (s["top"] or {}).get("gained")) for s in d["sites"]])
        c = w["top_cols"]
        wb.sheet(w["sheets"][1], [Column(c[0], 6, "int"), Column(c[1], 60), Column(c[2], 26), Column(c[3], 13, "int"),
                                  Column(c[4], 12, "int"), Column(c[5], 17, "time"), Column(c[6], 40, "url")],
                 [(i, a["title"], a["site_name"], a["gained"], a["views"], a["published_at"], a["url"])
                  for i, a in enumerate(d["top_read"], 1)])
        c = w["post_cols"]
        wb.sheet(w["sheets"][2], [Column(c[0], 17, "time"), Column(c[1], 26), Column(c[2], 60), Column(c[3], 10, "int"),
                                  Column(c[4], 40, "url")],
                 [(p["at"], p["site_name"], p["title"], p["views"], p["url"]) for p in d["posts"]])
        self._xlsx = wb.data()
        return self._xlsx
