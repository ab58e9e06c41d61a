"""Real local receivers: an aiosmtpd SMTP server and an http.server webhook endpoint."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class _BoundController(Controller):
    """aiosmtpd on a socket bound when the server object is made (port 0: the kernel picks a free
    port, nobody can take it between choosing and listening); connections are refused until
    start() listens on it."""

    def __init__(self, handler, **kw):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self.sock.getsockname()[1], **kw)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock, ssl=self.ssl_context)


class SMTPServer:
    """aiosmtpd on 127.0.0.1; `messages` holds (mail_from, rcpt_tos, raw bytes). `quit_reply`
    replaces the answer to QUIT (e.g. "421 ..." from a server that fails after taking DATA)."""

    def __init__(self, tls_context: ssl.SSLContext | None = None, credentials: tuple[str, str] | None = None,
                 quit_reply: str | None = None):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []
        self.quit_reply = quit_reply
        kw = {}
        if tls_context:
            kw.update(tls_context=tls_context, require_starttls=True)
        if credentials:
            kw.update(authenticator=self._auth(credentials), auth_require_tls=True)
        self.controller = _BoundController(self, **kw)
        self.port = self.controller.port

    def _auth(self, credentials):
        def check(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode(), auth_data.password.decode()) == credentials
            if ok:
                self.logins.append(auth_data.login.decode())
            return AuthResult(success=ok)
        return check

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        return self.quit_reply or "221 Bye"

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller.server is not None:
            self.controller.stop()
        self.controller.sock.close()


class WebhookReceiver:
    """http.server on 127.0.0.1:0; `requests` holds (method, path, headers, body) in `log` and
    (path, headers, body) of the POSTs in `requests`; a POST is answered `status` (with
    `location` as Location when set), any GET 200 (a landing page)."""

    def __init__(self, status: int = 200, location: str | None = None):
        self.requests: list[tuple[str, dict, bytes]] = []
        self.log: list[tuple[str, str]] = []
        self.status, self.location = status, location
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append((self.path, dict(self.headers), body))
                outer.log.append(("POST", self.path))
                self.send_response(outer.status)
                if outer.location:
                    self.send_header("Location", outer.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802
                outer.log.append(("GET", self.path))
                page = b"<html><body>Login</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def on(self, path: str) -> list[tuple[str, dict, bytes]]:
        return [r for r in self.requests if r[0] == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
