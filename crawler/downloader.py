"""Scrapy's Downloader, with the per-host delay counted from the end of the previous response.

Scrapy counts DOWNLOAD_DELAY from when a host's slot hands a request on (`slot.lastseen`); on
a loaded machine that request may reach the server late, and the next one, handed on a delay
later, arrives less than a delay after it. Here the slot's `lastseen` is set again when each
download ends (response or error), before the slot picks its next request. With one request in
flight per host, the next request leaves at least a delay after the previous answer came back,
so the server sees its request starts at least a delay apart. AutoThrottle (it sets
`slot.delay`) and RetryAfter (it waits before a request reaches the slot) are unaffected.

A request of a site the spider dropped (its crawl lease went to another run) is not sent even
when it already waits in its host's slot, where up to CONCURRENT_REQUESTS of one slow host
queue past the downloader middlewares (crawler.middlewares.DroppedSites stops the later ones).
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader

from crawler.middlewares import DroppedSites


class _Handlers:
    """The downloader's handlers: a request of a dropped site is refused as its turn comes
    (nothing sent); any other request's slot is stamped when its download ends."""

    def __init__(self, handlers, slots, crawler):
        self._handlers, self._slots, self._crawler = handlers, slots, crawler

    def __getattr__(self, name):
        return getattr(self._handlers, name)

    async def download_request_async(self, request):
        DroppedSites.check(self._crawler, request)
        try:
            return await self._handlers.download_request_async(request)
        finally:
            slot = self._slots.get(request.meta.get(Downloader.DOWNLOAD_SLOT))
            if slot is not None:
                slot.lastseen = max(slot.lastseen, monotonic())


class PoliteDownloader(Downloader):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.handlers = _Handlers(self.handlers, self.slots, crawler)  # type: ignore[assignment]
