"""Bounded inflation: a gzip bomb is stopped inside one network chunk, not after it."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from bot.pipeline.fetch.inflate import BodyTooLargeError, BoundedInflater, CorruptBodyError

BOMB = gzip.compress(b"\0" * 50_000_000)  # ~49 KB on the wire: one chunk for httpx


def test_bomb_in_one_chunk_never_inflates_past_the_cap() -> None:
    assert len(BOMB) < 65_536
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLargeError):
            BoundedInflater("gzip", 100_000).feed(BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Inflating the chunk in one go, as httpx's decoder does, would hold 50 MB.
    assert peak < 2_000_000


def test_body_split_anywhere_inflates_to_the_original() -> None:
    original = ("Колонна техники у Ельска. " * 4000).encode()
    packed = gzip.compress(original)
    for size in (1, 7, 1000, len(packed)):
        inflater = BoundedInflater("gzip", len(original))
        out = b"".join(inflater.feed(packed[i : i + size]) for i in range(0, len(packed), size))
        assert out + inflater.finish() == original


def test_exactly_the_cap_is_allowed_one_byte_more_is_not() -> None:
    data = b"x" * 5000
    assert BoundedInflater("gzip", 5000).feed(gzip.compress(data)) == data
    with pytest.raises(BodyTooLargeError):
        BoundedInflater("gzip", 4999).feed(gzip.compress(data))


def test_deflate_with_and_without_the_zlib_wrapper() -> None:
    data = b"<rss/>" * 100
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    for packed in (zlib.compress(data), raw.compress(data) + raw.flush()):
        inflater = BoundedInflater("deflate", 10_000)
        assert inflater.feed(packed) + inflater.finish() == data


def test_garbage_is_corrupt() -> None:
    with pytest.raises(CorruptBodyError):
        BoundedInflater("gzip", 10_000).feed(b"<html>not gzip</html>")
