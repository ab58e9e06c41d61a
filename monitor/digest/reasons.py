"""Why a site could not be read, in words an office understands: a technical error → a reason key.

The keys name labels (`r_<key>` in labels.py); the technical text stays in the data for operators.
"""

from __future__ import annotations

import re

# First match wins; the error texts are the crawler's fetch_errors ("HTTP 503", "TimeoutError: …").
_RULES = (
    # the host asked us to wait longer than max_retry_after (429/503 + Retry-After): skipped this crawl,
    # this site's own pages or another site's on the same host (crawler/middlewares.py RetryAfter)
    ("asked_to_wait", re.compile(r"asks to wait .*skipped for this crawl")),
    ("refused", re.compile(r"ConnectionRefused|refused", re.I)),
    ("timeout", re.compile(r"Timeout|TimedOut|timed out", re.I)),
    ("dns", re.compile(r"DNSLookup|Name or service not known|getaddrinfo|NXDOMAIN", re.I)),
    ("tls", re.compile(r"SSL|TLS|certificate", re.I)),
    ("dropped", re.compile(r"ConnectionLost|ConnectionDone|ResponseNeverReceived|ConnectionReset|reset by peer",
                           re.I)),
    ("not_found", re.compile(r"\bHTTP 40[4-9]|\bHTTP 410\b")),
    ("forbidden", re.compile(r"\bHTTP 40[13]\b")),
    ("rate_limited", re.compile(r"\bHTTP 429\b")),
    ("server_error", re.compile(r"\bHTTP 5\d\d\b")),
)


def reason_key(error: str | None) -> str | None:
    """'asked_to_wait', 'refused', 'timeout', 'dns', 'tls', 'dropped', 'not_found', 'forbidden', 'rate_limited',
    'server_error', 'other'; None when there is no error text."""
    if not error:
        return None
    for key, rule in _RULES:
        if rule.search(error):
            return key
    return "other"
