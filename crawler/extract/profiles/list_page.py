"""Reading a list page: its items by the profile's selectors (else the list rules), each item's
fields as a chain (item selector, then the item rules), and the next-page link."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from ..dates import find_datetime
from ..text import element_text, parse_html
from ..types import ListEntry, ListHint, ListPage
from ..urls import absolute_url, canonical_url
from . import rules_counts as rc
from . import rules_dates as rd
from . import rules_lists as rl
from . import rules_pages as rp
from . import rules_regions as rr
from .css import first_elements, first_text, is_value_selector, link_of
from .fields import ENTRY_FIELDS, count_in, finish, no_digits, set_date, set_views, views_rule

_CLASS_RE = re.compile(r"[A-Za-z_][\w-]*")


def read_list(html: str, url: str, sels: dict, fallback: bool, now: datetime, hint: ListHint | None = None,
              limit: int | None = None) -> ListPage:
    """Entries (url, title, date, views, summary) of a list page, the next page URL and what the
    pager prints, by the selectors `sels` (then the rules, when `fallback` or a selector is
    missing; the rules try `hint`, the site's list found on an earlier page, first); at most
    `limit` items are read (a page of 100,000 links costs no more than its first `limit`)."""
    root = parse_html(html)
    base = rr.base_url(root, url)
    prov: dict[str, str] = {}
    entries: list[ListEntry] = []
    learned = None
    n_items = 0
    items, item_css = first_elements(root, sels.get("list_item"))
    if items and item_css and not is_value_selector(item_css):
        prov["list_item"] = item_css
        seen: set[str] = set()
        n_items = len(items)
        for item in items[:limit]:
            entry = _entry_from_item(item, base, sels, prov, now, fallback)
            if entry and entry.url not in seen:
                seen.add(entry.url)
                entries.append(entry)
    elif fallback or not sels.get("list_item"):
        found, rule, learned = rl.find_list_items(root, url, base, hint)
        prov["list_item"] = rule
        if found:
            prov["item_link"] = "auto: repeated link in the item"
            prov["title"] = "auto: longest link text in the item"
        # the profile's item selectors do not fit this page: read items by the rules alone, or
        # by the selectors learned on an earlier page of the site (then the rules)
        item_sels = {k: v for k, v in sels.items() if not k.startswith("item_")}
        if learned is not None and learned is hint:
            item_sels.update({k: v for k, v in (("item_date", hint.date), ("item_views", hint.views),
                                                  ("item_summary", hint.summary)) if v})
        n_items = len(found)
        found = found[:limit]
        for it in found:
            entries.append(_entry_from_container(it, item_sels, prov, now, fallback))
        if learned is not None and learned is not hint:
            learned = _learn_fields(learned, found, entries)
    next_url = None
    pager = rp.read_pager(root, url, base)
    here, canon = rp.page_number(url), canonical_url(url)
    links, next_css = first_elements(root, sels.get("next_page"))
    for cand in links or ():
        href: str | None
        if isinstance(cand, str):
            href = cand
        else:
            a = cand if cand.tag == "a" else next(cand.iter("a"), None)
            href = a.get("href") if a is not None else None
        u = rr.usable_link(href, base, "")
        # the selector's link must be the page after this one (never another numbered page)
        if u and pager.accepts(u, here, canon):
            next_url = u
            prov["next_page"] = next_css
            break
    if next_url is None and not (sels.get("next_page") and not fallback) and pager.next_url:
        next_url = pager.next_url
        prov["next_page"] = pager.rule
    for entry in entries:
        finish(entry, ENTRY_FIELDS)
    return ListPage(entries=entries, next_url=next_url, provenance=prov, pager=pager.facts, hint=learned,
                    items=max(n_items, len(entries)))

def _learn_fields(hint: ListHint, items: list, entries: list[ListEntry]) -> ListHint:
    """The hint with the CSS selectors (inside an item) that give exactly what the rules read
    from every item of this page: the date, the count and the summary."""
    def date_of(text):
        m = find_datetime(text) if text else None
        return (m.value, m.text) if m else None

    def views_of(text):
        vm = count_in(text) if text else None
        return vm.value if vm else None

    fields = (
        ("date", lambda e: (e.published_at, e.published_text) if e.published_at else None, date_of),
        ("views", lambda e: e.views, views_of),
        ("summary", lambda e: e.summary, lambda text: text or None),
    )
    learned: dict[str, str] = {}
    texts: dict = {}  # element -> its text, shared by the three fields
    for name, expected, read in fields:
        if not any(expected(e) is not None for e in entries):
            continue
        for css in _candidate_selectors(items, entries, expected, read, texts):
            if all(read(first_text(it.container, css)[0]) == expected(e) for it, e in zip(items, entries, strict=True)):
                learned[name] = css
                break
    if not learned:
        return hint
    return replace(hint, date=learned.get("date"), views=learned.get("views"), summary=learned.get("summary"))


def _candidate_selectors(items: list, entries: list[ListEntry], expected, read, texts: dict) -> list[str]:
    """CSS selectors of the smallest element that holds the value in the first item that has one
    (`texts`: element texts already computed)."""
    for it, e in zip(items, entries, strict=True):
        want = expected(e)
        if want is None:
            continue
        best = None
        for el in it.container.iter():
            if not isinstance(el.tag, str) or el.tag in ("a", "script", "style"):
                continue
            text = texts.get(el)
            if text is None:
                text = texts[el] = element_text(el)
            if text and read(text) == want and (best is None or len(text) < best[1]):
                best = (el, len(text))
        if best is None:
            return []
        el = best[0]
        out = [f"{el.tag}.{c}" for c in (el.get("class") or "").split() if _CLASS_RE.fullmatch(c)]
        parent = el.getparent()
        if parent is not None and parent is not it.container:
            out += [f"{parent.tag}.{c} {el.tag}" for c in (parent.get("class") or "").split() if _CLASS_RE.fullmatch(c)]
        return out
    return []


def _entry_from_item(
    item, base: str, sels: dict, prov: dict, now: datetime, fallback: bool
) -> ListEntry | None:
    href, anchor, title, link_css = link_of(item, sels.get("item_link") or "a[href]")
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
    _fill_item_fields(entry, item, links, sels, prov, now, fallback)
    return entry

def _entry_from_container(it: rl.ListItem, sels: dict, prov: dict, now: datetime, fallback: bool) -> ListEntry:
    entry = ListEntry(url=it.url, title=rl.item_title(it))
    _fill_item_fields(entry, it.container, lambda: it.links, sels, prov, now, fallback, it.blocks)
    return entry

def _fill_item_fields(
    entry: ListEntry, item, links, sels: dict, prov: dict, now: datetime, fallback: bool, get_blocks=None
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
        text, css = first_text(item, date_spec)
        m = find_datetime(text) if text else None
        if m and set_date(entry, m, now):
            prov.setdefault("date", css)
        elif m is None and (not text or no_digits(text)):
            empty = first_elements(item, date_spec)[0] is not None
    if m is None and not empty and (fallback or not date_spec):
        m, rule = rd.item_date(item, links(), item_blocks())
        if m and set_date(entry, m, now):
            prov.setdefault("date", rule)
    # views: the item_views selector, then the item rules
    views_spec = sels.get("item_views")
    vm = None
    if views_spec:
        if views_spec != date_spec:  # else: reuse the date element's text
            text, css = first_text(item, views_spec)
        vm = count_in(text) if text else None
        if vm and set_views(entry, vm):
            prov.setdefault("views", views_rule(vm, css))
    if vm is None and (fallback or not views_spec):
        vm, rule = rc.item_views(item, links(), item_blocks())
        if vm and set_views(entry, vm):
            prov.setdefault("views", rule)
    # summary
    sum_spec = sels.get("item_summary")
    if sum_spec:
        text, css = first_text(item, sum_spec)
        if text:
            entry.summary = text
            prov.setdefault("summary", css)
    elif not sels.get("list_item") or prov.get("list_item", "").startswith("auto"):
        s = rl.item_summary(item, links(), entry.published_text, item_blocks())
        if s:
            entry.summary = s
            prov.setdefault("summary", "auto: longest text block in the item")
