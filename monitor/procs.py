"""Child processes die with their parent, however the parent ends (SIGTERM, SIGKILL, a crash).

- Linux: `prctl(PR_SET_PDEATHSIG)` asks the kernel to signal the child when its parent dies.
  It fires when the *thread* that spawned the child ends: spawn from a thread that waits for it.
- Everywhere: a daemon thread in the child that notices the parent is gone (`watch_parent`).
Stdlib only: the crawl child imports it before anything else.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

PARENT_ENV = "PORTALWATCH_PARENT_PID"  # set by the parent in the child's environment
_PR_SET_PDEATHSIG = 1


def pdeathsig(sig: int = signal.SIGTERM) -> bool:
    """Have the kernel send `sig` to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent_preexec(parent_pid: int) -> Callable[[], None]:
    """A Popen `preexec_fn` for programs we do not own (Datasette): SIGTERM when we die. Only
    for single-threaded parents (preexec_fn runs between fork and exec)."""
    def preexec() -> None:
        pdeathsig(signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)
    return preexec


def watch_parent(parent_pid: int, on_orphan: Callable[[], None], interval: float = 0.5) -> threading.Thread:
    """Call `on_orphan()` once, from a daemon thread, when this process's parent is gone."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            if os.getppid() != parent_pid:
                on_orphan()
                return

    t = threading.Thread(target=loop, name="portalwatch-parent-watch", daemon=True)
    t.start()
    return t


def child_env(env: dict[str, str]) -> dict[str, str]:
    """`env` plus this process's pid, for a child that must not outlive us."""
    return {**env, PARENT_ENV: str(os.getpid())}
