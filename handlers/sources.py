"""Admin source management: /sources, /addsource, /removesource, /pausesource,
/resumesource, and OPML files sent to the bot. Every change is written to the audit log."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.admin.intake import SourceRefusedError, add_source, import_opml
from bot.admin.opml import MAX_OPML_BYTES, OpmlError
from bot.context import Context, Core
from bot.models import DuplicateSourceError
from bot.ui import texts
from bot.ui.callbacks import SourcesPage
from bot.ui.texts import UI, quoted
from handlers.common import REFUSAL, AdminRequest, admin_command, answer, edit, reply, tapped, ui_of

_MAX_ID_DIGITS = 18  # a row id fits in SQLite's 64-bit integers
# A refusal names the URL it refuses; it is echoed at most this long.
ECHO_REASON_CHARS = 400


async def _audit(core: Core, admin_id: int, action: str, detail: str) -> None:
    await core.db.admin.audit(admin_id, action, detail, now=core.clock.now())


PAGE = 8  # sources a page: eight of the longest lines still fit one message


async def _sources_page(core: Core, ui: UI, offset: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Render the page of /sources starting at `offset`, with buttons to turn pages."""
    total, _, _ = await core.db.sources.health()
    offset = max(0, min(offset, max(total - 1, 0) // PAGE * PAGE))
    page = await core.db.sources.page(offset=offset, limit=PAGE)
    now = core.clock.now()
    counts = await core.db.events.count_by_source(
        texts.since(now, 24), source_ids=[source.id for source in page]
    )
    body = texts.sources_page(ui, page, counts, now, first=offset, total=total)
    buttons = []
    if offset > 0:
        back = SourcesPage(offset - PAGE).encode()
        buttons.append(InlineKeyboardButton(ui._("◀ Back"), callback_data=back))
    if offset + PAGE < total:
        after = SourcesPage(offset + PAGE).encode()
        buttons.append(InlineKeyboardButton(ui._("Next ▶"), callback_data=after))
    return body, InlineKeyboardMarkup([buttons]) if buttons else None


@admin_command
async def sources(request: AdminRequest, context: Context) -> None:
    """List the sources with their health, a page at a time (troubled ones first)."""
    body, keyboard = await _sources_page(context.core, request.ui, 0)
    await reply(request.message, body, html=True, markup=keyboard, previews=False)


async def turn_page(update: Update, context: Context) -> None:
    """Show another page of /sources in place (admins only: anyone can forge a tap)."""
    query, user = update.callback_query, update.effective_user
    button = tapped(update, SourcesPage)
    if query is None or button is None:
        return
    ui = await ui_of(update, context)
    if user is None or not context.core.is_admin(user.id):
        await answer(query, ui._(REFUSAL), alert=True)
        return
    body, keyboard = await _sources_page(context.core, ui, button.offset)
    await edit(query, body, html=True, markup=keyboard, previews=False)
    await answer(query)


@admin_command
async def addsource(request: AdminRequest, context: Context) -> None:
    """Add a feed, a site (its advertised feed), t.me/NAME or @NAME."""
    message, ui, core = request.message, request.ui, context.core
    if not context.args:
        await reply(
            message,
            ui._("Usage: {usage}").format(
                usage="/addsource URL [name] (a feed, a site, t.me/NAME, @NAME)"
            ),
        )
        return
    url, name = context.args[0], quoted(" ".join(context.args[1:]), html=False) or None
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
        reason = quoted(str(exc), html=False, limit=ECHO_REASON_CHARS)
        await reply(message, ui._("Not added: {reason}").format(reason=reason), previews=False)
        return
    except DuplicateSourceError as exc:
        said = ui._("Already a source: {url}").format(url=quoted(str(exc), html=False, limit=300))
        await reply(message, said, previews=False)
        return
    core.sources_changed()
    await _audit(core, request.user_id, "source_add", f"#{source.id} {source.url}")
    await reply(
        message,
        ui._(
            "Added source #{id}: {name} ({kind}) {url}\nIts current items are stored without "
            "alerts; new ones alert from the next poll."
        ).format(id=source.id, name=source.name, kind=source.kind.value, url=source.url),
        previews=False,
    )


async def _source_id(message: Message, ui: UI, context: Context, command: str) -> int | None:
    number = context.args[0].lstrip("#") if context.args else ""
    # ASCII digits, and few: int() refuses "²" and numbers of over 4,300 digits.
    if not (number.isascii() and number.isdigit() and len(number) <= _MAX_ID_DIGITS):
        await reply(message, ui._("Usage: {usage}").format(usage=f"/{command} ID (/sources)"))
        return None
    return int(number)


@admin_command
async def removesource(request: AdminRequest, context: Context) -> None:
    """Remove a source; its stored events stay."""
    message, ui, core = request.message, request.ui, context.core
    source_id = await _source_id(message, ui, context, "removesource")
    if source_id is None:
        return
    if not await core.db.sources.remove(source_id):
        await reply(message, ui._("No source #{id}.").format(id=source_id))
        return
    await _audit(core, request.user_id, "source_remove", f"#{source_id}")
    await reply(message, ui._("Removed source #{id}. Its events stay.").format(id=source_id))


async def _set_active(request: AdminRequest, context: Context, *, active: bool) -> None:
    message, ui, core = request.message, request.ui, context.core
    command = "resumesource" if active else "pausesource"
    source_id = await _source_id(message, ui, context, command)
    if source_id is None:
        return
    if not await core.db.sources.set_active(source_id, active=active, now=core.clock.now()):
        await reply(message, ui._("No source #{id}.").format(id=source_id))
        return
    core.sources_changed()
    await _audit(
        core, request.user_id, "source_resume" if active else "source_pause", f"#{source_id}"
    )
    done = (
        ui._("Resumed; polling it now: source #{id}.") if active else ui._("Paused: source #{id}.")
    )
    await reply(message, done.format(id=source_id))


@admin_command
async def pausesource(request: AdminRequest, context: Context) -> None:
    """Stop polling a source."""
    await _set_active(request, context, active=False)


@admin_command
async def resumesource(request: AdminRequest, context: Context) -> None:
    """Poll a paused or turned-off source again."""
    await _set_active(request, context, active=True)


@admin_command
async def opml_document(request: AdminRequest, context: Context) -> None:
    """Import the feeds of an OPML file an admin sent."""
    message, ui, core = request.message, request.ui, context.core
    document = message.document
    if document is None:
        return
    if document.file_size is not None and document.file_size > MAX_OPML_BYTES:
        await reply(
            message,
            ui._("That file is too large for OPML (over {n} bytes).").format(n=MAX_OPML_BYTES),
        )
        return
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    try:
        report = await import_opml(
            core.db,
            data,
            now=core.clock.now(),
            allow_private=core.settings.allow_private_sources,
            guard=core.pipeline.fetcher.guard,
        )
    except OpmlError as exc:
        await reply(
            message,
            ui._("Could not import {file}: {reason}").format(
                file=quoted(document.file_name or "OPML", html=False),
                reason=quoted(str(exc), html=False, limit=ECHO_REASON_CHARS),
            ),
        )
        return
    core.sources_changed()
    await _audit(
        core, request.user_id, "opml_import", f"{document.file_name}: {len(report.added)} added"
    )
    await reply(message, texts.import_report(ui, report), html=True, previews=False)
