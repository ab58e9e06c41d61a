"""Ids that sites.toml tables refer to: every `parent` names a configured site or `[[unit]]`,
and no parent chain comes back to where it started."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.sites import Site, Unit
from monitor.config.keys import ConfigError, did_you_mean


def check_parents(nodes: list[Site | Unit], path: Path) -> None:
    """Every `parent` names a configured site (crawled or not) or [[unit]], and the parent chain
    never comes back to where it started."""
    ids = [n.id for n in nodes]
    resolve = {a: n.id for n in nodes for a in n.aliases} | {i: i for i in ids}
    by_id = {n.id: n for n in nodes}
    for n in nodes:
        kind = "unit" if isinstance(n, Unit) else "site"
        p = n.parent
        if p is None:
            continue
        if p == n.id:
            raise ConfigError(f"{path}: {kind} {n.id!r}: key 'parent': a {kind} cannot be its own parent")
        if p not in resolve:
            raise ConfigError(f"{path}: {kind} {n.id!r}: key 'parent': {unknown_id(p, [i for i in ids if i != n.id])}")
    for n in nodes:
        chain, cur = [n.id], n
        while cur.parent is not None:
            nxt = resolve[cur.parent]
            if nxt in chain:
                loop = " → ".join([*chain[chain.index(nxt):], nxt])
                kind = "unit" if isinstance(n, Unit) else "site"
                raise ConfigError(f"{path}: {kind} {n.id!r}: key 'parent': parent cycle {loop}")
            chain.append(nxt)
            cur = by_id[nxt]


def unknown_id(word: str, known: list[str]) -> str:
    """"no site or unit 'x'", then a did-you-mean, else how to declare a unit without a portal."""
    hint = did_you_mean(word, known)
    if hint:
        return f"no site or unit {word!r}{hint}"
    return (f"no site or unit {word!r}; add a [[unit]] table with id = {json.dumps(word, ensure_ascii=False)}, name = \"…\", "
            "level = \"…\" if it is a unit without a portal")
