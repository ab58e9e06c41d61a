"""Digest data → plain text, HTML and Markdown, through Jinja2 templates.

HTML templates are autoescaped; the text and Markdown templates get titles already reduced to one
line by build.py, and Markdown escapes its own special characters. Links are only http(s).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from crawler import clock
from monitor.digest import chart
from monitor.digest.build import upgrade
from monitor.digest.format import anomaly_text, md_escape, number, problem_text, safe_url
from monitor.digest.labels import LABELS
from monitor.digest.sections import headings
from monitor.digest.text import one_line

__all__ = ["Rendered", "anomaly_text", "md_escape", "number", "problem_text", "render", "safe_url", "subject"]

TEMPLATES = Path(__file__).parent / "templates"


class Rendered:
    """One digest in every format; each format is rendered when first asked for."""

    def __init__(self, data: dict, images: str = "data"):
        data = upgrade(data)
        lang = data["recipient"]["language"]
        c = data["charts"]
        pngs = {a["article_id"]: chart.sparkline_png(a["series"], c["since"], c["until"], c["top"][key])
                for key in ("top_read", "rising") for a in data[key] if a["series"]}
        cids = {aid: f"chart-{aid}@portalwatch" for aid in pngs}
        srcs = {aid: (f"cid:{cids[aid]}" if images == "cid" else chart.data_uri(png)) for aid, png in pngs.items()}
        self.data = data
        self.subject = subject(data)
        self.images: dict[str, bytes] = {cids[a]: png for a, png in pngs.items()} if images == "cid" else {}
        self.attachments: dict[str, bytes] = {}  # file name → bytes (a report's .xlsx)
        self._env = _ENVS[lang]
        self._ctx = dict(d=data, t=LABELS[lang], lang=lang, subject=self.subject, charts=srcs,
                         more=data["totals"]["new_posts"] - len(data["new_posts"]), sections=headings(lang))

    @cached_property
    def text(self) -> str:
        return self._env.get_template("digest.txt.j2").render(self._ctx)

    @cached_property
    def html(self) -> str:
        """Charts as data: URIs (files, previews) or cid: references (email, see .images)."""
        return self._env.get_template("digest.html.j2").render(self._ctx)

    @cached_property
    def markdown(self) -> str:
        return self._env.get_template("digest.md.j2").render(self._ctx)

    def chat(self, limit: int = 2000) -> str:
        """The chat-sized summary (chat.py): plain text of at most `limit` characters."""
        from monitor.digest.chat import chat_text

        return chat_text(self.data, limit)


def filters(lang: str) -> dict:
    """The digest's Jinja2 filters in one language (the web pages use them too): times in Vietnam
    time, numbers, problems and silent units in words, chart alt text, safe links."""
    return dict(vn=lambda t: clock.local(t) if t else "", vnd=lambda t: clock.local(t, "%d/%m/%Y") if t else "",
                safe_url=safe_url, md=md_escape, line=one_line, spark=chart.text_sparkline, hours=lambda h: hours(h, lang),
                num=lambda n: number(n, lang), problem=lambda p: problem_text(p, lang),
                detail=lambda p: problem_detail(p, lang),
                anomaly=lambda a: anomaly_text(a, lang), silent=lambda s: silent_text(s, lang),
                alt=lambda a, c: chart_alt(a, c, lang), rate=lambda a: rate_text(a, lang),
                compare=lambda d: compare_lines(d, lang), scope=lambda units, t: scope_line(units, t, lang),
                start=lambda a: "" if a.get("start") is None else number(a["start"], lang) + " ")


def _env(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=lambda name: bool(name and name.endswith(".html.j2")),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(filters(lang))
    return env


def scope_line(units: list[dict], t: dict, lang: str) -> str:
    """"Phạm vi: Quận Hoàng Mai (5 đơn vị)": the recipient's parent units by name (plain text); a
    unit named only by its id is shown with its level word and a note ("Tỉnh “thanh-hoa” (chưa đặt
    tên, 1 đơn vị)"), not as if the id were its name."""
    def one(u: dict) -> str:
        n = number(u["sites"], lang)
        if u.get("unnamed"):
            level = t.get(f"level_{u.get('level')}", t["level_other"])
            return t["scope_unnamed"].format(level=level[:1].upper() + level[1:], id=one_line(u["id"]), n=n)
        return t["scope_unit"].format(name=one_line(u["name"]), n=n)

    return t["scope"].format(units=" · ".join(one(u) for u in units))








_ENVS = {lang: _env(lang) for lang in LABELS}  # per language: filters are cheaper than context calls


def subject(data: dict) -> str:
    t = LABELS[data["recipient"]["language"]]
    tot, lang = data["totals"], data["recipient"]["language"]
    date = clock.local(data["window"]["until"], "%d/%m/%Y")
    name = one_line(data["recipient"]["name"], 80)
    if not tot.get("crawls") and tot.get("sites"):  # nothing was crawled: the monitoring itself may have stopped
        return one_line(t["subject_no_crawls"].format(name=name, date=date))
    if data["nothing_happened"]:
        return one_line(t["subject_quiet"].format(name=name, date=date))
    return one_line(t["subject"].format(name=name, new=tot["new_posts"], views=number(tot["views_gained"], lang), date=date))


def render(data: dict, images: str = "data"):
    """All formats of one message (a daily digest, an alert or a report: its `kind`). images='cid'
    references attachments (email); 'data' inlines them."""
    kind = data.get("kind", "daily")
    if kind == "alert":
        from monitor.digest.alert import AlertRendered

        return AlertRendered(data)
    if kind in ("weekly", "monthly"):
        from monitor.digest.report import ReportRendered

        return ReportRendered(data)
    return Rendered(data, images)


def problem_detail(p: dict, lang: str) -> str:
    """The technical reason, for operators: the crawler's error text or the HTML sample to look at.
    None in a Vietnamese digest: the office reads plain words only (the detail stays in the data,
    JSON and webhooks, and in `sites health`)."""
    if lang == "vi":
        return ""
    if p["error"]:
        return p["error"]
    return LABELS[lang]["sample"].format(sample=p["sample_id"]) if p["sample_id"] else ""


def silent_text(s: dict, lang: str) -> str:
    t = LABELS[lang]
    if s.get("last_post_at") is None:
        return t["silent_none"]
    return t["silent_days"].format(days=s["days"], date=clock.local(s["last_post_at"], "%d/%m/%Y"))


def signed(n: int, lang: str) -> str:
    """+4, −300 (a real minus sign), ±0."""
    return "±0" if n == 0 else ("+" if n > 0 else "−") + number(abs(n), lang)


def compare_lines(d: dict, lang: str) -> list[str]:
    """'So với kỳ trước (…): bài mới 8 → 12 (+4), lượt xem tăng thêm 900 → 1.200 (+300)', twice; a
    window not fully measured says so instead of a number (compare.py)."""
    t, tot, out = LABELS[lang], d["totals"], []
    for key in ("previous", "week_before"):
        c = d["compare"][key]
        label = t[f"cmp_{key}"].format(since=clock.local(c["since"], "%d/%m %H:%M"),
                                       until=clock.local(c["until"], "%d/%m %H:%M"))
        if c.get("complete") is False and c["crawls"]:  # crawled, but some site's first crawl came later
            out.append(t["cmp_partial"].format(label=label, since=clock.local(c["measured_from"], "%d/%m %H:%M")))
            continue
        if c["new_posts"] is None:
            out.append(t["cmp_none"].format(label=label))
            continue
        out.append(t["cmp_line"].format(label=label, old=number(c["new_posts"], lang), new=number(tot["new_posts"], lang),
                                        diff=signed(tot["new_posts"] - c["new_posts"], lang),
                                        vold=number(c["views_gained"], lang), vnew=number(tot["views_gained"], lang),
                                        vdiff=signed(tot["views_gained"] - c["views_gained"], lang)))
    return out


def hours(h: float | None, lang: str) -> str:
    """A duration in hours: whole hours from 2 up, one decimal below ("1,5")."""
    if h is None:
        return "—"
    return number(round(h) if h >= 2 else round(h, 1), lang)


def rate_text(a: dict, lang: str) -> str:
    """'+57 lượt xem / 30 giờ ≈ 1,9/giờ (tổng 357), đo từ 01/03 20:00 đến 03/03 02:00': what the
    rate is made of, over the article's own readings (which may start before the window)."""
    t = LABELS[lang]
    text = t["rate"].format(gained=number(a["gained"], lang), hours=hours(a["hours"], lang),
                            rate=number(float(a["rate"] or 0), lang), views=number(a["views"], lang))
    if a.get("span"):
        since, until = (clock.local(x, "%d/%m %H:%M") for x in a["span"])
        text += ", " + t["span"].format(since=since, until=until)
    return text


def chart_alt(a: dict, charts: dict, lang: str) -> str:
    return LABELS[lang]["chart_alt"].format(gained=number(a["gained"], lang), n=a["readings"] or 0,
                                            since=clock.local(charts["since"], "%d/%m %H:%M"),
                                            until=clock.local(charts["until"], "%d/%m %H:%M"))
