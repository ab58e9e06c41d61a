"""The unit tree: sites and [[unit]]s under their parents (province > district > wards), built
once — from the configuration (`Config.tree`) or from the database's `sites` mirror
(`stored_tree`, for the analyst tools, which have no configuration).

Former ids (`aliases`) resolve to the node that claims them everywhere: a `parent` naming a
renamed district, a recipient listing a ward by its old id, a lookup. Children keep the order of
the nodes given (the configuration's: sites, then units); walks are depth first and stop at a
node seen before, so a stored tree with a loop still ends.

    tree = config.tree
    tree.children("hoang-mai")               # ['vinh-hung', 'tuong-mai', …]
    tree.descendants("ha-noi")               # every node below, units included
    tree.ancestors("vinh-hung")              # ['hoang-mai', 'ha-noi']
    tree.sites_under(["hoang-mai"], ["x"])   # a recipient's sites: 'x', then the sites below
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Node(Protocol):
    """What the tree needs of a node: crawler.sites.Site, Unit, or a StoredNode."""

    @property
    def id(self) -> str: ...

    @property
    def parent(self) -> str | None: ...

    @property
    def aliases(self) -> list[str]: ...


@dataclass(frozen=True)
class StoredNode:
    """One row of the database's `sites` mirror (a site or a unit)."""

    id: str
    name: str
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)


class UnitTree:
    """Parent → children over sites and units; `units` are the ids with no portal of their own."""

    def __init__(self, nodes: Sequence[Node], units: Iterable[str] = ()):
        self.nodes: dict[str, Node] = {}
        for n in nodes:
            self.nodes.setdefault(n.id, n)
        self.units = set(units)
        self._former = {a: n.id for n in self.nodes.values() for a in n.aliases}  # claimed old ids win
        self._children: dict[str, list[str]] = {}
        for n in self.nodes.values():
            if n.parent:
                self._children.setdefault(self.resolve(n.parent) or n.parent, []).append(n.id)

    @classmethod
    def of(cls, sites: Sequence[Node], units: Sequence[Node]) -> UnitTree:
        return cls([*sites, *units], units=(u.id for u in units))

    def resolve(self, node_id: str) -> str | None:
        """Today's id of a node named by its id or a former id; None when nothing has it."""
        if node_id in self._former:
            return self._former[node_id]
        return node_id if node_id in self.nodes else None

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and self.resolve(node_id) is not None

    def node(self, node_id: str) -> Node | None:
        rid = self.resolve(node_id)
        return self.nodes[rid] if rid is not None else None

    def is_site(self, node_id: str) -> bool:
        rid = self.resolve(node_id)
        return rid is not None and rid not in self.units

    def children(self, node_id: str) -> list[str]:
        return list(self._children.get(self.resolve(node_id) or node_id, []))

    def descendants(self, node_id: str) -> list[str]:
        """Every node below, depth first in the nodes' order (units included, the node itself not)."""
        out: list[str] = []
        seen = {self.resolve(node_id) or node_id}
        stack = list(reversed(self._children.get(self.resolve(node_id) or node_id, [])))
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            out.append(nid)
            stack.extend(reversed(self._children.get(nid, [])))
        return out

    def ancestors(self, node_id: str) -> list[str]:
        """The parent, its parent, … up to the top (ids as resolved; stops before a loop)."""
        out: list[str] = []
        cur = self.node(node_id)
        seen = {cur.id} if cur else set()
        while cur is not None and cur.parent:
            pid = self.resolve(cur.parent) or cur.parent
            if pid in seen:
                break
            seen.add(pid)
            out.append(pid)
            cur = self.nodes.get(pid)
        return out

    def below(self, parents: Iterable[str]) -> list[str]:
        """Every node below any of these units, once, units included (the analysts' --parent)."""
        out: dict[str, None] = {}
        for p in parents:
            out.update(dict.fromkeys(self.descendants(p)))
        return list(out)

    def sites_under(self, parents: Iterable[str] = (), sites: Iterable[str] = ()) -> list[str]:
        """What a recipient covers: its `sites` (former ids resolved), then every site below its
        `parents`, depth first; once each, no units (they have no posts of their own). An id
        that names nothing is kept as given, for the caller to report."""
        out: dict[str, None] = {}
        for sid in sites:
            out.setdefault(self.resolve(sid) or sid, None)
        for p in parents:
            for nid in self.descendants(p):
                if nid not in self.units:
                    out.setdefault(nid, None)
        return list(out)


def stored_tree(conn: sqlite3.Connection) -> UnitTree:
    """The tree of the database's `sites` mirror (every site and unit a crawl has synced, current
    or not), for tools that have the database and no configuration."""
    nodes = []
    for sid, name, parent, aliases in conn.execute("SELECT id, name, parent, aliases FROM sites ORDER BY id"):
        try:
            former = [a for a in json.loads(aliases or "[]") if isinstance(a, str)]
        except ValueError:
            former = []
        nodes.append(StoredNode(sid, name, parent, former))
    return UnitTree(nodes)
