"""Reading an article page: every field a chain of the profile's selectors, then (when they find
no value) the article rules scoped to the header; provenance names the selector or rule used."""

from __future__ import annotations

from datetime import datetime

from ..dates import find_datetime
from ..text import MAX_TAGS, block_text, clean_text, element_text, parse_html, safe_field
from ..types import ArticlePage
from . import rules_article as ra
from . import rules_counts as rc
from . import rules_dates as rd
from .css import as_text, chain, first_elements, first_text, page_selector, texts
from .fields import ARTICLE_FIELDS, count_in, finish, no_digits, set_date, set_views, views_rule

_PAGE_KEYS = ("title", "body", "date", "views", "lead", "author", "category", "tags")

def read_article(html: str, url: str, sels: dict, fallback: bool, now: datetime) -> ArticlePage:
    """Title, date, views, body, category, lead, author and tags of an article page, by the
    selectors `sels` (then the rules, when `fallback` or a selector is missing)."""
    root = parse_html(html)
    sel = page_selector(root, tuple(sels.get(k) for k in _PAGE_KEYS))  # one class scan for them all
    page = ArticlePage(url=url)
    prov = page.provenance
    heur = fallback

    # title
    title_el = None
    found, css = first_elements(sel, sels.get("title"))
    if found:
        first = found[0]
        title_el = None if isinstance(first, str) else first
        page.title = as_text(first) or None
        if page.title:
            prov["title"] = css
    if not page.title and (heur or not sels.get("title")):
        title_el, page.title, rule = ra.find_title(root)
        if page.title:
            prov["title"] = rule

    # body element (its text is read last, without the title/date/lead/author elements)
    body_el = body_vals = None
    found, body_css = first_elements(sel, sels.get("body"))
    if found:
        if isinstance(found[0], str):
            body_vals = found
        else:
            body_el = found[0]
    elif heur or not sels.get("body"):
        # keep the date line out of the body scores: a first look at the header
        pre_date_el = rd.find_date_near(root, title_el)[1]
        body_el, body_css = ra.find_body(root, title_el, pre_date_el)
        if body_el is None:
            body_css = ""
    header: list | None = None

    def header_els() -> list:
        nonlocal header
        if header is None:
            header = rd.header_elements(root, title_el, body_el)
        return header

    # date: the date selector; an element that is present but empty means "no date"
    date_el = None
    date_spec = sels.get("date")
    found, css = first_elements(sel, date_spec)
    m = None
    empty = False
    if found:
        for cand in found:
            m = find_datetime(as_text(cand))
            if m:
                date_el = None if isinstance(cand, str) else cand
                if set_date(page, m, now):
                    prov["date"] = css
                break
        empty = m is None and all(no_digits(as_text(c)) for c in found)
    if m is None and not empty and (heur or not date_spec):
        m, date_el, rule = rd.find_date_near(root, title_el, body_el, header_els())
        if m is None and body_el is not None:
            m, date_el, rule = rd.date_after_body(body_el)
        if m and set_date(page, m, now):
            prov["date"] = rule

    if "date" in prov:
        prov["published_at"] = prov["date"]  # the same rule under the field's name

    # When neither the title nor the date selector matched, the profile does not fit this
    # page (e.g. the site changed template): read the other fields by the rules too.
    fits = prov.get("title") in chain(sels.get("title")) or prov.get("date") in chain(date_spec)
    if heur and not fits:
        sels = {k: v for k, v in sels.items() if k not in ("views", "body", "category", "lead", "author", "tags")}

    # views: the views selector (the date line when it is the same element), then the rules
    views_spec = sels.get("views")
    vm = None
    if views_spec:
        text: str | None
        if date_el is not None and views_spec == date_spec and prov.get("date") in chain(date_spec):
            text, css = element_text(date_el), prov["date"]  # the date line carries the count
        else:
            text, css = first_text(sel, views_spec)
        vm = count_in(text) if text else None
        if vm and set_views(page, vm):
            prov["views"] = views_rule(vm, css)
    views_el = None
    if vm is None and (heur or not views_spec):
        vm, rule, views_el = rc.find_views_near(root, title_el, date_el, header_els(), body_el)
        if vm and set_views(page, vm):
            prov["views"] = rule

    # lead / author (profile selectors only)
    extra_els = []
    for key in ("lead", "author"):
        found, css = first_elements(sel, sels.get(key))
        if found:
            if not isinstance(found[0], str):
                extra_els.append(found[0])
            setattr(page, key, as_text(found[0]) or None)
            if getattr(page, key):
                prov[key] = css

    # body
    exclude = [e for e in (*extra_els, title_el, date_el, views_el) if e is not None]
    if body_vals:
        page.body = "\n\n".join(clean_text(v) for v in body_vals if clean_text(v)) or None
    elif body_el is not None:
        page.body = block_text(body_el, exclude=exclude) or None
    if page.body:
        prov["body"] = body_css
    elif heur and body_css in chain(sels.get("body")):  # the selected element is empty
        el, rule = ra.find_body(root, title_el, date_el)
        if el is not None:
            page.body = block_text(el, exclude=exclude) or None
            if page.body:
                prov["body"] = rule

    # category: the last breadcrumb item matched
    cat_spec = sels.get("category")
    if cat_spec:
        for css in chain(cat_spec):
            crumbs = texts(sel, css)
            if crumbs:
                page.category = crumbs[-1]
                prov["category"] = css
                break
    else:
        page.category, rule = ra.find_category(root, page.title)
        if page.category:
            prov["category"] = rule

    # tags
    for css in chain(sels.get("tags")):
        tags = texts(sel, css)
        if tags:
            page.tags = list(dict.fromkeys(tags))
            prov["tags"] = css
            break
    finish(page, ARTICLE_FIELDS)
    page.tags = [t for t in (safe_field(t, "tag") for t in page.tags[:MAX_TAGS]) if t]
    return page
