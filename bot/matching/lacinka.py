"""Belarusian in Latin script (łacinka): telling it apart and reading it in Cyrillic.

Nasha Niva (be_latn) and Radio Svaboda (latn) publish in łacinka, the Belarusian Latin
alphabet: "Rasijskija vajskoŭcy pakidajuć Bielaruś" is "Расійскія вайскоўцы пакідаюць
Беларусь". Outpost matches such a text on its Cyrillic transliteration and shows it as
written.

The mapping is the standard one (the 1929 rules as Nasha Niva and Svaboda write them):
č ć š ś ž ź ŭ ł ń are ч ць ш сь ж зь ў л нь; ch is х, dz дз, dź дзь, dž дж, h г, g ґ (read as
г), c ц, y ы; l is ль, or before a, e, o, u the soft л of ля, ле, лё, лю; j before a vowel
makes я, е, ё, ю, і (with an apostrophe after a consonant: "abjava" аб'ява), else й; i before
a, e, o, u after a consonant softens it (ia, ie, io, iu: я, е, ё, ю); e alone is э. The
soft signs łacinka writes in clusters ("śviata", "dźvie") come out in the classical
Cyrillic spelling ("сьвята", "дзьве"), which the Belarusian word path folds.

Why not a library: no package on PyPI transliterates łacinka to Cyrillic (the
transliteration packages go from Cyrillic to Latin, and only for the official
romanisations), and the rules fit in one table and a few contexts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.matching import belarusian
from bot.matching.normalize import fold

# Letters only łacinka writes among the Latin alphabets of the texts Outpost reads: one of
# them is needed before a Latin text is taken for Belarusian.
_OWN_LETTERS = re.compile("[čćłĺńśšźžŭ]", re.IGNORECASE)
# Letters łacinka never writes, common in Polish, Czech, Lithuanian, German, Croatian...
_FOREIGN_LETTERS = re.compile("[ąęóżřěůėįųūäöüßõáéíýúđ]", re.IGNORECASE)
# Letters English writes and łacinka never does.
_ENGLISH_LETTERS = re.compile("[wqx]", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+")

# Frequent words, for the texts whose letters leave a doubt.
_BELARUSIAN_WORDS = frozenset({
    "i", "u", "ŭ", "na", "z", "ź", "sa", "ad", "pa", "da", "pry", "dla", "ci", "ale", "jak",
    "jaki", "jakija", "heta", "hetaha", "što", "jon", "jana", "jany", "jaho", "jaje", "jich",
    "kali", "dzie", "tut", "užo", "ŭžo", "jašče", "taksama", "tolki", "byŭ", "była", "byli",
    "było", "josć", "pavodle", "praz", "paśla", "pierad", "kala", "nie", "ni", "ž", "taho",
    "jakaja", "jakoha"
})  # fmt: skip
_OTHER_WORDS = frozenset({
    "the", "of", "and", "to", "in", "is", "a", "for", "on", "with", "that", "by", "at", "from",
    "was", "were", "said", "has", "have", "it", "its", "w", "się", "jest", "oraz", "przez", "że",
    "je", "se", "su", "od"
})  # fmt: skip

_VOWELS = frozenset("aeiouy")
_SOFT_CONSONANTS = frozenset("ćńśźĺ")
_SOFT_VOWELS = {"a": "я", "e": "е", "o": "ё", "u": "ю", "i": "і"}
_LETTERS = {
    "a": "а", "b": "б", "c": "ц", "ć": "ць", "č": "ч", "d": "д", "e": "э", "f": "ф",
    "g": "г", "h": "г", "i": "і", "j": "й", "k": "к", "ł": "л", "m": "м", "n": "н",
    "ń": "нь", "o": "о", "p": "п", "r": "р", "s": "с", "ś": "сь", "š": "ш", "t": "т",
    "u": "у", "ŭ": "ў", "v": "в", "y": "ы", "z": "з", "ź": "зь", "ž": "ж", "ĺ": "ль",
}  # fmt: skip
_PAIRS = {"ch": "х", "dz": "дз", "dź": "дзь", "dž": "дж"}


def is_lacinka(text: str, words: Sequence[str] | None = None) -> bool:
    """Tell whether a Latin-script text is Belarusian in łacinka.

    It must have a letter only łacinka writes (č ć ł ń ś š ź ž ŭ) and none that only other
    alphabets write (ą ę ó ż ř ...); those letters with the frequent Belarusian words must
    outweigh English letters (w q x) and frequent English and Polish words; and more than
    half of its words of three letters or more, transliterated, must be words of the
    Belarusian dictionary (Croatian and Czech write č š ž too). `words` are the text's
    lower-cased words when the caller has them.
    """
    own = len(_OWN_LETTERS.findall(text))
    if not own or _FOREIGN_LETTERS.search(text):
        return False
    if words is None:
        words = _WORD_RE.findall(text.lower())
    belarusian_score = own + sum(word in _BELARUSIAN_WORDS for word in words)
    other_score = len(_ENGLISH_LETTERS.findall(text)) + sum(word in _OTHER_WORDS for word in words)
    if belarusian_score <= other_score:
        return False
    long_words = [word for word in words if len(word) >= 3 and word.isalpha()]
    known = sum(bool(belarusian.lemmas(cyrillic_norm(word))) for word in long_words)
    return 2 * known > len(long_words)


def to_cyrillic(text: str) -> str:
    """Transliterate łacinka into Cyrillic, word by word, keeping capitals and anything else."""
    return _WORD_RE.sub(lambda match: _word(match.group()), text)


@lru_cache(maxsize=65_536)
def cyrillic_norm(word: str) -> str:
    """Return the folded Cyrillic spelling of a folded łacinka word, for matching.

    A plain l is soft in łacinka ("la" is ля) but hard in the national romanisation of
    place names, which writes ĺ for the soft one ("Bielaruś" is Беларусь there); the
    transliteration the Belarusian dictionary knows is taken, the łacinka one by default.
    """
    soft = fold(_lower_word(word))
    if "l" not in word or belarusian.lemmas(soft):
        return soft
    hard = fold(_lower_word(word, soft_l=False))
    return hard if belarusian.lemmas(hard) else soft


@lru_cache(maxsize=65_536)
def _word(word: str) -> str:
    """Transliterate one word of letters, keeping an initial capital or all capitals."""
    cyrillic = _lower_word(word.lower())
    if len(word) > 1 and word.isupper():
        return cyrillic.upper()
    if word[0].isupper():
        return cyrillic[:1].upper() + cyrillic[1:]
    return cyrillic


def _lower_word(word: str, *, soft_l: bool = True) -> str:
    """Transliterate one lower-case word (with `soft_l` false, l is the hard л)."""
    out: list[str] = []
    index = 0
    length = len(word)
    while index < length:
        char = word[index]
        following = word[index + 1] if index + 1 < length else ""
        after_consonant = index > 0 and word[index - 1] not in _VOWELS and word[index - 1] != "ŭ"
        pair = _PAIRS.get(char + following)
        if pair is not None:
            out.append(pair)
            index += 2
        elif char == "l" and soft_l:
            if following and following in "aeou":
                out.append("л" + _SOFT_VOWELS[following])
                index += 2
            else:
                out.append("л" if following == "i" else "ль")
                index += 1
        elif char == "l":
            out.append("л")
            index += 1
        elif char == "j" and following and following in _SOFT_VOWELS:
            # After a consonant, j is the apostrophe of "аб'ява"; after ŭ too ("салаў'і"); after
            # ć ń ś ź the soft sign separates already ("źjezd": "зьезд").
            separated = index > 0 and word[index - 1] not in _VOWELS | _SOFT_CONSONANTS
            out.append(("'" if separated else "") + _SOFT_VOWELS[following])
            index += 2
        elif char == "i" and following and following in "aeou" and after_consonant:
            out.append(_SOFT_VOWELS[following])
            index += 2
        else:
            out.append(_LETTERS.get(char, char))
            index += 1
    return "".join(out)
