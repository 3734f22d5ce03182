"""Language of a report: Russian, Belarusian, Ukrainian or English.

Why not a library: the general detectors (langdetect, lingua, fastText's lid model) are
large, some need a model file, and all of them confuse Belarusian with Russian and Ukrainian
on the one-line posts Outpost reads. Not one is installed, and these four languages can be
told apart by their alphabets: each lacks letters the others write (Russian has no і, ї, є,
ґ, ў; Belarusian no и, щ, ъ, ї, є, ґ; Ukrainian no ы, э, ъ, ё, ў). The language whose
alphabet the text breaks least wins; when letters cannot decide (a short text with none of
them), a few frequent words that only one language uses break the tie. A text in Latin
letters is English, unless it is Belarusian in łacinka (`bot.matching.lacinka`), which
is "be". Deterministic, allocation-light and fast enough to run on every post.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from bot.matching.lacinka import is_lacinka
from bot.matching.normalize import Token, tokenize

LANGUAGES = ("ru", "be", "uk", "en")

# Letters each Cyrillic language does not write; counting them is the whole signal.
_FOREIGN_LETTERS = {
    "ru": frozenset("іїєґў"),
    "be": frozenset("ищъїєґ"),
    "uk": frozenset("ыэъёў"),
}
# Each of those letters once: a letter two languages lack is counted once, not twice.
_ANY_FOREIGN = "".join(sorted(frozenset().union(*_FOREIGN_LETTERS.values())))
_CYRILLIC_LEADS = (b"\xd0", b"\xd1", b"\xd2", b"\xd3")
_LATIN_BYTES = b"abcdefghijklmnopqrstuvwxyz"

# Frequent words, only the ones a single language uses count (see `_unique_words`).
_COMMON_WORDS = {
    "ru": "и что это как он она они был была были также который которые его ее не на из от "
    "для по при после уже еще или только где когда тоже если чтобы",
    "be": "і што гэта як ён яна яны быў была былі таксама які якія яго не на з ад для па пры "
    "пасля ўжо яшчэ ці толькі дзе калі каб",
    "uk": "і та що це як він вона вони був була були також який які його не на з від для по "
    "при після вже ще чи тільки де коли щоб",
}


@cache
def _unique_words() -> dict[str, frozenset[str]]:
    """Keep, per language, the common words the other two languages never use."""
    words = {lang: frozenset(text.split()) for lang, text in _COMMON_WORDS.items()}
    return {
        lang: own - frozenset().union(*(other for name, other in words.items() if name != lang))
        for lang, own in words.items()
    }


def detect_language(text: str) -> str:
    """Return "ru", "be", "uk" or "en" for a text, by its letters and then its common words."""
    return language_candidates(text)[0]


def language_candidates(
    text: str, tokens: Sequence[Token] | None = None, *, norms: Sequence[str] | None = None
) -> tuple[str, ...]:
    """Return the languages a text may be in, the most likely first.

    One language when its letters or its common words decide; otherwise every Cyrillic
    language its letters allow ("Розпочалися навчання" is Ukrainian or Russian), so the
    matcher can read its words in each of them. `tokens`, or just their `norms`, are the
    text's words when the caller has them.
    """
    lowered = text.lower()
    # Counted in C without building a list of matches: this runs on every report. In
    # UTF-8 the letters U+0400..U+04FF, and only they, start with a byte D0..D3.
    encoded = lowered.encode("utf-8", "surrogatepass")
    cyrillic = sum(map(encoded.count, _CYRILLIC_LEADS))
    latin = len(encoded) - len(encoded.translate(None, _LATIN_BYTES))
    if cyrillic == 0 or latin > cyrillic:
        # Latin script: English, or Belarusian in łacinka (read in Cyrillic by the matcher).
        if is_lacinka(text, norms):
            return ("be",)
        return ("en",)
    counts = dict(zip(_ANY_FOREIGN, map(lowered.count, _ANY_FOREIGN), strict=True))
    foreign = {
        lang: sum(map(counts.__getitem__, letters)) for lang, letters in _FOREIGN_LETTERS.items()
    }
    fewest = min(foreign.values())
    candidates = [lang for lang in _FOREIGN_LETTERS if foreign[lang] == fewest]
    if len(candidates) == 1:
        return (candidates[0],)
    unique = _unique_words()
    if norms is not None:
        words = list(norms)
    else:
        words = [token.norm for token in (tokenize(lowered) if tokens is None else tokens)]
    scores = {lang: sum(word in unique[lang] for word in words) for lang in candidates}
    # sorted() is stable and candidates are in ru, be, uk order: with no evidence at all,
    # Russian, the most common language of the sources, comes first.
    ranked = sorted(candidates, key=lambda lang: -scores[lang])
    if scores[ranked[0]] > 0:
        return (ranked[0],)
    return tuple(ranked)
