"""CSS selector chains: compiled selectors, the first match of a chain, and a per-page class index.

A selector spec is a CSS selector or a tuple of alternatives tried in order; parsel's `::text` /
`::attr(name)` give strings instead of elements. `PageSelector` answers the simple class
selectors of a profile (`div.x`, `.x`, `.x .y`, `.x a`) on one page from a single scan of its
class attributes, with the same result as the compiled XPath; every other selector runs as XPath.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from ..text import clean_text, element_text

SelectorSpec = str | tuple[str, ...]
Select = Callable[[str], list]  # css -> matches in one scope

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


# ------------------------------------------------------------------ simple class selectors
_IDENT = r"-?[_A-Za-z][_A-Za-z0-9-]*"
_STEP_RE = re.compile(rf"(?P<tag>{_IDENT})?(?P<classes>(?:\.{_IDENT})*)")
_CSS_WS = re.compile(r"[ \t\n\r\f]+")
_XPATH_WS = str.maketrans("\t\n\r", "   ")  # normalize-space(): XML whitespace only

Step = tuple[str | None, tuple[str, ...]]  # (lowercase tag or None, class words)


@lru_cache(maxsize=2048)
def simple_steps(css: str) -> tuple[Step, ...] | None:
    """`div.a .b span` as ((tag, classes), …) when the selector is steps joined by descendant
    combinators, each a tag and/or classes with a class in every step but a last tag; else None."""
    if not isinstance(css, str):
        return None
    try:
        compile_css(css)
    except ValueError:
        return None  # select() raises it, when the selector is reached
    steps: list[Step] = []
    for part in _CSS_WS.split(css.strip(" \t\n\r\f")):
        m = _STEP_RE.fullmatch(part)
        if not part or m is None or not (m["tag"] or m["classes"]):
            return None
        classes = tuple(c for c in m["classes"].split(".") if c)
        steps.append(((m["tag"] or "").lower() or None, classes))
    if not steps or not all(cls for _, cls in steps[:-1]) or not (steps[-1][1] or len(steps) > 1):
        return None
    return tuple(steps)


def class_words(value: str | None) -> frozenset[str]:
    """The words of a class attribute as XPath's normalize-space() splits them."""
    return frozenset(w for w in value.translate(_XPATH_WS).split(" ") if w) if value else frozenset()


def _step_ok(el, step: Step) -> bool:
    tag, classes = step
    if tag is not None and el.tag != tag:
        return False
    return not classes or class_words(el.get("class")).issuperset(classes)


def _under(el, steps: tuple[Step, ...]) -> bool:
    """el has ancestors matching steps (outermost first), nearest ancestor taken greedily."""
    i = len(steps) - 1
    if i < 0:
        return True
    for anc in el.iterancestors():
        if _step_ok(anc, steps[i]):
            i -= 1
            if i < 0:
                return True
    return False


class PageSelector:
    """`select(root, css)` for one page, simple class selectors answered from one class scan.

    `plans` maps the simple selectors it will be asked to their steps and `words` holds their
    class words (the words the scan keeps); any other selector runs as XPath.
    """

    __slots__ = ("_by_word", "_plans", "_words", "root")

    def __init__(self, root, plans: dict[str, tuple[Step, ...]], words: frozenset[str]):
        self.root = root
        self._plans = plans
        self._words = words
        self._by_word: dict[str, list] | None = None

    def __call__(self, css: str) -> list:
        steps = self._plans.get(css)
        found = None if steps is None else self._match(steps)
        return select(self.root, css) if found is None else found

    def _index(self) -> dict[str, list]:
        """Class word -> the elements whose class attribute has it, in document order."""
        if self._by_word is None:
            words = self._words
            by_word: dict[str, list] = {w: [] for w in words}
            for el in self.root.iter(etree.Element):  # elements: no comments, no <?pi class="…"?>
                value = el.get("class")
                if not value:
                    continue
                if "\t" in value or "\n" in value or "\r" in value:
                    value = value.translate(_XPATH_WS)
                for w in value.split(" "):
                    if w in words:
                        held = by_word[w]
                        if not held or held[-1] is not el:  # "a a": once
                            held.append(el)
            self._by_word = by_word
        return self._by_word

    def _match(self, steps: tuple[Step, ...]) -> list | None:
        """Matches in document order; None when they cannot be put in order without XPath."""
        *outer, (tag, classes) = steps
        if classes:
            found = self._index()[classes[0]]
            if tag is None and len(classes) == 1 and not outer:  # ".x"
                return list(found)
            rest, up = (tag, classes[1:]), tuple(outer)
            return [el for el in found if _step_ok(el, rest) and _under(el, up)]
        # a tag after class steps (".x a"): descendants of the outer matches, in document order
        # when no outer match holds another (their subtrees are then disjoint and in order)
        holders = self._match(tuple(outer))
        if holders is None:
            return None
        held = set(holders)
        if any(anc in held for h in holders for anc in h.iterancestors()):
            return None
        return [e for h in holders for e in h.iter(tag) if e is not h]


@lru_cache(maxsize=256)
def _plans(chains: tuple[tuple[str, ...], ...]) -> tuple[dict[str, tuple[Step, ...]], frozenset[str]]:
    plans = {css: steps for ch in chains for css in ch if (steps := simple_steps(css))}
    return plans, frozenset(w for steps in plans.values() for _, cls in steps for w in cls)


def page_selector(root, specs: tuple) -> PageSelector:
    """A PageSelector for `root` that answers the simple selectors in specs from its class scan."""
    try:
        return PageSelector(root, *_plans_of(specs))
    except TypeError:  # an unhashable selector value (a list): its chain is a tuple
        pass
    try:
        return PageSelector(root, *_plans(tuple(chain(spec) for spec in specs)))
    except TypeError:  # not selectors at all: select() says so when one is reached
        return PageSelector(root, {}, frozenset())


@lru_cache(maxsize=256)
def _plans_of(specs: tuple) -> tuple[dict[str, tuple[Step, ...]], frozenset[str]]:
    return _plans(tuple(chain(spec) for spec in specs))


# ------------------------------------------------------------------ chains
def chain(spec: SelectorSpec | None) -> tuple[str, ...]:
    """The alternatives of a selector spec, in order ('' and None: none)."""
    if not spec:
        return ()
    return (spec,) if isinstance(spec, str) else tuple(s for s in spec if s)


def is_value_selector(css: str) -> bool:
    return "::text" in css or "::attr(" in css


def _scoped(scope) -> Select:
    return scope if isinstance(scope, PageSelector) else lambda css: select(scope, css)


def texts(scope, css: str) -> list[str]:
    """Texts of what css selects: one joined string for ::text/::attr(), else one per element.
    `scope` is an lxml element or a PageSelector."""
    found = _scoped(scope)(css)
    if is_value_selector(css):
        joined = clean_text(" ".join(str(v) for v in found))
        return [joined] if joined else []
    return [t for t in (element_text(e) for e in found) if t]


def first_text(scope, spec: SelectorSpec | None) -> tuple[str | None, str]:
    """(first text, its selector), or (None, "") when nothing in the chain matches."""
    for css in chain(spec):
        found = texts(scope, css)
        if found:
            return found[0], css
    return None, ""


def first_elements(scope, spec: SelectorSpec | None) -> tuple[list | None, str]:
    """(matches of the first selector that matches, that selector), or (None, "")."""
    sel = _scoped(scope)
    for css in chain(spec):
        found = sel(css)
        if is_value_selector(css):
            found = [str(v) for v in found if str(v).strip()]
        if found:
            return found, css
    return None, ""


def link_of(scope, spec: SelectorSpec | None):
    """(href, anchor element or None, text, selector) of the first link matched by spec."""
    for css in chain(spec):
        if is_value_selector(css):
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


def as_text(value) -> str:
    """Text of a match: a string cleaned, an element's normalised text."""
    return clean_text(value) if isinstance(value, str) else element_text(value)
