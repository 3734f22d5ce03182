"""Belarusian words: lemmas from a dictionary, and the classical spelling read as the official.

- **Lemmas**: `bot/data/be_lemmas.tsv.gz` maps every form of the Belarusian Hunspell
  dictionary (Debian's hunspell-be, CC BY-SA 3.0; 667,000 forms of 82,000 stems) to its
  lemmas: "вучэнні" → "вучэнне", "танкаў" → "танк", "перакінулі" → "перакінуць",
  "прыйшлі" → "прыйсці". `scripts/build_be_lemmas.py` generates it with spylls at build
  time and says how each lemma is worked out; Outpost only reads the table. It is kept as
  one bytes object of sorted lines and searched by bisection, as Unix `look` searches a
  sorted file, because a dict of its 667,000 forms would take several times the memory
  (docs/performance.md). It is read on the first Belarusian word.
- **Classical spelling** (taraškievica, which Nasha Niva and Svaboda also write): it marks
  the softness of a consonant before a soft one with a soft sign ("сьнег", "зьвяз",
  "сьвята", "дзьве", "вучэньне") and separates a prefix with one ("зьезд"), where the
  official spelling writes neither ("снег", "звяз", "свята", "дзве", "вучэнне", "з'езд").
  `fold_classical` drops those signs, so both spellings meet. Differences of vocabulary
  or of loanwords' spelling ("Менск", "клюб", "сыстэма") are left alone.

Words are looked up folded (`bot.matching.normalize.fold`: lower case, ё as е, no
apostrophes, a word-initial ў as у), as the table was built.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

_CONSONANTS = frozenset("бвгджзйклмнпрстфхцчшў")
_SOFT_AFTER = frozenset("еёіюяь")  # what makes the consonant before it soft
_ASSIMILATED = frozenset("здсцнл")  # the consonants the classical spelling softens in a cluster
_SEPARATED = frozenset("зс")  # prefixes whose soft sign is the official apostrophe ("зьезд")
_IOTATED = frozenset("еёюяі")


class LemmaTable:
    """Sorted `form<TAB>lemma[ lemma...]` lines, looked up by bisection over their bytes.

    Forms sort in the same order as str and as UTF-8 bytes, so a byte position halfway
    between two known line starts lies in a line whose form can be compared directly.
    """

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data if data.endswith(b"\n") else data + b"\n"

    def lemmas(self, word: str) -> tuple[str, ...]:
        """Return a folded form's lemmas, the most likely first, or () when unknown."""
        key = word.encode()
        data = self._data
        low, high = 0, len(data)
        while low < high:
            middle = (low + high) // 2
            start = data.rfind(b"\n", 0, middle) + 1  # the line that holds `middle`
            tab = data.find(b"\t", start)
            form = data[start:tab]
            if form < key:
                low = data.find(b"\n", tab) + 1
            elif form > key:
                high = start
            else:
                return tuple(data[tab + 1 : data.find(b"\n", tab)].decode().split(" "))
        return ()


@cache
def lemma_table() -> LemmaTable:
    """Read the shipped lemma table once."""
    packed = resources.files("bot").joinpath("data", "be_lemmas.tsv.gz").read_bytes()
    return LemmaTable(gzip.decompress(packed))


def lemmas(word: str) -> tuple[str, ...]:
    """Return the dictionary lemmas of a folded Belarusian word in either spelling, or ().

    A word the dictionary knows as written is taken as written: the official spelling keeps
    a soft sign in some clusters too ("агледзьце", "аганькі", "у пісьме").
    """
    table = lemma_table()
    found = table.lemmas(word)
    if not found and "ь" in word:
        found = table.lemmas(fold_classical(word))
    return found


def fold_classical(word: str) -> str:
    """Drop the soft signs the classical spelling writes in clusters and after prefixes.

    "сьнег" → "снег", "сьцьвярджаць" → "сцвярджаць", "вучэньне" → "вучэнне", "зьезд" →
    "зезд" (the folded "з'езд"). Applied to a folded word.
    """
    if "ь" not in word:
        return word
    chars = list(word)
    index = 1
    while index < len(chars) - 1:
        before, after = chars[index - 1], chars[index + 1]
        if chars[index] == "ь" and before in _ASSIMILATED:
            softened = index + 2 < len(chars) and chars[index + 2] in _SOFT_AFTER
            # "ль" stays before any consonant but its double: "вясельле" is "вяселле".
            if (after in _CONSONANTS and softened and (before != "л" or after == "л")) or (
                before in _SEPARATED and after in _IOTATED
            ):
                del chars[index]
                continue
        index += 1
    return "".join(chars)
