"""A `Sender` that sends only while this instance holds the sender lease.

The check is made at the last moment, right before the call to Telegram, after the row
waited at the admission: a row claimed just before the lease was lost is not sent by this
instance (the next holder frees and sends it). Raising `LeaseLostError` leaves the row as
it is, claimed, rather than counting a failed attempt.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.delivery.sender import Sender, SendOptions, SendResult
from storage.leases import LeaseLostError


class LeasedSender:
    """Send through `inner` while `held()` says this instance may send."""

    def __init__(self, inner: Sender, held: Callable[[], bool]) -> None:
        self._inner = inner
        self._held = held

    def _check(self) -> None:
        if not self._held():
            raise LeaseLostError("this instance no longer holds the sender lease")

    async def send(self, chat_id: int, text: str, options: SendOptions) -> SendResult:
        """Send one message, unless the lease is lost."""
        self._check()
        return await self._inner.send(chat_id, text, options)

    async def edit(
        self, chat_id: int, message_id: int, text: str, options: SendOptions
    ) -> SendResult:
        """Edit one message, unless the lease is lost."""
        self._check()
        return await self._inner.edit(chat_id, message_id, text, options)
