"""The sites.toml writer for national sites (hosts mapping plus one [[site]] per site)."""

from __future__ import annotations

from typing import Any

import tomlkit

from .units import SUFFIX


def national_sites_toml(world: Any, site_ids: list[str] | None = None, *, port: int | None = None,
                        settings: dict | None = None) -> str:  # fmt: skip
    """A complete sites.toml for these national sites: `[portalwatch]` (with the hosts mapping
    that sends ``*.sim.test`` to 127.0.0.1) and one [[site]] per site, URLs with the port."""
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
    sites = tomlkit.aot()
    # the units these sites belong to, declared (not crawled) when they are not in the list
    parents = [p for p in dict.fromkeys(world.sites[sid].parent for sid in ids) if p and p not in ids]
    for sid in [*ids, *parents]:
        s = world.sites[sid]
        t = tomlkit.table()
        t["id"], t["name"], t["level"] = s.id, s.name, s.level
        if s.parent:
            t["parent"] = s.parent
        t["start_urls"] = [f"http://{s.host}:{port}{p}" for p in s.list_paths]
        t["profile"] = s.profile
        if sid not in ids:
            t["enabled"] = False
        sites.append(t)
    doc["site"] = sites
    return tomlkit.dumps(doc)
