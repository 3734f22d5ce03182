"""The command menu Telegram shows, in each interface language."""

from __future__ import annotations

from bot.ui.i18n import N_, translator

# (command, description); N_ marks each description for `pybabel extract`.
MENU = (
    ("topics", N_("Choose topics")),
    ("settings", N_("All settings in one menu")),
    ("status", N_("What is going on right now")),
    ("latest", N_("The latest stories")),
    ("mysubs", N_("Your subscriptions")),
    ("subscribe", N_("Subscribe to a topic")),
    ("unsubscribe", N_("Stop a topic")),
    ("near", N_("Only reports near a place")),
    ("watch", N_("Your own keywords")),
    ("filters", N_("Your place filters and keywords")),
    ("digest", N_("Alerts at once, or an hourly or daily digest")),
    ("quiet", N_("Quiet hours")),
    ("timezone", N_("Your time zone")),
    ("language", N_("Change the language")),
    ("help", N_("How Outpost works")),
)


def commands_for(lang: str) -> list[tuple[str, str]]:
    """Return the command menu as (command, description) pairs in a language.

    Pairs rather than `telegram.BotCommand`s, which `set_my_commands` accepts as well, so
    that only the edges of the bot import telegram.
    """
    tr = translator(lang)
    return [(command, tr.gettext(description)) for command, description in MENU]
