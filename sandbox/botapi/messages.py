"""The Bot API methods that send, edit and delete messages, and answer button presses.

These are the methods the flood limits and Telegram's HTML rules apply to, and the ones
that leave the ``SentMessage`` records tests read: every check runs before anything is
recorded, so a refused call leaves no trace but its error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sandbox.botapi.errors import bad_request
from sandbox.botapi.limits import FloodControl
from sandbox.botapi.params import (
    UploadedFile,
    bool_param,
    int_param,
    json_param,
    markup_param,
    parse_mode_param,
    required_int,
    text_param,
)
from sandbox.botapi.state import Chat, SandboxState, SentMessage, StoredFile, StoredMessage
from sandbox.telegram_html import (
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    TelegramHTMLError,
    parse_telegram_html,
    utf16_length,
)

__all__ = ["MessageMethods"]

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD: Final = "query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True, slots=True)
class _SendOptions:
    """The parameters every send method shares, checked before anything is recorded."""

    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    disable_notification: bool
    allow_paid_broadcast: bool
    message_thread_id: int | None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> _SendOptions:
        return cls(
            parse_mode=parse_mode_param(params),
            reply_markup=markup_param(params),
            disable_notification=bool_param(params, "disable_notification"),
            allow_paid_broadcast=bool_param(params, "allow_paid_broadcast"),
            message_thread_id=int_param(params, "message_thread_id"),
        )


def _set_or_drop(data: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value


class MessageMethods:
    """sendMessage, sendPhoto, sendDocument, the edits, deleteMessage and the like."""

    def __init__(
        self,
        state: SandboxState,
        flood: FloodControl,
        *,
        monotonic: Callable[[], float],
        strict_html: bool,
    ) -> None:
        self.strict_html = strict_html  # refuse a bare "&" that Telegram would keep as text
        self._state = state
        self._flood = flood
        self._monotonic = monotonic

    # -- sending ------------------------------------------------------------------------------

    async def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendMessage."""
        chat = self._state.writable_chat(params)
        options = _SendOptions.from_params(params)
        text, visible, entities = self._message_text(params)
        preview = json_param(params, "link_preview_options", "link preview options")
        if preview is not None and not isinstance(preview, dict):
            raise bad_request("can't parse link preview options JSON object")
        if preview is None and bool_param(params, "disable_web_page_preview"):
            preview = {"is_disabled": True}
        self._flood.check(chat.id, paid=options.allow_paid_broadcast)
        message = self._bot_message(chat, options)
        message["text"] = visible
        if entities:
            message["entities"] = entities
        if preview is not None:
            message["link_preview_options"] = preview
        sent = self._record_sent(
            chat, message, options, kind="message", text=text, visible=visible, entities=entities
        )
        sent.link_preview_options = preview
        self._state.messages[(chat.id, sent.message_id)] = StoredMessage(message, True, sent)
        return message

    async def send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto."""
        return self._send_media(params, "photo")

    async def send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        """sendDocument."""
        return self._send_media(params, "document")

    async def send_chat_action(self, params: dict[str, Any]) -> bool:
        """sendChatAction: checked like a send, recorded only in ``calls``."""
        self._state.writable_chat(params)
        if text_param(params, "action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self._state.writable_chat(params)
        options = _SendOptions.from_params(params)
        caption, visible, entities = self._caption(params)
        stored = self._input_file(params, kind, f"{kind}s")
        self._flood.check(chat.id)
        message = self._bot_message(chat, options)
        if kind == "photo":
            size = len(stored.content) if stored.content is not None else 0
            message["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 0,  # the sandbox does not decode images
                    "height": 0,
                    "file_size": size,
                }
            ]
        else:
            message["document"] = stored.as_document()
        if caption is not None:
            message["caption"] = visible
            if entities:
                message["caption_entities"] = entities
        sent = self._record_sent(
            chat, message, options, kind=kind, text=caption, visible=visible, entities=entities
        )
        sent.content = stored.content
        sent.file_name = stored.file_name
        sent.mime_type = stored.mime_type
        self._state.messages[(chat.id, sent.message_id)] = StoredMessage(message, True, sent)
        return message

    def _bot_message(self, chat: Chat, options: _SendOptions) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "date": int(time.time()),
            "chat": chat.as_dict(),
        }
        if chat.type == "channel":
            message["sender_chat"] = chat.as_dict()
        else:
            message["from"] = self._state.bot_user()
        if options.message_thread_id is not None:
            message["message_thread_id"] = options.message_thread_id
            message["is_topic_message"] = True
        if options.reply_markup is not None:
            message["reply_markup"] = options.reply_markup
        return message

    def _record_sent(
        self,
        chat: Chat,
        message: dict[str, Any],
        options: _SendOptions,
        *,
        kind: str,
        text: str | None,
        visible: str,
        entities: list[dict[str, Any]],
    ) -> SentMessage:
        sent = SentMessage(
            message_id=message["message_id"],
            chat_id=chat.id,
            text=text,
            parse_mode=options.parse_mode,
            reply_markup=options.reply_markup,
            disable_notification=options.disable_notification,
            link_preview_options=None,
            message_thread_id=options.message_thread_id,
            kind=kind,
            allow_paid_broadcast=options.allow_paid_broadcast,
            visible_text=visible,
            entities=entities,
            sent_at=self._monotonic(),
        )
        self._state.sent.append(sent)
        return sent

    def _input_file(self, params: dict[str, Any], name: str, folder: str) -> StoredFile:
        """Return the file a send method names: an upload, a known file_id or a URL."""
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            return self._state.store_file(value.content, folder, value.filename, value.content_type)
        if isinstance(value, str) and value:
            known = self._state.file(value)
            if known is not None:
                return known
            if value.startswith(("http://", "https://")):
                return self._state.store_file(None, folder, value.rsplit("/", 1)[-1], None)
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {name} in the request")

    # -- text and captions --------------------------------------------------------------------

    def _parse_text(self, text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
        """Return the visible text and entities of a text, as Telegram would parse it."""
        if parse_mode is None or parse_mode.lower() != "html":
            return text, []
        try:
            parsed = parse_telegram_html(text, strict=self.strict_html)
        except TelegramHTMLError as exc:
            raise bad_request(f"can't parse entities: {exc.reason}") from None
        return parsed.visible_text, [entity.to_dict() for entity in parsed.entities]

    def _message_text(self, params: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
        text = text_param(params, "text")
        if not text:
            raise bad_request("message text is empty")
        visible, entities = self._parse_text(text, parse_mode_param(params))
        # Telegram trims surrounding whitespace before it checks emptiness and length.
        if not visible.strip():
            raise bad_request("message text is empty")
        if utf16_length(visible.strip()) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        return text, visible, entities

    def _caption(self, params: dict[str, Any]) -> tuple[str | None, str, list[dict[str, Any]]]:
        caption = text_param(params, "caption")
        if not caption:
            return None, "", []
        visible, entities = self._parse_text(caption, parse_mode_param(params))
        if utf16_length(visible.strip()) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return caption, visible, entities

    # -- changing sent messages -----------------------------------------------------------------

    async def edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageText; counted against the flood limits like a send."""
        stored = self._message_to_change(params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, visible, entities = self._message_text(params)
        markup = markup_param(params)
        message = stored.data
        unchanged = (
            message.get("text") == visible
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        )
        if unchanged:
            raise bad_request(_NOT_MODIFIED)
        # Telegram counts edits against the flood limits too, overall and in the chat.
        self._flood.check(self._state.known_chat(message["chat"]["id"]).id)
        message["text"] = visible
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        if stored.sent is not None:
            stored.sent.edits.append(text)
            stored.sent.text = text
            stored.sent.visible_text = visible
            stored.sent.entities = entities
            stored.sent.parse_mode = parse_mode_param(params)
            stored.sent.reply_markup = markup
        return message

    async def edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        """editMessageReplyMarkup."""
        stored = self._message_to_change(params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        markup = markup_param(params)
        if stored.data.get("reply_markup") == markup:
            raise bad_request(_NOT_MODIFIED)
        _set_or_drop(stored.data, "reply_markup", markup)
        stored.data["edit_date"] = int(time.time())
        if stored.sent is not None:
            stored.sent.reply_markup = markup
        return stored.data

    async def delete_message(self, params: dict[str, Any]) -> bool:
        """deleteMessage: the record stays in ``sent``, marked deleted."""
        stored = self._message_to_change(params, "message to delete not found")
        chat_id = stored.data["chat"]["id"]
        del self._state.messages[(chat_id, stored.data["message_id"])]
        if stored.sent is not None:
            stored.sent.deleted = True
        return True

    def _message_to_change(self, params: dict[str, Any], not_found: str) -> StoredMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # the sandbox has no inline messages
        chat = self._state.writable_chat(params)
        message_id = required_int(params, "message_id", "message identifier is not specified")
        stored = self._state.messages.get((chat.id, message_id))
        if stored is None:
            raise bad_request(not_found)
        return stored

    # -- button presses -------------------------------------------------------------------------

    async def answer_callback_query(self, params: dict[str, Any]) -> bool:
        """answerCallbackQuery: once per query, recorded in ``callback_answers``."""
        query_id = text_param(params, "callback_query_id")
        if not self._state.close_callback(query_id):
            raise bad_request(_QUERY_TOO_OLD)
        answer: dict[str, Any] = {
            "callback_query_id": query_id,
            "text": text_param(params, "text"),
            "show_alert": bool_param(params, "show_alert"),
            "url": text_param(params, "url"),
            "cache_time": int_param(params, "cache_time"),
        }
        self._state.callback_answers.append(answer)
        return True
