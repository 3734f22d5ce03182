"""Read the posts of a public Telegram channel from its web preview, https://t.me/s/NAME.

The preview is server-rendered HTML: each post is a `.tgme_widget_message` with a
`data-post="channel/id"` attribute, its text, media markers, date and view count. What a
message is comes from its markup, not from whether it has text: a service notice (channel
created, photo changed, a post pinned, a live stream) carries the `service_message` class
and is never a post; a poll is read as its question and options; media without a caption
has nothing to read and is skipped.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.models import ErrorKind, ParsedItem, ParseResult
from bot.pipeline.parse.depth import MAX_DEPTH, too_deep
from bot.pipeline.parse.identity import canonical_link
from bot.pipeline.parse.text import (
    first_sentences,
    html_to_text,
    normalize_text,
    strip_invisible,
)

_NAME = r"[A-Za-z0-9_]{5,32}"
_CHANNEL_NAME = re.compile(_NAME)
_CHANNEL_REF = re.compile(
    rf"(?:@|(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?)?({_NAME})/?", re.IGNORECASE
)
_VIEWS = re.compile(r"(\d+(?:[.,]\d+)?)\s*([KMB]?)", re.IGNORECASE)
_VIEW_SCALE = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_MESSAGES = ".tgme_widget_message[data-post]"
# Present on a channel's preview even when it has no posts yet; absent on the "contact"
# page t.me shows for users, private channels and names that do not exist.
_CHANNEL_MARKERS = ".tgme_channel_history, .tgme_channel_info, .tgme_widget_message_wrap"
_TITLE_CHARS = 120
_MAX_POST_DIGITS = 18  # a post id fits in 64 bits
_MAX_VIEWS_CHARS = 20  # "1.2M views" and the like
# Marks a poll's title and text, so an alert shows what kind of post it came from; the
# chart emoji is how Telegram's own apps label a poll in chat lists.
POLL_MARK = "📊"


def channel_page_url(name_or_url: str) -> str:
    """Return the https://t.me/s/NAME preview URL for "@name", "t.me/name" or a t.me link."""
    match = _CHANNEL_REF.fullmatch(name_or_url.strip())
    if match is None:
        raise ValueError(
            f"not a public channel name or t.me link: {name_or_url!r} "
            "(expected @name with 5-32 letters, digits or _)"
        )
    return f"https://t.me/s/{match.group(1)}"


def older_page_url(page_url: str, items: tuple[ParsedItem, ...]) -> str | None:
    """Return the URL of the page before these posts (`?before=ID`), or None if none is."""
    ids = [int(key.rpartition("/")[2]) for key in (item.key for item in items) if _is_post(key)]
    if not ids or min(ids) <= 1:
        return None
    base = page_url.split("?", 1)[0].split("#", 1)[0]
    return f"{base}?before={min(ids)}"


def _is_post(key: str) -> bool:
    return key.startswith("tg:") and _is_post_id(key.rpartition("/")[2])


def _is_post_id(text: str) -> bool:
    # ASCII digits only ("²" is a digit to str.isdigit, not to int()), and few of them.
    return 0 < len(text) <= _MAX_POST_DIGITS and text.isascii() and text.isdigit()


def parse_views(text: str) -> int | None:
    """Return the count shown as "987", "12.3K" or "1.2M", or None if it is not one."""
    text = text.strip()
    if len(text) > _MAX_VIEWS_CHARS:
        return None
    match = _VIEWS.fullmatch(text)
    if match is None:
        return None
    try:
        # Decimal, not float: 12.3 * 1000 must be exactly 12300.
        number = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None
    return int(number * _VIEW_SCALE[match.group(2).lower()])


def _within(node: LexborNode, stop: LexborNode, class_fragment: str) -> bool:
    current = node.parent
    while current is not None and current.mem_id != stop.mem_id:
        if class_fragment in (current.attributes.get("class") or ""):
            return True
        current = current.parent
    return False


def _own_text(message: LexborNode) -> str:
    for node in message.css(".tgme_widget_message_text"):
        classes = node.attributes.get("class") or ""
        # A reply quotes the replied-to post's text in the same markup; skip the quote.
        if "js-message_reply_text" in classes or _within(node, message, "message_reply"):
            continue
        return html_to_text(node.inner_html or "")
    return ""


def _poll_text(message: LexborNode) -> str:
    """Return a poll as its question, then one option per line; "" for a message without one."""
    poll = message.css_first(".tgme_widget_message_poll")
    if poll is None:
        return ""
    question = _plain(poll.css_first(".tgme_widget_message_poll_question"))
    options = [
        text
        for text in (_plain(node) for node in poll.css(".tgme_widget_message_poll_option_text"))
        if text
    ]
    if not question and not options:
        return ""
    lines = [f"{POLL_MARK} {question or ''}".rstrip()]
    lines.extend(f"— {option}" for option in options)
    return "\n".join(lines)


def _is_service(message: LexborNode) -> bool:
    # "service_message" is a class of its own; "tgme_widget_message_service_date" (the day
    # separator between posts) is outside the message, so a word match is enough.
    return "service_message" in (message.attributes.get("class") or "").split()


def _published(message: LexborNode) -> datetime | None:
    node = message.css_first(".tgme_widget_message_date time[datetime]") or message.css_first(
        "time[datetime]"
    )
    value = (node.attributes.get("datetime") or "") if node is not None else ""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    # The page gives an offset; a value without one is read as UTC like the rest.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _plain(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    text = " ".join(normalize_text(node.text()).split())
    return text or None


def _title(text: str) -> str:
    first_line = next((line for line in text.split("\n") if line.strip()), "")
    return first_sentences(first_line, n=3, max_chars=_TITLE_CHARS)


def _post(message: LexborNode) -> ParsedItem | None:
    channel, _, post_id = (message.attributes.get("data-post") or "").partition("/")
    if not _CHANNEL_NAME.fullmatch(channel) or not _is_post_id(post_id):
        return None
    if _is_service(message):
        # "Channel created", "… pinned «…»": a pinned notice repeats an old post's words,
        # and as a post it would alert that happening a second time.
        return None
    text = _own_text(message)
    poll = _poll_text(message)
    if poll:
        text = f"{text}\n\n{poll}" if text else poll
    if not text:
        # Media without a caption: nothing to match or summarise.
        return None
    views_node = message.css_first(".tgme_widget_message_views")
    link = f"https://t.me/{channel}/{post_id}"
    return ParsedItem(
        key=f"tg:{channel}/{post_id}",
        title=_title(text),
        text=text,
        link=link,
        canonical_link=canonical_link(link),
        published=_published(message),
        has_photo=message.css_first(".tgme_widget_message_photo_wrap") is not None,
        has_video=message.css_first(".tgme_widget_message_video_player, video") is not None,
        forwarded_from=_plain(message.css_first(".tgme_widget_message_forwarded_from_name")),
        views=parse_views(views_node.text()) if views_node is not None else None,
    )


def _channel_title(tree: LexborHTMLParser) -> str | None:
    meta = tree.css_first('meta[property="og:title"]')
    if meta is not None:
        content = " ".join(strip_invisible(meta.attributes.get("content") or "").split())
        if content:
            return content
    return _plain(tree.css_first(".tgme_channel_info_header_title"))


def _channel_id(messages: list[LexborNode]) -> int | None:
    """Return the channel's numeric id as its posts carry it, or None if they do not.

    Each post's `data-view` is base64url JSON, {"c": CHANNEL_ID, "p": POST, ...}. A name
    can pass to another channel (the first renames, another takes the freed name); the id
    cannot, so it tells the channel we followed from the one holding its name now.
    """
    for message in messages[:3]:
        view = message.attributes.get("data-view") or ""
        if not view or len(view) > 512:
            continue
        try:
            data = json.loads(base64.urlsafe_b64decode(view + "=" * (-len(view) % 4)))
        except (binascii.Error, ValueError):
            continue
        channel = data.get("c") if isinstance(data, dict) else None
        if isinstance(channel, int) and not isinstance(channel, bool) and channel:
            return abs(channel)
    return None


def parse_channel_page(body: bytes, *, base_url: str) -> ParseResult:
    """Parse a t.me/s/NAME page into one item per post, or name why it cannot be read."""
    if not body.strip():
        return ParseResult(error=ErrorKind.EMPTY, detail="empty page")
    if too_deep(body):
        return ParseResult(
            error=ErrorKind.TOO_DEEP, detail=f"elements nested deeper than {MAX_DEPTH} levels"
        )
    # t.me always serves UTF-8; a stray bad byte must not lose the whole page.
    tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
    messages = tree.css(_MESSAGES)
    if not messages and tree.css_first(_CHANNEL_MARKERS) is None:
        return ParseResult(
            error=ErrorKind.NOT_A_FEED,
            detail=f"{base_url} has no public channel history (private, a user, or no such name?)",
        )
    items: list[ParsedItem] = []
    seen: set[str] = set()
    for message in messages:
        item = _post(message)
        if item is not None and item.key not in seen:
            seen.add(item.key)
            items.append(item)
    return ParseResult(
        items=tuple(items), title=_channel_title(tree), channel_id=_channel_id(messages)
    )
