"""The small formatting rules every message shares (daily digest, chat form, alerts, reports):
numbers in the reader's language, safe links, Markdown escapes, problem and anomaly lines."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler import clock
from monitor.digest.labels import LABELS
from monitor.digest.text import one_line
from monitor.kinds import PROBLEM_KINDS

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|~!])")


def safe_url(url: str | None) -> str:
    """The URL when it is http(s), else an empty string (no javascript:, data: … links)."""
    if not url:
        return ""
    url = one_line(url, 2000)
    return url if urlsplit(url).scheme in ("http", "https") else ""


def md_escape(text: str | None) -> str:
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def number(n: int | float | None, lang: str) -> str:
    """1.234 and 6,7 in Vietnamese; 1,234 and 6.7 in English."""
    if n is None:
        return "—"
    s = f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"
    return s.translate(str.maketrans(",.", ".,")) if lang == "vi" else s


def problem_text(p: dict, lang: str) -> str:
    """What is wrong, in plain words (the technical text is problem_detail's): the kind's line
    (monitor/kinds.py) with since, runs, field, share and usual filled in."""
    t = LABELS[lang]
    text = PROBLEM_KINDS[p["kind"]].label[lang].format(
        since=clock.local(p["since"]), runs=p["runs"], field=t.get(f"field_{p['field']}", p["field"] or "?"),
        share=round((p["share"] or 0) * 100), usual=round((p["usual"] or 0) * 100))
    return f"{text} — {t['r_' + p['reason']]}" if p["reason"] else text


def anomaly_text(a: dict, lang: str) -> str:
    key = "anomaly_decrease" if a["reason"] == "decrease" else "anomaly_jump"
    return LABELS[lang][key].format(old=number(a["old"], lang), new=number(a["new"], lang))
