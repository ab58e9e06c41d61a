"""Datasette plugins `portalwatch serve` loads (`--plugins-dir` this folder): guard.py."""
