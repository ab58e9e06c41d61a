"""Zalo Official Account: the chat-sized message as the OA's customer-service ("tư vấn") text
message to each of the office's Zalo user ids.

    { type = "zalo", user_ids = ["2512523625412515"], app_id = "4291763606161179100",
      access_token_env = "PORTALWATCH_ZALO_ACCESS_TOKEN", refresh_token_env = "PORTALWATCH_ZALO_REFRESH_TOKEN",
      secret_key_env = "PORTALWATCH_ZALO_SECRET_KEY" }

Zalo's OA API (developers.zalo.me, "Official Account API"):
- send: POST https://openapi.zalo.me/v3.0/oa/message/cs, header `access_token`, JSON
  {"recipient": {"user_id": …}, "message": {"text": …}} (at most 2,000 characters); the answer is
  {"error": 0, "message": "Success", "data": {"message_id": …, "user_id": …, "quota": {…}}} or
  {"error": -230, "message": "User has not interacted with the OA in the past 7 days"}.
- an access token lives 25 hours; POST https://oauth.zaloapp.com/v4/oa/access_token (form:
  refresh_token, app_id, grant_type=refresh_token; header `secret_key`) gives a new one AND a new
  refresh token: a refresh token works once (then it is void) and lives 3 months.

So the newest pair is kept in a small state file (`token_file`, default
`.portalwatch-zalo-<app_id>.json` next to the configuration, mode 0600, written atomically under a
lock): the environment gives the first pair, the file every later one; a new pair set in the
environment (after authorizing the app again) replaces the file's. The file also remembers which
user ids each delivery already reached, so a retry after a partial failure sends only to the rest.

An expired or invalid token answer (-216, -220, or ZNS's -124) triggers one refresh and one
retry; any other error (quota, permission, user not interacting for 7 days, …) fails the
delivery with the reason in words, and the ledger retries it. `PORTALWATCH_ZALO_API_URL` and
`PORTALWATCH_ZALO_OAUTH_URL` replace the two base URLs (for tests against a local stand-in).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from crawler import __version__, clock
from monitor.channels.base import Channel, ChannelError, Delivery

API_URL = "https://openapi.zalo.me"
OAUTH_URL = "https://oauth.zaloapp.com"
TEXT_LIMIT = 2000  # characters of one text message
TOKEN_CODES = (-216, -220, -124)  # invalid / expired access token: refresh once and retry
EARLY = timedelta(minutes=5)  # refresh this long before the known expiry
KEEP_SENT = timedelta(days=30)  # how long the state file remembers which users a delivery reached

# Zalo's error codes (Official Account API, "Phụ lục: Mã lỗi"), in words for deliveries.last_error.
ERRORS = {
    -32: "too many calls: the app or the OA reached Zalo's per-minute limit",
    -124: "the access token is invalid",
    -201: "a parameter was refused (is the user id right?)",
    -204: "the Official Account is disabled",
    -205: "the Official Account does not exist",
    -209: "the app is not active (Zalo for Developers: app settings)",
    -210: "a parameter is over Zalo's limit (the message is too long?)",
    -211: "out of quota: the OA's quota for this kind of message is used up",
    -212: "the app has not registered this API (Zalo for Developers: Official Account API)",
    -213: "the user does not follow the Official Account",
    -216: "the access token is invalid",
    -218: "out of quota: this user receives no more messages from the OA for now",
    -220: "the access token has expired or was revoked",
    -221: "the Official Account must be verified to use this",
    -223: "the Official Account has not granted the app this permission",
    -224: "the Official Account's service package does not include this",
    -227: "the user's Zalo account is locked or has been inactive for more than 45 days",
    -230: "the user has not interacted with the Official Account in the past 7 days (Zalo delivers these "
          "messages only to users who wrote to the OA within 7 days: ask them to send it a message)",
    -232: "the user has not interacted with the Official Account, or the last interaction has expired",
    -234: "this kind of message cannot be sent at night (22:00-06:00)",
    -244: "the user has restricted this kind of message from the Official Account",
}


def api_url() -> str:
    return os.environ.get("PORTALWATCH_ZALO_API_URL", API_URL).rstrip("/")


def oauth_url() -> str:
    return os.environ.get("PORTALWATCH_ZALO_OAUTH_URL", OAUTH_URL).rstrip("/")


def reason(answer: dict) -> str:
    """A Zalo error answer in words: the code, what it means, and Zalo's own message."""
    code = answer.get("error")
    said = " ".join(str(answer.get("message") or answer.get("error_name") or "").split())[:200]
    words = ERRORS.get(code) if isinstance(code, int) else None
    return f"Zalo error {code}: {words or 'see the OA API error codes'}" + (f" ({said!r})" if said else "")


class ZaloChannel(Channel):
    type = "zalo"
    keys = ("user_ids", "app_id", "access_token_env", "refresh_token_env", "secret_key_env", "token_file",
            "timeout")
    required = ("user_ids", "access_token_env")

    @classmethod
    def problem(cls, table: dict[str, Any]) -> str | None:
        ids = table["user_ids"]
        if not isinstance(ids, list) or not ids or not all(isinstance(u, str) and u.isdigit() for u in ids):
            return "zalo channel: 'user_ids' must be a list of Zalo user ids, as strings of digits"
        if table.get("refresh_token_env") and not (table.get("app_id") and table.get("secret_key_env")):
            return "zalo channel: refreshing the token needs 'app_id' and 'secret_key_env' with 'refresh_token_env'"
        if not str(table.get("app_id", "0")).isdigit():
            return f"zalo channel: 'app_id' must be the app's id (digits), got {table['app_id']!r}"
        return None

    def target(self) -> str:
        """The user ids (no secret: the tokens live in the environment and the state file)."""
        return "zalo:" + ",".join(sorted(self.table["user_ids"]))

    # -- sending ----------------------------------------------------------------------------------
    def send(self, out: Delivery) -> str:
        text = out.rendered().chat(TEXT_LIMIT)
        store = TokenStore(self._state_path(out), self._seed())
        tokens = store.current(self._env_pair())
        if store.expired(tokens) and self._can_refresh():
            tokens = self._refresh(store, tokens)
        done = store.reached(out.key)
        todo = [u for u in self.table["user_ids"] if u not in done]
        out.going_out()
        failures, quota, refreshed = [], "", False
        for uid in todo:
            answer = self._post(uid, text, tokens["access_token"])
            if answer.get("error") in TOKEN_CODES and self._can_refresh() and not refreshed:
                tokens, refreshed = self._refresh(store, tokens), True
                answer = self._post(uid, text, tokens["access_token"])
            if answer.get("error") == 0:
                store.mark_reached(out.key, uid, str((answer.get("data") or {}).get("message_id", "")))
                q = (answer.get("data") or {}).get("quota") or {}
                quota = f"; quota {q.get('quota_type', '')} {q.get('remain')}/{q.get('total')}" if q else quota
            else:
                failures.append(f"user {uid}: {reason(answer)}")
        if failures:
            sent = len(self.table["user_ids"]) - len(failures)
            raise ChannelError(f"zalo: {len(failures)} of {len(self.table['user_ids'])} user(s) not reached"
                               f" ({sent} reached, not sent again): " + "; ".join(failures))
        return f"{len(todo)} Zalo user(s)" + (f" ({len(done)} reached before)" if done else "") + quota

    def _post(self, uid: str, text: str, token: str) -> dict:
        body = json.dumps({"recipient": {"user_id": uid}, "message": {"text": text}}, ensure_ascii=False)
        req = urllib.request.Request(f"{api_url()}/v3.0/oa/message/cs", data=body.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json", "access_token": token,
                                              "User-Agent": f"portalwatch/{__version__}"})
        return _call(req, self.table.get("timeout", 15), "sending")

    # -- tokens -----------------------------------------------------------------------------------
    def _env(self, key: str) -> str | None:
        var = self.table.get(key)
        return os.environ.get(var) if var else None

    def _env_pair(self) -> tuple[str, str | None]:
        access = self._env("access_token_env")
        if not access:
            raise ChannelError(f"zalo channel: environment variable {self.table['access_token_env']!r} is not set")
        return access, self._env("refresh_token_env")

    def _seed(self) -> str:
        """Which environment pair the state file grew from (a hash: no secret is written twice)."""
        access, refresh = os.environ.get(self.table["access_token_env"], ""), self._env("refresh_token_env") or ""
        return hashlib.sha256(f"{access}|{refresh}".encode()).hexdigest()[:16]

    def _can_refresh(self) -> bool:
        return bool(self.table.get("refresh_token_env"))

    def _state_path(self, out: Delivery) -> Path:
        name = self.table.get("token_file") or f".portalwatch-zalo-{self.table.get('app_id', 'oa')}.json"
        path = Path(name)
        return path if path.is_absolute() else out.base_dir / path

    def _refresh(self, store: TokenStore, tokens: dict) -> dict:
        """One refresh, under the state file's lock: a pair another process rotated meanwhile is used
        as it is (its refresh token is the only valid one now)."""
        secret = self._env("secret_key_env")
        if not secret:
            raise ChannelError(f"zalo channel: environment variable {self.table['secret_key_env']!r} is not set")
        with store.locked():
            newer = store.current(self._env_pair())
            if newer["access_token"] != tokens["access_token"]:
                return newer
            if not newer.get("refresh_token"):
                raise ChannelError("zalo: the access token expired and there is no refresh token: set "
                                   f"{self.table['refresh_token_env']!r}")
            form = urllib.parse.urlencode({"refresh_token": newer["refresh_token"], "app_id": self.table["app_id"],
                                           "grant_type": "refresh_token"}).encode()
            req = urllib.request.Request(f"{oauth_url()}/v4/oa/access_token", data=form, method="POST", headers={
                "Content-Type": "application/x-www-form-urlencoded", "secret_key": secret})
            answer = _call(req, self.table.get("timeout", 15), "refreshing the access token")
            if not answer.get("access_token"):
                detail = answer.get("error_reason") or answer.get("error_description") or answer.get("error_name")
                raise ChannelError(f"zalo: refreshing the access token failed: Zalo error {answer.get('error')}"
                                   f"{': ' + str(detail)[:200] if detail else ''} (a refresh token works once and"
                                   " for 3 months: authorize the app again and set a new pair in the environment)")
            try:
                lifetime = timedelta(seconds=int(answer.get("expires_in") or 90000))
            except ValueError:
                lifetime = timedelta(hours=25)
            pair = {"access_token": answer["access_token"],
                    "refresh_token": answer.get("refresh_token") or newer["refresh_token"],
                    "expires_at": clock.iso(clock.now() + lifetime)}
            store.save_pair(pair)
            return pair


def _call(req: urllib.request.Request, timeout: float, doing: str) -> dict:
    """Zalo answers HTTP 200 with a JSON body, `error` 0 or a negative code; anything else fails."""
    where = urllib.parse.urlsplit(req.full_url).netloc
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as e:
        raise ChannelError(f"zalo {where}: HTTP {e.code} while {doing}") from e
    except (OSError, urllib.error.URLError) as e:
        raise ChannelError(f"zalo {where}: {type(e).__name__}: {e} while {doing}") from e
    try:
        answer = json.loads(body)
    except ValueError:
        raise ChannelError(f"zalo {where}: not a JSON answer while {doing}") from None
    if not isinstance(answer, dict):
        raise ChannelError(f"zalo {where}: unexpected answer while {doing}")
    answer.setdefault("error", 0 if answer.get("access_token") else answer.get("error"))
    return answer


class TokenStore:
    """The state file: the newest token pair and the users each delivery reached (JSON, 0600)."""

    def __init__(self, path: Path, seed: str):
        self.path, self.seed = path, seed

    def _read(self) -> dict:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise ChannelError(f"zalo: cannot read the token file {self.path}: {e}") from None
        return state if isinstance(state, dict) else {}

    def _write(self, state: dict) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(state, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as e:
            raise ChannelError(f"zalo: cannot write the token file {self.path}: {e}") from None

    @contextlib.contextmanager
    def locked(self):
        """One process at a time changes the file (a refresh token must never be used twice)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def current(self, env_pair: tuple[str, str | None]) -> dict:
        """The file's pair while it grew from the environment's pair, else the environment's."""
        state = self._read()
        if state.get("seed") == self.seed and state.get("access_token"):
            return {k: state.get(k) for k in ("access_token", "refresh_token", "expires_at")}
        return {"access_token": env_pair[0], "refresh_token": env_pair[1], "expires_at": None}

    @staticmethod
    def expired(tokens: dict) -> bool:
        return bool(tokens.get("expires_at")) and clock.parse_iso(tokens["expires_at"]) - EARLY <= clock.now()

    def save_pair(self, pair: dict) -> None:
        state = self._read()
        if state.get("seed") != self.seed:
            state = {"sent": state.get("sent", {})}
        state.update(pair, seed=self.seed, refreshed_at=clock.now_iso())
        self._write(state)

    def reached(self, key: str) -> set[str]:
        return set((self._read().get("sent") or {}).get(key, {}).get("users", {}))

    def mark_reached(self, key: str, uid: str, message_id: str) -> None:
        with self.locked():
            state = self._read()
            sent = state.setdefault("sent", {})
            cutoff = clock.iso(clock.now() - KEEP_SENT)
            for k in [k for k, v in sent.items() if v.get("at", "") < cutoff]:
                del sent[k]
            sent.setdefault(key, {"at": clock.now_iso(), "users": {}})["users"][uid] = message_id
            self._write(state)
