"""portalwatch: crawl Vietnamese government news portals and watch them change."""
