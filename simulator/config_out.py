"""The simulator's sites as a portalwatch ``sites.toml`` (``[[site]]`` tables)."""

from __future__ import annotations

from typing import Any

import tomlkit


def sites_toml(sim: Any, base_url: str) -> str:
    """The simulator's sites as `[[site]]` tables; tomlkit quotes the (untrusted-looking) names."""
    base = base_url.rstrip("/")
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Sites of the portal simulator (seed {sim.seed}) at {base}"))
    sites = tomlkit.aot()
    for s in sim.sites.values():
        t = tomlkit.table()
        t["id"], t["name"], t["level"] = s.id, s.name, s.level
        if s.parent:
            t["parent"] = s.parent
        t["start_urls"] = [base + p for p in s.list_paths]
        t["profile"] = s.profile
        sites.append(t)
    doc["site"] = sites
    return tomlkit.dumps(doc)
