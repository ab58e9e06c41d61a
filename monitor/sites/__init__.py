"""Operators' tools: onboarding, discovery, import, checks, the sites.toml editor."""
