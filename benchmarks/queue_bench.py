"""The scheduler's queue with thousands of hosts: Scrapy's DownloaderAwarePriorityQueue against
crawler.queues.HostQueue.

    python -m benchmarks.queue_bench [--hosts 3259] [--per-host 4] [--in-flight 512]

Pushes `--per-host` requests for each of `--hosts` hosts (a list page first, priority 10, as the
spider does), then drains the queue the way the engine does: `len()` before each `pop()`, each
popped request counted active in its host's slot until `--in-flight` are active (then the oldest
finishes). Prints microseconds per request for both queues, measured alternately.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import deque
from types import SimpleNamespace
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.pqueues import DownloaderAwarePriorityQueue
from scrapy.settings import Settings
from scrapy.squeues import FifoMemoryQueue

from crawler.queues import HostQueue


class _Downloader:
    def __init__(self):
        self.slots: dict[str, SimpleNamespace] = {}

    def get_slot_key(self, request):
        return urlsplit(request.url).hostname or ""


def drain(cls, hosts: int, per_host: int, in_flight: int) -> tuple[float, int]:
    dl = _Downloader()
    crawler = SimpleNamespace(settings=Settings(), engine=SimpleNamespace(downloader=dl))
    q = cls.from_crawler(crawler, FifoMemoryQueue, "")
    for h in range(hosts):
        for i in range(per_host):
            q.push(Request(f"http://h{h}.test/{i}", priority=10 if i == 0 else 0))
    active: deque = deque()
    n = 0
    t0 = time.process_time()
    while len(q):
        r = q.pop()
        n += 1
        key = dl.get_slot_key(r)
        dl.slots.setdefault(key, SimpleNamespace(active=set())).active.add(r)
        active.append((key, r))
        if len(active) > in_flight:
            k, old = active.popleft()
            dl.slots[k].active.discard(old)
    return time.process_time() - t0, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=3259)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--in-flight", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    res: dict[str, list[float]] = {"DownloaderAwarePriorityQueue": [], "HostQueue": []}
    for _ in range(args.rounds):
        for cls in (DownloaderAwarePriorityQueue, HostQueue):
            secs, n = drain(cls, args.hosts, args.per_host, args.in_flight)
            res[cls.__name__].append(secs / n * 1e6)
    print(f"{args.hosts} hosts × {args.per_host} requests, {args.in_flight} in flight; CPU µs per request (len + pop):")
    for name, v in res.items():
        print(f"  {name:30s} {min(v):10.1f}   (rounds: {', '.join(f'{x:.1f}' for x in v)})")
    a, b = min(res["DownloaderAwarePriorityQueue"]), min(res["HostQueue"])
    print(f"  HostQueue is {a / b:.0f}× cheaper")
    return 0


if __name__ == "__main__":
    sys.exit(main())
