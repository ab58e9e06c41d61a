"""Chat and push services through Apprise URLs (Telegram, Slack, Discord, Matrix, …).

    { type = "apprise", url_env = "PORTALWATCH_APPRISE_URLS" }     # e.g. tgram://bottoken/chatid
    { type = "apprise", urls = ["json://127.0.0.1:8080/hook"] }   # URLs without secrets may be inline

`url_env` may hold several URLs separated by spaces or commas. The message is the chat-sized
summary (monitor/digest/chat.py: plain text, at most 2,000 characters or the smallest limit of the
services named, whichever is less); `format = "text"` sends the whole text version and
`format = "markdown"` the Markdown version instead (for services without a length limit).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from typing import Any

from monitor.channels.base import Channel, ChannelError, Delivery

FORMATS = ("chat", "text", "markdown")
CHAT_LIMIT = 2000


class AppriseChannel(Channel):
    type = "apprise"
    keys = ("urls", "url_env", "format")

    @classmethod
    def problem(cls, table: dict[str, Any]) -> str | None:
        if not table.get("urls") and not table.get("url_env"):
            return "apprise channel: give 'urls' (a list) or 'url_env' (an environment variable)"
        if not isinstance(table.get("urls", []), list):
            return "apprise channel: 'urls' must be a list of strings"
        if table.get("format", "chat") not in FORMATS:
            return f"apprise channel: 'format' must be one of {', '.join(FORMATS)}"
        return None

    def target(self) -> str:
        """A hash: the URLs may carry tokens, and the ledger is readable by every analyst."""
        secret = "|".join(self.table.get("urls", [])) + "|" + str(self.table.get("url_env", ""))
        return "apprise:" + hashlib.sha256(secret.encode()).hexdigest()[:12]

    def urls(self) -> list[str]:
        urls = list(self.table.get("urls", []))
        if self.table.get("url_env"):
            value = os.environ.get(self.table["url_env"])
            if not value:
                raise ChannelError(f"apprise channel: environment variable {self.table['url_env']!r} is not set")
            urls += [u for u in re.split(r"[\s,]+", value) if u]
        return urls

    def send(self, out: Delivery) -> str:
        import apprise

        box = apprise.Apprise()
        urls = self.urls()
        for n, url in enumerate(urls, 1):
            if not box.add(url):
                raise ChannelError(f"apprise channel: URL #{n} is not one apprise understands")
        r = out.rendered()
        fmt = self.table.get("format", "chat")
        if fmt == "chat":  # the services' own limits (Telegram 4,096, Discord 2,000 …), at most 2,000
            limits = [n for n in (getattr(s, "body_maxlen", 0) for s in box) if isinstance(n, int) and n > 0]
            body = r.chat(max(500, min([CHAT_LIMIT, *limits])))
        else:
            body = r.markdown if fmt == "markdown" else r.text
        out.going_out()
        with apprise.LogCapture(level=logging.WARNING) as log:
            ok = box.notify(title=r.subject, body=body,
                            body_format=apprise.NotifyFormat.MARKDOWN if fmt == "markdown" else apprise.NotifyFormat.TEXT)
        if not ok:
            detail = " ".join(log.getvalue().split())[-300:]
            raise ChannelError(f"apprise: delivery failed{': ' + detail if detail else ''}")
        return f"{len(urls)} URL(s)"
