"""The people who log in to `portalwatch web`: argon2id password hashes in their own SQLite file
beside the database (`<database>.web-users`, readable by its owner only), and the checks behind
`portalwatch users` and the admin page. The file is apart so that nothing which reads the
database — `portalwatch query`, `serve` (Datasette's SQL page), exports — can reach a hash.

Roles: `office` sees the sites under its units (site or [[unit]] ids, like a recipient's
`parents`), read-only; `operator` also sees every site and edits sites.toml through the console;
`admin` also manages users. Every change of password, role or units bumps `session_gen`, which
every session cookie carries: the user's other sessions end at their next request.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from crawler import clock
from monitor.config import Config
from monitor.config.keys import did_you_mean

ROLES = ("office", "operator", "admin")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
_COLUMNS = "id, name, role, units, session_gen, created_at, last_login_at"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('office', 'operator', 'admin')),
    units TEXT NOT NULL DEFAULT '[]',   -- JSON list of site or [[unit]] ids (office users)
    password_hash TEXT NOT NULL,        -- argon2id, with its own salt and parameters
    session_gen INTEGER NOT NULL DEFAULT 0,  -- in every session cookie: bumping it ends them
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
);
"""


class UserError(ValueError):
    """A bad name, role, unit or password, or an unknown user: one line saying which and why."""


@dataclass
class User:
    id: int
    name: str
    role: str
    units: list[str] = field(default_factory=list)
    session_gen: int = 0
    created_at: str = ""
    last_login_at: str | None = None

    @property
    def operates(self) -> bool:
        """May use the operator console (sites, checks, edits)."""
        return self.role in ("operator", "admin")

    @property
    def admin(self) -> bool:
        return self.role == "admin"


def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:  # pragma: no cover - the `web` extra is missing
        raise UserError("passwords need argon2-cffi: pip install 'portalwatch[web]'") from None
    return PasswordHasher()  # argon2id, the library's current recommended parameters


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher().hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password is too short: at least {MIN_PASSWORD} characters")
    if password.strip() != password or "\n" in password:
        raise UserError("the password may not start or end with a space or contain a line break")


def check_units(role: str, units: list[str], config: Config | None) -> list[str]:
    """The units of an office user: at least one, each a configured site or [[unit]] id."""
    units = list(dict.fromkeys(u.strip() for u in units if u.strip()))
    if role == "office" and not units:
        raise UserError("an office user needs at least one unit (--unit ID: a site or [[unit]] id)")
    if role != "office" and units:
        raise UserError(f"a{'n' if role[0] in 'aeiou' else ''} {role} sees every site: --unit is for office users")
    if config is not None:
        known = [*(s.id for s in config.sites), *(u.id for u in config.units)]
        for u in units:
            if config.unit(u) is None:
                raise UserError(f"{config.path}: no site or unit {u!r}{did_you_mean(u, known)}")
    return units


def demo_user(db_path: str | Path) -> tuple[str, str] | None:
    """A `demo` admin with a fresh random password, for `portalwatch demo` to print (None
    without the web extra). A demo run again over the same folder gets a new password."""
    import secrets

    try:
        _hasher()
    except UserError:  # argon2-cffi (the web extra) is missing
        return None
    password = secrets.token_urlsafe(12)
    with _open(db_path) as conn:
        exists = conn.execute("SELECT 1 FROM users WHERE name = 'demo'").fetchone()
    if exists:
        set_password(db_path, "demo", password)
        set_role(db_path, "demo", "admin", [])
    else:
        add_user(db_path, "demo", "admin", password)
    return "demo", password


def _check(name: str, role: str) -> None:
    if not NAME_RE.match(name or ""):
        raise UserError(f"user name {name!r}: expected letters, digits, '.', '_', '-' or '@' (at most 64)")
    if role not in ROLES:
        raise UserError(f"role {role!r}: expected one of {', '.join(ROLES)}")


def _row(r: tuple) -> User:
    return User(r[0], r[1], r[2], json.loads(r[3] or "[]"), r[4], r[5], r[6])


def users_path(db_path: str | os.PathLike) -> Path:
    """The users' file of this database: `<database>.web-users` beside it."""
    db = Path(db_path).resolve()
    return db.with_name(db.name + ".web-users")


def _open(db_path: str | os.PathLike):
    """A connection to the users' file (created, owner-only, on first use); each statement
    commits on its own (a rollback journal: a crash leaves the last committed state)."""
    path = users_path(db_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        conn.executescript(_SCHEMA)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise UserError(f"{path}: not a users file of portalwatch web ({e})") from None
    return closing(conn)


def add_user(db_path: str | Path, name: str, role: str, password: str, units: list[str] = (),  # type: ignore[assignment]
             config: Config | None = None) -> User:
    _check(name, role)
    units = check_units(role, list(units), config)
    digest = hash_password(password)
    now = clock.now_iso()
    with _open(db_path) as conn:
        try:
            cur = conn.execute("INSERT INTO users (name, role, units, password_hash, created_at, updated_at)"
                               " VALUES (?, ?, ?, ?, ?, ?)", (name, role, json.dumps(units), digest, now, now))
        except sqlite3.IntegrityError:
            raise UserError(f"user {name!r} already exists (change it with `portalwatch users passwd` "
                            "or remove it first)") from None
        return _get(conn, cur.lastrowid)  # type: ignore[return-value]


def list_users(db_path: str | os.PathLike) -> list[User]:
    with _open(db_path) as conn:
        return _list(conn)


def get_user(db_path: str | os.PathLike, user_id: int) -> User | None:
    with _open(db_path) as conn:
        return _get(conn, user_id)


def find_user(db_path: str | os.PathLike, name: str) -> User:
    with _open(db_path) as conn:
        return _find(conn, name)


def _list(conn: sqlite3.Connection) -> list[User]:
    return [_row(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name COLLATE NOCASE")]


def _get(conn: sqlite3.Connection, user_id: int) -> User | None:
    r = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    return _row(r) if r else None


def _find(conn: sqlite3.Connection, name: str) -> User:
    r = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
    if r is None:
        known = [u.name for u in _list(conn)]
        raise UserError(f"no user {name!r}{did_you_mean(name, known)}")
    return _row(r)


def remove_user(db_path: str | Path, name: str) -> None:
    with _open(db_path) as conn:
        user = _find(conn, name)
        conn.execute("DELETE FROM users WHERE id = ?", (user.id,))


def set_password(db_path: str | Path, name: str, password: str) -> None:
    digest = hash_password(password)
    with _open(db_path) as conn:
        user = _find(conn, name)
        conn.execute("UPDATE users SET password_hash = ?, session_gen = session_gen + 1, updated_at = ?"
                     " WHERE id = ?", (digest, clock.now_iso(), user.id))


def set_role(db_path: str | Path, name: str, role: str, units: list[str], config: Config | None = None) -> User:
    _check(name, role)
    units = check_units(role, units, config)
    with _open(db_path) as conn:
        user = _find(conn, name)
        conn.execute("UPDATE users SET role = ?, units = ?, session_gen = session_gen + 1, updated_at = ?"
                     " WHERE id = ?", (role, json.dumps(units), clock.now_iso(), user.id))
        return _get(conn, user.id)  # type: ignore[return-value]


# A hash to verify against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY: list[str] = []


def authenticate(db_path: str | Path, name: str, password: str) -> User | None:
    """The user when name and password match, else None. Rehashes an outdated hash and notes the login."""
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = _hasher()
    with _open(db_path) as conn:
        r = conn.execute(f"SELECT {_COLUMNS}, password_hash FROM users WHERE name = ?", (name,)).fetchone()
        if r is None:
            if not _DUMMY:
                _DUMMY.append(ph.hash("portalwatch: no such user"))
            try:
                ph.verify(_DUMMY[0], password)
            except VerificationError:
                pass
            return None
        try:
            ph.verify(r[7], password)
        except (VerificationError, InvalidHashError):
            return None
        now = clock.now_iso()
        if ph.check_needs_rehash(r[7]):
            conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (ph.hash(password), r[0]))
        conn.execute("UPDATE users SET last_login_at = ? WHERE id = ?", (now, r[0]))
        return _row(r[:7])
