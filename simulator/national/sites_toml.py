"""The sites.toml writer for national sites (hosts mapping, one [[site]] per site, one [[unit]]
per enclosing unit that is not crawled)."""

from __future__ import annotations

from typing import Any

import tomlkit

from .units import SUFFIX


def national_sites_toml(world: Any, site_ids: list[str] | None = None, *, port: int | None = None,
                        settings: dict | None = None) -> str:  # fmt: skip
    """A complete sites.toml for these national sites: `[portalwatch]` (with the hosts mapping
    that sends ``*.sim.test`` to 127.0.0.1), one [[site]] per site, URLs with the port, and one
    [[unit]] per parent (and its parents) not in the list: declared, never crawled."""
    port = port if port is not None else world.port
    ids = site_ids or list(world.sites)
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"{len(ids)} sites of the national simulator (seed {world.seed}) on port {port}"))
    head = tomlkit.table()
    for k, v in {"contact_url": "https://github.com/portalwatch/portalwatch", **(settings or {})}.items():
        head[k] = v
    hosts = tomlkit.inline_table()
    hosts[SUFFIX] = "127.0.0.1"
    head["hosts"] = hosts
    doc["portalwatch"] = head
    sites, units = tomlkit.aot(), tomlkit.aot()
    wanted = set(ids)
    parents: dict[str, None] = {}  # the units these sites belong to, not in the list: [[unit]]s
    for sid in ids:
        p = world.sites[sid].parent
        while p and p not in wanted and p not in parents:
            parents[p] = None
            p = world.sites[p].parent
    for sid in [*ids, *parents]:
        s = world.sites[sid]
        t = tomlkit.table()
        t["id"], t["name"], t["level"] = s.id, s.name, s.level
        if s.parent:
            t["parent"] = s.parent
        if sid in wanted:
            t["start_urls"] = [f"http://{s.host}:{port}{p}" for p in s.list_paths]
            t["profile"] = s.profile
        (sites if sid in wanted else units).append(t)
    doc["site"] = sites
    if units:
        doc["unit"] = units
    return tomlkit.dumps(doc)
