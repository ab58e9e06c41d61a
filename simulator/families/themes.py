"""The theme variants of the CMS families: what each one prints, and where (see TEMPLATES.md).

A *family* is the CMS (wordpress, joomla, drupal, liferay7, vnpt); a *theme* is one variant of
it as a site runs it (theme, plugins, language strings, URL settings). Everything a page prints
about an article's date and view count is decided here, shared by the pages
(:mod:`simulator.families.pages`) and the ground truth (:mod:`simulator.families.truth`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import WEEKDAYS, local
from ..text import fmt_thousands

FAMILIES = ("wordpress", "joomla", "drupal", "liferay7", "vnpt")

VI_MONTHS = [
    "Tháng Một", "Tháng Hai", "Tháng Ba", "Tháng Tư", "Tháng Năm", "Tháng Sáu", "Tháng Bảy",
    "Tháng Tám", "Tháng Chín", "Tháng Mười", "Tháng Mười Một", "Tháng Mười Hai",
]  # fmt: skip
# Drupal's format character "D" on a site whose date strings were never translated
EN_DAY_ABBR = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass(frozen=True)
class Theme:
    """One variant of a family.

    ``precision``: what the article page lets a reader (or a parser) know of the publication
    time: "minute" (a printed time, or a machine-readable ``datetime``/``content``) or "day".
    ``list_views``: the list items print a count. ``drafts``: slug of a category whose articles
    are draft documents printed with an empty date line (None: no such category).
    """

    key: str
    family: str
    per_page: int
    precision: str = "minute"
    list_views: bool = False
    list_date: bool = True
    drafts: str | None = None


THEMES: dict[str, Theme] = {
    t.key: t
    for t in [
        Theme("wp-twentyone", "wordpress", 10, list_views=True),
        Theme("wp-pagenavi", "wordpress", 12),
        Theme("wp-plain", "wordpress", 10, list_views=True),
        Theme("j3-protostar", "joomla", 10, list_views=True),
        Theme("j4-cassiopeia", "joomla", 8, list_views=True),
        Theme("j3-list", "joomla", 20, list_views=True),
        Theme("d7", "drupal", 10, list_views=True, drafts="du-thao"),
        Theme("d9-olivero", "drupal", 8),
        Theme("d8-mini", "drupal", 10),
        Theme("lr7", "liferay7", 20, precision="day", list_views=True, drafts="du-thao"),
        Theme("lr73", "liferay7", 20, precision="day", list_views=True),
        Theme("vnpt-dsnews", "vnpt", 15, precision="day", drafts="du-thao"),
        Theme("vnpt-portal2", "vnpt", 10, list_views=False),
    ]
}


# ---------------------------------------------------------------- dates as printed


def iso(ts: int) -> str:
    """ISO 8601 local time with offset, as CMSes print it in ``datetime``/``content``."""
    return local(ts).isoformat()


def article_date(theme: str, ts: int) -> str:
    """The publication date on the article page, without its label."""
    d = local(ts)
    if theme == "wp-twentyone":
        return f"{d.day} {VI_MONTHS[d.month - 1]}, {d.year}"
    if theme == "wp-pagenavi":
        return f"{d:%d/%m/%Y - %H:%M}"
    if theme in ("wp-plain", "lr7", "lr73"):
        return f"{d:%d/%m/%Y}"
    if theme in ("j3-protostar", "j3-list"):
        return f"{WEEKDAYS[d.weekday()]}, {d:%d} Tháng {d.month} {d.year} {d:%H:%M}"
    if theme == "j4-cassiopeia":
        return f"{d:%d} Tháng {d.month} {d.year}"
    if theme == "d7":  # Drupal 7's default "medium" format: D, m/d/Y - H:i (month first)
        return f"{EN_DAY_ABBR[d.weekday()]}, {d:%m/%d/%Y - %H:%M}"
    if theme == "d9-olivero":
        return f"{WEEKDAYS[d.weekday()]}, {d:%d/%m/%Y - %H:%M}"
    if theme == "d8-mini":
        return f"{d:%d/%m/%Y %H:%M}"
    if theme == "vnpt-dsnews":
        return f"{d:%d-%m-%Y}"
    if theme == "vnpt-portal2":
        return f"{d:%H:%M %d/%m/%Y}"
    raise KeyError(theme)


def list_date(theme: str, ts: int) -> str | None:
    """The date a list item prints (None: the theme's list shows none)."""
    d = local(ts)
    if theme in ("wp-twentyone", "j3-protostar", "j4-cassiopeia", "d7", "d9-olivero"):
        return article_date(theme, ts)
    if theme in ("wp-pagenavi", "wp-plain", "d8-mini", "lr7", "lr73"):
        return f"{d:%d/%m/%Y}"
    if theme == "j3-list":
        return f"{d:%d-%m-%Y}"
    if theme == "vnpt-dsnews":
        return f"({d:%d/%m/%Y})"
    if theme == "vnpt-portal2":
        return f"{d:%d/%m/%Y %H:%M}"
    raise KeyError(theme)


def date_label(theme: str) -> str:
    """The label before the article date ("" when none)."""
    return {
        "wp-twentyone": "Đã đăng",
        "wp-pagenavi": "Ngày đăng:",
        "wp-plain": "",
        "j3-protostar": "Ngày đăng:",
        "j3-list": "Được đăng ngày:",
        "j4-cassiopeia": "Ngày đăng:",
        "d7": "",
        "d9-olivero": "",
        "d8-mini": "Ngày cập nhật:",
        "lr7": "",
        "lr73": "Đã xuất bản",
        "vnpt-dsnews": "Ngày xuất bản:",
        "vnpt-portal2": "Cập nhật lúc:",
    }[theme]


# ---------------------------------------------------------------- view counts as printed


def views_text(theme: str, n: int) -> str:
    """The count on the article page, with its label where the theme prints one."""
    k = fmt_thousands(n)
    return {
        "wp-twentyone": f"{k} lượt xem",  # WP-PostViews: "%VIEW_COUNT% lượt xem"
        "wp-pagenavi": k,  # Post Views Counter: <span class="post-views-label">Lượt xem:</span>
        "wp-plain": str(n),  # tagDiv: the number after an eye icon (+ JSON-LD)
        "j3-protostar": f"Lượt truy cập: {n}",
        "j3-list": f"Lượt xem: {n}",
        "j4-cassiopeia": f"Hits: {n}",
        "d7": f"{n} lượt đọc",
        "d9-olivero": f"{k} lượt đọc",
        "d8-mini": f"Số lần xem: {k}",
        "lr7": f"{k} lượt xem",
        "lr73": f"{n} lượt xem",  # assetEntry.getViewCount(), no grouping
        "vnpt-dsnews": f"Lượt xem: {n}",
        "vnpt-portal2": f"Số lượt xem: {k}",
    }[theme]


def list_views_text(theme: str, n: int) -> str:
    """The count a list item prints (themes with ``list_views``)."""
    if theme == "j3-list":
        return f"Lượt truy cập: {n}"
    if theme == "d7":
        return str(n)  # after a views label "Lượt đọc: "
    return views_text(theme, n)
