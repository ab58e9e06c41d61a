"""Views-gained-over-time charts for digests, as small PNG images (pure Python: zlib + struct).

Every chart of a section shares one time axis (the digest window) and one vertical scale
(0 … the largest gain in the section), so two articles can be compared at a glance: +10 stays
near the floor, +208 reaches the top. Each reading is a dot; the line joins the readings; faint
vertical lines mark midnight (Vietnam time).

Why PNG and not inline SVG: Gmail and Outlook drop inline <svg> and Gmail also drops data: URIs,
while a PNG attached to the mail (multipart/related, `cid:`) shows in Gmail, Outlook, Apple Mail
and Thunderbird, offline. The same PNG goes into HTML files as a data: URI (any browser, offline).
Every chart also has alt text with the numbers, and the text version gets a Unicode sparkline.
"""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import datetime
from functools import lru_cache

WIDTH, HEIGHT = 240, 64  # drawn at 2x, shown at 120 x 32 CSS pixels
BG, FILL, LINE, AXIS, GRID = range(5)
_PALETTE = bytes([255, 255, 255, 199, 222, 247, 29, 95, 173, 140, 150, 160, 232, 235, 239])
_BLOCKS = "▁▂▃▄▅▆▇█"
_DAY = 86400
_VN_OFFSET = 7 * 3600  # Vietnam has no daylight saving time
_NONE = 127  # "no data in this column"
_STEP = 4


def _ts(t: str) -> float:
    return datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()


def _value_at(pts: list[tuple[float, float]], t: float) -> float | None:
    """The line through the readings at time t (None before the first and after the last reading)."""
    if not pts or t < pts[0][0] or t > pts[-1][0]:
        return None
    for (ta, va), (tb, vb) in zip(pts, pts[1:], strict=False):
        if ta <= t <= tb:
            return va if tb == ta else va + (vb - va) * (t - ta) / (tb - ta)
    return pts[-1][1]


# _ROWS[y] maps "the top of the area is at row t" to row y's pixel: background above the line,
# line (2 px), fill below; t = _NONE leaves the column empty. Codes from _GRID_CODE on are the
# same for a midnight column, whose background is the grid colour. bytes.translate draws a row in C.
_GRID_CODE = 128


def _pixel(y: int, code: int) -> int:
    t, bg = (code - _GRID_CODE, GRID) if code >= _GRID_CODE else (code, BG)
    return bg if t >= _GRID_CODE - 1 or y < t - 1 else LINE if y <= t else FILL


_ROWS = [bytes(_pixel(y, code) for code in range(256)) for y in range(HEIGHT - 1)]


def sparkline_png(series: list[list], start: str, end: str, top: float) -> bytes:
    """An area chart of one article's gain over [start, end], on the scale 0 … top."""
    return _png(tuple((t, v) for t, v in series), start, end, float(top))


@lru_cache(maxsize=2048)  # recipients that overlap show the same articles
def _png(series: tuple, start: str, end: str, top: float) -> bytes:
    t0, t1 = _ts(start), _ts(end)
    span, usable = max(t1 - t0, 1.0), HEIGHT - 4
    k = usable / top if top > 0 else 0.0
    floor = HEIGHT - 2
    pts = [((_ts(t) - t0) * WIDTH / span, min(max(float(v), 0.0), top)) for t, v in series]  # (x, value)
    tops = bytearray([_NONE]) * WIDTH
    for (xa, va), (xb, vb) in zip(pts, pts[1:], strict=False):  # the line, segment by segment
        a, b = max(0, round(xa)), min(WIDTH - 1, round(xb))
        if b < a:
            continue
        slope = (vb - va) / (xb - xa) if xb > xa else 0.0
        lo, hi = min(va, vb), max(va, vb)
        for x in range(a, b + 1, _STEP):  # one level per _STEP columns: 2 CSS pixels
            tops[x:min(x + _STEP, b + 1)] = bytes([floor - round(min(hi, max(lo, va + slope * (x - xa))) * k)]) \
                * (min(x + _STEP, b + 1) - x)
    midnight = (int(t0 + _VN_OFFSET) // _DAY + 1) * _DAY - _VN_OFFSET
    while midnight < t1:  # day boundaries, behind the data
        x = int((midnight - t0) / span * WIDTH)
        tops[x] = _GRID_CODE + min(tops[x], _GRID_CODE - 1)
        midnight += _DAY
    frozen = bytes(tops)
    rows = [frozen.translate(r) for r in _ROWS] + [bytes([AXIS]) * WIDTH]
    dot = bytes([LINE]) * 4
    for px, v in pts:  # a dot for every reading
        x, y = min(WIDTH - 3, max(2, int(px))), floor - round(v * k)
        for yy in range(max(0, y - 2), min(HEIGHT - 1, y + 2)):
            rows[yy] = rows[yy][:x - 2] + dot + rows[yy][x + 2:]
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0))
            + _chunk(b"PLTE", _PALETTE) + _chunk(b"IDAT", zlib.compress(raw, 1)) + _chunk(b"IEND", b""))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def text_sparkline(series: list[list], start: str, end: str, top: float, n: int = 14) -> str:
    """The same chart in n characters: one block per slice of [start, end], height on 0 … top;
    a space where there is no reading yet (a post published during the window)."""
    t0, t1 = _ts(start), _ts(end)
    pts = [(_ts(t), float(v)) for t, v in series]
    out = []
    for i in range(n):
        v = _value_at(pts, t0 + (t1 - t0) * (i + 1) / n)  # at the end of each slice
        if v is None and pts and t0 + (t1 - t0) * (i + 1) / n > pts[-1][0]:
            v = pts[-1][1]  # after the last reading: its value holds
        out.append(" " if v is None else _BLOCKS[round(min(max(v, 0.0), top) / top * (len(_BLOCKS) - 1))]
                   if top > 0 else _BLOCKS[0])
    return "".join(out)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
