"""Telegram's HTML dialect: what parses, what it leaves visible, and what is refused."""

from __future__ import annotations

import pytest

from sandbox.telegram_html import (
    HTMLEntity,
    TelegramHTMLError,
    parse_telegram_html,
    utf16_length,
    visible_text,
)


def entities(text: str) -> list[tuple[str, int, int]]:
    return [(e.type, e.offset, e.length) for e in parse_telegram_html(text).entities]


def reason(text: str, *, strict: bool = True) -> str:
    with pytest.raises(TelegramHTMLError) as caught:
        parse_telegram_html(text, strict=strict)
    return caught.value.reason


# -- valid text ---------------------------------------------------------------------------------


def test_plain_text_passes_through() -> None:
    parsed = parse_telegram_html("Колонна техники > 20 машин\nна трассе М1")
    assert parsed.visible_text == "Колонна техники > 20 машин\nна трассе М1"
    assert parsed.entities == ()


def test_nested_tags() -> None:
    parsed = parse_telegram_html("<b>bold <i>both</i></b> <u>under</u>")
    assert parsed.visible_text == "bold both under"
    assert entities("<b>bold <i>both</i></b> <u>under</u>") == [
        ("bold", 0, 9),
        ("italic", 5, 4),
        ("underline", 10, 5),
    ]


@pytest.mark.parametrize(
    ("markup", "kind"),
    [
        ("<b>x</b>", "bold"),
        ("<strong>x</strong>", "bold"),
        ("<i>x</i>", "italic"),
        ("<em>x</em>", "italic"),
        ("<u>x</u>", "underline"),
        ("<ins>x</ins>", "underline"),
        ("<s>x</s>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ('<a href="https://t.me/s/example">x</a>', "text_link"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ('<tg-emoji emoji-id="5368324170671202286">x</tg-emoji>', "custom_emoji"),
        ("<B>x</B>", "bold"),
    ],
)
def test_every_allowed_tag(markup: str, kind: str) -> None:
    parsed = parse_telegram_html(markup)
    assert parsed.visible_text == "x"
    assert [(e.type, e.offset, e.length) for e in parsed.entities] == [(kind, 0, 1)]


def test_entity_arguments() -> None:
    [link] = parse_telegram_html('<a href="https://x.org/?a=1&amp;b=2">go</a>').entities
    assert link == HTMLEntity("text_link", 0, 2, url="https://x.org/?a=1&b=2")
    [pre] = parse_telegram_html('<pre><code class="language-python">x = 1</code></pre>').entities
    assert pre.to_dict() == {"type": "pre", "offset": 0, "length": 5, "language": "python"}
    [emoji] = parse_telegram_html('<tg-emoji emoji-id="42">👍</tg-emoji>').entities
    assert emoji.custom_emoji_id == "42"
    # An <a> without href links to its own text, as in Telegram.
    [bare] = parse_telegram_html("<a>https://example.org</a>").entities
    assert bare.url == "https://example.org"


def test_entities_are_decoded() -> None:
    parsed = parse_telegram_html("&lt;b&gt; &amp; &quot;q&quot; &#1041;&#x411; &#128512;")
    assert parsed.visible_text == '<b> & "q" ББ 😀'
    assert parsed.entities == ()
    # tdlib takes the ";" as optional.
    assert parse_telegram_html("a &lt b &amp2").visible_text == "a < b &2"


def test_offsets_and_lengths_are_utf16() -> None:
    parsed = parse_telegram_html("😀 <b>😀x</b> &#128512;")
    assert parsed.visible_text == "😀 😀x 😀"
    assert parsed.length == 9  # each emoji is a surrogate pair
    assert [(e.offset, e.length) for e in parsed.entities] == [(3, 3)]
    assert utf16_length("😀") == 2
    assert utf16_length("ў") == 1


def test_empty_entities_are_dropped_and_whitespace_kept() -> None:
    parsed = parse_telegram_html("<b></b>a\n\n<i> </i>")
    assert parsed.visible_text == "a\n\n "
    assert [e.type for e in parsed.entities] == ["italic"]


def test_empty_end_tag_closes_the_innermost_tag() -> None:
    assert entities("<b>x</>y") == [("bold", 0, 1)]


def test_visible_text_helper() -> None:
    assert visible_text("<b>x</b> &amp;", "HTML") == "x &"
    assert visible_text("<b>x</b>", None) == "<b>x</b>"
    assert visible_text("*x*", "MarkdownV2") == "*x*"


# -- refused text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("Alert <script>x</script>", 'Unsupported start tag "script" at byte offset 6'),
        ('<img src="x.png">', 'Unsupported start tag "img" at byte offset 0'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
        ("<!-- note -->", 'Unsupported start tag "!--" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            '<b class="x" bold>x</b>',
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"),
    ],
)
def test_unsupported_markup(markup: str, expected: str) -> None:
    assert reason(markup) == expected


def test_byte_offsets_count_utf8_bytes() -> None:
    # "Папярэджанне " is 13 characters and 25 bytes in UTF-8.
    assert reason("Папярэджанне <script>") == 'Unsupported start tag "script" at byte offset 25'


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("x</>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
    ],
)
def test_unclosed_and_misnested_tags(markup: str, expected: str) -> None:
    assert reason(markup) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("5 < 7", 'Unsupported start tag "" at byte offset 2'),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("price <100", "Unclosed start tag at byte offset 6"),
        ("x <= y done", 'Unsupported start tag "=" at byte offset 2'),
        (
            "mail <user@example.org> now",
            'Unsupported start tag "user@example.org" at byte offset 5',
        ),
        ("ends with <", "Unclosed start tag at byte offset 10"),
    ],
)
def test_bare_less_than_is_refused(markup: str, expected: str) -> None:
    assert reason(markup) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("AT&T", 'Unescaped "&" at byte offset 2; write it as &amp;'),
        ("a & b", 'Unescaped "&" at byte offset 2; write it as &amp;'),
        ("trailing &", 'Unescaped "&" at byte offset 9; write it as &amp;'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ("&copy; 2024", 'Unsupported HTML entity "&copy;" at byte offset 0'),
        ("&#0;", 'Unsupported HTML entity "&#0;" at byte offset 0'),
        ("&#X41;", 'Unsupported HTML entity "&#X41;" at byte offset 0'),  # tdlib wants "x"
        ("&#1114111;", 'Unsupported HTML entity "&#1114111;" at byte offset 0'),
        (
            '<a href="https://x.org/?a=1&b=2">x</a>',
            'Unescaped "&" in an attribute at byte offset 27; write it as &amp;',
        ),
    ],
)
def test_bare_ampersand_and_unknown_entities_are_refused_in_strict_mode(
    markup: str, expected: str
) -> None:
    assert reason(markup) == expected


def test_lenient_mode_keeps_a_bare_ampersand_like_telegram() -> None:
    # Real Telegram keeps an "&" that starts no supported entity as literal text.
    parsed = parse_telegram_html("AT&T &nbsp; &copy; &#0;", strict=False)
    assert parsed.visible_text == "AT&T &nbsp; &copy; &#0;"
    # "<" stays an error either way.
    assert reason("a < b", strict=False) == 'Unsupported start tag "" at byte offset 2'


def test_surrogate_references_are_refused() -> None:
    assert reason("&#xD83D;").startswith("Text contains invalid Unicode characters")


def test_error_is_a_value_error_with_the_reason() -> None:
    with pytest.raises(ValueError, match="Unsupported start tag"):
        parse_telegram_html("<p>x</p>")
