"""Click parameter types shared by every command: dates as people type them, output files."""

from __future__ import annotations

from pathlib import Path

import click

from monitor import when


class When(click.ParamType):
    """A date option: `day` gives 'YYYY-MM-DD' (a Vietnam-local day), else a UTC ISO instant."""

    name = "date"

    def __init__(self, day: bool = True):
        self.day = day

    def get_metavar(self, param, ctx=None) -> str:
        return "DATE"

    def convert(self, value, param, ctx):
        try:
            return when.day(value).isoformat() if self.day else when.instant(value)
        except ValueError as e:
            raise click.ClickException(f"{_opt(param)}: {e}") from None


DAY = When(day=True)
INSTANT = When(day=False)


class OutputFile(click.Path):
    """A file to write: its folder must exist and be a folder ('-' allowed where allow_dash)."""

    def __init__(self, allow_dash: bool = False):
        super().__init__(dir_okay=False, allow_dash=allow_dash)

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        if value == "-":
            return value
        folder = Path(value).parent
        if not folder.exists():
            raise click.ClickException(f"{_opt(param)} {value}: the folder {folder} does not exist (create it first)")
        if not folder.is_dir():
            raise click.ClickException(f"{_opt(param)} {value}: {folder} is a file, not a folder")
        return value


def _opt(param) -> str:
    return max(param.opts, key=len) if param is not None and param.opts else "value"
