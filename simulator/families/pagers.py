"""The pagers of the CMS families, as lists of entries the templates print.

Each entry is a dict: ``kind`` ("first", "prev", "num", "cur", "dots", "next", "last"),
``n`` (1-based page, where it has one) and ``href`` (as printed: absolute, site-absolute,
document-relative or query-only, as the CMS writes it; None for disabled buttons).
"""

from __future__ import annotations

from collections.abc import Callable

Entry = dict


def _e(kind: str, n: int | None = None, href: str | None = None) -> Entry:
    return {"kind": kind, "n": n, "href": href}


def wordpress(
    cur: int, last: int, href: Callable[[int], str], mid: int = 2, end: int = 1
) -> list[Entry]:
    """``paginate_links()`` (wp-includes/general-template.php): ``end_size`` pages at either
    end, ``mid_size`` either side of the current one, one "dots" entry per gap."""
    out: list[Entry] = []
    if cur > 1:
        out.append(_e("prev", cur - 1, href(cur - 1)))
    dots = False
    for n in range(1, last + 1):
        if n == cur:
            out.append(_e("cur", n))
            dots = True
        elif n <= end or cur - mid <= n <= cur + mid or n > last - end:
            out.append(_e("num", n, href(n)))
            dots = True
        elif dots:
            out.append(_e("dots"))
            dots = False
    if cur < last:
        out.append(_e("next", cur + 1, href(cur + 1)))
    return out


def window(cur: int, last: int, href: Callable[[int], str], quantity: int,
           ends: bool = True, first_last: bool = False) -> list[Entry]:  # fmt: skip
    """A window of ``quantity`` page numbers around the current one (Drupal's pager, Joomla's
    JPagination): prev/next, "dots" where numbers are left out (``ends``), first/last buttons."""
    middle = (quantity + 1) // 2
    lo, hi = cur - middle + 1, cur + quantity - middle
    if hi > last:
        lo, hi = lo - (hi - last), last
    if lo < 1:
        hi, lo = min(last, hi + (1 - lo)), 1
    out: list[Entry] = []
    if first_last:
        out.append(_e("first", 1, href(1) if cur > 1 else None))
    out.append(_e("prev", cur - 1, href(cur - 1) if cur > 1 else None))
    if ends and lo > 1:
        out.append(_e("dots"))
    out += [_e("cur", n) if n == cur else _e("num", n, href(n)) for n in range(lo, hi + 1)]
    if ends and hi < last:
        out.append(_e("dots"))
    out.append(_e("next", cur + 1, href(cur + 1) if cur < last else None))
    if first_last:
        out.append(_e("last", last, href(last) if cur < last else None))
    return out


def clay(cur: int, last: int, href: Callable[[int], str]) -> list[Entry]:
    """Liferay 7's lexicon page iterator: prev, page numbers, next; past 5 pages the left-out
    numbers sit in "dots" dropdowns (each entry's ``pages``: the links it holds)."""
    out: list[Entry] = [_e("prev", cur - 1, href(cur - 1) if cur > 1 else None)]
    shown = set(range(1, last + 1)) if last <= 5 else {1, last, cur - 1, cur, cur + 1}
    gap: list[Entry] = []
    for n in range(1, last + 1):
        if n in shown:
            if gap:
                out.append({**_e("dots"), "pages": gap})
                gap = []
            out.append(_e("cur", n) if n == cur else _e("num", n, href(n)))
        else:
            gap.append(_e("num", n, href(n)))
    out.append(_e("next", cur + 1, href(cur + 1) if cur < last else None))
    return out


def mini(cur: int, last: int, href: Callable[[int], str]) -> list[Entry]:
    """Drupal's mini pager: previous, "Trang N", next; no page numbers, no total."""
    out = []
    if cur > 1:
        out.append(_e("prev", cur - 1, href(cur - 1)))
    out.append(_e("cur", cur))
    if cur < last:
        out.append(_e("next", cur + 1, href(cur + 1)))
    return out
