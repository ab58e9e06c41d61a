"""Which node crawls which host: rendezvous (highest-random-weight) hashing.

Every host ranks every node by a hash of (node, host); the host goes to the first live node of
its ranking, and when that node is down (or fails the job) to the next. One host is only ever in
one node's jobs, so its politeness limits hold; adding a node moves only the hosts that now rank
it first (about 1/N of them), removing one moves only its own.
"""

from __future__ import annotations

import hashlib


def score(node: str, host: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{node}\x00{host}".encode(), digest_size=8).digest(), "big")


def ranking(host: str, nodes: list[str]) -> list[str]:
    """The nodes in the order this host tries them."""
    return sorted(nodes, key=lambda n: (-score(n, host), n))


def assign(hosts, nodes: list[str], down: set[str] | frozenset = frozenset()) -> dict[str, str]:
    """host → the first node of its ranking that is not down (no live node: KeyError-free {})."""
    live = [n for n in nodes if n not in down]
    if not live:
        return {}
    return {h: ranking(h, live)[0] for h in hosts}


def next_node(host: str, nodes: list[str], tried: set[str]) -> str | None:
    """The next node on this host's ranking that it has not tried yet."""
    for n in ranking(host, nodes):
        if n not in tried:
            return n
    return None
