"""Decompress a response body a bounded amount at a time, so a gzip bomb costs nothing.

httpx decodes each network chunk in one go: a 64 KiB chunk of a gzip bomb becomes ~64 MB in
memory before any size cap can look at it, and sixteen concurrent polls make that a gigabyte.
zlib's `max_length` lets us inflate only as much as the cap still allows and stop there.
"""

from __future__ import annotations

import zlib

GZIP_NAMES = frozenset({"gzip", "x-gzip"})
ENCODINGS = GZIP_NAMES | {"deflate"}


class CorruptBodyError(Exception):
    """The body is not valid data in the Content-Encoding the server declared."""


class BodyTooLargeError(Exception):
    """Decompressing the body would exceed the cap."""


class BoundedInflater:
    """Undo one Content-Encoding (gzip or deflate) without producing more than `limit` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._encoding = encoding
        self._limit = limit
        self._produced = 0
        gzip = encoding in GZIP_NAMES
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        # "deflate" is zlib-wrapped by the RFC but raw from some servers; browsers and httpx
        # accept both, so the first bytes decide.
        self._may_be_raw = not gzip

    def feed(self, data: bytes) -> bytes:
        """Return what `data` inflates to; raise BodyTooLargeError past the limit."""
        if self._may_be_raw and data:
            self._may_be_raw = False
            try:
                return self._bounded(data)
            except CorruptBodyError:
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                self._produced = 0
        return self._bounded(data)

    def finish(self) -> bytes:
        """Return what zlib still holds once the body has ended."""
        rest = self._inflater.flush()
        self._produced += len(rest)
        if self._produced > self._limit:
            raise BodyTooLargeError
        return rest

    def _bounded(self, data: bytes) -> bytes:
        out = bytearray()
        pending = data
        while pending:
            room = self._limit - self._produced + 1  # one byte over the cap proves the excess
            try:
                piece = self._inflater.decompress(pending, room)
            except zlib.error as exc:
                raise CorruptBodyError(f"corrupt {self._encoding} body: {exc}") from exc
            self._produced += len(piece)
            if self._produced > self._limit:
                raise BodyTooLargeError
            out += piece
            pending = self._inflater.unconsumed_tail
            if not piece:  # zlib kept input without output: it needs the next chunk
                break
        return bytes(out)
