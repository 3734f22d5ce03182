"""The Bot API's error answer, raised anywhere in the sandbox and turned into JSON by the server.

Every refusal is an exception so that a method can stop at the first broken rule, as
Telegram does, and the server writes one error object for all of them.
"""

from __future__ import annotations

__all__ = ["APIError", "bad_request", "too_many_requests"]


class APIError(Exception):
    """A Bot API error response: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, int] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters or {}


def bad_request(reason: str) -> APIError:
    """Return Telegram's 400 with its "Bad Request: " prefix."""
    return APIError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> APIError:
    """Return Telegram's 429 with the ``retry_after`` PTB turns into ``RetryAfter``."""
    return APIError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
