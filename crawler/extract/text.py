"""Text helpers: whitespace/NBSP normalisation, entity decoding, block text of HTML bodies."""

from __future__ import annotations

import html
import re
import threading
import unicodedata

from lxml import etree

# Python's \s already covers NBSP, U+2007, U+202F, U+3000; zero-width characters are removed.
_WS_RE = re.compile(r"\s+")
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_PARA_RE = re.compile(r"\n\s*\n")
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

BLOCK_TAGS = frozenset(
    """address article aside blockquote body center dd details dialog dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main menu nav ol p pre section
    summary table tbody thead tfoot tr td th ul caption""".split()
)
SKIP_TAGS = frozenset("script style noscript template iframe object embed svg head select option button".split())


def decode_entities(text: str) -> str:
    """Decode HTML entities, repeatedly, so double-escaped text (`&amp;aacute;`) comes out clean."""
    for _ in range(3):
        if "&" not in text or not _ENTITY_RE.search(text):
            break
        text = html.unescape(text)
    return text


def normalize_ws(text: str | None) -> str:
    """Map NBSP and other Unicode spaces to plain spaces, drop zero-width characters, collapse."""
    if not text:
        return ""
    if text.isprintable():  # no whitespace but " " and no zero-width characters (category Cf)
        if "  " not in text and text[0] != " " and text[-1] != " ":
            return text if type(text) is str else str(text)  # already normalised
    elif not text.isascii() and _ZERO_WIDTH_RE.search(text):
        text = _ZERO_WIDTH_RE.sub("", text)
    return " ".join(text.split())  # str.split() splits on all Unicode whitespace, NBSP included


def clean_text(text: str | None) -> str:
    """Entity-decode, NFC-normalise and whitespace-normalise a short string."""
    if not text:
        return ""
    if "&" in text:
        text = decode_entities(text)
    if text.isascii():  # ASCII is NFC and has no zero-width characters
        return " ".join(text.split())
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return normalize_ws(text)


def _fold_table() -> list[str]:
    """chr(cp) -> its base letter for U+00C0..U+1EFF; every other code point below U+2070 maps to
    itself, so str.translate finds an entry for nearly every character (a miss costs a KeyError)."""
    table = [chr(cp) for cp in range(0x2070)]
    for cp in range(0xC0, 0x1F00):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and len(base) == 1:
            table[cp] = base.lower()
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


_FOLD = _fold_table()


def folding_to(letter: str) -> str:
    """The lowercase characters that fold() turns into `letter` (itself included)."""
    return "".join(chr(cp) for cp, base in enumerate(_FOLD) if base == letter)


def fold(text: str) -> str:
    """Lowercase and strip Vietnamese diacritics (đ -> d), one output character per input one."""
    text = text.lower().translate(_FOLD)
    if not text.isascii() and any(unicodedata.combining(c) for c in set(text)):  # decomposed input
        text = "".join(c if not unicodedata.combining(c) else "" for c in text)
    return text


_STRING = etree.XPath("string()")
_PARSERS = threading.local()


class TooDeep(ValueError):
    """The page nests elements deeper than libxml2 parses (2048 levels with huge_tree): the
    parser stops there, so what follows would silently be missing."""


def parse_html(html: str | bytes | None):
    """Parse an HTML document with lxml's HTML parser (recovering from broken markup); TooDeep
    when it nests too deeply to be parsed whole."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        # no ID hash: nothing here calls XPath id(), and building it costs ~7% of a parse
        parser = _PARSERS.parser = etree.HTMLParser(
            recover=True, encoding="utf-8", huge_tree=True, collect_ids=False
        )
    data = html.encode("utf-8", "replace") if isinstance(html, str) else (html or b"")
    data = data.replace(b"\x00", b"").strip()
    root = etree.fromstring(data, parser=parser) if data else None
    for err in parser.error_log:
        if err.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT and "depth" in err.message:
            levels = re.search(r"\d+", err.message)
            raise TooDeep(f"page too deeply nested (over {levels.group() if levels else 2048} levels): not parsed")
    if root is None:
        root = etree.fromstring(b"<html><body></body></html>", parser=parser)
    return root


def raw_text(el) -> str:
    """All text under an element, as is (fast; scripts included)."""
    return _STRING(el)


def element_text(el) -> str:
    """Normalised text of an lxml element (or parsel Selector), scripts/styles excluded."""
    el = getattr(el, "root", el)
    if isinstance(el, str):
        return clean_text(el)
    if len(el) == 0:  # no child elements: the common case for titles, dates, labels
        tag = el.tag
        if not isinstance(tag, str) or tag.lower() in SKIP_TAGS:
            return ""
        return clean_text(el.text)
    parts: list[str] = []
    _collect_inline(el, parts)
    return clean_text("".join(parts))


def _collect_inline(el, parts: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None or tag.lower() in SKIP_TAGS:
        return
    spaced = tag.lower() in BLOCK_TAGS or tag.lower() == "br"
    if spaced:
        parts.append(" ")
    text = el.text
    if text:
        _glue(parts, text)
    for child in el:
        _collect_inline(child, parts)
        tail = child.tail
        if tail:
            _glue(parts, tail)
    if spaced:
        parts.append(" ")


def _glue(parts: list[str], text: str) -> None:
    """Append text; two numbers of two elements stay two tokens ("…, 2026</time><span>583 lượt
    xem" is "2026 583 lượt xem", not "2026583")."""
    if parts and text[0].isdigit() and parts[-1] and parts[-1][-1].isdigit():
        parts.append(" ")
    parts.append(text)


def block_text(el, exclude=()) -> str:
    """Text of an HTML container as paragraphs separated by blank lines.

    Block elements start new paragraphs, `<br>` starts a new line, scripts/styles are dropped,
    elements in `exclude` (lxml elements) are skipped.
    """
    el = getattr(el, "root", el)
    if isinstance(el, str):
        el = etree.fromstring(f"<div>{el}</div>", etree.HTMLParser())
    skip = {id(getattr(e, "root", e)) for e in exclude}
    out: list[str] = []
    _walk_block(el, out, skip, is_root=True)
    raw = "".join(out)
    # Lines of an entity-free NFC text are NFC too ("\n" never composes): only spaces to fix.
    clean = clean_text
    if "&" not in raw and (raw.isascii() or unicodedata.is_normalized("NFC", raw)):
        clean = normalize_ws
    paragraphs = []
    for chunk in _PARA_RE.split(raw):
        lines = [clean(line) for line in chunk.split("\n")]
        para = "\n".join(line for line in lines if line)
        if para:
            paragraphs.append(para)
    return "\n\n".join(paragraphs)


def _walk_block(el, out: list[str], skip: set[int], is_root: bool = False) -> None:
    tag = el.tag
    tag = tag.lower() if isinstance(tag, str) else None
    if tag is None or tag in SKIP_TAGS or id(el) in skip:
        if not is_root:
            _add_line_text(out, el.tail)
        return
    block = tag in BLOCK_TAGS
    if tag == "br":
        out.append("\n")
    elif block:
        out.append("\n\n")
    _add_line_text(out, el.text)
    for child in el:
        _walk_block(child, out, skip)
    if block:
        out.append("\n\n")
    if not is_root:
        _add_line_text(out, el.tail)


def _add_line_text(out: list[str], text: str | None) -> None:
    if text:
        out.append(text.replace("\n", " ") if "\n" in text else text)


# C0 controls except \t and \n, DEL, C1 controls, bidi embeddings/overrides/isolates
_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Longest value kept per text field (characters); longer values are cut at a word with "…".
LIMITS = {
    "title": 500,
    "published_text": 100,
    "category": 200,
    "author": 200,
    "lead": 2_000,
    "summary": 2_000,
    "body": 200_000,
    "tag": 100,
}
MAX_TAGS = 50


def strip_unsafe(text: str | None) -> str | None:
    """Remove control characters (C0 but \\t \\n, C1) and bidi override/isolate characters."""
    if not text or text.isprintable() and (type(text) is str or text.isascii()):
        return text  # printable: no control (Cc) or bidi (Cf) character to remove
    return _UNSAFE_RE.sub("", text)


def bound(text: str | None, limit: int) -> str | None:
    """`text` cut to at most `limit` characters at a word boundary, ending in "…"."""
    if text is None or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–|") + "…"


def safe_field(text: str | None, name: str) -> str | None:
    """A text field as stored: unsafe characters stripped, whitespace trimmed, length bounded."""
    text = strip_unsafe(text)
    if text is None:
        return None
    if name != "body":
        text = " ".join(text.split())
    return bound(text, LIMITS.get(name, 2_000)) or None
