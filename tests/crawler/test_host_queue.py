"""crawler.queues.HostQueue: the scheduler's queue, host by host, the least busy first.

The queue reads only the downloader's slots (their `active` requests) and slot keys; a real
downloader needs a running engine, so a stand-in with the same two attributes is used here. Every
crawl of the e2e tests runs with this queue (crawler/settings.py)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.pqueues import DownloaderAwarePriorityQueue
from scrapy.settings import Settings
from scrapy.squeues import FifoMemoryQueue

from crawler.queues import SCAN, HostQueue


class Downloader:
    """The two things the queue reads of scrapy's Downloader: `slots[key].active`, `get_slot_key`."""

    def __init__(self):
        self.slots: dict[str, SimpleNamespace] = {}

    def get_slot_key(self, request: Request) -> str:
        return urlsplit(request.url).hostname or ""

    def start(self, request: Request) -> None:
        key = self.get_slot_key(request)
        self.slots.setdefault(key, SimpleNamespace(active=set())).active.add(request)


def make(cls=HostQueue):
    crawler = SimpleNamespace(settings=Settings(), engine=SimpleNamespace(downloader=Downloader()))
    crawler.settings.setmodule("crawler.settings")
    return cls.from_crawler(crawler, FifoMemoryQueue, ""), crawler.engine.downloader


def test_the_scrapy_settings_use_it():
    s = Settings()
    s.setmodule("crawler.settings")
    assert s["SCHEDULER_PRIORITY_QUEUE"] == "crawler.queues.HostQueue"


def test_one_host_keeps_priority_order_and_len_counts():
    q, _ = make()
    q.push(Request("http://a.test/article-1"))
    q.push(Request("http://a.test/list-2", priority=10))
    q.push(Request("http://a.test/article-2"))
    assert len(q) == 3
    assert [q.pop().url for _ in range(3)] == ["http://a.test/list-2", "http://a.test/article-1", "http://a.test/article-2"]
    assert len(q) == 0 and q.pop() is None and q.peek() is None


def test_hosts_take_turns():
    q, _ = make()
    for h in "abc":
        for i in range(2):
            q.push(Request(f"http://{h}.test/{i}"))
    got = [urlsplit(q.pop().url).hostname[0] for _ in range(6)]
    assert got == list("abcabc")


def test_a_busy_host_waits_while_an_idle_one_has_work():
    q, dl = make()
    for h in "abc":
        for i in range(3):
            q.push(Request(f"http://{h}.test/{i}"))
    first = q.pop()
    dl.start(first)  # a.test now has a download in flight
    dl.start(Request("http://b.test/x"))  # and so has b.test
    assert q.peek().url == "http://c.test/0"
    assert q.pop().url == "http://c.test/0"
    dl.start(Request("http://c.test/0"))
    dl.start(Request("http://c.test/y"))  # c.test is the busiest now; a and b have one each
    assert urlsplit(q.pop().url).hostname in ("a.test", "b.test")


def test_the_same_requests_come_out_as_with_scrapys_queue():
    """Both queues hand out every request once, each host's in priority order."""
    out = {}
    for cls in (HostQueue, DownloaderAwarePriorityQueue):
        q, dl = make(cls)
        for i in range(200):
            q.push(Request(f"http://h{i % 37}.test/{i}", priority=i % 3))
        got = []
        while (r := q.pop()) is not None:
            got.append(r)
            if len(got) % 5:
                dl.start(r)
        assert len(q) == 0
        out[cls] = got
    for got in out.values():
        assert sorted(r.url for r in got) == sorted(r.url for r in out[HostQueue])
        per_host: dict[str, list[int]] = {}
        for r in got:
            per_host.setdefault(urlsplit(r.url).hostname, []).append(r.priority)
        assert all(p == sorted(p, reverse=True) for p in per_host.values())


def test_a_pop_looks_at_no_more_than_scan_hosts():
    q, dl = make()
    for i in range(SCAN * 4):
        q.push(Request(f"http://h{i}.test/"))
    looked = []
    real = q._active
    q._active = lambda slot: looked.append(slot) or real(slot) + 1  # every host busy
    q.pop()
    assert len(looked) == SCAN
