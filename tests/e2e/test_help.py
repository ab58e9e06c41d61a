"""Every command and option explains itself; the command lists are not cut with '…'."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from monitor.cli import cli


def walk(group=cli, prefix=""):
    for name, cmd in sorted(group.commands.items()):
        yield prefix + name, cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd, prefix + name + " ")


def test_every_command_and_option_has_help():
    missing = []
    for name, cmd in walk():
        if not (cmd.help or "").strip():
            missing.append(f"{name}: no help")
        if not cmd.short_help or len(cmd.short_help) > 55:
            missing.append(f"{name}: short_help missing or longer than 55 characters: {cmd.short_help!r}")
        missing += [f"{name} {p.opts[0]}: no help" for p in cmd.params
                    if isinstance(p, click.Option) and not (p.help or "").strip()]
    missing += [f"portalwatch {p.opts[0]}: no help" for p in cli.params if isinstance(p, click.Option) and not p.help]
    assert not missing, "\n".join(missing)


def test_command_lists_fit_80_columns_uncut():
    env = {**os.environ, "COLUMNS": "80"}
    for args in ([], ["sites"]):
        out = subprocess.run([sys.executable, "-m", "monitor", *args, "--help"], capture_output=True, text=True,
                             env=env, check=True).stdout
        commands = out.split("Commands:")[1]
        assert "…" not in commands and "..." not in commands, commands
        assert all(len(line) <= 80 for line in commands.splitlines()), commands
        assert len(commands.strip().splitlines()) == len((cli if not args else cli.commands["sites"]).commands)
