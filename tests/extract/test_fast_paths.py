"""Fast paths answer as their plain definitions do: the class index as XPath, the header as a tree
walk, fold() by its table, the views label gate, strip_unsafe()."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from crawler.extract.profiles import PROFILES
from crawler.extract.profiles import rules_dates as rd
from crawler.extract.profiles.css import chain, page_selector, select, simple_steps
from crawler.extract.text import fold, parse_html, raw_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

HOSTILE = """<html><body>
<div class="x"><div class="x"><a href="/1">one</a></div><a href="/2">two</a></div>
<div class=" a\tb\nc\r "><span class="c">in abc</span></div>
<div class="a\xa0b"><span class="c">nbsp is no separator</span></div>
<div class="a\x0cb">form feed is no separator</div>
<div class="a a b"><p class="sapo">dup words</p></div>
<DIV CLASS="Upper">upper-case source</DIV>
<div class="asset-titles">substring only</div>
<div class="asset-title"><h3><a href="/3">t</a></h3></div>
<section class="o"><div class="m"><section class="o"><p class="i">deep</p></section></div></section>
<div class="m"><p class="i">no outer</p></div>
<!-- <div class="x">comment</div> --><?php class="x sapo" ?>
<ul class="crumbs"><li><a href="/">Home</a></li><li><span class="tintuc">Tin</span></li></ul>
<p class="">empty class</p><p class>bare class</p>
</body></html>"""

CSS = [
    ".x", "div.x", ".x a", "div.x a", ".a", ".b", ".c", "div.a.b", ".a .c", "div.a span.c", "a.b", ".a\xa0b",
    ".Upper", "div.Upper", ".upper", "DIV.Upper", ".asset-title", ".asset-title a", "div.asset-title h3 a",
    ".o .i", ".o .m .i", ".m .i", "section.o div.m p.i", ".o p", ".sapo", "p.sapo", ".crumbs a",
    ".crumbs span.tintuc", "ul.crumbs li", ".nothing", ".nothing a",
    # not simple: always XPath
    "a[href]", "div > a", "li:nth-child(2) a", ".x a::attr(href)", ".sapo::text", "*", "div a", "p", "#id",
]


def _pages() -> list[str]:
    pages = [HOSTILE]
    pages += [f.read_text(encoding="utf-8") for f in sorted(FIXTURES.glob("*.html"))]
    return pages


def _profile_css() -> list[str]:
    return sorted({css for prof in PROFILES.values() for spec in prof.defaults.values() for css in chain(spec)})


@pytest.mark.parametrize("page", range(len(_pages())))
def test_page_selector_matches_xpath(page):
    root = parse_html(_pages()[page])
    every = CSS + _profile_css()
    sel = page_selector(root, every)
    for css in every:
        want = select(root, css)
        got = sel(css)
        assert got == want, css  # the same nodes (lxml elements compare by identity), same order


def test_page_selector_on_simulated_pages():
    sim_mod = pytest.importorskip("simulator")
    from benchmarks.extract_bench import BASE, collect

    sim = sim_mod.Simulator(seed=3, articles_per_site=6)
    sim.base_url = BASE
    every = _profile_css()
    checked = 0
    for template in ("liferay", "tandan", "dnn", "plain"):
        arts, lists = collect(sim, template, 6, 2)
        assert arts and lists, template
        for _url, html in arts + lists:
            root = parse_html(html)
            sel = page_selector(root, every)
            for css in every:
                want = select(root, css)
                assert sel(css) == want, (template, css)
                checked += bool(want)
    assert checked > 100  # the selectors did match things


def test_simple_steps_accepts_only_class_chains():
    assert simple_steps("div.a .b span") == (("div", ("a",)), (None, ("b",)), ("span", ()))
    assert simple_steps("DIV.Upper") == (("div", ("Upper",)),)
    for css in ("a[href]", "div > a", "li:nth-child(3) a", ".x::text", "*", "div a", "p", ".a\xa0b", "\xa0.a", "#i", ""):
        assert simple_steps(css) is None, css
    assert simple_steps("div..x") is None  # invalid: select() raises when the chain reaches it


def test_invalid_selector_raises_only_when_reached():
    root = parse_html("<html><body><h1 class='t'>Tiêu đề</h1></body></html>")
    sel = page_selector(root, [("h1.t", "div..x")])
    assert [e.text for e in sel("h1.t")] == ["Tiêu đề"]
    with pytest.raises(ValueError, match="invalid CSS selector 'div..x'"):
        sel("div..x")


def _walk_following(el):
    node = el
    while node is not None:
        for sib in node.itersiblings():
            yield from (e for e in sib.iter() if isinstance(e.tag, str))
        node = node.getparent()


def _walk_preceding(el):
    node = el
    while node is not None:
        for sib in node.itersiblings(preceding=True):
            yield from (e for e in reversed(list(sib.iter())) if isinstance(e.tag, str))
        node = node.getparent()


@pytest.mark.parametrize("page", range(len(_pages())))
def test_header_elements_are_the_following_then_preceding_axes(page):
    """The header: up to 60 elements after the title (to the body or a long paragraph), then up to
    25 before it, nearest first; as a plain tree walk would list them."""
    root = parse_html(_pages()[page])
    els = [e for e in root.iter() if isinstance(e.tag, str)]
    for title in els[::2]:
        for body in (None, els[len(els) // 2]):
            fwd = []
            for e in _walk_following(title):
                if e is body or len(fwd) >= 60 or (e.tag == "p" and len(raw_text(e)) > 200):
                    break
                fwd.append(e)
            back = [e for _, e in zip(range(25), _walk_preceding(title), strict=False)]
            assert rd.header_elements(root, title, body) == fwd + back


def _fold_reference(text: str) -> str:
    """fold() by its definition: lowercase, base letter of U+00C0..U+1EFF (đ -> d), marks dropped."""
    out = []
    for ch in text.lower():
        if 0xC0 <= ord(ch) < 0x1F00:
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            if base != ch and len(base) == 1:
                ch = base.lower()
        out.append("d" if ch in "đĐ" else ch)
    folded = "".join(out)
    if any(unicodedata.combining(c) for c in folded):
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return folded


def test_fold_table_covers_every_character_as_defined():
    for cp in range(0x2200):
        if not 0xD800 <= cp < 0xE000:
            ch = chr(cp)
            assert fold(ch) == _fold_reference(ch), hex(cp)
            assert fold(f"Lượt {ch}xem") == _fold_reference(f"Lượt {ch}xem"), hex(cp)
    assert fold("SỐ LƯỢT XEM: 1.234 – “Đăng ngày”") == "so luot xem: 1.234 – “dang ngay”"
    assert fold("Lu\u031bo\u031b\u0323t xem") == "luot xem"  # decomposed input


def test_strip_unsafe_keeps_printable_text_and_removes_controls_and_bidi():
    from crawler.extract.text import strip_unsafe

    assert strip_unsafe("Lượt xem: 1.234 – “Hà Nội”") == "Lượt xem: 1.234 – “Hà Nội”"
    for bad in ("\x07", "\x1b", "\x85", "\u202a", "\u202e", "\u2066", "\u2069", "\x00"):
        assert strip_unsafe(f"Hà{bad} Nội") == "Hà Nội", repr(bad)
    assert strip_unsafe("dòng một\n\tdòng hai") == "dòng một\n\tdòng hai"


def test_label_gate_never_skips_text_whose_fold_holds_a_label():
    """The raw-text gate before fold() in the views rule: whenever the folded text holds a
    view-label word, the gate lets it through (it may let more through)."""
    import random

    from crawler.extract.profiles.rules_counts import _LABEL_HINT_RE, _LABEL_WORDS_RE

    rnd = random.Random(7)
    words = ["Lượt xem", "LƯỢT XEM", "lượt đọc", "Số lượt xem", "Views", "VIEW COUNT", "view",
             "Lu\u031bo\u031b\u0323t xem", "ḶƯỢṮ xem", "ṼÍÊŴ", "lượt  view", "Trang chủ", "Ngày đăng", "v iew"]
    noise = ["", " ", "a", "Hà Nội", "\u0301", "12", ":", "\xa0", "–"]
    through = 0
    for _ in range(20000):
        text = "".join(rnd.choice(noise + words) for _ in range(rnd.randint(1, 6)))
        if _LABEL_HINT_RE.search(fold(text)):
            assert _LABEL_WORDS_RE.search(text.lower()), repr(text)
            through += 1
    assert through > 1000
    assert not _LABEL_WORDS_RE.search("ngày đăng 19/11/2026 | trang chủ thông báo")
