"""The national world: 34 province portals and 3,321 commune portals on their own host names.

Built lazily. Constructing a :class:`NationalWorld` makes only small :class:`NationalSite`
records (name, host, template, size, rhythm, faults); a site's publication timeline is a pure
function of (seed, site) computed on first use and kept in a small LRU, and article ``i`` is a
pure function of (seed, site, i), generated on demand (also LRU-cached). Pages are rendered by
:mod:`simulator.render`'s own functions, so the profiles read national pages like any other.

Hosts: ``<province>.sim.test`` (the province portal) and ``<unit-slug>.<province>.sim.test``
(a commune, ward or special zone); Hanoi's units are sub-sites under their old district host,
``hoangmai.hanoi.sim.test/vinh-hung/...``. :mod:`simulator.hosts` serves it over HTTP.

Modules: `units` (provinces, districts, unit names), `site` (a lazy portal and its rhythm),
`articles` (articles from (seed, site, index)), `world` (NationalWorld), `pages` (routing's
pages), `sites_toml` (the sites.toml writer).
"""

from __future__ import annotations

from .site import NationalSite
from .sites_toml import national_sites_toml
from .units import HANOI_DISTRICTS, PROVINCES, SUFFIX
from .world import NationalWorld

__all__ = ["HANOI_DISTRICTS", "PROVINCES", "SUFFIX", "NationalSite", "NationalWorld", "national_sites_toml"]
