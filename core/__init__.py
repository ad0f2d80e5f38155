"""Shared domain and use cases of the mock-interview bot (no chat platform, no web framework)."""
