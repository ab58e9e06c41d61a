"""Template-independent rules used by `auto` and as fallbacks by the selector profiles.

Everything works on lxml elements (parsel's `.root`). Each finder returns the value plus a short
rule description for provenance.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from ..dates import find_datetime
from ..numbers import match_view_count
from ..text import clean_text, element_text, fold, normalize_ws, raw_text
from ..urls import absolute_url, canonical_url

# ---------------------------------------------------------------- boilerplate regions
_BOILER_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_BOILER_RE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|menus|mainmenu|topmenu|submenu|megamenu|footer|"
    r"header|sidebar|side-bar|breadcrumbs?|pagination|pager|paging|banner|topbar|toolbar|"
    r"related|lienquan|tinlienquan|tin-lien-quan|tinkhac|tin-khac|other-news|othernews|"
    r"most-?viewed|xemnhieu|xem-nhieu|popular|comments?|share|social|copyright|site-?map|"
    r"portlet-site-map|widget|chan-?trang|dau-?trang)(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_BOILER_SUBSTR = ("menu", "sidebar", "footer", "breadcrumb", "pagination", "navbar", "nav_", "_nav")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "select", "option"})
_DOC_EXT_RE = re.compile(
    r"\.(?:jpe?g|png|gif|bmp|webp|svg|ico|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|mp[34]|avi|mov|wmv|"
    r"flv|txt|xml|rss|css|js|json)$",
    re.IGNORECASE,
)
_DATE_LABEL_RE = re.compile(
    r"(?:ngay\s*dang|dang\s*ngay|ngay\s*cap\s*nhat|cap\s*nhat|ngay\s*xuat\s*ban|xuat\s*ban|"
    r"publish|posted|published|updated|date|thoi\s*gian)",
)


def _classes(el) -> str:
    cls, id_ = el.get("class"), el.get("id")
    if not (cls or id_):  # most elements: no string to build
        return ""
    return f"{cls or ''} {id_ or ''}".strip()


def is_boilerplate(el, cache: dict | None = None) -> bool:
    """True when the element itself is a nav/menu/header/footer/sidebar/pager/related block."""
    if cache is not None and el in cache:
        return cache[el]
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    result = tag in _BOILER_TAGS
    if not result:
        cls = _classes(el)
        if cls:
            low = cls.lower()
            result = bool(_BOILER_RE.search(cls)) or any(s in low for s in _BOILER_SUBSTR)
    if cache is not None:
        cache[el] = result
    return result


def in_boilerplate(el, cache: dict | None = None, stop=None) -> bool:
    """True when el or an ancestor (up to, not including, `stop`) is boilerplate."""
    node = el
    while node is not None and node is not stop:
        if isinstance(node.tag, str) and node.tag.lower() in ("body", "html"):
            return False
        if is_boilerplate(node, cache):
            return True
        node = node.getparent()
    return False


def base_url(root, url: str) -> str:
    """The page URL, or its `<base href>` when present."""
    for b in root.iter("base"):
        href = (b.get("href") or "").strip()
        if href:
            return urljoin(url, href)
        break
    return url


def _host(netloc: str) -> str:
    h = netloc.lower().split("@")[-1].split(":")[0]
    return h[4:] if h.startswith("www.") else h


def usable_link(href: str | None, base: str, page_host: str) -> str | None:
    """Absolute, fragment-less URL of an on-site, non-document, non-javascript link, else None."""
    return _usable_link(href, base, page_host) if href else None


@lru_cache(maxsize=8192)
def _usable_link(href: str, base: str, page_host: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    low = href[:11].lower()
    if low.startswith(("javascript:", "mailto:", "tel:", "data:", "sms:", "callto:")):
        return None
    absu = absolute_url(base, href)
    parts = urlsplit(absu)
    if parts.scheme not in ("http", "https", "file"):
        return None
    if page_host and _host(parts.netloc) != page_host:
        return None
    if _DOC_EXT_RE.search(parts.path):
        return None
    return absu


# ---------------------------------------------------------------- list pages
_EXT_RE = re.compile(r"\.(s?html?|aspx?|php\d?|jsp|cfm|do)$", re.IGNORECASE)


@lru_cache(maxsize=8192)
def path_shape(url: str) -> tuple:
    """Abstract shape of a URL: literal directories, numeric parts abstracted, query keys."""
    parts = urlsplit(url)
    segs = [s for s in parts.path.split("/") if s]
    shape: list[str] = []
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        m = _EXT_RE.search(seg)
        ext = m.group(0).lower() if m else ""
        name = seg[: m.start()] if m else seg
        if name.isdigit():
            tok = "<n>"
        elif last:
            tok = "<name>" + ext
        elif re.search(r"\d", name):
            tok = "<x>" + ext
        else:
            tok = seg.lower()
        shape.append(tok)
    keys = tuple(sorted({k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return (tuple(shape), keys)


def _shape_label(shape: tuple) -> str:
    path = "/" + "/".join(shape[0])
    if shape[1]:
        path += "?" + "&".join(f"{k}=…" for k in shape[1])
    return path


def describe(el) -> str:
    """Short CSS-like name of an element for provenance, e.g. "div.asset-abstract"."""
    tag = el.tag if isinstance(el.tag, str) else "?"
    cls = (el.get("class") or "").split()
    return tag + ("." + cls[0] if cls else "")


class ListItem:
    """A list entry found by the heuristics: its container element, URL and link elements."""

    __slots__ = ("container", "url", "links", "extra")

    def __init__(self, container, url, links, extra=()):
        self.container = container
        self.url = url
        self.links = links
        # following siblings that belong to the item (e.g. <h3><a/></h3><p>date</p> with no wrapper)
        self.extra = list(extra)

    def text(self) -> str:
        parts = [raw_text(self.container)]
        parts.extend(raw_text(e) for e in self.extra)
        return " | ".join(parts)

    def blocks(self) -> list[str]:
        out = short_blocks(self.container, self.links)
        for e in self.extra:
            out.extend(short_blocks(e))
        return out


def find_list_items(root, page_url: str, base: str | None = None) -> tuple[list[ListItem], str]:
    """Largest group of repeated same-shape article links in the main content, with containers."""
    base = base or base_url(root, page_url)
    page_host = _host(urlsplit(page_url).netloc)
    page_canon = canonical_url(page_url)
    body = root.find(".//body")
    scope = body if body is not None else root
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    page_anc: dict = defaultdict(set)  # element -> on-site URLs linked below it
    for a in scope.iter("a"):
        u = usable_link(a.get("href"), base, page_host)
        if not u or canonical_url(u) == page_canon:
            continue
        groups[path_shape(u)].append((a, u))
        for anc in a.iterancestors():
            page_anc[anc].add(u)

    boiler_cache: dict = {}
    best: tuple | None = None
    for shape, links in groups.items():
        items = _group_items(links, boiler_cache, page_anc)
        if not items:
            continue
        titled = dated = viewed = 0
        for it in items:
            title = _best_link_text(it.links)
            if len(title.split()) >= 3 or len(title) >= 20:
                titled += 1
            text = it.text()
            if find_datetime(text):
                dated += 1
            if match_view_count(text):
                viewed += 1
        if titled == 0 and dated == 0:
            continue
        # dates are the strongest sign of a news list; then counts; then title-like link texts
        score = 3 * dated + viewed + titled
        if best is None or score > best[0]:
            best = (score, shape, items)
    if best is None:
        return [], "auto: no repeated article links found"
    _, shape, items = best
    items = _main_cluster(items)
    extra = _same_structure_items(items, groups, shape, base)
    cont = ", ".join(sorted({describe(it.container) for it in items}))
    rule = f"auto: {len(items)} repeated links {_shape_label(shape)} in containers {cont}"
    if extra:
        order = {el: i for i, el in enumerate(scope.iter())}
        items = sorted(items + extra, key=lambda it: order.get(it.container, 0))
        rule += f" (+{len(extra)} of other URL shapes in the same item structure)"
    return items, rule


def _same_structure_items(items: list[ListItem], groups: dict, shape: tuple, base: str) -> list[ListItem]:
    """Items of the list whose URL has another shape (a truncated slug, another suffix): links
    inside an element with the same tag/classes and parent as the list's item containers."""
    parents = {it.container.getparent(): None for it in items}
    parents.pop(None, None)
    sigs = {_signature(it.container) for it in items}
    taken = {it.container: None for it in items}
    have = {it.url for it in items}
    out: list[ListItem] = []
    for other, links in groups.items():
        if other == shape:
            continue
        for a, u in links:
            if u in have:
                continue
            for anc in a.iterancestors():
                if anc in parents:
                    break
                if anc.getparent() in parents and _signature(anc) in sigs:
                    if anc not in taken:
                        taken[anc] = None
                        have.add(u)
                        own = [x for x in anc.iter("a") if x.get("href") and absolute_url(base, x.get("href").strip()) == u]
                        out.append(ListItem(anc, u, own or [a]))
                    break
    return out


def _signature(el) -> tuple:
    return (el.tag, tuple(sorted((el.get("class") or "").split())))


def _main_cluster(items: list[ListItem]) -> list[ListItem]:
    """Drop items that sit in another block (e.g. a "most read" box using the same URL shape):
    keep the best-scoring sibling cluster plus clusters of the same container type or region."""
    clusters: dict = defaultdict(list)  # container parent -> items
    for it in items:
        clusters[it.container.getparent()].append(it)
    if len(clusters) <= 1:
        return items

    def score(cl):
        return sum(3 * bool(find_datetime(raw_text(it.container))) + 1 for it in cl)

    best_parent, best = max(clusters.items(), key=lambda kv: score(kv[1]))
    sigs = {_signature(it.container) for it in best}
    region = best_parent.getparent() if best_parent is not None else None
    keep: set[int] = set()
    for parent, cl in clusters.items():
        same_region = parent is best_parent or (
            region is not None and parent is not None and parent.getparent() is region
        )
        if same_region or any(_signature(it.container) in sigs for it in cl):
            keep.update(id(it) for it in cl)
    return [it for it in items if id(it) in keep]


def _group_items(links: list[tuple], boiler_cache: dict, page_anc: dict) -> list[ListItem]:
    """One item per URL; its container is the highest ancestor holding no other URL of the group
    (for a lone URL: no other link at all)."""
    by_url: dict[str, list] = defaultdict(list)
    for a, u in links:
        by_url[u].append(a)
    if len(by_url) > 1:
        anc_urls: dict = defaultdict(set)  # keyed by element: keeps lxml proxies alive
        for a, u in links:
            for anc in a.iterancestors():
                anc_urls[anc].add(u)
    else:
        anc_urls = page_anc
    group_anchors = {a for a, _ in links}
    items = []
    for u, anchors in by_url.items():
        anchor = max(anchors, key=lambda a: len(element_text(a)))
        container = anchor
        for anc in anchor.iterancestors():
            tag = anc.tag.lower() if isinstance(anc.tag, str) else ""
            if tag in ("body", "html") or len(anc_urls.get(anc, ())) > 1:
                break
            container = anc
        parent = container.getparent()
        if parent is not None and in_boilerplate(parent, boiler_cache):
            continue
        if container is not anchor and is_boilerplate(container, boiler_cache):
            continue
        own = [a for a in anchors if a is container or _is_descendant(a, container)]
        items.append(ListItem(container, u, own or [anchor], _trailing_siblings(container, group_anchors)))
    # keep document order
    order = {id(a): i for i, (a, _) in enumerate(links)}
    items.sort(key=lambda it: min(order[id(a)] for a in it.links))
    return items


def _trailing_siblings(container, group_anchors: set, limit: int = 3) -> list:
    """Siblings after a container that has no date of its own, up to the next item's link."""
    if find_datetime(raw_text(container)):
        return []
    out: list = []
    sib = container.getnext()
    while sib is not None and len(out) < limit:
        if isinstance(sib.tag, str) and sib.tag.lower() not in _SKIP_TAGS:
            if sib in group_anchors or any(a in group_anchors for a in sib.iter("a")):
                break
            out.append(sib)
        sib = sib.getnext()
    return out


def _is_descendant(el, ancestor) -> bool:
    for anc in el.iterancestors():
        if anc is ancestor:
            return True
    return False


def _best_link_text(anchors) -> str:
    best = ""
    for a in anchors:
        t = element_text(a) or clean_text(a.get("title")) or ""
        if not t:
            for img in a.iter("img"):
                t = clean_text(img.get("alt") or img.get("title"))
                break
        if len(t) > len(best):
            best = t
    return best


def item_title(item: ListItem) -> str | None:
    return _best_link_text(item.links) or None


def short_blocks(container, link_els=(), limit: int = 160) -> list[str]:
    """Texts of the maximal descendants with short text (document order), link elements excluded."""
    excl = set(link_els)
    has_excl: set = set()
    for a in link_els:
        for anc in a.iterancestors():
            has_excl.add(anc)
            if anc is container:
                break
    out: list[str] = []

    def walk(el):
        if el not in has_excl:
            raw = raw_text(el)
            if len(raw) <= limit or len(normalize_ws(raw)) <= limit:
                out.append(element_text(el))
                return
        if el.text:
            out.append(el.text)
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag.lower() not in _SKIP_TAGS and child not in excl:
                walk(child)
            if child.tail:
                out.append(child.tail)

    if isinstance(container.tag, str):
        walk(container)
    return [t for t in (clean_text(x) for x in out) if t]


def item_summary(container, link_els=(), date_text: str | None = None, blocks: list[str] | None = None) -> str | None:
    """The longest text of the item that is not the title, the date line or the count."""
    if blocks is None:
        blocks = short_blocks(container, link_els, limit=1000)
    best = ""
    for text in blocks:
        if date_text and date_text in text and len(text) < len(date_text) + 40:
            continue
        if len(text) < 80 and match_view_count(text):
            continue
        if len(text) > len(best):
            best = text
    return best if len(best) >= 30 else None


# ---------------------------------------------------------------- pagination
_PAGE_KEY_RE = re.compile(
    r"^(?:page|p|pg|paged|pageindex|page_index|pagenum|pagenumber|pageno|page_no|trang|"
    r"currentpage|current_page|cur|start_page)$|_cur$|cur$",
    re.IGNORECASE,
)
_PAGE_PATH_RE = re.compile(r"/(?:trang|page|p|pages?)[-/_](\d{1,5})(?:\.\w+)?/?$", re.IGNORECASE)
_NEXT_WORDS = {
    "tiep", "tiep theo", "trang sau", "trang tiep", "trang tiep theo", "sau", "next", "next page",
    "xem tiep", "ke tiep",
}
_LAST_WORDS = {"cuoi", "cuoi cung", "trang cuoi", "last", "end"}
_ARROWS = "<>»«›‹→←-|.:()[] "


@lru_cache(maxsize=8192)
def page_number(url: str) -> tuple[str, int] | None:
    """(pager key, page number) read from a list URL, e.g. ("_101_cur", 2), or None."""
    parts = urlsplit(url)
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if _PAGE_KEY_RE.search(k) and v.isdigit():
            return k.lower(), int(v)
    m = _PAGE_PATH_RE.search(parts.path)
    if m:
        return "<path>", int(m.group(1))
    return None


def find_next_page(root, page_url: str, base: str | None = None) -> tuple[str | None, str]:
    """URL of the next list page by rel=next, a "Tiếp"/"Trang sau"/"next" link, or page N+1."""
    base = base or base_url(root, page_url)
    page_host = _host(urlsplit(page_url).netloc)
    page_canon = canonical_url(page_url)
    cur_info = page_number(page_url)
    cur = cur_info[1] if cur_info else 1
    for link in root.iter("link"):
        if "next" in (link.get("rel") or "").lower().split():
            u = usable_link(link.get("href"), base, page_host)
            if u:
                return u, "auto: <link rel=next>"
    best: tuple[float, str, str] | None = None
    for a in root.iter("a"):
        u = usable_link(a.get("href"), base, page_host)
        if not u or canonical_url(u) == page_canon:
            continue
        parent = a.getparent()
        if parent is not None and "disabled" in (parent.get("class") or "").lower():
            continue
        pn = page_number(u)
        if pn and pn[1] <= cur:
            continue
        text = fold(element_text(a))
        core = text.strip(_ARROWS)
        attr = fold(" ".join(filter(None, (a.get("title"), a.get("aria-label"))))).strip(_ARROWS)
        rel = (a.get("rel") or "").lower().split()
        score, rule = 0.0, ""
        if "next" in rel:
            score, rule = 10, "auto: a[rel=next]"
        elif core in _NEXT_WORDS or attr in _NEXT_WORDS:
            score, rule = 8, f"auto: link text '{element_text(a) or attr}'"
        elif core in _LAST_WORDS or attr in _LAST_WORDS:
            continue
        elif pn and pn[1] == cur + 1 and (cur_info is None or pn[0] == cur_info[0]):
            score, rule = 6 if core == str(cur + 1) else 5, f"auto: page {cur + 1} via '{pn[0]}'"
        elif core == str(cur + 1):
            score, rule = 4, f"auto: link text '{cur + 1}' in pager"
        elif not core and text and any(c in text for c in "»›>→") and not any(c in text for c in "«‹<←"):
            if pn and pn[1] > cur + 1:
                score, rule = 1, f"auto: arrow link '{text.strip()}'"
            else:
                score, rule = 3, f"auto: arrow link '{text.strip()}'"
        if score and (best is None or score > best[0]):
            best = (score, u, rule)
    if best is None:
        return None, ""
    return best[1], best[2]


# ---------------------------------------------------------------- article pages
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
    "ListItem",
    "base_url",
    "find_body",
    "find_category",
    "find_list_items",
    "find_next_page",
    "find_title",
    "in_boilerplate",
    "is_boilerplate",
    "item_summary",
    "item_title",
    "page_number",
    "short_blocks",
    "path_shape",
    "usable_link",
]
