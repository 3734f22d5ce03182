"""Admin source management: /sources, /addsource, /removesource, /pausesource,
/resumesource, and OPML files sent to the bot."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode

from bot import texts
from bot.context import Context, Core
from bot.opml import MAX_OPML_BYTES, OpmlError
from bot.sources import SourceRefusedError, add_source, import_opml
from storage.sources import DuplicateSourceError

log = logging.getLogger(__name__)

NOT_ADMIN = "Sorry, only Outpost admins can manage sources."
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def _admin(update: Update, context: Context) -> tuple[Message, Core, int] | None:
    """Return the message, services and admin id, or refuse a non-admin politely."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    if not context.core.is_admin(user.id):
        await message.reply_text(NOT_ADMIN)
        return None
    return message, context.core, user.id


async def sources(update: Update, context: Context) -> None:
    """List every source with its health."""
    found = await _admin(update, context)
    if found is None:
        return
    message, core, _ = found
    now = core.clock.now()
    pages = texts.sources_board(
        await core.db.sources.all(),
        await core.db.events.count_by_source(texts.since(now, 24)),
        now,
    )
    for page in pages:
        await message.reply_text(page, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW)


async def addsource(update: Update, context: Context) -> None:
    """Add a feed, a site (its advertised feed), t.me/NAME or @NAME."""
    found = await _admin(update, context)
    if found is None:
        return
    message, core, admin_id = found
    if not context.args:
        await message.reply_text("Usage: /addsource URL [name] (a feed, a site, t.me/NAME, @NAME)")
        return
    url, name = context.args[0], " ".join(context.args[1:]).strip() or None
    try:
        source = await add_source(
            core.db,
            url,
            now=core.clock.now(),
            allow_private=core.settings.allow_private_sources,
            name=name,
            fetcher=core.pipeline.fetcher,
        )
    except SourceRefusedError as exc:
        await message.reply_text(f"Not added: {exc}", link_preview_options=_NO_PREVIEW)
        return
    except DuplicateSourceError as exc:
        await message.reply_text(f"Already a source: {exc}", link_preview_options=_NO_PREVIEW)
        return
    log.info("admin %d added source %d (%s)", admin_id, source.id, source.url)
    await message.reply_text(
        f"Added source #{source.id}: {source.name} ({source.kind.value}) {source.url}\n"
        "Its current items are stored without alerts; new ones alert from the next poll.",
        link_preview_options=_NO_PREVIEW,
    )


async def _source_id(message: Message, context: Context, command: str) -> int | None:
    if not context.args or not context.args[0].lstrip("#").isdigit():
        await message.reply_text(f"Usage: /{command} ID (the number /sources shows)")
        return None
    return int(context.args[0].lstrip("#"))


async def removesource(update: Update, context: Context) -> None:
    """Remove a source; its stored events stay."""
    found = await _admin(update, context)
    if found is None:
        return
    message, core, admin_id = found
    source_id = await _source_id(message, context, "removesource")
    if source_id is None:
        return
    if not await core.db.sources.remove(source_id):
        await message.reply_text(f"No source #{source_id}.")
        return
    log.info("admin %d removed source %d", admin_id, source_id)
    await message.reply_text(f"Removed source #{source_id}. Its events stay.")


async def _set_active(update: Update, context: Context, *, active: bool) -> None:
    found = await _admin(update, context)
    if found is None:
        return
    message, core, admin_id = found
    command = "resumesource" if active else "pausesource"
    source_id = await _source_id(message, context, command)
    if source_id is None:
        return
    now = core.clock.now()
    if not await core.db.sources.set_active(source_id, active=active, now=now):
        await message.reply_text(f"No source #{source_id}.")
        return
    log.info("admin %d %s source %d", admin_id, "resumed" if active else "paused", source_id)
    verb = "Resumed; polling it now" if active else "Paused"
    await message.reply_text(f"{verb}: source #{source_id}.")


async def pausesource(update: Update, context: Context) -> None:
    """Stop polling a source."""
    await _set_active(update, context, active=False)


async def resumesource(update: Update, context: Context) -> None:
    """Poll a paused or turned-off source again."""
    await _set_active(update, context, active=True)


async def opml_document(update: Update, context: Context) -> None:
    """Import the feeds of an OPML file an admin sent."""
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:
        return
    found = await _admin(update, context)
    if found is None:
        return
    message, core, admin_id = found
    if document.file_size is not None and document.file_size > MAX_OPML_BYTES:
        await message.reply_text(f"That file is too large for OPML (over {MAX_OPML_BYTES} bytes).")
        return
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    try:
        report = await import_opml(
            core.db,
            data,
            now=core.clock.now(),
            allow_private=core.settings.allow_private_sources,
        )
    except OpmlError as exc:
        await message.reply_text(f"Could not import {document.file_name or 'that file'}: {exc}")
        return
    log.info("admin %d imported OPML %s: %d added", admin_id, document.file_name, len(report.added))
    await message.reply_text(
        texts.import_report(report), parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
    )
