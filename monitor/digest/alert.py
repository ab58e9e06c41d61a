"""An immediate alert: the serious events of one run (a site unreachable, extraction broken, a post
removed, a view-count anomaly) for one recipient, as one short message — `build` its data (stored
in `digests` with kind 'alert'), `AlertRendered` its text, HTML, Markdown and chat forms."""

from __future__ import annotations

import html

from crawler import clock
from monitor.digest.problems import problem
from monitor.digest.text import one_line
from monitor.kinds import EVENT_KINDS, problem_of

WORDS = {
    "vi": {"subject": "Cảnh báo: {what} — {name}", "heading": "Cảnh báo — {name}", "at": "{when} (giờ Việt Nam)",
           "critical": "Nghiêm trọng", "warning": "Cần xem", "info": "Tin",
           "removed": "bài bị gỡ “{title}” (thấy lúc {at})", "more": "… và {n} cảnh báo khác",
           "link": "Xem đầy đủ: {url}",
           "footer": "Cảnh báo tức thời của portalwatch; bản tin hằng ngày vẫn gửi như thường lệ."},
    "en": {"subject": "Alert: {what} — {name}", "heading": "Alert — {name}", "at": "{when} (Vietnam time)",
           "critical": "Critical", "warning": "Warning", "info": "Info",
           "removed": "post removed “{title}” (seen {at})", "more": "… and {n} more alerts",
           "link": "Details: {url}",
           "footer": "An immediate alert from portalwatch; the daily digest comes as usual."},
}


def build(recipient, events: list[dict], names: dict[str, str], since: str, until: str, link: str | None) -> dict:
    """The alert's data: each event with what a line needs (its problem dict for problem kinds)."""
    items = []
    for e in events:
        kind = EVENT_KINDS[e["kind"]]
        d = e["details"]
        item = {"id": e["id"], "kind": e["kind"], "severity": kind.severity, "site_id": e["site_id"],
                "site_name": names.get(e["site_id"], e["site_id"]), "at": e["observed_at"],
                "title": one_line(d.get("title") or e.get("title")), "url": d.get("url") or e.get("url"),
                "problem": None, "details": d}
        p = problem_of(e["kind"])
        if p is not None:
            item["problem"] = problem(e["site_id"], item["site_name"], p.name, at=e["observed_at"],
                                      **{k: d.get(v) for k, v in p.details.items()})
        items.append(item)
    order = {"critical": 0, "warning": 1, "info": 2}
    items.sort(key=lambda i: (order[i["severity"]], i["at"], i["id"]))
    return {"version": 2, "kind": "alert",
            "recipient": {"id": recipient.id, "name": one_line(recipient.name), "language": recipient.language},
            "window": {"since": since, "until": until}, "generated_at": until, "events": items,
            "totals": {"alerts": len(items), "critical": sum(i["severity"] == "critical" for i in items)},
            "link": link}


def line(item: dict, lang: str) -> str:
    """One event in plain words (untrusted titles already reduced to one line)."""
    from monitor.digest.format import anomaly_text, problem_text

    w = WORDS[lang]
    if item["problem"]:
        what = problem_text(item["problem"], lang)
    elif item["kind"] == "article_removed":
        what = w["removed"].format(title=item["title"], at=clock.local(item["at"], "%d/%m %H:%M"))
    elif item["kind"] == "views_anomaly":
        what = f"“{item['title']}” — {anomaly_text(item['details'], lang)}"
    else:
        what = f"{EVENT_KINDS[item['kind']].label[lang]}: “{item['title']}”"
    return f"[{w[item['severity']]}] {item['site_name']}: {what}"


class AlertRendered:
    """An alert in every format; `chat(limit)` is the text, cut to fit."""

    def __init__(self, data: dict):
        self.data = data
        self.lang = data["recipient"]["language"]
        w, name = WORDS[self.lang], one_line(data["recipient"]["name"], 80)
        kinds: dict[str, int] = {}
        for i in data["events"]:
            label = EVENT_KINDS[i["kind"]].label[self.lang]
            kinds[label] = kinds.get(label, 0) + 1
        what = ", ".join(f"{label} ({n})" if n > 1 else label for label, n in kinds.items())
        self.subject = one_line(w["subject"].format(what=what, name=name), 200)
        self.images: dict[str, bytes] = {}
        self.attachments: dict[str, bytes] = {}
        self._lines = [line(i, self.lang) for i in data["events"]]
        self._head = [w["heading"].format(name=name), w["at"].format(when=clock.local(data["window"]["until"]))]

    def _tail(self) -> list[str]:
        from monitor.digest.format import safe_url

        url = safe_url(self.data.get("link"))
        return [WORDS[self.lang]["link"].format(url=url)] if url else []

    @property
    def text(self) -> str:
        from monitor.digest.format import safe_url

        body = []
        for i, text in zip(self.data["events"], self._lines, strict=True):
            body.append(f"• {text}")
            if safe_url(i["url"]):
                body.append(f"  {safe_url(i['url'])}")
        tail = self._tail()
        return "\n".join(self._head + [""] + body + ([""] + tail if tail else []) + ["", "--",
                                                                                     WORDS[self.lang]["footer"]]) + "\n"

    def chat(self, limit: int = 2000) -> str:
        from monitor.digest.chat import short

        tail = self._tail()
        for width in (300, 200, 140, 100, 70):
            for keep in range(len(self._lines), 0, -1):
                body = [f"• {short(t, width)}" for t in self._lines[:keep]]
                if keep < len(self._lines):
                    body.append(WORDS[self.lang]["more"].format(n=len(self._lines) - keep))
                text = "\n".join(self._head + [""] + body + ([""] + tail if tail else []))
                if len(text) <= limit:
                    return text
        return text[: limit - 1] + "…"

    @property
    def markdown(self) -> str:
        from monitor.digest.format import md_escape

        return "\n".join([f"## {md_escape(self._head[0])}", self._head[1], ""] +
                         [f"- {md_escape(t)}" for t in self._lines] + [""] + [md_escape(t) for t in self._tail()]) + "\n"

    @property
    def html(self) -> str:
        from monitor.digest.format import safe_url

        e = html.escape
        rows = []
        for i, text in zip(self.data["events"], self._lines, strict=True):
            colour = "#b00020" if i["severity"] == "critical" else "#8a5a00"
            url = safe_url(i["url"])
            link = f' <a href="{e(url)}">↗</a>' if url else ""
            rows.append(f'<li style="margin:0 0 8px;color:{colour}">{e(text)}{link}</li>')
        tail = "".join(f'<p><a href="{e(safe_url(self.data["link"]))}">{e(t)}</a></p>' for t in self._tail())
        return (f'<!doctype html><html lang="{self.lang}"><head><meta charset="utf-8"><title>{e(self.subject)}</title>'
                f'</head><body style="font-family:Arial,sans-serif;max-width:640px;margin:0 auto;padding:12px">'
                f'<h2 style="font-size:18px">{e(self._head[0])}</h2><p style="color:#555">{e(self._head[1])}</p>'
                f'<ul style="padding-left:18px">{"".join(rows)}</ul>{tail}'
                f'<p style="color:#777;font-size:12px">{e(WORDS[self.lang]["footer"])}</p></body></html>\n')
