"""How often the owners are told about errors: once per kind of error in a while, and a few
kinds at most.

Anyone can make the bot fail in some way (a forged button once did), so one kind of error
must neither mute the notices of the others, as a single "last notice" time did, nor flood
the owners: each kind (the exception's type and its message with numbers taken out, so one
failure about many chats is one kind) is told once per `every` seconds, and no more than
`most` kinds are told within that time.
"""

from __future__ import annotations

import re
from collections import deque

_NUMBERS = re.compile(r"\d+")
_KIND_CHARS = 120
_MAX_KINDS = 1_024  # kinds remembered; the oldest are forgotten beyond it


def error_kind(error: BaseException | None) -> str:
    """Return the kind of an error: its type and its message without numbers, shortened."""
    if error is None:
        return "None"
    message = _NUMBERS.sub("N", str(error)[: _KIND_CHARS * 2])[:_KIND_CHARS]
    return f"{type(error).__module__}.{type(error).__qualname__}: {message}"


class NoticeGate:
    """Decides whether an error notice goes out now; times are monotonic seconds."""

    def __init__(self, *, every: float = 600.0, most: int = 5) -> None:
        self.every = every
        self.most = most
        self._last: dict[str, float] = {}  # kind -> when it was last told
        self._recent: deque[float] = deque()  # when each notice of the last `every` went

    def allow(self, kind: str, now: float) -> bool:
        """Tell whether a notice of this kind may go now, and count it if so."""
        while self._recent and self._recent[0] <= now - self.every:
            self._recent.popleft()
        last = self._last.get(kind)
        if last is not None and now - last < self.every:
            return False
        if len(self._recent) >= self.most:
            return False
        self._last.pop(kind, None)
        self._last[kind] = now
        if len(self._last) > _MAX_KINDS:
            del self._last[next(iter(self._last))]
        self._recent.append(now)
        return True
