"""Change detection (events) and per-site health rules."""
