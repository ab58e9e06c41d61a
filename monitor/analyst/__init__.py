"""Analysts' tools: read-only SQL, search, export, Datasette metadata, the HTML report."""
