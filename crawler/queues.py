"""The scheduler's priority queue: one queue per download slot (host), taken in turn.

Scrapy's DownloaderAwarePriorityQueue gives the next request to the slot with the fewest active
downloads, which it finds by scanning every slot on every pop and counting every slot's requests
on every `len()` (the engine asks after each request): with the ~3,300 hosts of a national crawl
that scan took about a fifth of the crawl process's main thread. `HostQueue` keeps its aims —
requests of one host in priority order (pagination ahead of articles), hosts served fairly, a busy
host never handed more work while an idle one waits — at a constant cost: the slots wait in a
ring; a pop takes the first idle slot from the front of the ring (at most `SCAN` looked at; when
none of them is idle, the least busy of them) and sends it to the back. `len()` is a counter.
Per-host politeness (concurrency, delay) stays with the downloader's slots, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from scrapy.http import Request
from scrapy.pqueues import DownloaderAwarePriorityQueue

SCAN = 32  # slots looked at per pop when the first ones are busy


class HostQueue(DownloaderAwarePriorityQueue):
    """A DownloaderAwarePriorityQueue (same persistence, same per-slot queues) whose pop and len
    do not grow with the number of hosts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ring: deque[str] = deque(self.pqueues)  # slots with requests, in turn order
        self._count = sum(len(q) for q in self.pqueues.values())

    def _active(self, slot: str) -> int:
        s = self._downloader_interface.downloader.slots.get(slot)
        return len(s.active) if s is not None else 0

    def _choose(self) -> int | None:
        """Index in the ring of the slot to serve next (None: nothing queued)."""
        best = best_active = None
        for i, slot in enumerate(self._ring):
            if i >= SCAN:
                break
            active = self._active(slot)
            if active == 0:
                return i
            if best_active is None or active < best_active:
                best, best_active = i, active
        return best

    def push(self, request: Request) -> None:
        slot = self._downloader_interface.get_slot_key(request)
        queue = self.pqueues.get(slot)
        if queue is None:
            queue = self.pqueues[slot] = self.pqfactory(slot)
            self._ring.append(slot)
        queue.push(request)
        self._count += 1

    def pop(self) -> Request | None:
        i = self._choose()
        if i is None:
            return None
        slot = self._ring[i]
        del self._ring[i]
        queue = self.pqueues[slot]
        request = queue.pop()
        if request is not None:
            self._count -= 1
        if len(queue) == 0:
            del self.pqueues[slot]
            queue.close()
        else:
            self._ring.append(slot)  # its next request waits for the other hosts' turn
        return request

    def peek(self) -> Request | None:
        i = self._choose()
        return None if i is None else self.pqueues[self._ring[i]].peek()

    def close(self) -> dict[str, list[int]]:
        self._ring.clear()
        self._count = 0
        return super().close()

    def __len__(self) -> int:
        return self._count

    def slots(self) -> Iterable[str]:
        """The slots with requests, in the order they will be served (for tests and debugging)."""
        return tuple(self._ring)


__all__ = ["SCAN", "HostQueue"]
