"""The crawl: Scrapy spider, items, plan and clock (the bottom of portalwatch; it imports nothing from monitor/)."""

__version__ = "0.1.0"
