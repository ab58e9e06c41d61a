"""A local stand-in for Zalo's Official Account API on 127.0.0.1 (the real one cannot be reached
here), implementing the two endpoints portalwatch uses with the documented requests and answers.

Where each shape comes from:
- POST /v3.0/oa/message/cs: developers.zalo.me, Official Account API, "Gửi tin Tư vấn dạng văn bản"
  (docs/official-account/tin-nhan/tin-tu-van/gui-tin-tu-van-dang-van-ban; the same page on
  docs.zaloplatforms.com/docs/OA/...): header `access_token`, JSON body
  {"recipient": {"user_id": "…"}, "message": {"text": "…"}}, text "tối đa 2.000 ký tự"; success
  {"data": {"quota": {"quota_type": "reply", "remain": "8", "total": "8"}, "message_id": "…",
  "user_id": "…", "sent_time": "…"}, "error": 0, "message": "Success"}.
- errors: developers.zalo.me, Official Account API, "Phụ lục: Mã lỗi" (docs/.../phu-luc/ma-loi):
  always HTTP 200 with {"error": <negative code>, "message": "<text>"} and no data; the codes and
  texts below are that table's (-216 "Access token is invalid", -220 "access_token is expired or
  removed", -230 "User has not interacted with the OA in the past 7 days", -211 "Out of quota",
  -213 "User has not followed OA", -223 "Official Account has not authorized this API"); the
  PyPI package zalo-sdk (zalo_sdk/ZaloOAException.py) has the same codes. -124 "Access token
  invalid" is the ZNS table's (zalo.cloud/zns/guidelines/handle-error-code), which some OA
  integrations also meet.
- POST /v4/oa/access_token: developers.zalo.me, "Xác thực và ủy quyền cho ứng dụng"
  (docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new): form-urlencoded
  refresh_token, app_id, grant_type=refresh_token, header `secret_key`; answer {"access_token":
  "…", "refresh_token": "…", "expires_in": "90000"} (a string, 25 hours); "Refresh Token chỉ được
  sử dụng một lần": the old one is void after use. The refusal {"error": -14014, "error_name":
  "Invalid refresh token", …} is what integrations on GitHub record (the docs name no code).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ERRORS = {
    -124: "Access token invalid",
    -211: "Out of quota",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -220: "access_token is expired or removed",
    -223: "Official Account has not authorized this API",
    -230: "User has not interacted with the OA in the past 7 days",
}


class ZaloStandIn:
    """The OA API on 127.0.0.1:0. `messages` holds (user_id, text, access_token) of each accepted
    message; `refused` the user ids answered with an error; `answers[user_id]` queues error codes
    for that user (one per request, then success); `expire()` makes the current access token
    answer -220 (`code` to answer another)."""

    def __init__(self, app_id: str, secret_key: str, access_token: str, refresh_token: str):
        self.app_id, self.secret_key = app_id, secret_key
        self.access_tokens = {access_token}
        self.refresh_tokens = {refresh_token}  # each works once
        self.expired: dict[str, int] = {}  # token -> the code it answers
        self.answers: dict[str, list[int]] = {}
        self.messages: list[tuple[str, str, str]] = []
        self.refused: list[tuple[str, int]] = []
        self.bad_tokens: list[tuple[str, int]] = []  # (token, code) of messages refused for their token
        self.refreshes: list[dict] = []
        self.issued = 0
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def expire(self, code: int = -220) -> None:
        with self.lock:
            for t in self.access_tokens:
                self.expired[t] = code

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, doc: dict) -> None:
                body = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 - http.server's hook name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/v4/oa/access_token":
                    return self._answer(api.refresh(self.headers.get("secret_key"), raw))
                if self.path == "/v3.0/oa/message/cs":
                    return self._answer(api.message(self.headers.get("access_token", ""), raw))
                self.send_error(404)

        return Handler

    def refresh(self, secret_key: str | None, raw: bytes) -> dict:
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        with self.lock:
            self.refreshes.append(form)
            ok = (secret_key == self.secret_key and form.get("app_id") == self.app_id
                  and form.get("grant_type") == "refresh_token" and form.get("refresh_token") in self.refresh_tokens)
            if not ok:
                return {"error": -14014, "error_name": "Invalid refresh token",
                        "error_reason": "refresh_token is invalid or used", "ref_doc": "", "error_description": ""}
            self.refresh_tokens.discard(form["refresh_token"])
            self.issued += 1
            access, refresh = f"access-{self.issued}", f"refresh-{self.issued}"
            self.access_tokens = {access}
            self.refresh_tokens.add(refresh)
            return {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}

    def message(self, token: str, raw: bytes) -> dict:
        with self.lock:
            code = self.expired.get(token, 0 if token in self.access_tokens else -216)
            if code:
                self.bad_tokens.append((token, code))
                return {"error": code, "message": ERRORS[code]}
            doc = json.loads(raw)
            uid, text = doc["recipient"]["user_id"], doc["message"]["text"]
            if len(text) > 2000:
                return {"error": -210, "message": "Parameter exceeds allowable limit"}
            queued = self.answers.get(uid) or []
            if queued:
                code = queued.pop(0)
                self.refused.append((uid, code))
                return {"error": code, "message": ERRORS[code]}
            self.messages.append((uid, text, token))
            n = len(self.messages)
            return {"data": {"quota": {"quota_type": "reply", "remain": "8", "total": "8"},
                             "message_id": f"msg{n:04d}", "user_id": uid, "sent_time": "1626926349402"},
                    "error": 0, "message": "Success"}
