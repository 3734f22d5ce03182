"""Plain text out of source markup, and short summaries cut at sentence ends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from selectolax.lexbor import LexborHTMLParser

# Elements whose content is never reader-visible text.
_DROPPED = "script, style, noscript, template, head, title, iframe, object, svg, math"
_BLOCKS = (
    "p, div, li, ul, ol, dl, dt, dd, h1, h2, h3, h4, h5, h6, blockquote, pre, tr, table, "
    "section, article, header, footer, aside, figure, figcaption, hr"
)
# A private-use character marks the line breaks we insert, so they survive the folding of
# the source's own whitespace (which in HTML is insignificant). Stripped from input first.
_BREAK = "\ue000"
_BLANK_LINES = re.compile(r"\n{3,}")
_BREAKS = re.compile(rf" ?{_BREAK}(?: ?{_BREAK})* ?")
_TERMINATORS = ".!?…"
_TERMINATOR_TUPLE = tuple(_TERMINATORS)  # for str.endswith
_CLOSERS = "\"'»”’)]"
_OPENERS = "\"'«“„‘("
# A candidate sentence end: terminal punctuation, closing quotes, then whitespace.
_SENTENCE_END = re.compile(rf"[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*\s+")
_ELLIPSIS = "…"
# HTML tree building is quadratic in nesting depth (every unclosed <div> deepens the stack
# the parser walks), so hostile markup is cut here; 64K characters of markup is far more
# than any summary or keyword match needs.
_MAX_HTML_CHARS = 65_536
_PARTIAL_TAG = re.compile(r"<[^<>]*\Z")


def normalize_text(text: str) -> str:
    """Fold runs of spaces within lines, trim lines, keep at most one blank line between."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    folded = "\n".join(lines).strip()
    # The substring test first: the regex scan costs more than the rest on a long text.
    return _BLANK_LINES.sub("\n\n", folded) if "\n\n\n" in folded else folded


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML fragment (its first 64K characters), entities decoded."""
    if "<" not in html and "&" not in html:
        # Nothing to parse; as in HTML, the source's own line breaks are just spaces.
        return " ".join(html.split())
    if len(html) > _MAX_HTML_CHARS:
        # Cut, then drop a tag the cut left half-written so it does not show up as text.
        html = _PARTIAL_TAG.sub("", html[:_MAX_HTML_CHARS])
    tree = LexborHTMLParser(html.replace(_BREAK, ""), is_fragment=True)
    for node in tree.css(_DROPPED):
        node.decompose()
    for node in tree.css("br"):
        node.replace_with(_BREAK)
    for node in tree.css(_BLOCKS):
        node.insert_before(_BREAK)
        node.insert_after(_BREAK)
    raw = tree.text() if tree.root is not None else ""
    # Source whitespace (including its newlines) is folded; only our markers become breaks.
    # split() and \s agree on what whitespace is; the ends split() drops are stripped below.
    spaced = " ".join(raw.split())
    if _BREAK in spaced:
        spaced = _BREAKS.sub(lambda m: "\n" * min(m.group(0).count(_BREAK), 2), spaced)
    return normalize_text(spaced)


def _starts_sentence(char: str) -> bool:
    return char.isupper() or char.isdigit() or char in _OPENERS


def _initial_before(line: str, end: int) -> bool:
    # "А. Лукашенко", "J. Smith": a single letter before the dot is an initial, not an end.
    # Only the word before the terminator is looked at, so long texts stay linear.
    word = line[line.rfind(" ", 0, end) + 1 : end].lstrip(_OPENERS)
    return len(word) == 1 and word.isalpha()


def _logical_lines(text: str) -> Iterator[str]:
    # A plain-text body may be hard-wrapped: a line that does not end a sentence and a next
    # line that starts in lower case are one line. Any other line break ends a sentence.
    # A line is given once the next one is known not to continue it.
    last: str | None = None
    for line in normalize_text(text).split("\n"):
        if not line:
            continue
        if last is not None and not last.endswith(_TERMINATOR_TUPLE) and line[0].islower():
            last = f"{last} {line}"
        else:
            if last is not None:
                yield last
            last = line
    if last is not None:
        yield last


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
