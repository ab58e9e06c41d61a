"""portalwatch: crawl Vietnamese government news portals and watch them change."""

__version__ = "0.1.0"
