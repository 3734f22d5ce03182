"""Split a Telegram HTML message into parts Telegram accepts (4096 UTF-16 units of text).

Telegram measures the text left after parsing the markup, in UTF-16 code units, so an emoji
outside the Basic Multilingual Plane counts twice and `&amp;` counts once. A cut is made at
the last line break that fits, else the last sentence end, else the last space, and only as
a last resort inside a word, never inside a tag, an entity, a surrogate pair or a joined
emoji. Formatting open at a cut is closed at the end of the part and opened again at the
start of the next, so every part is well-formed on its own.

Hand-written because the input is our own template's small HTML subset and the job is
counting and cutting, not parsing arbitrary HTML; the sandbox's Telegram HTML parser checks
every part in the tests.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape, unescape

MAX_MESSAGE_UNITS = 4096

_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}
_SENTENCE_ENDS = frozenset(".!?…")


def utf16_units(text: str) -> int:
    """Return the length of text as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Atom:
    text: str
    units: int  # visible UTF-16 units
    tag: str | None = None  # tag name for tags
    closing: bool = False


def _atoms(html: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    pos = 0
    for match in _TOKEN.finditer(html):
        atoms.extend(_Atom(ch, utf16_units(ch)) for ch in html[pos : match.start()])
        if match.group(2) is not None:
            atoms.append(_Atom(match.group(0), 0, match.group(2).lower(), bool(match.group(1))))
        else:
            atoms.append(_Atom(match.group(0), 1))  # an entity is one character
        pos = match.end()
    atoms.extend(_Atom(ch, utf16_units(ch)) for ch in html[pos:])
    return atoms


def _stack_after(start: list[_Atom], atoms: list[_Atom]) -> list[_Atom]:
    stack = list(start)
    for atom in atoms:
        if atom.tag is None:
            continue
        if not atom.closing:
            stack.append(atom)
            continue
        for index in range(len(stack) - 1, -1, -1):
            if stack[index].tag == atom.tag:
                del stack[index]
                break
    return stack


def _can_cut_before(atoms: list[_Atom], index: int) -> bool:
    """Tell whether a hard cut between atoms[index - 1] and atoms[index] keeps glyphs whole."""
    if index <= 0 or index >= len(atoms):
        return True
    after, before = atoms[index].text, atoms[index - 1].text
    if after in _JOINERS or before in _JOINERS:
        return False
    if len(after) == 1 and unicodedata.combining(after):
        return False
    # Skin-tone modifiers and regional-indicator pairs (flags) belong to what precedes them.
    return not (len(after) == 1 and ("\U0001f3fb" <= after <= "\U0001f3ff"))


def _best_cut(atoms: list[_Atom], end: int) -> int:
    """Return where to cut atoms[:end] (exclusive end of the part); always > 0."""
    last_space = last_sentence = last_line = -1
    for index in range(end):
        text = atoms[index].text
        if atoms[index].tag is not None:
            continue
        if text == "\n":
            last_line = index + 1
        elif text == " ":
            last_space = index + 1
            if index > 0 and atoms[index - 1].text in _SENTENCE_ENDS:
                last_sentence = index + 1
    for cut in (last_line, last_sentence, last_space):
        if cut > 0:
            return cut
    cut = end
    while cut > 1 and not _can_cut_before(atoms, cut):
        cut -= 1
    return cut if cut > 1 else end


def split_html(html: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """Split Telegram HTML into well-formed parts of at most `limit` text units each."""
    atoms = _atoms(html)
    if sum(atom.units for atom in atoms) <= limit:
        return [html]
    parts: list[str] = []
    open_tags: list[_Atom] = []
    while atoms:
        used = 0
        end = 0
        while end < len(atoms) and used + atoms[end].units <= limit:
            used += atoms[end].units
            end += 1
        cut = len(atoms) if end == len(atoms) else _best_cut(atoms, end)
        body, atoms = atoms[:cut], atoms[cut:]
        while body and body[-1].tag is None and body[-1].text in {" ", "\n"}:
            body.pop()  # the whitespace the cut was made on
        closing = _stack_after(open_tags, body)
        text = "".join(atom.text for atom in open_tags) + "".join(atom.text for atom in body)
        text += "".join(f"</{atom.tag}>" for atom in reversed(closing))
        parts.append(text)
        open_tags = closing
        # The next part starts at the text, not at the whitespace the cut was made on.
        while atoms and atoms[0].tag is None and atoms[0].text in {" ", "\n"}:
            atoms.pop(0)
    return [part for part in parts if part.strip()]


def split_plain(text: str) -> list[str]:
    """Split plain text the way `split_html` splits markup (for the plain-text fallback)."""
    return [unescape(part) for part in split_html(escape(text, quote=False))]
