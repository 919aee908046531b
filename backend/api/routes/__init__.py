"""Endpoint modules, one per area; each exposes ``router``."""
