"""What a pager prints about the whole list besides its links: "Hiển thị 1 - 20 of 29 kết quả",
"Trang 2 / 5", "Tổng số 29 tin", read in the short blocks beside the pager."""

from __future__ import annotations

import re

from ..text import fold, raw_text
from ..types import PagerFacts

# "Hiển thị 1 - 20 of 29 kết quả", "Showing 21–29 of 29", "Kết quả 1 - 10 trong tổng số 45"
_RANGE_RE = re.compile(
    r"(?<![a-z])(?:hien\s*thi|showing|displaying|ket\s*qua|results?|tin|bai)\s*:?\s*(\d[\d.,]*)\s*(?:-|–|—|den|to)\s*(\d[\d.,]*)"
    r"\s*(?:of|trong\s*tong\s*so|trong\s*so|trong|tren\s*tong\s*so|tren|cua|/|tong\s*so)\s*(\d[\d.,]*)"
)
# "Trang 2 / 5", "Page 2 of 5", "Trang 2 trên 5"
_PAGES_RE = re.compile(r"(?:^|[^a-z])(?:trang|page)\s*(\d{1,5})\s*(?:/|of|tren|trong|cua)\s*(\d{1,5})(?![\d])")
# "Tổng số: 29 bản ghi", "Tổng số 29 tin", "Có 29 kết quả"
_TOTAL_RE = re.compile(r"(?:tong\s*so|tong\s*cong|co)\s*:?\s*(\d[\d.,]*)\s*(?:ban\s*ghi|tin|bai|ket\s*qua|muc|van\s*ban)")


_DIGIT_RE = re.compile(r"\d")


def _count(text: str) -> int | None:
    digits = re.sub(r"[.,]", "", text)
    return int(digits) if digits.isdigit() else None


def read_counts(facts: PagerFacts, scopes: list) -> None:
    """Fill `facts` from the printed totals in the short blocks beside each scope element (the
    pager, a pager link) and its parents, up to four levels up."""
    seen: set = set()
    for el in scopes:
        node = el
        for _ in range(4):  # the pager and the few blocks around it
            parent = node.getparent()
            if parent is None or (isinstance(parent.tag, str) and parent.tag in ("body", "html")):
                break
            for block in parent:
                if block in seen or not isinstance(block.tag, str):
                    continue
                seen.add(block)
                raw = raw_text(block)
                if len(raw) > 600 or not _DIGIT_RE.search(raw):
                    continue
                # element by element: "Trang 4 trên 4</span><a>1</a>" is not "trên 41"
                _count_text(facts, fold(" ".join(" ".join(block.itertext()).split())))
            node = parent


def _count_text(facts: PagerFacts, text: str) -> None:
    m = _RANGE_RE.search(text)
    if m and facts.total is None:
        first, last, total = (_count(g) for g in m.groups())
        if first is not None and last is not None and total is not None and first <= last <= total:
            facts.item_range, facts.total = (first, last), total
    m = _PAGES_RE.search(text)
    if m and facts.pages is None:
        cur, of = int(m.group(1)), int(m.group(2))
        if 1 <= cur <= of:
            facts.pages = of
            if facts.current is None:
                facts.current = cur
            facts.highest = max(facts.highest or 0, of)
    m = _TOTAL_RE.search(text)
    if m and facts.total is None:
        facts.total = _count(m.group(1))


__all__ = ["read_counts"]
