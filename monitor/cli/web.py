"""`portalwatch web` (the web pages for offices, operators and admins) and `portalwatch users`
(who may log in to them). Thin commands over monitor/web/ (app.py, server.py, users.py)."""

from __future__ import annotations

import json
import os
import sys

import click
from rich.table import Table

from monitor.cli.context import Ctx, console, err_console, pass_ctx
from monitor.terminal import term

PASSWORD_ENV = "PORTALWATCH_PASSWORD"


def _need_extra() -> None:
    try:
        import argon2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as e:
        raise click.ClickException(f"this needs the web extra ({e.name} is missing): pip install 'portalwatch[web]'") \
            from None


@click.command(short_help="Serve the web pages (offices, operators, admins).")
@click.option("--host", help="Address to listen on (default: [web] host, else 127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default: [web] port, else 8080; 0: any free one).")
@click.option("--proxy-headers", is_flag=True,
              help="Behind a reverse proxy: trust its X-Forwarded-For/-Proto (from --forwarded-allow-ips).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Addresses of the reverse proxy, comma separated.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
              help="Least important log messages written to standard error (debug: every request).")
@pass_ctx
def web(obj: Ctx, host: str | None, port: int | None, proxy_headers: bool, forwarded_allow_ips: str,
        log_level: str) -> None:
    """Serve the web pages until Ctrl-C or SIGTERM: each office's units (today, this week, this
    month), articles' view histories, search; the operator console (every site's health, check
    now, add, edit, import: written to the configuration, then the service reloads); users for
    admins. Log in with a user made by `portalwatch users add`.

    \b
    Example:
      portalwatch users add admin --role admin
      portalwatch web                        # http://127.0.0.1:8080
      portalwatch web --proxy-headers        # behind nginx with HTTPS (docs/web.md)
    """
    _need_extra()
    from monitor.web.app import create_app
    from monitor.web.server import bind, server, url_of
    from monitor.web.users import list_users

    config = obj.config
    db_path = obj.db_path
    app = create_app(obj.config_path, db_path)
    try:
        sock = bind(host or config.web.host, config.web.port if port is None else port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host or config.web.host}:{port if port is not None else config.web.port}:"
                                   f" {e.strerror or e}") from None
    try:
        nobody = not list_users(db_path)
    except _errors() as e:
        raise click.ClickException(str(e)) from None
    console.print(f"portalwatch web: {url_of(sock)}  (config {term(obj.config_path)}, database {term(db_path)}); Ctrl-C stops",
                  soft_wrap=True)
    if nobody:
        err_console.print("[yellow]no users yet:[/] portalwatch users add NAME --role admin")
    sys.stdout.flush()
    server(app, proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips,
           log_level=log_level.lower()).run(sockets=[sock])


# -- users ----------------------------------------------------------------------------------------------------
@click.group(short_help="Who may log in to `portalwatch web`.")
def users() -> None:
    """Add, list, remove users of `portalwatch web` and set their passwords."""


def _password(name: str) -> str:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise click.ClickException(f"no password for {name!r}: set {PASSWORD_ENV} or run this in a terminal")
    return click.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)


def _errors():
    from monitor.web.users import UserError

    return UserError


@users.command("add", short_help="Add a user.")
@click.argument("name")
@click.option("--role", type=click.Choice(["office", "operator", "admin"]), required=True,
              help="office: reads its units; operator: every site, edits sites; admin: also users.")
@click.option("--unit", "units", multiple=True, metavar="ID",
              help="A site or [[unit]] id an office user sees (everything under it); repeatable.")
@pass_ctx
def users_add(obj: Ctx, name: str, role: str, units: tuple[str, ...]) -> None:
    """Add a user; the password comes from $PORTALWATCH_PASSWORD, else a prompt.

    \b
    Example:
      portalwatch users add hoangmai --role office --unit hoang-mai
      PORTALWATCH_PASSWORD=… portalwatch users add ops --role operator
    """
    _need_extra()
    from monitor.web.users import add_user

    config = obj.config if units or role == "office" else None
    db_path = obj.db_path
    try:
        user = add_user(db_path, name, role, _password(name), list(units), config)
    except _errors() as e:
        raise click.ClickException(str(e)) from None
    console.print(f"added {term(user.name)} ({user.role}" + (f": {', '.join(user.units)}" if user.units else "") + ")")


@users.command("list", short_help="The users and their roles.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@pass_ctx
def users_list(obj: Ctx, as_json: bool) -> None:
    """Every user with role, units and last login (Vietnam time).

    \b
    Example:
      portalwatch users list
    """
    from dataclasses import asdict

    from crawler.clock import local
    from monitor.web.users import list_users

    try:
        rows = list_users(obj.db_path)
    except _errors() as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(json.dumps([asdict(u) for u in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("no users yet: portalwatch users add NAME --role admin")
        return
    t = Table(title="Users of portalwatch web")
    for c in ("name", "role", "units", "last login (VN)"):
        t.add_column(c)
    for u in rows:
        t.add_row(term(u.name), u.role, term(", ".join(u.units)) or "—", local(u.last_login_at) if u.last_login_at else "never")
    console.print(t)


@users.command("remove", short_help="Remove a user.")
@click.argument("name")
@pass_ctx
def users_remove(obj: Ctx, name: str) -> None:
    """Remove a user (their open sessions end at their next click).

    \b
    Example:
      portalwatch users remove hoangmai
    """
    _need_extra()
    from monitor.web.users import remove_user

    try:
        remove_user(obj.db_path, name)
    except _errors() as e:
        raise click.ClickException(str(e)) from None
    console.print(f"removed {term(name)}")


@users.command("passwd", short_help="Set a user's password.")
@click.argument("name")
@pass_ctx
def users_passwd(obj: Ctx, name: str) -> None:
    """Set a user's password ($PORTALWATCH_PASSWORD, else a prompt); their other sessions end.

    \b
    Example:
      portalwatch users passwd hoangmai
    """
    _need_extra()
    from monitor.web.users import set_password

    try:
        set_password(obj.db_path, name, _password(name))
    except _errors() as e:
        raise click.ClickException(str(e)) from None
    console.print(f"new password set for {term(name)}")
