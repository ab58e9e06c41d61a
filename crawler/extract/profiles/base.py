"""Shared profile implementation: declarative CSS selectors with heuristic fallbacks.

A profile is mostly data: `defaults` maps selector keys (SELECTOR_KEYS plus the optional
"item_summary", "lead", "author", "tags") to a CSS selector or a tuple of alternatives tried in
order. Per-site `selectors` override them key by key. Fields without a selector (all of them for
`auto`) come from the rules in `rules_regions`, `rules_lists`, `rules_pages`, `rules_article`,
`rules_dates` and `rules_counts`.

Every field is a chain: the profile's selectors, then (when they find no value) the rules `auto`
uses, scoped to the item or the article header, so a renamed or moved element never costs a field
that the page prints. A date element that is present but empty gives no date at all (no dates
invented from the body). Implausible values (a count over MAX_VIEWS, a date before 1995 or more
than a day ahead of `now`) give None plus a sentence in `rejected`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from crawler import clock

from ..dates import check_published, find_datetime
from ..numbers import ViewCountMatch, check_count, match_view_count
from ..text import (
    MAX_TAGS,
    block_text,
    clean_text,
    element_text,
    parse_html,
    safe_field,
    strip_unsafe,
)
from ..types import ArticlePage, ListEntry, ListPage
from ..urls import absolute_url
from . import rules_article as ra
from . import rules_counts as rc
from . import rules_dates as rd
from . import rules_lists as rl
from . import rules_pages as rp
from . import rules_regions as rr

SelectorSpec = str | tuple[str, ...]

# Keys a profile may define beyond SELECTOR_KEYS.
EXTRA_KEYS = ("item_summary", "lead", "author", "tags")

_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=2048)
def compile_css(css: str) -> etree.XPath:
    """CSS (with parsel's `::text` / `::attr(name)`) compiled once to an lxml XPath."""
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(css))
    except Exception as e:  # cssselect.SelectorError, lxml XPathSyntaxError
        raise ValueError(f"invalid CSS selector {css!r}: {e}") from e


def select(scope, css: str) -> list:
    """Elements (or strings, for ::text/::attr()) matched by css under an lxml element."""
    return compile_css(css)(scope)


def _chain(spec: SelectorSpec | None) -> tuple[str, ...]:
    if not spec:
        return ()
    return (spec,) if isinstance(spec, str) else tuple(s for s in spec if s)


def _is_value_selector(css: str) -> bool:
    return "::text" in css or "::attr(" in css


def _texts(scope, css: str) -> list[str]:
    """Texts of what css selects: one joined string for ::text/::attr(), else one per element."""
    found = select(scope, css)
    if _is_value_selector(css):
        joined = clean_text(" ".join(str(v) for v in found))
        return [joined] if joined else []
    return [t for t in (element_text(e) for e in found) if t]


def _first_text(scope, spec: SelectorSpec | None) -> tuple[str | None, str]:
    """(first text, its selector), or (None, "") when nothing in the chain matches."""
    for css in _chain(spec):
        texts = _texts(scope, css)
        if texts:
            return texts[0], css
    return None, ""


def _first_elements(scope, spec: SelectorSpec | None) -> tuple[list | None, str]:
    """(matches of the first selector that matches, that selector), or (None, "")."""
    for css in _chain(spec):
        found = select(scope, css)
        if _is_value_selector(css):
            found = [str(v) for v in found if str(v).strip()]
        if found:
            return found, css
    return None, ""


def _link_of(scope, spec: SelectorSpec | None):
    """(href, anchor element or None, text, selector) of the first link matched by spec."""
    for css in _chain(spec):
        if _is_value_selector(css):
            vals = [str(v).strip() for v in select(scope, css) if str(v).strip()]
            if vals:
                return vals[0], None, None, css
            continue
        for el in select(scope, css):
            a = el if el.tag == "a" and el.get("href") else None
            if a is None:
                a = next((x for x in el.iter("a") if x.get("href")), None)
            if a is not None:
                text = element_text(a) or clean_text(a.get("title"))
                return a.get("href"), a, text, css
    return None, None, None, None


def _as_text(value) -> str:
    return clean_text(value) if isinstance(value, str) else element_text(value)


def _count_in(text: str) -> ViewCountMatch | None:
    """The count in a views element's text: behind a label, else the whole text as a number."""
    return match_view_count(text) or check_count(text)


def _set_date(obj, m, now: datetime) -> bool:
    """Store a DateMatch on a ListEntry/ArticlePage unless implausible (then record why)."""
    why = check_published(m.value, now, m.text)
    if why:
        obj.rejected.append(why)
        return False
    obj.published_at, obj.published_text = m.value, m.text
    return True


def _set_views(obj, vm: ViewCountMatch) -> bool:
    if vm.value is None:
        if vm.rejected:
            obj.rejected.append(vm.rejected)
        return False
    obj.views = vm.value
    return True


def _views_rule(vm: ViewCountMatch, css: str) -> str:
    return f"label '{vm.label}' in {css}" if vm.label else css


def _no_digits(text: str) -> bool:
    return not any(c.isdigit() for c in text)


def _finish(obj, names: tuple[str, ...]) -> None:
    """Strip unsafe characters from and bound every text field."""
    for name in names:
        setattr(obj, name, safe_field(getattr(obj, name), name))
    obj.url = strip_unsafe(obj.url)
    obj.rejected = [safe_field(r, "summary") for r in obj.rejected]


_ENTRY_FIELDS = ("title", "published_text", "summary")
_ARTICLE_FIELDS = ("title", "published_text", "body", "category", "lead", "author")


class Profile:
    """Base profile. Subclasses set `name`, `description`, `defaults`, markers and URL patterns."""

    name: str = "base"
    description: str = ""
    defaults: dict[str, SelectorSpec] = {}
    # (substring of the raw HTML, weight) summed and capped at 1.0 by fingerprint()
    markers: tuple[tuple[str, float], ...] = ()
    # regexes on the URL path(+query) that identify an article page of this platform
    article_url_patterns: tuple[re.Pattern, ...] = ()
    url_weight: float = 0.2
    # fall back to heuristics when a profile selector finds nothing (title/date/body/list items)
    fallback: bool = True

    # ------------------------------------------------------------------ detection
    def fingerprint(self, html: str, url: str) -> float:
        """0..1 confidence that the page comes from this platform."""
        score = sum(w for marker, w in self.markers if marker in html)
        if url and self.is_article_url(url):
            score += self.url_weight
        return max(0.0, min(1.0, score))

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        return any(p.search(target) for p in self.article_url_patterns)

    def selectors_for(self, overrides: dict | None) -> dict[str, SelectorSpec]:
        merged = dict(self.defaults)
        for key, value in (overrides or {}).items():
            if value:
                merged[key] = value
        return merged

    # ------------------------------------------------------------------ list pages
    def parse_list(
        self, html: str, url: str, selectors: dict | None = None, now: datetime | None = None
    ) -> ListPage:
        """Entries (url, title, date, views, summary) of a list page and the next page URL.
        `now` (default: clock.now()) bounds plausible dates."""
        now = now or clock.now()
        root = parse_html(html)
        base = rr.base_url(root, url)
        sels = self.selectors_for(selectors)
        prov: dict[str, str] = {}
        entries: list[ListEntry] = []
        items, item_css = _first_elements(root, sels.get("list_item"))
        if items and item_css and not _is_value_selector(item_css):
            prov["list_item"] = item_css
            seen: set[str] = set()
            for item in items:
                entry = self._entry_from_item(item, base, sels, prov, now)
                if entry and entry.url not in seen:
                    seen.add(entry.url)
                    entries.append(entry)
        elif self.fallback or not sels.get("list_item"):
            found, rule = rl.find_list_items(root, url, base)
            prov["list_item"] = rule
            if found:
                prov["item_link"] = "auto: repeated link in the item"
                prov["title"] = "auto: longest link text in the item"
            # the profile's item selectors do not fit this page: read items by the rules alone
            item_sels = {k: v for k, v in sels.items() if not k.startswith("item_")}
            for it in found:
                entries.append(self._entry_from_container(it, item_sels, prov, now))
        next_url = None
        links, next_css = _first_elements(root, sels.get("next_page"))
        if links:
            for cand in links:
                href: str | None
                if isinstance(cand, str):
                    href = cand
                else:
                    a = cand if cand.tag == "a" else next(cand.iter("a"), None)
                    href = a.get("href") if a is not None else None
                u = rr.usable_link(href, base, "")
                if u:
                    next_url = u
                    prov["next_page"] = next_css
                    break
        if next_url is None and not (sels.get("next_page") and not self.fallback):
            next_url, rule = rp.find_next_page(root, url, base)
            if next_url:
                prov["next_page"] = rule
        for entry in entries:
            _finish(entry, _ENTRY_FIELDS)
        return ListPage(entries=entries, next_url=next_url, provenance=prov)

    def _entry_from_item(self, item, base: str, sels: dict, prov: dict, now: datetime) -> ListEntry | None:
        href, anchor, title, link_css = _link_of(item, sels.get("item_link") or "a[href]")
        if not href:
            return None
        url = absolute_url(base, href.strip())
        found: list | None = None

        def links() -> list:
            """The item's links to this URL (kept out of the date/count rules); on demand."""
            nonlocal found
            if found is None:
                found = [
                    a for a in item.iter("a")
                    if (ref := a.get("href")) and absolute_url(base, ref.strip()) == url
                ] or ([anchor] if anchor is not None else [])
            return found

        if not title:
            title = rl.item_title(rl.ListItem(item, url, links()))
        prov.setdefault("item_link", link_css)
        prov.setdefault("title", link_css)
        entry = ListEntry(url=url, title=title or None)
        self._fill_item_fields(entry, item, links, sels, prov, now)
        return entry

    def _entry_from_container(self, it: rl.ListItem, sels: dict, prov: dict, now: datetime) -> ListEntry:
        entry = ListEntry(url=it.url, title=rl.item_title(it))
        self._fill_item_fields(entry, it.container, lambda: it.links, sels, prov, now, it.blocks)
        return entry

    def _fill_item_fields(
        self, entry: ListEntry, item, links, sels: dict, prov: dict, now: datetime, get_blocks=None
    ) -> None:
        """Date, views and summary of one item; `links()` gives the item's links to its URL."""
        blocks: list[str] | None = None

        def item_blocks() -> list[str]:
            nonlocal blocks
            if blocks is None:
                blocks = get_blocks() if get_blocks else rl.short_blocks(item, links())
            return blocks

        # date: the item_date selector, then the item rules
        date_spec = sels.get("item_date")
        text: str | None = None
        css = ""
        m = None
        empty = False  # the date element is there but prints no date: no date from elsewhere
        if date_spec:
            text, css = _first_text(item, date_spec)
            m = find_datetime(text) if text else None
            if m and _set_date(entry, m, now):
                prov.setdefault("date", css)
            elif m is None and (not text or _no_digits(text)):
                empty = _first_elements(item, date_spec)[0] is not None
        if m is None and not empty and (self.fallback or not date_spec):
            m, rule = rd.item_date(item, links(), item_blocks())
            if m and _set_date(entry, m, now):
                prov.setdefault("date", rule)
        # views: the item_views selector, then the item rules
        views_spec = sels.get("item_views")
        vm = None
        if views_spec:
            if views_spec != date_spec:  # else: reuse the date element's text
                text, css = _first_text(item, views_spec)
            vm = _count_in(text) if text else None
            if vm and _set_views(entry, vm):
                prov.setdefault("views", _views_rule(vm, css))
        if vm is None and (self.fallback or not views_spec):
            vm, rule = rc.item_views(item, links(), item_blocks())
            if vm and _set_views(entry, vm):
                prov.setdefault("views", rule)
        # summary
        sum_spec = sels.get("item_summary")
        if sum_spec:
            text, css = _first_text(item, sum_spec)
            if text:
                entry.summary = text
                prov.setdefault("summary", css)
        elif not sels.get("list_item") or prov.get("list_item", "").startswith("auto"):
            s = rl.item_summary(item, links(), entry.published_text, item_blocks())
            if s:
                entry.summary = s
                prov.setdefault("summary", "auto: longest text block in the item")

    # ------------------------------------------------------------------ article pages
    def parse_article(
        self, html: str, url: str, selectors: dict | None = None, now: datetime | None = None
    ) -> ArticlePage:
        """Title, date, views, body, category, lead, author and tags of an article page.
        `now` (default: clock.now()) bounds plausible dates."""
        now = now or clock.now()
        root = parse_html(html)
        sels = self.selectors_for(selectors)
        page = ArticlePage(url=url)
        prov = page.provenance
        heur = self.fallback

        # title
        title_el = None
        found, css = _first_elements(root, sels.get("title"))
        if found:
            first = found[0]
            title_el = None if isinstance(first, str) else first
            page.title = _as_text(first) or None
            if page.title:
                prov["title"] = css
        if not page.title and (heur or not sels.get("title")):
            title_el, page.title, rule = ra.find_title(root)
            if page.title:
                prov["title"] = rule

        # body element (its text is read last, without the title/date/lead/author elements)
        body_el = body_vals = None
        found, body_css = _first_elements(root, sels.get("body"))
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
        found, css = _first_elements(root, date_spec)
        m = None
        empty = False
        if found:
            for cand in found:
                m = find_datetime(_as_text(cand))
                if m:
                    date_el = None if isinstance(cand, str) else cand
                    if _set_date(page, m, now):
                        prov["date"] = css
                    break
            empty = m is None and all(_no_digits(_as_text(c)) for c in found)
        if m is None and not empty and (heur or not date_spec):
            m, date_el, rule = rd.find_date_near(root, title_el, body_el, header_els())
            if m and _set_date(page, m, now):
                prov["date"] = rule

        if "date" in prov:
            prov["published_at"] = prov["date"]  # the same rule under the field's name

        # When neither the title nor the date selector matched, the profile does not fit this
        # page (e.g. the site changed template): read the other fields by the rules too.
        fits = prov.get("title") in _chain(sels.get("title")) or prov.get("date") in _chain(date_spec)
        if heur and not fits:
            sels = {k: v for k, v in sels.items() if k not in ("views", "body", "category", "lead", "author", "tags")}

        # views: the views selector (the date line when it is the same element), then the rules
        views_spec = sels.get("views")
        vm = None
        if views_spec:
            text: str | None
            if date_el is not None and views_spec == date_spec and prov.get("date") in _chain(date_spec):
                text, css = element_text(date_el), prov["date"]  # the date line carries the count
            else:
                text, css = _first_text(root, views_spec)
            vm = _count_in(text) if text else None
            if vm and _set_views(page, vm):
                prov["views"] = _views_rule(vm, css)
        if vm is None and (heur or not views_spec):
            vm, rule = rc.find_views_near(root, title_el, date_el, header_els())
            if vm and _set_views(page, vm):
                prov["views"] = rule

        # lead / author (profile selectors only)
        extra_els = []
        for key in ("lead", "author"):
            found, css = _first_elements(root, sels.get(key))
            if found:
                if not isinstance(found[0], str):
                    extra_els.append(found[0])
                setattr(page, key, _as_text(found[0]) or None)
                if getattr(page, key):
                    prov[key] = css

        # body
        exclude = [e for e in (*extra_els, title_el, date_el) if e is not None]
        if body_vals:
            page.body = "\n\n".join(clean_text(v) for v in body_vals if clean_text(v)) or None
        elif body_el is not None:
            page.body = block_text(body_el, exclude=exclude) or None
        if page.body:
            prov["body"] = body_css
        elif heur and body_css in _chain(sels.get("body")):  # the selected element is empty
            el, rule = ra.find_body(root, title_el, date_el)
            if el is not None:
                page.body = block_text(el, exclude=exclude) or None
                if page.body:
                    prov["body"] = rule

        # category: the last breadcrumb item matched
        cat_spec = sels.get("category")
        if cat_spec:
            for css in _chain(cat_spec):
                texts = _texts(root, css)
                if texts:
                    page.category = texts[-1]
                    prov["category"] = css
                    break
        else:
            page.category, rule = ra.find_category(root, page.title)
            if page.category:
                prov["category"] = rule

        # tags
        for css in _chain(sels.get("tags")):
            tags = _texts(root, css)
            if tags:
                page.tags = list(dict.fromkeys(tags))
                prov["tags"] = css
                break
        _finish(page, _ARTICLE_FIELDS)
        page.tags = [t for t in (safe_field(t, "tag") for t in page.tags[:MAX_TAGS]) if t]
        return page

    def __repr__(self) -> str:
        return f"<Profile {self.name}>"
