"""The long-running service: when to crawl, send digests and keep the database."""
