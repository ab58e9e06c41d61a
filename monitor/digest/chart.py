"""Views-over-time charts for digests, as tiny PNG images (pure Python: zlib + struct).

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
_PALETTE = bytes([255, 255, 255, 199, 222, 247, 29, 95, 173, 221, 221, 221])  # bg, fill, line, axis
_BLOCKS = "▁▂▃▄▅▆▇█"


def _resample(series: list[list], n: int) -> list[float]:
    """Values at n evenly spaced times over the series' span (linear between readings)."""
    pts = [(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp(), float(v)) for t, v in series]
    if not pts:
        return []
    if len(pts) == 1 or pts[-1][0] == pts[0][0]:
        return [pts[-1][1]] * n
    t0, t1 = pts[0][0], pts[-1][0]
    out, j, last = [], 0, len(pts) - 2
    for i in range(n):
        t = t0 + (t1 - t0) * i / (n - 1)
        while j < last and pts[j + 1][0] < t:
            j += 1
        (ta, va), (tb, vb) = pts[j], pts[j + 1]
        out.append(va if tb == ta else va + (vb - va) * min(1.0, max(0.0, (t - ta) / (tb - ta))))
    return out


# _ROWS[y] maps "the top of the area is at row t" to row y's pixel: background above the line,
# line (2 px), fill below; the last row is the axis. bytes.translate then draws a row in C.
_ROWS = [bytes(0 if y < t - 1 else 2 if y <= t else 1 for t in range(256)) for y in range(HEIGHT - 1)]


def sparkline_png(series: list[list]) -> bytes:
    """An area chart of views over time (lowest reading at the bottom, highest at the top)."""
    return _png(tuple((t, v) for t, v in series))


@lru_cache(maxsize=2048)  # recipients that overlap show the same articles
def _png(series: tuple) -> bytes:
    step = 4  # one value per 4 pixel columns
    values = _resample(series, WIDTH // step)
    lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
    span = HEIGHT - 6
    tops = bytearray([HEIGHT - 1]) * WIDTH
    if values:
        levels = bytes(HEIGHT - 2 - (round((v - lo) / (hi - lo) * span) if hi > lo else span // 2) for v in values)
        for k in range(step):
            tops[k::step] = levels
    tops = bytes(tops)
    raw = b"".join(b"\x00" + tops.translate(row) for row in _ROWS) + b"\x00" + bytes([3]) * WIDTH
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0))
            + _chunk(b"PLTE", _PALETTE) + _chunk(b"IDAT", zlib.compress(raw, 1)) + _chunk(b"IEND", b""))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def text_sparkline(series: list[list], n: int = 14) -> str:
    values = _resample(series, n)
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return _BLOCKS[0] * len(values)
    return "".join(_BLOCKS[round((v - lo) / (hi - lo) * (len(_BLOCKS) - 1))] for v in values)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
