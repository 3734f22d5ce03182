"""Plain text out of source markup, and short summaries cut at sentence ends.

Whoever writes a source writes the input of every function here, so each one is linear
in its input: no regex can backtrack over a run of characters (a run of dots, of closing
quotes), nothing is built by repeated concatenation, and `bounded` cuts an item's text to
`MAX_TEXT_CHARS` (its title to `MAX_TITLE_CHARS`) before any summary or match reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from itertools import islice

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.pipeline.parse.depth import too_deep

# Elements whose content is never reader-visible text.
_DROPPED = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "math"}
)
# Elements that start and end a line.
_BLOCKS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "tr", "table", "section", "article", "header", "footer", "aside",
        "figure", "figcaption", "hr",
    }
)  # fmt: skip
# A private-use character marks the line breaks we insert, so they survive the folding of
# the source's own whitespace (which in HTML is insignificant). Stripped from input first.
_BREAK = "\ue000"
_BLANK_LINES = re.compile(r"\n{3,}")
_TERMINATORS = ".!?…"
_TERMINATOR_TUPLE = tuple(_TERMINATORS)  # for str.endswith
_CLOSERS = "\"'»”’)]"
_OPENERS = "\"'«“„‘("
# A candidate sentence end: terminal punctuation, closing quotes, then whitespace. Tried
# only where a run of terminators begins (the lookbehind) and without giving back what the
# possessive quantifiers took: a run of N dots that ends in no space is then one failed
# try of N steps, where a plain `[.]+` was tried again at each of its dots (N² steps).
_SENTENCE_END = re.compile(
    rf"(?<![{re.escape(_TERMINATORS)}])[{re.escape(_TERMINATORS)}]++"
    rf"[{re.escape(_CLOSERS)}]*+\s+"
)
_ELLIPSIS = "…"
# HTML tree building is quadratic in nesting depth (every unclosed <div> deepens the stack
# the parser walks), so hostile markup is cut here; 64K characters of markup is far more
# than any summary or keyword match needs.
_MAX_HTML_CHARS = 65_536
_PARTIAL_TAG = re.compile(r"<[^<>]*\Z")
_ANY_TAG = re.compile(r"<[^<>]*>")  # [^<>]: a "<" with no ">" ends the try: runs stay linear
# Format characters a reader never sees but that split or lead words: zero-width space
# (channels start posts with one to hide a preview link), soft hyphen, BOM, word joiner and
# invisible operators, and the bidirectional marks, embeddings and isolates. A zero-width
# joiner is kept between two non-ASCII characters (inside an emoji sequence such as 👨‍👩‍👧)
# and dropped elsewhere; the zero-width non-joiner is kept (Persian and Indic spelling).
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
    "|\u200d(?![^\\x00-\\x7f\\s])|(?<![^\\x00-\\x7f\\s])\u200d"
)


# Every character _INVISIBLE can remove, each looked for with `in` (a C-speed scan) before
# the regex runs: nearly no text has one, and the regex (its lookbehind tried at every
# position) costs twenty times the scans on a kilobyte of Cyrillic.
_INVISIBLE_CHARS = tuple(
    "\u00ad\u061c\u180e\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)


def strip_invisible(text: str) -> str:
    """Remove invisible format characters (zero-width spaces, soft hyphens, BOMs, marks).

    ASCII text has none and is returned at once (str.isascii() reads a flag).
    """
    if text.isascii():
        return text
    for char in _INVISIBLE_CHARS:
        if char in text:
            return _INVISIBLE.sub("", text)
    return text


# The most of an item's text and title that is kept, read or stored. A Telegram post has at
# most 4,096 characters and a caption 1,024; an article's first 20,000 characters name its
# topics and places, and an alert shows a few hundred. Every item from a source is cut to
# these (`bounded`) before anything else reads it, so no source can make a summary or a
# match cost more than this much text does.
MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 1_000
_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


def bounded(text: str, max_chars: int) -> str:
    """Return text cut to at most max_chars (at a word boundary) with no lone surrogate.

    A lone surrogate ("\\ud800" in JSON) is valid in a Python string but in no encoding:
    hashing or storing it would fail, so it becomes U+FFFD like any undecodable byte.
    """
    text = truncate_words(text, max_chars)
    try:
        text.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub(_REPLACEMENT, text)
    return text


def normalize_text(text: str) -> str:
    """Fold runs of spaces within lines, trim lines, keep at most one blank line between.

    Invisible format characters (`strip_invisible`) go first, so none is left leading a line.
    """
    lines = [" ".join(line.split()) for line in strip_invisible(text).splitlines()]
    folded = "\n".join(lines).strip()
    # The substring test first: the regex scan costs more than the rest on a long text.
    return _BLANK_LINES.sub("\n\n", folded) if "\n\n\n" in folded else folded


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML fragment (its first 64K characters), entities decoded.

    Invisible format characters are removed (`strip_invisible`), whether written as
    characters or as entities.

    Dropped elements (script, style, ...) are left out, and a line break marker stands for
    each <br> and before and after each block element; then the source's whitespace is
    folded and the markers become line breaks: one, or a blank line for two or more in a row.
    A fragment nested deeper than any real post (`too_deep`) is read without a tree: its
    words, every tag a space.
    """
    if "<" not in html and "&" not in html:
        # Nothing to parse; as in HTML, the source's own line breaks are just spaces.
        return " ".join(strip_invisible(html).split())
    if len(html) > _MAX_HTML_CHARS:
        # Cut, then drop a tag the cut left half-written so it does not show up as text.
        html = _PARTIAL_TAG.sub("", html[:_MAX_HTML_CHARS])
    if too_deep(html):
        # Nesting no real post has, and that the HTML parser would take time quadratic in
        # its depth over: its words are kept, every tag taken for a space
        # (bot.pipeline.parse.depth).
        return " ".join(strip_invisible(unescape(_ANY_TAG.sub(" ", html))).split())
    root = LexborHTMLParser(html.replace(_BREAK, ""), is_fragment=True).root
    if root is None:
        return ""
    spaced = _folded(strip_invisible(_marked_text(root)))
    return _lines(spaced) if _BREAK in spaced else spaced


def _marked_text(root: LexborNode) -> str:
    """Return the fragment's text in document order, with _BREAK at <br> and around blocks.

    A walk of the parsed tree, iterative so that deep nesting cannot hit the recursion
    limit; it reads the text nodes in the order lexbor's text() concatenates them, which is
    cheaper than editing the tree and querying it with CSS selectors. Outside svg and math
    (dropped whole) every element is an HTML one, so the tag name alone decides.
    """
    pieces: list[str] = []
    # A stack of child iterators; each open element's flag says whether it is a block, so
    # a marker follows it when its children are done. The fragment root stands for all
    # top-level nodes: selectolax iterates the fragment's wrapper for it.
    pending = [root.iter(include_text=True)]
    closes_block = [False]
    while pending:
        for node in pending[-1]:
            tag = node.tag
            if tag == "-text":
                pieces.append(node.text_content or "")
            elif tag == "br":
                pieces.append(_BREAK)
            elif tag not in _DROPPED:
                block = tag in _BLOCKS
                if block:
                    pieces.append(_BREAK)
                pending.append(node.iter(include_text=True))
                closes_block.append(block)
                break
        else:
            pending.pop()
            if closes_block.pop():
                pieces.append(_BREAK)
    return "".join(pieces)


def _folded(text: str) -> str:
    """Return " ".join(text.split()), without splitting text that is folded already.

    Every whitespace character other than the space is unprintable (str.isprintable), so
    printable text with no double space needs at most a space cut off each end, and
    splitting a long text is not cheap. The marker is unprintable (private use) but not
    whitespace, so it is masked for the test.
    """
    if "  " not in text and text.replace(_BREAK, "x").isprintable():
        return text.strip(" ")
    return " ".join(text.split())


def _lines(spaced: str) -> str:
    """Turn the markers in folded text into line breaks, trimming the lines.

    A run of markers (with at most a space between them) is one line break, or a blank
    line when it has two or more; the spaces beside a run, and runs at either end, go.
    Equal to substituting the regex ` ?M(?: ?M)* ?` with "\\n" * min(markers, 2) and
    normalize_text: the folded text has no whitespace but single spaces, so each piece
    between markers loses at most a space at each end, and no line comes out empty.
    """
    out: list[str] = []
    last = 0
    for index, piece in enumerate(spaced.split(_BREAK)):
        line = piece.strip(" ")
        if line:
            if out:
                out.append("\n" if index - last == 1 else "\n\n")
            out.append(line)
            last = index
    return "".join(out)


def _starts_sentence(char: str) -> bool:
    return char.isupper() or char.isdigit() or char in _OPENERS


def _initial_before(line: str, end: int) -> bool:
    # "А. Лукашенко", "J. Smith": a single letter before the dot is an initial, not an end;
    # so is the last letter of a dotted abbreviation ("U.S. Treasury", "Т.е. Минск").
    # Only the word before the terminator is looked at, so long texts stay linear.
    word = line[line.rfind(" ", 0, end) + 1 : end].lstrip(_OPENERS)
    if "." not in word:
        return len(word) == 1 and word.isalpha()
    return all(len(part) == 1 and part.isalpha() for part in word.split("."))


def _logical_lines(text: str) -> Iterator[str]:
    # A plain-text body may be hard-wrapped: a line that does not end a sentence and a next
    # line that starts in lower case are one line. Any other line break ends a sentence.
    # A line is given once the next one is known not to continue it; its pieces are joined
    # once then (adding each to a growing string would copy it again for every piece).
    pieces: list[str] = []
    for line in normalize_text(text).split("\n"):
        if not line:
            continue
        if pieces and not pieces[-1].endswith(_TERMINATOR_TUPLE) and line[0].islower():
            pieces.append(line)
        else:
            if pieces:
                yield " ".join(pieces)
            pieces = [line]
    if pieces:
        yield " ".join(pieces)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at . ! ? … or a line break followed by a new sentence."""
    return list(_sentences(text))


def _sentences(text: str) -> Iterator[str]:
    """Give the sentences of `split_sentences` one by one: a summary needs only the first."""
    for line in _logical_lines(text):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            end = match.end()
            if end >= len(line) or not _starts_sentence(line[end]):
                continue
            if _initial_before(line, match.start()):
                continue
            yield line[start : match.start() + len(match.group(0).rstrip())].strip()
            start = end
        tail = line[start:].strip()
        if tail:
            yield tail


def truncate_words(text: str, max_chars: int) -> str:
    """Shorten text to at most max_chars at a word boundary, marking the cut with "…"."""
    if len(text) <= max_chars:
        return text
    if max_chars <= len(_ELLIPSIS):
        return text[:max_chars]
    limit = max_chars - len(_ELLIPSIS)
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    # One enormous "word" (a URL, a run of emoji) has no boundary: cut it hard then.
    head = (cut[:space] if space > 0 else "").rstrip(" ,;:-–—") or text[:limit]
    return head + _ELLIPSIS


def first_sentences(text: str, n: int = 3, max_chars: int = 400) -> str:
    """Return up to n leading sentences that fit in max_chars, never cutting a word."""
    # Every stored report is summarised, and an article runs to kilobytes where the summary
    # needs its first few hundred characters: the head of the text is split first. Whether
    # a sentence ends somewhere depends only on the characters around that point, so the
    # head's sentences are the text's, except its last one, which the cut may have
    # shortened (or ended): the head's answer stands when it used none of that last one.
    #
    # `_summary` reads at most the first n sentences, and whether the head's answer stands
    # needs one more: only those are split (n < 1 slices sentences otherwise: all are).
    wanted = n if n >= 1 else None
    head = max_chars + max_chars // 2
    if len(text) > head:
        sentences = list(islice(_sentences(text[:head]), None if wanted is None else wanted + 1))
        summary, used = _summary(sentences, n, max_chars)
        if used < len(sentences):
            return summary
    return _summary(list(islice(_sentences(text), wanted)), n, max_chars)[0]


def _summary(sentences: list[str], n: int, max_chars: int) -> tuple[str, int]:
    """Return the summary of these sentences and how many of them it read whole."""
    if not sentences:
        return "", 0
    summary = sentences[0]
    if len(summary) > max_chars:
        return truncate_words(summary, max_chars), 1
    used = 1
    for sentence in sentences[1:n]:
        candidate = f"{summary} {sentence}"
        if len(candidate) > max_chars:
            break
        summary = candidate
        used += 1
    return summary, used
