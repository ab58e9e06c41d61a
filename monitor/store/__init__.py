"""The SQLite store: schema and migrations, the one writer of crawl data, maintenance."""
