"""Chat and push services through Apprise URLs (Telegram, Slack, Discord, Matrix, …).

    { type = "apprise", url_env = "PORTALWATCH_APPRISE_URLS" }     # e.g. tgram://bottoken/chatid
    { type = "apprise", urls = ["json://127.0.0.1:8080/hook"] }   # URLs without secrets may be inline

`url_env` may hold several URLs separated by spaces or commas. The message is the text version
(`format = "markdown"` sends the Markdown version instead).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from typing import Any

from monitor.channels.base import Channel, ChannelError, Delivery


class AppriseChannel(Channel):
    type = "apprise"
    keys = ("urls", "url_env", "format")

    @classmethod
    def problem(cls, table: dict[str, Any]) -> str | None:
        if not table.get("urls") and not table.get("url_env"):
            return "apprise channel: give 'urls' (a list) or 'url_env' (an environment variable)"
        if not isinstance(table.get("urls", []), list):
            return "apprise channel: 'urls' must be a list of strings"
        if table.get("format", "text") not in ("text", "markdown"):
            return "apprise channel: 'format' must be text or markdown"
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
        markdown = self.table.get("format") == "markdown"
        out.going_out()
        with apprise.LogCapture(level=logging.WARNING) as log:
            ok = box.notify(title=r.subject, body=r.markdown if markdown else r.text,
                            body_format=apprise.NotifyFormat.MARKDOWN if markdown else apprise.NotifyFormat.TEXT)
        if not ok:
            detail = " ".join(log.getvalue().split())[-300:]
            raise ChannelError(f"apprise: delivery failed{': ' + detail if detail else ''}")
        return f"{len(urls)} URL(s)"
