"""Generate Outpost's table of Belarusian word forms and their lemmas, bot/data/be_lemmas.tsv.gz,
from the Belarusian Hunspell dictionary, read with spylls.

Run from the repository root after `apt-get install hunspell-be` (or with --dictionary pointing
at any copy of be_BY.dic and be_BY.aff) and `pip install -e '.[lemmas]'`:

    python scripts/build_be_lemmas.py [--dictionary /usr/share/hunspell/be_BY] [--out PATH]

The source is Debian's hunspell-be 0.53 (spell-be.sourceforge.net, by Mikalai Udodau, CC BY-SA
3.0): 82,000 stems with the affix rules that make their forms. spylls, a port of Hunspell to
Python, reads both files (affix conditions, flags, the stripped and added strings); this script
applies every rule a stem is flagged with, as Hunspell's unmunch does, and gives each form the
lemma of the word it belongs to.

A Hunspell stem is whatever packs a word's forms into fewest rules, not always the dictionary
form, so the lemma is worked out per word:
- a noun or adjective's lemma is its stem (nominative singular, masculine for adjectives);
  a stem flagged with plural endings only whose genitive singular another stem makes
  ("вайскоўцы", whose "вайскоўца" is made by "вайсковец") takes that stem's lemma, and a
  masculine stem given in the genitive because its nominative has a vowel alternation
  ("снегіра", "байца") takes the nominative the dictionary lists beside it ("снягір", "баец");
- a verb's lemma is its infinitive: regular verbs are stored as the first person singular
  ("перакіну") with rules that make the infinitive ("перакінуць") and the past tense, and
  reflexive forms ("перакінуліся") get the reflexive infinitive ("перакінуцца");
- forms of irregular verbs the dictionary lists one by one ("прыйшоў", "прыйду", "пачало",
  "адбудзецца") get their infinitive by a short list of Belarusian conjugation patterns below,
  kept only when the infinitive it gives is one of the dictionary's ("прыйсці", "пачаць",
  "адбыцца"); such a form listed bare keeps itself as a second lemma, and a verb form no
  pattern links keeps itself as its lemma;
- the prefixes the dictionary adds by flag make new words ("не-", "па-", "за-": the lemma of
  "непрыгожага" is "непрыгожы"), while the prothetic "і-" ("ілгаць") and the word-initial
  "ў/у" are spellings of the same word.

Forms and lemmas are folded as Outpost folds words (lower case, ё as е, no apostrophes,
word-initial ў as у), so the table is looked up with a folded word. A form several words
share keeps up to three lemmas: those of the dictionary's paradigms first (its own lemma
first when it is one), then those linked by pattern. Hyphenated forms are left out (Outpost
reads their parts as words).

The output is deterministic: sorted lines `form<TAB>lemma[ lemma...]`, gzip-compressed with no
timestamp. It is licensed CC BY-SA 3.0 like its source (bot/data/be_lemmas.LICENSE).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spylls.hunspell import Dictionary
from spylls.hunspell.data.aff import Prefix, Suffix

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.matching.normalize import fold  # noqa: E402  (the repository root is on the path now)

DICTIONARY = Path("/usr/share/hunspell/be_BY")
OUT = ROOT / "bot" / "data" / "be_lemmas.tsv.gz"
MAX_LEMMAS = 3

# The dictionary's flags, by what they make (read from be_BY.aff).
VERB_FLAGS = frozenset("bcdefghjklmnoqstvwxyK")
PLURAL_FLAGS = frozenset("PQ")  # plural endings of masculine and neuter nouns
SINGULAR_FLAGS = frozenset("OHU")  # singular endings of masculine and neuter nouns
DERIVING_PREFIXES = frozenset("Apz")  # не-, па-, за-: a new word
SPELLING_PREFIXES = frozenset("iu")  # prothetic і-, word-initial ў→у: the same word

_INFINITIVE = re.compile("(?:ць|ці|чы)$")
_REFLEXIVE_INFINITIVE = re.compile("(?:цца|ціся|чыся)$")
_IRREGULAR_INFINITIVE = re.compile("(?:сці|зці|чы)$")  # "выйсці", "правесці" stand alone
_REFLEXIVE = re.compile("(?:ся|сь|цца)$")
_FIRST_PERSON = re.compile("(?:у|ю|уся|юся)$")
_WORD = re.compile("[а-яіў]+")

# Verb forms the dictionary lists one by one or without their infinitive, by conjugation
# pattern: (the infinitive's ending, the endings of its forms, whether the stem's last vowel
# alternates with stress). "прыйшоў", "прыйду" are forms of "прыйсці"; "вёў", "вяду" of
# "весці"; "пачну" of "пачаць"; "прыбуду" of "прыбыць"; "перадасць" of "перадаць";
# "пішу" of "пісаць"; the past tense in -ў/-ла/-ло/-лі of "-ць". A candidate counts only when
# the dictionary has it as an infinitive; reflexive forms are derived (see `_reflexive_endings`).
VERB_FAMILIES: tuple[tuple[str, str, bool], ...] = (
    ("сці", "шоў шаў шла шло шлі шоўшы", False),
    ("есці", "ёў яла яло ялі ёс есла есло еслі", False),
    ("ерці", "ёр ерла ерло ерлі", False),
    ("церці", "тру трэш трэ трэм трэце труць", False),
    ("перці", "пру прэш прэ прэм прэце пруць", False),
    ("быць", "буду будзеш будзе будзем будзеце будуць будзь будзьце", False),
    ("даць", "дам дасі дасць дадзім дасце дадуць", False),
    ("браць", "бяру бярэш бярэ бяром бераце бяруць бяры", False),
    ("няць", "йму ймеш йме ймем ймеце ймуць німу німеш німе німем німеце німуць", False),
    ("чаць", "чну чнеш чне чнём чняце чнуць чні чніце", False),
    ("даваць", "даю даеш дае даём даяце даюць", False),
    ("ставаць", "стаю стаеш стае стаём стаяце стаюць", False),
    ("ліць", "лію ліеш ліе льём льяце льюць", False),
    ("рваць", "рву рвеш рве рвём рвяце рвуць", False),
    ("зваць", "заву завеш заве завём завяце завуць", False),
    ("сці", "ду дзеш дзе дзем дзём дзеце дзяце дуць дзі дзіце дучы", True),
    ("сці", "ту цеш це цем цём цеце цяце туць ці ціце", True),
    ("зці", "зу зеш зе зем зём зеце зяце зуць зі зіце з зла злі зло", True),
    ("бці", "бу беш бе бем бём беце бяце буць бі біце б бла блі бло", True),
    ("гчы", "гу жаш жа жам жаце гуць жы жыце г гла глі гло", True),
    ("кчы", "ку чаш ча чам чаце куць чы чыце к кла клі кло", True),
    ("нуць", "ну неш не нем нём неце няце нуць ні ніце", True),
    ("ць", "ву веш ве вём вяце вуць", False),
    ("аваць", "ую уеш уе уем уеце уюць уй уйце", True),
    ("яваць", "юю юеш юе юем юеце ююць", True),
    ("таць", "чу", False), ("каць", "чу", False), ("заць", "жу", False),
    ("гаць", "жу", False), ("саць", "шу", False), ("хаць", "шу", False),
    ("стаць", "шчу", False), ("скаць", "шчу", False), ("паць", "плю", False),
    ("баць", "блю", False), ("маць", "млю", False), ("ваць", "ўлю", False),
    ("ць", "ў ла ло лі ўшы", False),
    ("аць", "аючы", False), ("яць", "яючы", False),
)  # fmt: skip


def _reflexive_endings(ending: str) -> tuple[str, ...]:
    """Return an ending's reflexive spellings ("дуць" → "дуцца"; "дзе" → "дзецца")."""
    if ending.endswith("ць"):
        return (ending[:-2] + "цца",)
    if ending.endswith("е"):
        return (ending + "цца", ending + "ся")
    return (ending + "ся",)


def _verb_patterns() -> tuple[tuple[str, str, bool], ...]:
    """List (form ending, infinitive ending, alternates) longest ending first."""
    patterns = []
    for infinitive, endings, alternate in VERB_FAMILIES:
        for ending in endings.split():
            patterns.append((ending, infinitive, alternate))
            patterns.extend((other, infinitive, alternate) for other in _reflexive_endings(ending))
    return tuple(sorted(patterns, key=lambda pattern: -len(pattern[0])))  # stable


VERB_PATTERNS = _verb_patterns()

# Vowels that alternate with stress inside a Belarusian stem: "вяду" of "весці", "нёс" of
# "несці", "снегіра" of "снягір", "едуна" of "ядун".
_ALTERNATIONS = {"я": "е", "е": "я", "ё": "е", "а": "о", "о": "а"}
_VOWELS = frozenset("аеёіоуыэюя")


@dataclass(frozen=True, slots=True)
class Form:
    """One form a dictionary stem makes: its text and the rules that made it."""

    text: str
    suffix: Suffix | None
    prefix: Prefix | None


@dataclass(slots=True)
class Entry:
    """One stem of the dictionary with its flags and forms, and the lemmas worked out."""

    index: int
    stem: str
    flags: frozenset[str]
    forms: list[Form]
    plain: str | None = None  # the infinitive, for a verb
    reflexive: str | None = None  # the reflexive infinitive, for a verb
    lemma: str | None = None  # the lemma of its forms, for anything else
    linked: bool = False  # whether the lemma was found through another stem

    @property
    def verbal(self) -> bool:
        """Tell whether the stem is flagged with verb endings."""
        return not self.flags.isdisjoint(VERB_FLAGS)


def expand(stem: str, flags: frozenset[str], dictionary: Dictionary) -> list[Form]:
    """Apply every suffix and prefix rule a stem is flagged with (Hunspell's unmunch)."""
    aff = dictionary.aff
    forms = [Form(stem, None, None)]
    for flag in sorted(flags):
        for suffix in aff.SFX.get(flag, ()):
            if stem.endswith(suffix.strip) and suffix.cond_regexp.search(stem):
                forms.append(Form(stem[: len(stem) - len(suffix.strip)] + suffix.add, suffix, None))
    prefixed: list[Form] = []
    for flag in sorted(flags):
        for prefix in aff.PFX.get(flag, ()):
            for form in forms:
                crosses = form.suffix is None or form.suffix.crossproduct
                if (
                    crosses
                    and prefix.crossproduct
                    and form.text.startswith(prefix.strip)
                    and prefix.cond_regexp.search(form.text)
                ):
                    text = prefix.add + form.text[len(prefix.strip) :]
                    prefixed.append(Form(text, form.suffix, prefix))
    return forms + prefixed


def entries(dictionary: Dictionary) -> list[Entry]:
    """Expand every stem of the dictionary."""
    result = []
    for index, word in enumerate(dictionary.dic.words):
        flags = frozenset(word.flags)
        result.append(Entry(index, word.stem, flags, expand(word.stem, flags, dictionary)))
    return result


def reflexive_of(infinitive: str) -> str:
    """Return the reflexive infinitive of an infinitive ("кінуць" → "кінуцца")."""
    if infinitive.endswith("ць"):
        return infinitive[:-2] + "цца"
    return infinitive + "ся"


def plain_of(reflexive: str) -> str:
    """Return the infinitive of a reflexive infinitive ("кінуцца" → "кінуць")."""
    if reflexive.endswith("цца"):
        return reflexive[:-3] + "ць"
    return reflexive[:-2]


def infinitives(entry: Entry) -> None:
    """Find a verb stem's infinitives among its own forms."""
    stem = entry.stem
    if not _FIRST_PERSON.search(stem):
        if _REFLEXIVE_INFINITIVE.search(stem):
            entry.reflexive = stem
        elif _INFINITIVE.search(stem):
            entry.plain = stem
    for form in entry.forms:
        suffix = form.suffix
        if suffix is None or form.prefix is not None:
            continue
        if (
            suffix.flag == "f"
            and suffix.strip in ("у", "ю", "ую", "юю")
            and suffix.add.endswith("ць")
        ):
            entry.plain = entry.plain or form.text
        elif suffix.flag in "jtq" and suffix.add.endswith("цца") and suffix.strip in (
            "у", "ю", "ую", "юю", "ць"
        ):  # fmt: skip
            entry.reflexive = entry.reflexive or form.text


def alternants(stem: str, *, last_only: bool = False) -> Iterator[str]:
    """Yield a stem and its spellings with one stressed vowel alternated, the last first."""
    yield stem
    for index in range(len(stem) - 1, -1, -1):
        if stem[index] in _VOWELS:
            other = _ALTERNATIONS.get(stem[index])
            if other is not None:
                yield stem[:index] + other + stem[index + 1 :]
            if last_only:
                return


def link_verb(form: str, known: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """Return the (infinitive, reflexive infinitive) a verb form belongs to, by its ending."""
    for ending, infinitive, alternate in VERB_PATTERNS:
        if not form.endswith(ending):
            continue
        base = form[: len(form) - len(ending)]
        for spelling in alternants(base, last_only=True) if alternate else (base,):
            pair = known.get(spelling + infinitive)
            if pair is not None:
                return pair
    return None


def oblique_nominatives(genitive: str, *, masculine: bool = True) -> Iterator[str]:
    """Yield the nominatives a masculine genitive singular may belong to ("байца" → "баец").

    Without `masculine` (the stem has no masculine-only endings), a neuter nominative in
    -а/-я ("кола", "свята", "імя") looks like a genitive too: only the genitive of an -ак,
    -ок or -ц noun ("блока", "прынца") may lose its ending, and a vowel that drops out
    ("тыдзень" for "тыдня") may not also alternate.
    """
    base = genitive[:-1]
    soft = genitive.endswith("я")
    if masculine:
        candidates = [base + "ь", base] if soft else [base]
    else:
        candidates = [base] if base.endswith(("к", "ц")) else []
    if len(base) >= 3 and base[-1] not in _VOWELS:
        head, last = base[:-1], base[-1]
        tail = [last + "ь", last] if soft else [last]
        # A vowel drops out of the last syllable: "баец"/"байца", "князёк"/"князька",
        # "вайсковец"/"вайскоўца", "майстар"/"майстра", "тыдзень"/"тыдня", "дзяцел"/"дзятла".
        if head.endswith(("й", "ь")):
            heads = [(head[:-1], vowel) for vowel in ("е", "ё")]
        elif head.endswith("ў"):
            heads = [(head[:-1] + "в", vowel) for vowel in ("е", "ё")]
        else:
            heads = [(head, vowel) for vowel in ("е", "ё", "а", "о")]
        for start, vowel in heads:
            softened = start
            if vowel in "её" and start.endswith("д"):
                softened = start + "з"  # "тыдзень"/"тыдня"
            elif vowel in "её" and start.endswith("т"):
                softened = start[:-1] + "ц"  # "дзяцел"/"дзятла"
            candidates += [softened + vowel + end for end in tail]
    seen: set[str] = set()
    for candidate in candidates:
        for spelling in alternants(candidate) if masculine else (candidate,):
            if spelling not in seen:
                seen.add(spelling)
                yield spelling


def verb_infinitives(all_entries: list[Entry]) -> dict[str, tuple[str, str]]:
    """Find every verb stem's infinitives; return each infinitive's (plain, reflexive) pair."""
    for entry in all_entries:
        if entry.verbal:
            infinitives(entry)
            if entry.plain and not entry.reflexive:
                entry.reflexive = reflexive_of(entry.plain)
            if entry.reflexive and not entry.plain:
                entry.plain = plain_of(entry.reflexive)
    known: dict[str, tuple[str, str]] = {}
    for entry in all_entries:
        if not entry.flags and _IRREGULAR_INFINITIVE.search(entry.stem):
            known.setdefault(entry.stem, (entry.stem, reflexive_of(entry.stem)))
        if entry.plain and entry.reflexive:
            known.setdefault(entry.plain, (entry.plain, entry.reflexive))
            known.setdefault(entry.reflexive, (entry.plain, entry.reflexive))
    return known


def noun_genitives(all_entries: list[Entry]) -> dict[str, Entry]:
    """Map the genitives singular of masculine and neuter nouns to their stems.

    Those in -а/-я are made by the O rules, those in -у/-ю by H and U (which also make the
    dative: a plural stem is looked up by the former first).
    """
    genitives: dict[str, Entry] = {}
    for flag in ("O", "H", "U"):
        for entry in all_entries:
            if entry.verbal or flag not in entry.flags:
                continue
            for form in entry.forms:
                suffix = form.suffix
                if (
                    suffix is not None
                    and suffix.flag == flag
                    and form.prefix is None
                    and (flag == "O" or suffix.add.endswith(("у", "ю")))
                ):
                    genitives.setdefault(form.text, entry)
    return genitives


def link_plural(entry: Entry, genitives: dict[str, Entry], bare: set[str]) -> None:
    """Give a plural stem the lemma of its singular ("вайскоўцы" → "вайсковец")."""
    stem = entry.stem
    singulars = [stem[:-1] + ending for ending in ("а", "я", "у", "ю")]
    singular = next(
        (genitives[g] for base in singulars for g in alternants(base) if g in genitives), None
    )
    lemma = None if singular is None else singular.lemma or singular.stem
    if lemma is None and "Q" in entry.flags:  # masculine: "кісялі" of the bare "кісель"
        candidates = (n for g in singulars[:2] for n in oblique_nominatives(g))
        lemma = next((n for n in candidates if n in bare), None)
    if lemma is not None:
        entry.lemma, entry.linked = lemma, True


def work_out_lemmas(all_entries: list[Entry]) -> None:
    """Give every stem its lemma (see the module docstring)."""
    known = verb_infinitives(all_entries)
    bare = {entry.stem for entry in all_entries if not entry.flags}
    plurals: list[Entry] = []
    for entry in all_entries:
        if entry.verbal and entry.plain:
            continue
        if entry.verbal or not entry.flags:
            pair = link_verb(entry.stem, known)
            if pair is not None:
                entry.plain, entry.reflexive = pair
                entry.linked = not entry.verbal
                continue
        entry.lemma = entry.stem
        nominal = entry.flags - DERIVING_PREFIXES - SPELLING_PREFIXES
        if not nominal or not nominal <= SINGULAR_FLAGS | PLURAL_FLAGS:
            continue
        if nominal <= PLURAL_FLAGS and entry.stem[-1:] in ("ы", "і"):
            plurals.append(entry)  # linked once every genitive stem has its lemma
        elif entry.stem[-1:] in ("а", "я"):
            # A genitive singular whose nominative the dictionary lists bare beside it;
            # without masculine endings (U, Q) it may be a neuter nominative itself.
            masculine = bool(nominal & frozenset("UQ"))
            candidates = oblique_nominatives(entry.stem, masculine=masculine)
            lemma = next((n for n in candidates if n in bare), None)
            if lemma is not None:
                entry.lemma, entry.linked = lemma, True
    genitives = noun_genitives(all_entries)
    for entry in plurals:
        link_plural(entry, genitives, bare)


def lemma_of(entry: Entry, form: Form) -> str:
    """Return the lemma of one form of a stem, before folding."""
    if entry.plain is not None and entry.reflexive is not None:
        lemma = entry.reflexive if _REFLEXIVE.search(form.text) else entry.plain
    else:
        lemma = entry.lemma or entry.stem
    prefix = form.prefix
    if prefix is not None and prefix.flag in DERIVING_PREFIXES:
        lemma = prefix.add + lemma[len(prefix.strip) :]
    return lemma


def table(all_entries: Iterable[Entry]) -> dict[str, list[str]]:
    """Map every folded form to its folded lemmas, the most likely first.

    The lemmas of the dictionary's paradigms come first, its own lemma before others; then
    the verbs that bare forms were linked to by pattern, then such a form itself.
    """
    ranked: dict[str, dict[str, tuple[int, int, int, int]]] = {}
    for entry in all_entries:
        proper = int(entry.stem[:1].isupper())
        guessed = int(entry.linked and not entry.flags)  # a bare form linked by pattern
        for form in entry.forms:
            if form.prefix is not None and form.prefix.flag == "u":
                continue  # word-initial ў→у is folded anyway
            key = fold(form.text)
            if not _WORD.fullmatch(key):
                continue
            lemma = fold(lemma_of(entry, form))
            lemmas = ranked.setdefault(key, {})
            if guessed:
                lemmas[key] = min(
                    lemmas.get(key, (2, 0, proper, entry.index)), (2, 0, proper, entry.index)
                )
            rank = (guessed, int(lemma != key), proper, entry.index)
            lemmas[lemma] = min(lemmas.get(lemma, rank), rank)
    return {
        key: sorted(lemmas, key=lemmas.__getitem__)[:MAX_LEMMAS] for key, lemmas in ranked.items()
    }


def render(rows: dict[str, list[str]]) -> bytes:
    """Return the table as sorted tab-separated lines."""
    return "".join(f"{key}\t{' '.join(rows[key])}\n" for key in sorted(rows)).encode()


def main(argv: list[str] | None = None) -> int:
    """Build the lemma table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dictionary", type=Path, default=DICTIONARY, help="path without .dic")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    dictionary = Dictionary.from_files(str(args.dictionary))
    all_entries = entries(dictionary)
    work_out_lemmas(all_entries)
    rows = table(all_entries)
    with args.out.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as out:
        out.write(render(rows))
    size = args.out.stat().st_size
    print(f"{len(rows)} forms written to {args.out} ({size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
