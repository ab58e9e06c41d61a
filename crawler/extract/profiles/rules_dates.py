"""Date rules used by `auto` and as every profile's fallback: list items and the article header.

The article rules read only the header region (around the title, before the body): a date in the
body text ("Công văn số … ngày 10/10/2017") is never a publication date.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from ..dates import DateMatch, find_datetime
from ..text import element_text, fold, raw_text
from .rules_article import meta_content
from .rules_items import short_blocks
from .rules_regions import _SKIP_TAGS, in_boilerplate, is_boilerplate

_DATE_LABEL_RE = re.compile(
    r"(?:ngay\s*dang|dang\s*ngay|ngay\s*cap\s*nhat|cap\s*nhat|ngay\s*xuat\s*ban|xuat\s*ban|"
    r"publish|posted|published|updated|date|thoi\s*gian)",
)

_META_DATES = ("article:published_time", "datepublished", "pubdate", "date", "dc.date.issued")


_STAMP_PROPS = ("dc:date", "dc:created", "datepublished", "datecreated", "article:published_time")


def stamp(el) -> str | None:
    """The machine-readable publication time an element carries: `<time datetime>`, RDFa
    (`property="dc:date"` with `content`, Drupal's submitted line) or microdata
    (`itemprop="datePublished"`)."""
    if el.tag == "time":
        return el.get("datetime")
    prop = el.get("property") or el.get("itemprop")
    if prop and any(p in prop.lower() for p in _STAMP_PROPS):
        return el.get("content") or el.get("datetime")
    return None


def _time_element(t) -> DateMatch | None:
    """The date of a `<time datetime=…>` (or RDFa/microdata) element: the attribute when it has
    a time of day, else the printed text (when it parses), else the attribute."""
    attr = (stamp(t) or "").strip()
    am = find_datetime(attr) if attr else None
    text = element_text(t)
    tm = find_datetime(text) if text else None
    if am and ("T" in attr or " " in attr or tm is None):
        return DateMatch(am.value, tm.text if tm else am.text)
    return tm


def item_date(container, link_els=(), blocks: list[str] | None = None) -> tuple[DateMatch | None, str]:
    """Publication date in a list item: <time datetime>, then labelled/timed dates, never from
    the title link."""
    for t in container.iter():
        if isinstance(t.tag, str) and t.tag != "meta" and stamp(t):
            m = _time_element(t)
            if m:
                return m, "auto: <time datetime> in item"
            break
    if blocks is None:
        blocks = short_blocks(container, link_els)
    first = None
    for text in blocks:
        m = find_datetime(text)
        if not m or not date_line(text, m.text):  # not from the summary's sentences
            continue
        strong = ":" in m.text or bool(_DATE_LABEL_RE.search(fold(text)))
        if strong:
            return m, "auto: labelled/timed date in item text"
        if first is None:
            first = m
    if first is None:
        return None, ""
    return first, "auto: first date in item text"


def header_elements(root, title_el, body_el=None, after: int = 60, before: int = 25) -> list:
    """Elements of the article header: after the title up to the body (document order), then
    before the title (nearest first). Stops at the body element or a body-sized paragraph."""
    if title_el is None:
        body = root.find(".//body")
        seq: list = []
        for e in (body if body is not None else root).iter():
            if e is body_el or len(seq) >= 400:
                break
            if isinstance(e.tag, str):
                seq.append(e)
        return seq
    fwd: list = []
    for e in _following(title_el, after=after):
        if e is body_el or (e.tag == "p" and len(raw_text(e)) > 200):
            break
        fwd.append(e)
    return fwd + _preceding(title_el, before=before)


@lru_cache(maxsize=32)
def compile_axis(axis: str, n: int) -> etree.XPath:
    return etree.XPath(f"{axis}::*[position() <= {n}]")


def _following(el, after: int) -> list:
    """The first `after` elements after `el` in document order, its descendants excluded."""
    return compile_axis("following", after)(el) if after > 0 else []


def _preceding(el, before: int) -> list:
    """The `before` nearest elements before `el`, nearest first, its ancestors excluded."""
    found = compile_axis("preceding", before)(el) if before > 0 else []
    found.reverse()  # XPath answers in document order
    return found


def machine_date(root, elements) -> tuple[DateMatch | None, object | None, str]:
    """Machine-readable publication date: <time datetime> in the header, else meta tags."""
    for el in elements:
        if el.tag != "meta" and stamp(el):
            m = _time_element(el)
            if m:
                return m, el, "auto: <time datetime> in the header" if el.tag == "time" else "auto: RDFa/microdata date in the header"
    iso = meta_content(root, *_META_DATES)
    m = find_datetime(iso) if iso else None
    if m:
        return m, None, "auto: meta article:published_time"
    return None, None, ""


def find_date_near(root, title_el, body_el=None, elements=None) -> tuple[DateMatch | None, object | None, str]:
    """Publication date in the article header: machine-readable first, then the first labelled
    or timed date after the title, then before it; never from the body."""
    if elements is None:
        elements = header_elements(root, title_el, body_el)
    m, el, rule = machine_date(root, elements)
    if m:
        return m, el, rule
    cache: dict = {}
    first = None
    for el in elements:
        if el.tag in _SKIP_TAGS or (el.tag == "a" and title_el is not None):
            continue
        text = element_text(el)
        if not text or len(text) > 160:
            continue
        m = find_datetime(text)
        if not m or not date_line(text, m.text):
            continue
        if title_el is None and in_boilerplate(el, cache):
            continue
        strong = ":" in m.text or bool(_DATE_LABEL_RE.search(fold(text)))
        if strong:
            return m, el, "auto: first labelled/timed date near the title"
        if first is None:
            first = (m, el)
    if first:
        return first[0], first[1], "auto: first date near the title"
    return None, None, ""


# a date that belongs to a cited document, a deadline or a signature line: never a publication date
_CITATION_RE = re.compile(
    r"(?:^|[^a-z])so\s*:?\s*\d+\s*/|ky\s*hieu|ngay\s*(?:ban\s*hanh|hieu\s*luc|ky)|"
    r"(?:truoc|den|tu|sau|cho\s*den)\s*ngay|"
    r"(?:cong\s*van|quyet\s*dinh|ke\s*hoach|thong\s*tu|nghi\s*dinh|nghi\s*quyet|chi\s*thi|to\s*trinh|"
    r"bao\s*cao|thong\s*bao|huong\s*dan|van\s*ban|luat)\b.*\bngay\s*\d|"
    r"ngay\s*\d{1,2}\s*thang\s*\d{1,2}\s*nam"
)
_WORD_RE = re.compile(r"[^\W\d_]+")


def date_line(text: str, date_text: str) -> bool:
    """Does this short text read as a date line ("Ngày đăng 01/08/2020 | 16:20", "17/05/2017 |
    2:48 PM", "Cập nhật: …")? Not a sentence, not a cited document ("Công văn số 2027/STTTT-BCVT
    ngày 10/10/2017"), not a deadline ("trước ngày 30/9/2016")."""
    folded = fold(text)
    if _CITATION_RE.search(folded):
        return False
    rest = fold(text.replace(date_text, " ", 1))
    return len(_WORD_RE.findall(rest)) <= 10 or bool(_DATE_LABEL_RE.search(rest))


_META_CLASS_RE = re.compile(r"date|time|ngay|publish|created|posted|meta|info|thoi-?gian", re.IGNORECASE)


def date_after_body(body_el, after: int = 30) -> tuple[DateMatch | None, object | None, str]:
    """A publication date in the info line right after the article text (Liferay 7 metadata,
    some themes): a short labelled date, or one in an element classed as a date/meta line, up
    to the next section; the body itself is never read."""
    for el in compile_axis("following", after)(body_el):
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP_TAGS:
            continue
        if tag in ("h1", "h2", "h3", "h4", "aside", "nav") or sum(1 for _ in el.iter("a")) >= 3:
            break
        if is_boilerplate(el):  # a page footer, a sidebar (an article's own <footer> is not)
            break
        for x in el.iter():  # a machine-readable time in this block first
            if isinstance(x.tag, str) and x.tag != "meta" and stamp(x):
                m = _time_element(x)
                if m:
                    return m, x, "auto: <time datetime> after the body"
        text = element_text(el)
        if not text or len(text) > 100:
            continue
        m = find_datetime(text)
        if not m or not date_line(text, m.text):
            continue
        labelled = bool(_DATE_LABEL_RE.search(fold(text)))
        near = [el, *list(el.iterancestors())[:2]]  # the element and its wrapper
        classed = any(_META_CLASS_RE.search(x.get("class") or x.get("itemprop") or "") for x in near)
        if labelled or classed:
            return m, el, "auto: date in the info line after the body"
    return None, None, ""
