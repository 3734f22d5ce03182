"""A `Sender` that counts Telegram's answers in the metrics, around the real one.

The composition root puts it around the Telegram sender when metrics are on, so the
dispatcher neither knows nor pays for them otherwise.
"""

from __future__ import annotations

from bot.delivery.sender import Sender, SendOptions, SendResult, SendStatus
from bot.runtime.metrics import Metrics


def result_label(result: SendResult) -> str:
    """Return the `result` label of an answer: ok, retry, 429, blocked or failed."""
    match result.status:
        case SendStatus.SENT:
            return "ok"
        case SendStatus.RETRY if result.retry_after is not None:
            return "429"
        case SendStatus.RETRY | SendStatus.MIGRATED:
            return "retry"  # a migrated group is sent to again at its new id
        case SendStatus.BLOCKED:
            return "blocked"
    return "failed"


class ObservedSender:
    """Send through `inner`, counting each answer by result and each 429's wait."""

    def __init__(self, inner: Sender, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def _count(self, result: SendResult) -> SendResult:
        label = result_label(result)
        self._metrics.observe_send(label, result.retry_after if label == "429" else None)
        return result

    async def send(self, chat_id: int, text: str, options: SendOptions) -> SendResult:
        """Send one message and count Telegram's answer."""
        return self._count(await self._inner.send(chat_id, text, options))

    async def edit(
        self, chat_id: int, message_id: int, text: str, options: SendOptions
    ) -> SendResult:
        """Edit one message and count Telegram's answer."""
        return self._count(await self._inner.edit(chat_id, message_id, text, options))
