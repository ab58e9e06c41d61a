"""Extraction layer: pure functions from HTML text to values (no Scrapy, no I/O).

Modules: `dates`, `numbers`, `urls`, `text`, `types`, and `profiles` (per-platform readers
of list and article pages, plus `auto` for unknown templates).
"""
