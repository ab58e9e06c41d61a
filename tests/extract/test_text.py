"""Text helpers."""

from parsel import Selector

from crawler.extract.text import block_text, clean_text, decode_entities, element_text, normalize_ws


def test_normalize_ws_nbsp_and_zero_width():
    assert normalize_ws("  a\xa0\xa0b\u200b c\n\t d ") == "a b c d"


def test_double_escaped_entities():
    assert decode_entities("Danh s&amp;aacute;ch tr&amp;ograve; chơi") == "Danh sách trò chơi"
    assert clean_text("Th&agrave;nh ph&ocirc;&nbsp;H&agrave; Nội") == "Thành phô Hà Nội"


def test_element_text_keeps_inline_words_together():
    el = Selector(text="<div>Th<b>à</b>nh <script>x()</script>phố<p>Hà Nội</p></div>").css("div")[0]
    assert element_text(el) == "Thành phố Hà Nội"


def test_block_text_paragraphs():
    html = (
        "<div><p>Đoạn  một,\n dòng tiếp.</p><p>&nbsp;</p><script>var a=1;</script>"
        "<style>p{}</style><p>Đoạn hai<br>dòng hai</p><ul><li>Mục</li></ul>tail</div>"
    )
    el = Selector(text=html).css("div")[0]
    assert block_text(el) == "Đoạn một, dòng tiếp.\n\nĐoạn hai\ndòng hai\n\nMục\n\ntail"


def test_block_text_excludes_elements():
    sel = Selector(text="<div><p>Thân bài.</p><p class='a'>Tác giả</p></div>")
    assert block_text(sel.css("div")[0], exclude=[sel.css("p.a")[0]]) == "Thân bài."
