"""What keeps the web app safe: the session secret, signed-cookie sessions (HttpOnly,
SameSite=Lax, Secure when the request came over HTTPS), the CSRF token of every form, the
security headers of every answer (a strict Content-Security-Policy) and the login rate limit."""

from __future__ import annotations

import hmac
import os
import secrets
import tempfile
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "portalwatch_session"
SECRET_ENV = "PORTALWATCH_WEB_SECRET"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def secret_path(db_path: str | os.PathLike) -> Path:
    db = Path(db_path).resolve()
    return db.with_name(db.name + ".web-secret")


def load_secret(db_path: str | os.PathLike) -> str:
    """The key that signs session cookies: $PORTALWATCH_WEB_SECRET, else `<database>.web-secret`
    (created on first use, readable by its owner only). A new key logs everybody out."""
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    path = secret_path(db_path)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".web-secret.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)  # first writer wins when two processes start together
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="utf-8").strip()


class Sessions:
    """Starlette's signed-cookie sessions, with the Secure flag when the request came over HTTPS
    (directly, or through a proxy trusted with --proxy-headers)."""

    def __init__(self, app: ASGIApp, secret: str, max_age: int):
        kw = dict(secret_key=secret, session_cookie=COOKIE, max_age=max_age, same_site="lax")
        self.plain = SessionMiddleware(app, https_only=False, **kw)  # type: ignore[arg-type]
        self.secure = SessionMiddleware(app, https_only=True, **kw)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        mw = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await mw(scope, receive, send)


class SecurityHeaders:
    """Every answer: the CSP and friends; pages (not static files) are never cached."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use); every form sends it back as `csrf`."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    token = request.session.get("csrf")
    return isinstance(token, str) and bool(token) and isinstance(sent, str) and hmac.compare_digest(token, sent)


class LoginLimiter:
    """At most `per_name` failed logins for one name from one address, and `per_address` from one
    address, within `window` seconds; then logins from there wait. In memory: one web process."""

    def __init__(self, per_name: int = 5, per_address: int = 20, window: float = 900.0):
        self.per_name, self.per_address, self.window = per_name, per_address, window
        self._fails: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def wait_seconds(self, address: str, name: str) -> int:
        """0 when a login may be tried now, else how long until it may."""
        now = time.monotonic()
        with self._lock:
            for key, limit in (((address, name.lower()), self.per_name), ((address, ""), self.per_address)):
                q = self._recent(key, now)
                if len(q) >= limit:
                    return max(1, int(q[0] + self.window - now) + 1)
        return 0

    def failed(self, address: str, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in ((address, name.lower()), (address, "")):
                self._recent(key, now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            self._fails.pop((address, name.lower()), None)
