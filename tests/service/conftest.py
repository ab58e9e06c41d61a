"""Fixtures for the service tests: a simulator portal whose sites.toml has service settings."""

from __future__ import annotations

import time

import pytest
import tomlkit

from tests.conftest import make_portal

FAST = {"schedule": "every 3s", "jitter": 0, "housekeeping": "off", "backup": "off", "delivery_retry": "off",
        "crawl_timeout": 60}


def set_service_settings(portal, **settings) -> None:
    """Set keys of the [portalwatch] table of the portal's sites.toml: existing ones in place,
    new ones first in the table. tomlkit writes the values; the rest of the file is kept."""
    doc = tomlkit.parse(portal.config.read_text(encoding="utf-8"))
    table = doc["portalwatch"]
    for key in [k for k in settings if k in table]:
        table[key] = settings.pop(key)
    text = tomlkit.dumps(doc).replace("[portalwatch]\n", "[portalwatch]\n" + tomlkit.dumps(settings), 1)
    portal.config.write_text(text, encoding="utf-8")


AFTER_SEND_AT = "2026-03-02T01:30:00Z"  # 08:30 in Hanoi: after the recipients' send_at (07:30)


def pin_clock(monkeypatch, when: str = AFTER_SEND_AT) -> None:
    """Pin the project's clock (PORTALWATCH_NOW; the crawl children inherit it) for a test whose
    outcome depends on the time of day: a first digest waits for today's send_at, so unpinned
    such a test fails every night between 00:00 and 07:30 Vietnam time."""
    monkeypatch.setenv("PORTALWATCH_NOW", when)


def real_clock(monkeypatch) -> None:
    """For tests that follow the real scheduler's wall clock: the project's clock must agree."""
    monkeypatch.delenv("PORTALWATCH_NOW", raising=False)


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    """Poll until predicate() is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def rows(portal, sql: str, params=()):
    db = portal.db()
    try:
        return [dict(r) for r in db.query(sql, params)]
    finally:
        db.conn.close()


@pytest.fixture
def svc_portal(tmp_path):
    """A simulator portal (12 articles per site) with fast service settings; services started
    through `start()` are stopped at teardown."""
    p = make_portal(tmp_path)
    set_service_settings(p, **FAST)
    started = []

    def start(**kw):
        from monitor.service.service import Service

        s = Service(p.config, p.db_path, **kw)
        s.start()
        started.append(s)
        return s

    p.start = start
    yield p
    for s in started:
        s.stop()
    p.server.stop()
