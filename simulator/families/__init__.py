"""The CMS families world: commune and ward sites on WordPress (with a views plugin), Joomla,
Drupal, Liferay 7 and VNPT ePortal, several theme variants each, for `profile = "auto"`.

    from simulator import serve
    from simulator.families import FamiliesWorld
    world = FamiliesWorld(seed=1)
    with serve(world) as h:
        toml = world.sites_toml(h.base_url)
        truth = world.truth()          # what every article page shows
        lists = world.lists("xa-an-phu")  # every list page's URL and article keys

See simulator/TEMPLATES.md ("CMS families") for the markup contract and its sources.
"""

from .themes import FAMILIES, THEMES, Theme
from .world import SITES, FamiliesWorld

__all__ = ["FAMILIES", "SITES", "THEMES", "FamiliesWorld", "Theme"]
