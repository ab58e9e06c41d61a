"""What every command shares: the consoles, the global options (`Ctx`, `pass_ctx`) and the
usage-error exception."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from monitor.config import Config, ConfigError, load_config

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class UsageProblem(click.ClickException):
    """A configuration or usage error: exit status 2 (like click's own usage errors)."""

    exit_code = 2


class Ctx:
    """Paths from the global options, with the config loaded on first use."""

    def __init__(self, config_path: str, db_path: str):
        self.config_path = config_path
        self._db_path = db_path
        self._db_checked = False
        self._config: Config | None = None
        Ctx.current = self

    current: Ctx | None = None

    @property
    def db_path(self) -> str:
        """The --db path, checked on first use: its folder is a folder, the file (if any) is SQLite."""
        if not self._db_checked:
            from monitor.store.dbfile import problem

            msg = problem(self._db_path)
            if msg:
                raise click.ClickException(msg)
            self._db_checked = True
        return self._db_path

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as e:
                raise UsageProblem(str(e)) from None
        return self._config

    def require_db(self) -> str:
        if not Path(self.db_path).exists():
            raise click.ClickException(f"{self.db_path}: no database yet (run `portalwatch crawl` first)")
        return self.db_path


pass_ctx = click.make_pass_decorator(Ctx)
