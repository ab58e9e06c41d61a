"""undecodable(): binary served as text is caught; real portal pages are not."""

import os
from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.faults import undecodable

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_random_bytes_do_not_decode_whatever_the_declared_charset():
    body = os.urandom(40_000)
    for ct in (b"text/html", b"text/html; charset=utf-8", b"text/html; charset=windows-1258"):
        text = HtmlResponse("http://x/", body=body, headers={"Content-Type": ct}).text
        assert "does not decode as text" in (undecodable(text) or ""), ct


def test_real_portal_pages_and_a_stray_bad_character_are_text():
    pages = sorted(FIXTURES.glob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert undecodable(text) is None, page.name
        assert undecodable(text + "\ufffd\x01" * 3) is None, page.name
