"""The chat-sized form of a digest: what fits one Zalo / Telegram / Slack message.

Plain text (no tables, no Markdown escapes): the headline numbers, then the few things that matter —
problems, new posts, the most read and fastest rising post, removals — and the link to the full
digest. At most `limit` characters (2,000 by default: Zalo's text message limit, under Telegram's
4,096 and Discord's 2,000): lists shrink and titles shorten until it fits.
"""

from __future__ import annotations

from crawler import clock
from monitor.digest.labels import LABELS
from monitor.digest.text import one_line

CHAT_LIMIT = 2000

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "head": "{name} · bản tin {date}",
        "window": "{since} → {until} (giờ VN)",
        "new": "{n} bài mới", "views": "+{n} lượt xem", "problems": "{n} trang có sự cố",
        "removed": "{n} bài bị gỡ", "edited": "{n} bài được sửa", "anomalies": "{n} số liệu bất thường",
        "silent": "{n} đơn vị chưa đăng bài mới",
        "h_problems": "Sự cố:", "h_new": "Bài mới:", "h_removed": "Bài bị gỡ:",
        "top": "Đọc nhiều nhất: {title} ({site}) +{gained}",
        "rising": "Tăng nhanh nhất: {title} ({site}) +{gained} trong {hours} giờ",
        "more": "… và {n} bài khác", "more_problems": "… và {n} trang khác",
        "link": "Xem đầy đủ: {url}",
    },
    "en": {
        "head": "{name} · digest {date}",
        "window": "{since} → {until} (Vietnam time)",
        "new": "{n} new posts", "views": "+{n} views", "problems": "{n} sites with problems",
        "removed": "{n} removed", "edited": "{n} edited", "anomalies": "{n} unusual counts",
        "silent": "{n} units with no new post",
        "h_problems": "Problems:", "h_new": "New posts:", "h_removed": "Removed:",
        "top": "Most read: {title} ({site}) +{gained}",
        "rising": "Fastest rising: {title} ({site}) +{gained} in {hours} h",
        "more": "… and {n} more", "more_problems": "… and {n} more sites",
        "link": "Full digest: {url}",
    },
}


def short(text: str | None, n: int) -> str:
    """One line of at most n characters, cut at a word with '…'."""
    s = one_line(text)
    if len(s) <= n:
        return s
    cut = s[: n - 1].rsplit(" ", 1)[0] if " " in s[: n - 1] else s[: n - 1]
    return cut.rstrip(" ,.;:–-") + "…"


def link_of(data: dict) -> str | None:
    """The page with the whole digest: `link` (from `[web] url`), else a web unit link if any."""
    from monitor.digest.format import safe_url

    if data.get("link"):
        return safe_url(data["link"]) or None
    units = (data.get("web") or {}).get("units") or []
    return safe_url(units[0].get("url")) or None if units else None


def chat_text(data: dict, limit: int = CHAT_LIMIT) -> str:
    """The digest in at most `limit` characters of plain text (see the module's docstring)."""
    from monitor.digest.build import upgrade

    data = upgrade(data)
    text = ""
    for title_len, per_list in ((110, 3), (80, 3), (70, 2), (55, 2), (45, 1), (35, 1), (30, 0)):
        text = _compose(data, title_len, per_list)
        if len(text) <= limit:
            return text
    return text[: limit - 1] + "…"


def _compose(d: dict, title_len: int, per_list: int) -> str:
    from monitor.digest.format import number, problem_text

    lang = d["recipient"]["language"]
    w, t, tot = WORDS[lang], LABELS[lang], d["totals"]
    num = lambda n: number(n, lang)  # noqa: E731
    lines = [w["head"].format(name=short(d["recipient"]["name"], 80),
                              date=clock.local(d["window"]["until"], "%d/%m/%Y")),
             w["window"].format(since=clock.local(d["window"]["since"], "%d/%m %H:%M"),
                                until=clock.local(d["window"]["until"], "%d/%m %H:%M"))]
    if not tot.get("crawls") and tot.get("sites"):  # nothing was crawled: the monitoring itself may have stopped
        lines.append(t["no_crawls"])
    heads = [w["new"].format(n=num(tot["new_posts"])), w["views"].format(n=num(tot["views_gained"]))]
    counts = {"problems": len(d["problems"]), **{k: len(d.get(k) or []) for k in ("removed", "edited", "anomalies")}}
    for key, n in counts.items():
        if n:
            heads.append(w[key].format(n=num(n)))
    if d.get("silent"):
        heads.append(w["silent"].format(n=num(len(d["silent"]))))
    lines.append(" · ".join(heads))
    if d.get("nothing_happened"):
        lines += ["", t["nothing"]]
    if d["problems"] and per_list:
        lines += ["", w["h_problems"]]
        for p in d["problems"][:per_list]:
            lines.append(f"• {short(p['site_name'], 40)}: {short(problem_text(p, lang), title_len + 40)}")
        if len(d["problems"]) > per_list:
            lines.append(w["more_problems"].format(n=len(d["problems"]) - per_list))
    if d["new_posts"] and per_list:
        lines += ["", w["h_new"]]
        for p in d["new_posts"][:per_list]:
            when = f" ({clock.local(p['published_at'], '%d/%m %H:%M')})" if p.get("published_at") else ""
            lines.append(f"• {short(p['site_name'], 40)}{when}: {short(p['title'], title_len)}")
        if tot["new_posts"] > per_list:
            lines.append(w["more"].format(n=num(tot["new_posts"] - per_list)))
    picks = []
    if d["top_read"]:
        a = d["top_read"][0]
        picks.append(w["top"].format(title=short(a["title"], title_len), site=short(a["site_name"], 40),
                                     gained=num(a["gained"])))
    if d["rising"] and per_list:
        a = d["rising"][0]
        hours = round(a["hours"]) if a.get("hours") and a["hours"] >= 2 else a.get("hours") or "?"
        picks.append(w["rising"].format(title=short(a["title"], title_len), site=short(a["site_name"], 40),
                                        gained=num(a["gained"]), hours=num(hours) if hours != "?" else hours))
    if picks:
        lines += [""] + picks
    removed = d.get("removed") or []
    if removed and per_list:
        lines += ["", w["h_removed"]]
        lines += [f"• {short(e['site_name'], 40)}: {short(e['title'], title_len)}" for e in removed[:per_list]]
        if len(removed) > per_list:
            lines.append(w["more"].format(n=len(removed) - per_list))
    url = link_of(d)
    if url:
        lines += ["", w["link"].format(url=url)]
    return "\n".join(lines)
