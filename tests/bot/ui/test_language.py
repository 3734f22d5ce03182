"""The interface read as a native reader would: one term per idea (the glossary), and place
names in the case their preposition governs, in Russian, Belarusian and Ukrainian."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po

from bot.app import OutpostApp
from bot.matching import PlaceIndex, default_catalog, load_places
from bot.models import ChatFilters
from bot.ui import menu
from bot.ui.texts import filters_summary, ui_for
from sandbox import SandboxBotAPI
from tests.helpers.paths import PROJECT

LOCALES = PROJECT / "bot" / "locales"
SLAVIC = ("ru", "be", "uk")
LETTER = r"[\w’]"


def translations(lang: str) -> list[tuple[str, str]]:
    """Return (message id, translation) for every translation of a catalog, plural forms too."""
    with (LOCALES / lang / "LC_MESSAGES" / "outpost.po").open(encoding="utf-8") as po:
        catalog = read_po(po)
    found = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        forms = (message.string,) if isinstance(message.string, str) else message.string
        found.extend((key, form) for form in forms if form)
    return found


def _apostrophes(text: str) -> str:
    return re.sub("['ʼ]", "’", text)


def pattern(entry: str) -> re.Pattern[str]:
    """Compile a glossary pattern (see the header of bot/locales/glossary.toml)."""
    if entry.startswith("re:"):
        return re.compile(entry[3:], re.IGNORECASE)
    words = [
        re.escape(_apostrophes(word[:-1])) + f"{LETTER}*"
        if word.endswith("*")
        else re.escape(_apostrophes(word))
        for word in entry.split()
    ]
    return re.compile(rf"(?<!{LETTER})" + r"\s+".join(words) + rf"(?!{LETTER})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Rule:
    """One idea's rule for one language."""

    idea: str
    lang: str
    term: str | None
    forbidden: tuple[str, ...]
    once: bool


def glossary() -> list[Rule]:
    """Read bot/locales/glossary.toml into one rule per idea and language."""
    data = tomllib.loads((LOCALES / "glossary.toml").read_text(encoding="utf-8"))
    rules = []
    for idea in data["idea"]:
        for lang in SLAVIC:
            if lang in idea:
                entry = idea[lang]
                rules.append(
                    Rule(
                        idea["en"],
                        lang,
                        entry.get("term"),
                        tuple(entry.get("forbidden", ())),
                        bool(idea.get("once", False)),
                    )
                )
    return rules


RULES = glossary()


def test_the_glossary_covers_the_ideas_the_issue_names() -> None:
    ideas = {rule.idea for rule in RULES}
    assert {"alert", "digest", "link preview", "severity", "again"} <= ideas
    for lang in SLAVIC:
        assert len([rule for rule in RULES if rule.lang == lang]) >= 20


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.lang}:{rule.idea}")
def test_one_term_per_idea(rule: Rule) -> None:
    texts = [(key, _apostrophes(text)) for key, text in translations(rule.lang)]
    if rule.term is not None:
        term = pattern(rule.term)
        assert any(term.search(text) for _, text in texts), f"{rule.term!r} is never used"
    wrong = [
        f"{entry!r} in {text!r}"
        for entry in rule.forbidden
        for _, text in texts
        if pattern(entry).search(text)
    ]
    if rule.once and rule.term is not None:
        wrong += [
            f"{rule.term!r} twice in {text!r}"
            for _, text in texts
            if len(pattern(rule.term).findall(text)) > 1
        ]
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize(
    ("entry", "text", "hit"),
    [
        ("зводк*", "⏰ Калі дасылаць штодзённую зводку?", True),
        ("зводк*", "Дайджэст: 3 навіны", False),
        ("перадпрагляд*", "🔗 Перадпрагляд спасылак", True),
        ("re:(?:\\d|\\})\\s*г(?![\\w’])", "🗺 Мапа, 48 г", True),
        ("re:(?:\\d|\\})\\s*г(?![\\w’])", "🗺 Мапа за 48 гадз", False),
        ("адмін", "адміністратары", False),
        ("з’яўляецца", "{id} не з'яўляецца адміністратарам.", True),  # apostrophes fold
        ("сводк*", "Сводка дня", True),  # case-insensitive
        ("тих* час*", "тихий   час", True),
    ],
)
def test_glossary_patterns(entry: str, text: str, hit: bool) -> None:
    assert bool(pattern(entry).search(_apostrophes(text))) is hit


# -- place names after prepositions -------------------------------------------------------

# The case each preposition governs, among those a place label carries: "gen" after "от",
# "loc" after "в"; a preposition that governs another case (dative, instrumental,
# accusative) allows none, so such a sentence must be rewritten.
GOVERNS: dict[str, dict[str, frozenset[str]]] = {
    "ru": {
        **dict.fromkeys(
            ("от", "из", "до", "около", "возле", "близ", "вблизи", "у", "без", "для"),
            frozenset({"gen"}),
        ),
        **dict.fromkeys(("вокруг", "из-за", "из-под", "с", "со"), frozenset({"gen"})),
        **dict.fromkeys(("в", "во", "на", "о", "об", "при"), frozenset({"loc"})),
        **dict.fromkeys(
            ("к", "ко", "по", "над", "под", "за", "перед", "между", "через", "про"), frozenset()
        ),
    },
    "be": {
        **dict.fromkeys(
            ("ад", "з", "са", "да", "каля", "ля", "без", "для", "вакол", "паблізу", "з-за"),
            frozenset({"gen"}),
        ),
        **dict.fromkeys(("у", "ў", "в", "на", "аб", "пры"), frozenset({"loc"})),
        **dict.fromkeys(("па", "над", "пад", "за", "перад", "паміж", "праз", "пра"), frozenset()),
    },
    "uk": {
        **dict.fromkeys(
            ("від", "з", "із", "зі", "до", "біля", "коло", "поблизу", "навколо", "довкола"),
            frozenset({"gen"}),
        ),
        **dict.fromkeys(("без", "для", "з-за", "з-під"), frozenset({"gen"})),
        **dict.fromkeys(("у", "в", "на", "о", "об", "при"), frozenset({"loc"})),
        **dict.fromkeys(
            ("к", "по", "над", "під", "за", "перед", "між", "через", "про"), frozenset()
        ),
    },
}
PLACE = re.compile(r"(?P<before>[\w’-]+)?\s*\{(?P<name>place\w*?)(?:_(?P<case>gen|loc))?\}")


def place_slots(lang: str) -> Iterator[tuple[str, str, str | None, str | None]]:
    """Yield (translation, preposition or None, case or None) for each place in a catalog."""
    for _, text in translations(lang):
        for found in PLACE.finditer(text):
            before = (found["before"] or "").lower()
            yield text, before, found["case"], found["name"]


def test_the_catalogs_put_places_after_prepositions() -> None:
    slots = [slot for lang in SLAVIC for slot in place_slots(lang)]
    assert len(slots) >= 9  # "within N km of {place}", "How far around {place}?", ...


@pytest.mark.parametrize("lang", SLAVIC)
def test_no_nominative_after_a_preposition(lang: str) -> None:
    wrong = []
    for text, before, case, _ in place_slots(lang):
        governs = GOVERNS[lang].get(before or "")
        if governs is None:
            continue  # no preposition before it: the nominative is right
        if case not in governs:
            wrong.append(f"{text!r}: “{before}” governs {sorted(governs) or 'another case'}")
    assert wrong == [], "\n".join(wrong)


@pytest.fixture(scope="module")
def places() -> PlaceIndex:
    return PlaceIndex(load_places())


@pytest.mark.parametrize(
    ("lang", "place", "km", "shown"),
    [
        ("ru", "Mazyr", 30, "до 30 км от Мозыря"),
        ("be", "Mazyr", 30, "да 30 км ад Мазыра"),
        ("uk", "Mazyr", 30, "до 30 км від Мозиря"),
        ("ru", "Asipovichy", 20, "до 20 км от Осиповичей"),
        ("be", "Asipovichy", 20, "да 20 км ад Асіповіч"),
        ("uk", "Asipovichy", 20, "до 20 км від Осиповичів"),
        ("ru", "Marina Gorka", 10, "до 10 км от Марьиной Горки"),
        ("be", "Lida air base", 10, "да 10 км ад аэрадрома Ліда"),
        ("en", "Mazyr", 30, "within 30 km of Mazyr"),
    ],
)
def test_filters_name_the_place_in_the_genitive(
    places: PlaceIndex, lang: str, place: str, km: int, shown: str
) -> None:
    ui = ui_for(lang, default_catalog(), places)
    summary = filters_summary(ui, ChatFilters(1, near=((place, float(km)),)))
    assert shown in summary


@pytest.mark.parametrize(
    ("lang", "asked", "border"),
    [
        ("ru", "📍 На каком расстоянии от Мозыря?", "до 25 км от границы с Украиной"),
        ("be", "📍 На якой адлегласці ад Мазыра?", "да 25 км ад мяжы з Украінай"),
        ("uk", "📍 На якій відстані від Мозиря?", "до 25 км від кордону з Україною"),
    ],
)
def test_questions_and_borders_in_the_right_case(
    places: PlaceIndex, lang: str, asked: str, border: str
) -> None:
    ui = ui_for(lang, default_catalog(), places)
    assert menu.near_radius(ui, "Mazyr")[0] == asked
    assert border in filters_summary(ui, ChatFilters(1, borders=(("ua", 25.0),)))


@pytest.mark.parametrize(
    ("lang", "command", "shown"),
    [
        ("be", "/near Мазыр 30", "да 30 км ад Мазыра"),
        ("uk", "/near Мозир 30", "до 30 км від Мозиря"),
        ("ru", "/near Мозырь 30", "до 30 км от Мозыря"),
        ("be", "/border ua 20", "да 20 км ад мяжы з Украінай"),
    ],
)
async def test_a_reader_sees_the_case_through_the_bot(
    sandbox: SandboxBotAPI, outpost: OutpostApp, lang: str, command: str, shown: str
) -> None:
    chat = 5100
    sandbox.push_message(chat_id=chat, text=command, language_code=lang)
    reply = (await sandbox.wait_for_messages(chat, 1))[-1]
    assert shown in (reply.text or "")
