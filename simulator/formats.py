"""How the templates print dates, labels and view counts, per markup flavour.

Shared by the page renderer (:mod:`simulator.render`) and the ground truth
(:mod:`simulator.truth`), so that what a page shows and what the truth says it shows cannot drift.
Formats are keyed by flavour: the template name, or "tandan2" / "dnn2" for the second markup
flavour of that platform (``Site.variant == 2``; see TEMPLATES.md).
"""

from __future__ import annotations

from typing import Any

from . import text as T
from .model import WEEKDAYS, Article, Site, local


def current_template(sim: Any, site: Site) -> str:
    """The template a site renders in now (a ``template`` fault switches it)."""
    return sim.effective_faults(site.id).template or site.template


def print_path(a: Article) -> str:
    """Path of a Liferay article's print view."""
    return a.path.replace("/-/view_content/", "/-/view_content/pop_up/", 1) + "?_101_viewMode=print"


def flavour(site: Site, tpl: str) -> str:
    """The markup flavour a site renders `tpl` in ("tandan2" for a variant-2 Tân Dân site)."""
    return (
        tpl + "2"
        if site.variant == 2 and tpl == site.template and tpl in ("tandan", "dnn")
        else tpl
    )


def _h12(d, pad: bool) -> str:
    h = d.hour % 12 or 12
    ap = "AM" if d.hour < 12 else "PM"
    return f"{h:02d}:{d.minute:02d} {ap}" if pad else f"{h}:{d.minute:02d} {ap}"


def list_date(tpl: str, ts: int) -> str:
    d = local(ts)
    if tpl == "liferay":
        return f"{d:%d/%m/%Y} | {_h12(d, True)}"
    if tpl == "tandan":
        return f"{d:%d - %m - %Y}"
    if tpl == "tandan2":
        return f"{d:%d/%m/%Y}"
    if tpl == "dnn":
        return f"({d:%d/%m/%Y, %H:%M})"
    if tpl == "dnn2":
        return f"{d:%d/%m/%Y %H:%M}"
    return f"{d:%d-%m-%Y}"


def detail_date(site: Site, tpl: str, ts: int, lang: str = "vi") -> str:
    d = local(ts)
    if tpl == "liferay":
        if lang == "en" or (site.template == "liferay" and site.detail_clock == "12h"):
            return f"{d:%d/%m/%Y} | {_h12(d, False)}"
        return f"{d:%d/%m/%Y} | {d:%H:%M}"
    if tpl == "tandan":
        return f"{d:%d - %m - %Y} | {d:%H:%M}"
    if tpl == "dnn":
        return f"{WEEKDAYS[d.weekday()]}, {d.day}/{d.month}/{d.year}, {d:%H:%M} (GMT+7)"
    if tpl in ("tandan2", "dnn2"):
        return f"{d:%d/%m/%Y %H:%M}"
    return f"{d:%d-%m-%Y %H:%M}"


def detail_label(site: Site, tpl: str, lang: str = "vi") -> str:
    if tpl == "liferay":
        if lang == "en":
            return "Publish date"
        return "" if site.template == "liferay" and site.detail_clock == "12h" else "Ngày đăng"
    return {
        "tandan": "Đăng ngày",
        "tandan2": "Cập nhật lúc:",
        "dnn": "",
        "dnn2": "",
        "plain": "Ngày đăng:",
    }[tpl]


def views_text(tpl: str, n: int) -> str:
    if tpl == "liferay":
        return f"View count: {n}"
    if tpl == "tandan":
        return f"Lượt xem: {n}"
    if tpl == "dnn":
        return f"Lượt xem: {T.fmt_thousands(n)}"
    if tpl == "tandan2":
        return str(n)  # after an eye icon, in an element titled "Lượt xem"
    if tpl == "dnn2":
        return f"Số lượt xem ({T.fmt_thousands(n)})"
    return f"Lượt đọc: {T.fmt_thousands(n)}"


def list_views_text(tpl: str, n: int) -> str:
    if tpl == "dnn2":
        return T.fmt_thousands(n)  # after an eye icon; the exact value in data-views
    return f"Lượt đọc: {T.fmt_thousands(n)}" if tpl == "dnn" else views_text(tpl, n)
