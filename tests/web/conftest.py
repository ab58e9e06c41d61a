"""Fixtures for the web tests: a World database (tests/world.py: a hostile title, a site down,
edits, a removal), users of every role, and `portalwatch web`'s app served for real by uvicorn
on 127.0.0.1 (port 0) in a thread; `login(name)` gives an httpx client with that user's session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.world import World, article, at, gone, iso, make_config, populate

PASSWORD = "correct horse battery"
USERS = {"root": ("admin", []), "ops": ("operator", []), "hm": ("office", ["hoang-mai"]),
         "vh": ("office", ["vinh-hung"]), "xa": ("office", ["other"])}
LEFT_OUT = "xa-thach-kim"  # served by the simulator, left out of sites.toml: added through the console
NOW = iso(24)  # the end of World's window: "this week" (since Monday 2 March 00:00) holds it all


def drop_site(text: str, site_id: str) -> str:
    """sites.toml text without one [[site]] table."""
    start = text.index(f'[[site]]\nid = "{site_id}"')
    end = text.index("[[", start + 2)
    return text[:start] + text[end:]


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


@dataclass
class Site:
    """A served app over a World database."""

    url: str
    config: Path
    db: Path
    ids: dict[str, int]  # article key -> id

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=60, **kw)

    def login(self, name: str, password: str = PASSWORD) -> httpx.Client:
        c = self.client()
        r = c.post("/login", data={"csrf": csrf_of(c.get("/login").text), "name": name, "password": password,
                                   "next": "/"})
        assert r.status_code == 303, (name, r.status_code, r.text[:300])
        return c

    def post(self, c: httpx.Client, path: str, data: dict | None = None, page: str | None = None, **kw):
        """POST a form with the CSRF token of the session (read from `page`, default /search)."""
        token = csrf_of(c.get(page or "/search").text)
        return c.post(path, data={"csrf": token, **(data or {})}, **kw)


def build_world(tmp_path: Path, mp: pytest.MonkeyPatch) -> tuple[Path, Path, dict[str, int]]:
    """World's database and sites.toml, plus an edited title and a removed post."""
    from monitor.detect.events import detect

    config = make_config(tmp_path)
    w = World(tmp_path, config, mp)
    populate(w)
    with w.crawl("vinh-hung", at(18)) as items:
        items += [article("vinh-hung", "a2", views=520, title="Tin a2 đã sửa"), gone("vinh-hung", "n1")]
    with w.crawl("vinh-hung", at(19)) as items:
        items += [gone("vinh-hung", "n1")]
    detect(w.db, w.config, now=at(20))
    ids = {r[0]: r[1] for r in w.db.conn.execute("SELECT key, id FROM articles")}
    w.store.close()
    return config.path, w.path, ids


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app over a World database with users of every role, served by uvicorn in a thread."""
    from monitor.web.app import create_app
    from monitor.web.security import LoginLimiter
    from monitor.web.server import Background
    from monitor.web.users import add_user

    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("web")
    config_path, db_path, ids = build_world(tmp, mp)
    mp.setenv("PORTALWATCH_NOW", NOW)
    from monitor.config import load_config

    config = load_config(config_path)
    for name, (role, units) in USERS.items():
        add_user(db_path, name, role, PASSWORD, units, config)
    app = create_app(config_path, db_path, limiter=LoginLimiter(per_name=3, per_address=1000))
    srv = Background(app)
    yield Site(srv.url, config_path, db_path, ids)
    srv.stop()
    mp.undo()
