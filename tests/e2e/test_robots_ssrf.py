"""robots.txt obeys the host rule of every other request: a portal cannot make the crawler reach
another host through its robots.txt (a redirect) or through a meta refresh (which would make it
ask the other host for its robots.txt first). Two real servers on 127.0.0.1 under two names
(`[portalwatch] hosts`): the hostile portal `portal.test`, and an internal one under its domain,
`intranet.portal.test` (so Scrapy's own allowed_domains filter lets it through), that records
every request it gets.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import manual_crawl as crawl

from .hostile import HostileServer, liferay_article, liferay_list, write_config

pytestmark = pytest.mark.slow

A = "/-/view_content/1-a.html"
B = "/-/view_content/2-b.html"
NOW = "2026-11-15T03:00:00Z"  # the crawl's pinned clock
SECRET = b"INTERNAL-ONLY: db password hunter2"


@pytest.fixture
def servers():
    portal, internal = HostileServer(), HostileServer()
    internal.page("/admin/secret", SECRET, content_type="text/plain")
    internal.page("/robots.txt", SECRET, content_type="text/plain")
    yield portal, internal
    portal.stop()
    internal.stop()


def names(portal: HostileServer, internal: HostileServer) -> tuple[str, str]:
    """The two servers under host names of their own (both resolve to 127.0.0.1 in the crawl)."""
    return (portal.url.replace("127.0.0.1", "portal.test"), internal.url.replace("127.0.0.1", "intranet.portal.test"))


def configure(tmp_path, portal_url: str):
    return write_config(tmp_path / "sites.toml", {"a": [portal_url + "/tin-tuc"]},
                        extra='hosts = { "portal.test" = "127.0.0.1" }\n')


def cached_bodies(db) -> bytes:
    folder = db.parent / (db.name + ".robots")
    return b"".join(p.read_bytes() for p in folder.glob("*")) if folder.exists() else b""


def test_a_robots_txt_redirect_to_another_host_is_not_followed(servers, tmp_path):
    portal, internal = servers
    portal_url, internal_url = names(portal, internal)
    portal.route("/robots.txt", status=302, headers={"Location": internal_url + "/admin/secret"})
    portal.page("/tin-tuc", liferay_list([(A, "Tin A", "View count: 12")]))
    portal.page(A, liferay_article("Tin A", "View count: 12"))
    db = tmp_path / "pw.db"
    result = crawl(configure(tmp_path, portal_url), db, now=NOW)
    assert result.ok, result.stderr_tail
    assert internal.requests == [], internal.requests  # never reached, not even once
    assert portal.hits("/robots.txt") and portal.hits(A)  # read as "no robots.txt": the site is crawled
    assert b"hunter2" not in cached_bodies(db) and b"SU5URVJOQUwtT05MWT" not in cached_bodies(db)
    (summary,) = sqlite3.connect(db).execute("SELECT error_summary FROM crawls").fetchone()
    host = portal_url.removeprefix("http://")
    assert (f"robots.txt of {host} redirected to another host: {internal_url}/admin/secret, not followed"
            in summary), summary


def test_a_meta_refresh_to_another_host_fetches_nothing_there(servers, tmp_path):
    portal, internal = servers
    portal_url, internal_url = names(portal, internal)
    portal.page("/tin-tuc", liferay_list([(A, "Tin A", "View count: 12"), (B, "Tin B", "View count: 3")]))
    portal.page(A, liferay_article("Tin A", "View count: 12"))
    portal.page(B, f'<html><head><meta http-equiv="refresh" content="0; url={internal_url}/admin/secret">'
                   "</head><body>moved</body></html>")
    db = tmp_path / "pw.db"
    result = crawl(configure(tmp_path, portal_url), db, now=NOW)
    assert result.ok, result.stderr_tail
    assert internal.requests == [], internal.requests  # neither /robots.txt nor the target
    assert b"hunter2" not in cached_bodies(db)
    errors = [e for (e,) in sqlite3.connect(db).execute("SELECT error FROM fetch_errors")]
    assert f"article page: redirected to another host: {internal_url}/admin/secret, not followed" in errors, errors
