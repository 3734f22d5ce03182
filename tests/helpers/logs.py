"""Outpost's own log set-up, writing to a buffer for the length of a test, then undone."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterable, Iterator
from typing import Literal

from bot.runtime.logs import ALWAYS_QUIET, QUIET, setup_logging


@contextlib.contextmanager
def outpost_logs(
    level: str, *, fmt: Literal["text", "json"] = "text", secrets: Iterable[str] = ()
) -> Iterator[io.StringIO]:
    """Install `setup_logging` on a buffer; restore the root and library levels on exit."""
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in (*QUIET, *ALWAYS_QUIET)}
    saved_root = root.level
    stream = io.StringIO()
    handler = setup_logging(level, secrets=secrets, fmt=fmt, stream=stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_root)
        for name, old in saved.items():
            logging.getLogger(name).setLevel(old)
