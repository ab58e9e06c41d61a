"""The simulator's sites.toml is written by tomlkit: any site name survives the round trip."""

from __future__ import annotations

import tomllib

from simulator import Simulator


def test_sites_toml_quotes_untrusted_names():
    sim = Simulator(seed=1, articles_per_site=1)
    site = next(iter(sim.sites.values()))
    site.name = 'Xã "A" \\ B\n[portalwatch]\nobey_robots = false\t\x01'
    cfg = tomllib.loads(sim.sites_toml("http://127.0.0.1:1/"))
    assert "portalwatch" not in cfg
    assert cfg["site"][0]["name"] == site.name
    assert [s["id"] for s in cfg["site"]] == list(sim.sites)
    assert cfg["site"][0]["start_urls"] == ["http://127.0.0.1:1" + p for p in site.list_paths]
