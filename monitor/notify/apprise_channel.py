"""Chat and push services through Apprise URLs (Telegram, Slack, Discord, Matrix, Zalo-via-webhook …).

    { type = "apprise", url_env = "PORTALWATCH_APPRISE_URLS" }     # e.g. tgram://bottoken/chatid
    { type = "apprise", urls = ["json://127.0.0.1:8080/hook"] }   # URLs without secrets may be inline

`url_env` may hold several URLs separated by spaces or commas. The message is the text version
(`format = "markdown"` sends the Markdown version instead).
"""

from __future__ import annotations

import logging
import os
import re

from monitor.notify.outgoing import ChannelError, Outgoing


def _urls(ch: dict) -> list[str]:
    urls = list(ch.get("urls", []))
    if ch.get("url_env"):
        value = os.environ.get(ch["url_env"])
        if not value:
            raise ChannelError(f"apprise channel: environment variable {ch['url_env']!r} is not set")
        urls += [u for u in re.split(r"[\s,]+", value) if u]
    return urls


def send(ch: dict, out: Outgoing) -> str:
    import apprise

    box = apprise.Apprise()
    urls = _urls(ch)
    for n, url in enumerate(urls, 1):
        if not box.add(url):
            raise ChannelError(f"apprise channel: URL #{n} is not one apprise understands")
    r = out.rendered()
    markdown = ch.get("format") == "markdown"
    out.going_out()
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = box.notify(title=r.subject, body=r.markdown if markdown else r.text,
                        body_format=apprise.NotifyFormat.MARKDOWN if markdown else apprise.NotifyFormat.TEXT)
    if not ok:
        detail = " ".join(log.getvalue().split())[-300:]
        raise ChannelError(f"apprise: delivery failed{': ' + detail if detail else ''}")
    return f"{len(urls)} URL(s)"
