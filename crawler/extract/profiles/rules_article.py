"""Article-page rules: the title, the body block, the breadcrumb category and <meta> values."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ..dates import find_datetime
from ..text import clean_text, element_text, fold
from .rules_pages import _ARROWS
from .rules_regions import _SKIP_TAGS, _classes, _is_descendant, describe, in_boilerplate

_TITLE_CLASS_RE = re.compile(r"title|tieude|tieu-de|heading|headline|subject", re.IGNORECASE)
_TITLE_SEP_RE = re.compile(r"\s+[-|–—:»]\s+|\s*\|\s*")


def _folded_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def document_title(root) -> str:
    t = root.find(".//title")
    return element_text(t) if t is not None else ""


def meta_content(root, *names: str) -> str | None:
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").lower()
        if key in names:
            c = clean_text(m.get("content"))
            if c:
                return c
    return None


def find_title(root) -> tuple[object | None, str | None, str]:
    """Article title: the heading that the <title>/og:title starts with, else the h1 nearest a date."""
    doc_title = document_title(root)
    og = meta_content(root, "og:title", "twitter:title")
    ref = [_folded_words(t) for t in (og, doc_title) if t]
    body = root.find(".//body")
    scope = body if body is not None else root
    cache: dict = {}
    cands: list[list[Any]] = []  # [score, element, text, tag]
    seen = set()
    for el in scope.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        heading = tag in ("h1", "h2", "h3")
        classy = tag not in ("a", "img", "meta") and bool((cls := _classes(el)) and _TITLE_CLASS_RE.search(cls))
        if not (heading or classy) or el in seen:
            continue
        seen.add(el)
        text = element_text(el)
        n = len(text.split())
        if n < 2 or len(text) > 400:
            continue
        score = 0.0
        fw = _folded_words(text)
        if fw and any(r.startswith(fw) for r in ref):
            score += 6 + min(len(fw), 200) / 100
        if tag == "h1":
            score += 2
        elif tag == "h2":
            score += 1
        if classy:
            score += 1
        if n >= 4:
            score += 0.5
        if in_boilerplate(el, cache):
            score -= 6
        if score <= 0:
            continue
        cands.append([score, el, text, tag])
    if cands:
        cands.sort(key=lambda c: -c[0])
        top = cands[:6]
        for c in top:
            if c[0] < 6 and _date_after(c[1]):
                c[0] += 2.5
        top.sort(key=lambda c: -c[0])
        score, el, text, tag = top[0]
        if score >= 2:
            classes = (el.get("class") or "").split()
            sel = tag + ("." + classes[0] if classes else "")
            why = "matches <title>" if score >= 6 else "heading near the date"
            return el, text, f"auto: {sel} ({why})"
    if og:
        return None, og, "auto: meta og:title"
    if doc_title:
        parts = [p for p in _TITLE_SEP_RE.split(doc_title) if p.strip()]
        if parts:
            return None, parts[0].strip(), "auto: <title> minus site suffix"
    return None, None, ""


def _date_after(el, window: int = 15) -> bool:
    for nxt in el.xpath(f"following::*[position() <= {window}]"):
        if nxt.tag in _SKIP_TAGS:
            continue
        text = element_text(nxt)
        if len(text) <= 160 and find_datetime(text):
            return True
    return False


_INLINE = frozenset("a b i u em strong span font small big sub sup label abbr code mark s strike".split())


def find_body(root, title_el=None, date_el=None) -> tuple[object | None, str]:
    """The element holding most paragraph text after the title (links, boilerplate excluded)."""
    body = root.find(".//body")
    scope = body if body is not None else root
    skip_roots = [e for e in (title_el, date_el) if e is not None]
    scores: dict = defaultdict(float)  # keyed by element (keeps lxml proxies alive)
    for node in scope.iter():
        if not isinstance(node.tag, str):
            continue
        for txt, owner in ((node.text, node), (node.tail, node.getparent())):
            if not txt or owner is None:
                continue
            t = txt.strip()
            if len(t) < 25:
                continue
            para = owner
            skip = False
            while isinstance(para.tag, str) and para.tag.lower() in _INLINE:
                if para.tag.lower() == "a":
                    skip = True
                    break
                para = para.getparent()
                if para is None:
                    skip = True
                    break
            if skip or not isinstance(para.tag, str) or para.tag.lower() in _SKIP_TAGS:
                continue
            if any(para is r or _is_descendant(para, r) for r in skip_roots):
                continue
            tag = para.tag.lower()
            holder = para if tag in ("div", "td", "article", "section", "body") else para.getparent()
            if holder is None:
                continue
            scores[holder] += len(t)
            gp = holder.getparent()
            if gp is not None:
                scores[gp] += len(t) * 0.3
    if not scores:
        return None, ""
    cache: dict = {}
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:20]
    if title_el is not None:
        pos = {el: i for i, el in enumerate(scope.iter())}
        tpos = pos.get(title_el, 0)
        ranked = [
            (el, sc * (0.3 if pos.get(el, 0) < tpos and not _is_descendant(title_el, el) else 1.0))
            for el, sc in ranked
        ]
        ranked.sort(key=lambda kv: -kv[1])
    for el, _score in ranked:
        if in_boilerplate(el, cache):
            continue
        return el, f"auto: largest text block {describe(el)}"
    return None, ""


_CRUMB_RE = re.compile(r"bread-?crumb|crumbs?\b|duong-?dan|chuyen-?muc", re.IGNORECASE)
_HOME_WORDS = {"trang chu", "home", "trang chinh", "trang nhat"}


def _crumb_like(el) -> bool:
    """A short block of >= 2 links starting with "Trang chủ"/"Home" and separated by » > › / |."""
    if len(el) < 2:  # fewer than two children: fewer than two links
        return False
    links = [c for c in el if isinstance(c.tag, str) and c.tag.lower() in ("a", "span", "li")]
    if len(links) < 2 or el.tag in ("ul", "ol", "nav", "select"):
        return False
    first = links[0]
    first = first.find(".//a") if first.tag != "a" and first.find(".//a") is not None else first
    if fold(element_text(first)) not in _HOME_WORDS:
        return False
    seps = "".join((c.tail or "") for c in links) + (el.text or "")
    return any(ch in seps for ch in "»>›/|→") and len(element_text(el)) < 250


def find_category(root, title: str | None = None) -> tuple[str | None, str]:
    """Category: the last breadcrumb item that is not the article title itself."""
    skip = _folded_words(title) if title else None
    body = root.find(".//body")
    for el in (body if body is not None else root).iter():
        if not isinstance(el.tag, str):
            continue
        cls = _classes(el)
        if not ((cls and _CRUMB_RE.search(cls)) or _crumb_like(el)):
            continue
        texts = [element_text(x) for x in el.iter("a", "span", "li", "p")]
        texts = [t for t in texts if t and len(t) < 100 and t.strip(_ARROWS)]
        texts = [t for t in texts if not skip or _folded_words(t) != skip]
        if len(texts) >= 1 and fold(texts[-1]) not in _HOME_WORDS:
            return texts[-1], f"auto: last item of breadcrumb {describe(el)}"
    return None, ""


__all__ = [
    "document_title",
    "find_body",
    "find_category",
    "find_title",
    "meta_content",
]
