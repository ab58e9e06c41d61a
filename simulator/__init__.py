"""Portal simulator: a deterministic world of Vietnamese government news portals over HTTP.

    from simulator import Simulator, serve
    sim = Simulator(seed=1, articles_per_site=40)
    with serve(sim) as h:
        ...  # crawl h.base_url; sim.advance(hours=6); sim.truth()
"""

from .server import ServerHandle, serve
from .world import START, Faults, Simulator, sites_toml

__all__ = ["Simulator", "Faults", "START", "serve", "ServerHandle", "sites_toml"]
