"""Fetching a source politely and safely: the fetcher, its SSRF guard, bounded inflation and
feed discovery."""
