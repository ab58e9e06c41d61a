"""The optional `[web]` table: where `portalwatch web` listens and where people reach it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config.keys import WEB_SPEC, ConfigError, check_table, check_url


@dataclass
class Web:
    """`url` is the public address (behind the reverse proxy); when set, digests link to its
    pages. `host`/`port`: what `portalwatch web` binds (127.0.0.1 unless told otherwise)."""

    url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    session_hours: float = 12.0

    def link(self, path: str) -> str | None:
        """The public address of a page of the web app, None when no `url` is configured."""
        return self.url.rstrip("/") + path if self.url else None


def parse_web(raw: Any, path: Path) -> Web:
    where = f"{path}: [web]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    check_table(raw, WEB_SPEC, where)
    web = Web(**raw)
    if web.url is not None:
        check_url(web.url, where, "url")
    if not 0 < web.port < 65536:
        raise ConfigError(f"{where}: key 'port': expected {WEB_SPEC['port'][1]}, got {web.port!r}")
    if web.session_hours <= 0:
        raise ConfigError(f"{where}: key 'session_hours': expected {WEB_SPEC['session_hours'][1]}, "
                          f"got {web.session_hours!r}")
    return web
