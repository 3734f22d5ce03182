"""Which language each admin reads notices in (a source turned off, an error, ...)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.ui.i18n import pick_language
from storage import Database


async def admin_languages(db: Database, admin_ids: Iterable[int]) -> dict[int, str]:
    """Return {admin: language}: their private chat's stored language, else English.

    An admin's private chat has the id of the admin; it is stored, with the language of the
    admin's Telegram or the one they chose with /language, the first time they write to the
    bot. An admin who never did cannot be written to, so English costs nothing there.
    """
    languages = {}
    for admin_id in admin_ids:
        chat = await db.chats.get(admin_id)
        languages[admin_id] = pick_language(chat.language if chat else None)
    return languages
