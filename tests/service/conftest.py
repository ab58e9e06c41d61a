"""Fixtures for the service tests: a simulator portal whose sites.toml has service settings."""

from __future__ import annotations

import time

import pytest

from tests.conftest import make_portal

FAST = {"schedule": "every 3s", "jitter": 0, "housekeeping": "off", "backup": "off", "delivery_retry": "off",
        "crawl_timeout": 60}


def set_service_settings(portal, **settings) -> None:
    """Add keys to the [portalwatch] table of the portal's sites.toml."""
    lines = "".join(f"{k} = {_toml(v)}\n" for k, v in settings.items())
    text = portal.config.read_text(encoding="utf-8")
    portal.config.write_text(text.replace("[portalwatch]\n", "[portalwatch]\n" + lines, 1), encoding="utf-8")


def _toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v + '"'
    return str(v)


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
        from monitor.scheduler import Service

        s = Service(p.config, p.db_path, **kw)
        s.start()
        started.append(s)
        return s

    p.start = start
    yield p
    for s in started:
        s.stop()
    p.server.stop()
