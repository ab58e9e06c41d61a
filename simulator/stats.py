"""Counters of the requests a simulator served (what the HTTP layer reports it did)."""

from __future__ import annotations

import threading


class ServeStats:
    """Mixed into :class:`simulator.world.Simulator`: ``stats`` and the lock guarding it."""

    def _init_stats(self) -> None:
        self.stats: dict[str, int] = {}
        self._stats_lock = threading.Lock()
        self.reset_stats()

    def reset_stats(self) -> None:
        """Counters of requests served: list / article / other pages, plus details; "site:<id>":
        the requests each site was sent (added as they come)."""
        self.stats = {
            "total": 0, "list": 0, "article": 0, "home": 0, "other": 0, "sim": 0,
            "robots": 0, "not_found": 0, "gone": 0, "errors_500": 0, "down_503": 0,
            "not_modified": 0, "bytes": 0,
        }  # fmt: skip

    def count(self, kind: str, nbytes: int = 0, total: bool = True) -> None:
        """Count one served request (``total`` also counts it in stats["total"])."""
        with self._stats_lock:
            st = self.stats
            st[kind] = st.get(kind, 0) + 1
            st["bytes"] += nbytes
            if total:
                st["total"] += 1

    def get_stats(self) -> dict:
        with self._stats_lock:
            return dict(self.stats)
