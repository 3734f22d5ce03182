"""What each chat chose: its filters (what it receives) and its delivery choices (how).

Handlers pass a command's words to these services; a word that does not say a valid choice
raises `ChoiceError`, whose message the handler shows in the chat's language.
"""

from bot.ui.i18n import TranslatableError


class ChoiceError(TranslatableError):
    """A command's arguments do not say a valid choice; the message says what would."""


__all__ = ["ChoiceError"]
