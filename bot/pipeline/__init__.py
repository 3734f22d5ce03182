"""Ingest pipeline: fetch a source, parse it into items, and give each item a stable identity."""
