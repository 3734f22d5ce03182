"""Validate and measure text written in Telegram's HTML dialect (``parse_mode=HTML``).

The rules follow the Bot API documentation and tdlib's ``parse_html`` (which the real Bot API
server runs): only a handful of tags, properly nested; only ``&lt; &gt; &amp; &quot;`` and
numeric character references are entities; lengths are counted in UTF-16 code units of the
text left after the markup is removed.

The stdlib :class:`html.parser.HTMLParser` finds the tags. It is lenient, so the text between
two tags is never taken from its data callbacks: this module decodes that raw text itself,
which is where a bare ``<`` (``a < b``, ``1<2``) or a bare ``&`` is caught, and where
constructs the stdlib parser silently drops (``</>``) are noticed.

Strict mode (the default) is stricter than Telegram in one respect: Telegram keeps a bare
``&`` or an unsupported named entity such as ``&nbsp;`` as literal text, while strict mode
rejects both, because in Outpost's output either one means a value was not escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Final

__all__ = [
    "MAX_CAPTION_LENGTH",
    "MAX_MESSAGE_LENGTH",
    "HTMLEntity",
    "ParsedHTML",
    "TelegramHTMLError",
    "parse_telegram_html",
    "utf16_length",
    "visible_text",
]

MAX_MESSAGE_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024

# Tag name -> Bot API MessageEntity type; span, a, code, pre, blockquote and tg-emoji are
# refined by their attributes when the tag closes.
_TAG_TYPES: Final[dict[str, str]] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

# tdlib's decoder: "&#x" + hex digits, "&#" + decimal digits, or "&" + letters; the ";" is
# optional. Groups that match nothing make the reference invalid.
_ENTITY_RE: Final = re.compile(r"&(?:#x([0-9a-fA-F]*)|#([0-9]*)|([a-zA-Z]*));?")
_NAMED_ENTITIES: Final[dict[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# What a reader would call "an entity" in an error message: "&nbsp;", "&#xZZ;".
_ENTITY_LIKE_RE: Final = re.compile(r"&#?[0-9a-zA-Z]+;")
_SPECIAL_RE: Final = re.compile(r"[&<]")
_TAG_NAME_RE: Final = re.compile(r"[^\s>]*")
_EMPTY_END_TAG_RE: Final = re.compile(r"</\s*>")
# tdlib rejects a numeric reference of 10 or more characters before the ";".
_MAX_NUMERIC_REFERENCE_CHARS: Final = 10
_MAX_CODE_POINT: Final = 0x10FFFF  # exclusive, as in tdlib


class TelegramHTMLError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class HTMLEntity:
    """One formatting entity, with offset and length in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the entity as a Bot API MessageEntity object."""
        data: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        if self.url is not None:
            data["url"] = self.url
        if self.language is not None:
            data["language"] = self.language
        if self.custom_emoji_id is not None:
            data["custom_emoji_id"] = self.custom_emoji_id
        return data


@dataclass(frozen=True, slots=True)
class ParsedHTML:
    """What remains of a Telegram HTML text once its markup is parsed."""

    visible_text: str
    entities: tuple[HTMLEntity, ...]

    @property
    def length(self) -> int:
        """Return the visible text's length in UTF-16 code units."""
        return utf16_length(self.visible_text)


def utf16_length(text: str) -> int:
    """Return the length of text in UTF-16 code units, the unit Telegram counts in."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible_text(text: str, parse_mode: str | None, *, strict: bool = True) -> str:
    """Return the text a reader sees: HTML markup parsed out, any other mode taken as is."""
    if parse_mode is not None and parse_mode.lower() == "html":
        return parse_telegram_html(text, strict=strict).visible_text
    return text


def parse_telegram_html(text: str, *, strict: bool = True) -> ParsedHTML:
    """Parse Telegram HTML into visible text and entities; raise TelegramHTMLError if invalid."""
    parser = _TelegramHTMLParser(text, strict=strict)
    return parser.run()


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str  # href, code language, span class suffix, emoji id or "expandable"
    utf16_offset: int
    text_index: int  # index into the visible text, for an <a> without href
    byte_offset: int


class _TelegramHTMLParser(HTMLParser):
    """Use the stdlib parser to find tags; decode the text between them the way tdlib does."""

    def __init__(self, raw: str, *, strict: bool) -> None:
        super().__init__(convert_charrefs=False)
        self._raw = raw
        self._strict = strict
        # Absolute index of each line start, to turn getpos()'s (line, column) into an index.
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self._cursor = 0  # raw text before this index has been accounted for
        self._pieces: list[str] = []
        self._visible_len = 0  # characters in self._pieces
        self._utf16 = 0  # UTF-16 code units in self._pieces
        self._open: list[_OpenTag] = []
        self._entities: list[HTMLEntity] = []

    # -- driving ---------------------------------------------------------------------------

    def run(self) -> ParsedHTML:
        self.feed(self._raw)
        self.close()
        self._take_text(len(self._raw))
        if self._open:
            raise TelegramHTMLError(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1].name}"'
            )
        result = "".join(self._pieces)
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in result):
            raise TelegramHTMLError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        entities = sorted(self._entities, key=lambda e: (e.offset, -e.length))
        return ParsedHTML(visible_text=result, entities=tuple(entities))

    def _index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte_offset(self, index: int) -> int:
        return len(self._raw[:index].encode("utf-8", "surrogatepass"))

    def _emit(self, piece: str) -> None:
        self._pieces.append(piece)
        self._visible_len += len(piece)
        self._utf16 += utf16_length(piece) if not piece.isascii() else len(piece)

    # -- text between tags -------------------------------------------------------------------

    def _take_text(self, end: int) -> None:
        """Decode raw[cursor:end], the text the stdlib parser saw between two tags."""
        raw = self._raw
        position = self._cursor
        while position < end:
            special = _SPECIAL_RE.search(raw, position, end)
            if special is None:
                self._emit(raw[position:end])
                break
            index = special.start()
            if index > position:
                self._emit(raw[position:index])
            if raw[index] == "&":
                position = self._take_reference(index, end)
            else:
                position = self._take_bare_lt(index)
        self._cursor = max(self._cursor, end)

    def _take_reference(self, index: int, end: int) -> int:
        decoded, after = _decode_reference(self._raw, index, end)
        if decoded is not None:
            self._emit(decoded)
            return after
        if self._strict:
            raise TelegramHTMLError(_bad_ampersand_reason(self._raw, index, self._byte_offset))
        self._emit("&")  # what Telegram does with an "&" that starts no entity
        return index + 1

    def _take_bare_lt(self, index: int) -> int:
        """Handle a "<" the stdlib parser did not take as a tag; only "</>" is valid."""
        empty_end = _EMPTY_END_TAG_RE.match(self._raw, index)
        if empty_end is not None:
            # tdlib lets an end tag without a name close the innermost open tag.
            self._close(self._open[-1].name if self._open else "", index)
            return empty_end.end()
        raise TelegramHTMLError(self._lt_reason(index))

    def _lt_reason(self, index: int) -> str:
        """Explain, like tdlib, why the "<" at raw[index] is not a valid tag."""
        raw = self._raw
        offset = self._byte_offset(index)
        if raw.startswith("</", index):
            if not self._open:
                return f"Unexpected end tag at byte offset {offset}"
            return f"Unclosed end tag at byte offset {offset}"
        name_match = _TAG_NAME_RE.match(raw, index + 1)
        name_end = name_match.end() if name_match else index + 1
        if name_end >= len(raw):
            return f"Unclosed start tag at byte offset {offset}"
        name = raw[index + 1 : name_end].lower()
        if name not in _TAG_TYPES:
            return f'Unsupported start tag "{name}" at byte offset {offset}'
        return f"Unclosed start tag at byte offset {offset}"

    # -- tags ---------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        index = self._index()
        self._take_text(index)
        offset = self._byte_offset(index)
        if tag not in _TAG_TYPES:
            raise TelegramHTMLError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        tag_text = self.get_starttag_text() or ""
        if self._strict:
            self._check_attribute_ampersands(tag_text, index)
        argument = _tag_argument(tag, attrs, offset)
        self._open.append(
            _OpenTag(
                name=tag,
                argument=argument,
                utf16_offset=self._utf16,
                text_index=self._visible_len,
                byte_offset=offset,
            )
        )
        self._cursor = index + len(tag_text)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        index = self._index()
        self._take_text(index)
        # tdlib reads the name up to a space or ">", so "<b/>" names a tag "b/".
        raise TelegramHTMLError(
            f'Unsupported start tag "{tag}/" at byte offset {self._byte_offset(index)}'
        )

    def handle_endtag(self, tag: str) -> None:
        index = self._index()
        self._take_text(index)
        self._cursor = self._raw.index(">", index) + 1
        self._close(tag, index)

    def _close(self, tag: str, index: int) -> None:
        offset = self._byte_offset(index)
        if not self._open:
            raise TelegramHTMLError(f"Unexpected end tag at byte offset {offset}")
        top = self._open[-1]
        if tag != top.name:
            raise TelegramHTMLError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{tag}>"'
            )
        self._open.pop()
        length = self._utf16 - top.utf16_offset
        if length > 0:  # Telegram drops entities that cover no text
            self._add_entity(top, length)

    def _add_entity(self, tag: _OpenTag, length: int) -> None:
        kind = _TAG_TYPES[tag.name]
        offset = tag.utf16_offset
        if kind == "text_link":
            url = tag.argument or "".join(self._pieces)[tag.text_index :]
            if url:
                self._entities.append(HTMLEntity("text_link", offset, length, url=url))
            return
        if kind == "custom_emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise TelegramHTMLError("Invalid custom emoji identifier specified")
            self._entities.append(
                HTMLEntity("custom_emoji", offset, length, custom_emoji_id=tag.argument)
            )
            return
        if kind == "blockquote" and tag.argument:
            kind = "expandable_blockquote"
        if kind == "pre" and self._merge_pre_code(offset, length):
            return
        language = (tag.argument or None) if kind == "code" else None
        self._entities.append(HTMLEntity(kind, offset, length, language=language))

    def _merge_pre_code(self, offset: int, length: int) -> bool:
        """Turn <pre><code class="language-x"> into one pre entity with a language."""
        if not self._entities:
            return False
        last = self._entities[-1]
        if (last.type, last.offset, last.length) != ("code", offset, length):
            return False
        if last.language is None:
            return False
        self._entities[-1] = HTMLEntity("pre", offset, length, language=last.language)
        return True

    def _check_attribute_ampersands(self, tag_text: str, index: int) -> None:
        position = 0
        while (amp := tag_text.find("&", position)) >= 0:
            decoded, after = _decode_reference(tag_text, amp, len(tag_text))
            if decoded is None:
                raise TelegramHTMLError(
                    _bad_ampersand_reason(
                        self._raw, index + amp, self._byte_offset, where=" in an attribute"
                    )
                )
            position = after

    # -- constructs Telegram has no notion of -----------------------------------------------

    def _reject_markup(self) -> None:
        index = self._index()
        self._take_text(index)
        raise TelegramHTMLError(self._lt_reason(index))

    def handle_comment(self, data: str) -> None:
        self._reject_markup()

    def handle_decl(self, decl: str) -> None:
        self._reject_markup()

    def handle_pi(self, data: str) -> None:
        self._reject_markup()

    def unknown_decl(self, data: str) -> None:
        self._reject_markup()

    # Text, entity and character references are decoded from the raw text in _take_text, so
    # the stdlib parser's own (more lenient) view of them is ignored.
    def handle_data(self, data: str) -> None:
        return

    def handle_entityref(self, name: str) -> None:
        return

    def handle_charref(self, name: str) -> None:
        return


def _tag_argument(tag: str, attrs: list[tuple[str, str | None]], offset: int) -> str:
    """Return the one attribute value each tag cares about, checking what tdlib checks."""
    argument = ""
    for name, value in attrs:
        if value is None:
            if tag == "blockquote" and name == "expandable":
                argument = "expandable"
                continue
            raise TelegramHTMLError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {offset}'
            )
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value.removeprefix("language-")
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value.removeprefix("tg-")
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
    if tag == "span" and argument != "spoiler":
        raise TelegramHTMLError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    return argument


def _decode_reference(raw: str, index: int, end: int) -> tuple[str | None, int]:
    """Decode the reference starting with "&" at raw[index], as tdlib does.

    Returns the decoded character (None when the "&" starts no supported reference) and
    the index just past the reference.
    """
    match = _ENTITY_RE.match(raw, index, end)
    if match is None:  # pragma: no cover - the pattern always matches at an "&"
        return None, index + 1
    hex_digits, decimal_digits, name = match.groups()
    body_end = match.end() - 1 if match.group().endswith(";") else match.end()
    if name is not None:
        decoded = _NAMED_ENTITIES.get(name)
        return decoded, match.end() if decoded is not None else index + 1
    digits = hex_digits if hex_digits is not None else decimal_digits
    if not digits or body_end - index >= _MAX_NUMERIC_REFERENCE_CHARS:
        return None, index + 1
    code_point = int(digits, 16 if hex_digits is not None else 10)
    if code_point == 0 or code_point >= _MAX_CODE_POINT:
        return None, index + 1
    return chr(code_point), match.end()


def _bad_ampersand_reason(
    raw: str, index: int, byte_offset: Callable[[int], int], *, where: str = ""
) -> str:
    """Explain why the "&" at raw[index] is refused in strict mode."""
    entity_like = _ENTITY_LIKE_RE.match(raw, index)
    offset = byte_offset(index)
    if entity_like is not None:
        return f'Unsupported HTML entity "{entity_like.group()}"{where} at byte offset {offset}'
    return f'Unescaped "&"{where} at byte offset {offset}; write it as &amp;'
