"""Terminal output of the commands (rich tables, live progress, reports) over the data the library
returns: crawl.py (live progress, the crawl table, skipped sites), sites.py (`sites list`, `add`,
`import`, `discover`), checks.py (`sites check` reports, `sites health`), query.py (`query`)."""
