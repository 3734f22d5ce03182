"""Belarusian in Latin script (łacinka): detection, transliteration and matching."""

from __future__ import annotations

import pytest

from bot.matching import default_catalog, default_matcher
from bot.matching.explain import explain
from bot.matching.lacinka import cyrillic_norm, is_lacinka, to_cyrillic
from bot.matching.lang import detect_language, language_candidates
from bot.matching.matcher import keyword_matcher, read

# Two real reports: Svaboda's latn variant and Nasha Niva's be_latn (the shared corpus'
# r-005 and r-103), with their transliterations.
SVABODA = (
    "Minabarony spyniła budoŭlu novaj vajskovaj čaści na miažy z Ukrainaj. Plany zbudavać "
    "novy vajskovy haradok i palihon u Homielskaj vobłaści, niedaloka ad miažy z Ukrainaj, "
    "byli prapisanyja ŭ dziaržaŭnaj investycyjnaj prahramie."
)
SVABODA_CYRILLIC = (
    "Мінабароны спыніла будоўлю новай вайсковай часьці на мяжы з Украінай. Пляны збудаваць "
    "новы вайсковы гарадок і палігон у Гомельскай вобласьці, недалёка ад мяжы з Украінай, "
    "былі прапісаныя ў дзяржаўнай інвэстыцыйнай праграме."
)
NASHA_NIVA = (
    "Rasijskich sałdat u Biełarusi robicca ŭsio mienš — Pamiežnaja słužba Ukrainy. Ciapier "
    "na terytoryi Biełarusi zastajecca kala 2,5 tysiačy rasijskich sałdat, paviedamiŭ "
    "pres-sakratar Dziaržaŭnaj pamiežnaj słužby Ukrainy Andrej Dziemčanka ŭ efiry "
    "nacyjanalnaha telemarafonu."
)
NASHA_NIVA_CYRILLIC = (
    "Расійскіх салдат у Беларусі робіцца ўсё менш — Памежная служба Украіны. Цяпер "
    "на тэрыторыі Беларусі застаецца каля 2,5 тысячы расійскіх салдат, паведаміў "
    "прэс-сакратар Дзяржаўнай памежнай службы Украіны Андрэй Дземчанка ў эфіры "
    "нацыянальнага тэлемарафону."
)


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        (SVABODA, SVABODA_CYRILLIC),
        (NASHA_NIVA, NASHA_NIVA_CYRILLIC),
        (
            "Rasijskija vajskoŭcy pakidajuć Biełaruś, paviedamlaje pamiežnaja słužba.",
            "Расійскія вайскоўцы пакідаюць Беларусь, паведамляе памежная служба.",
        ),
        (
            "Ŭ Asipovičy pryjšoŭ ešałon z tankami i bronietechnikaj.",
            "Ў Асіповічы прыйшоў эшалон з танкамі і бронетэхнікай.",
        ),
        (
            "Dziaržaŭnaja pamiežnaja słužba paviedamiła, što kałona vajskovaj techniki "
            "rušyła ŭ bok Mazyra.",
            "Дзяржаўная памежная служба паведаміла, што калона вайсковай тэхнікі "
            "рушыла ў бок Мазыра.",
        ),
        ("Siońnia ŭ Miensku sonečna i ciopła.", "Сёньня ў Менску сонэчна і цёпла."),
    ],
)
def test_real_and_new_sentences_transliterate(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("abjava", "аб'ява"),  # j after a consonant: the apostrophe
        ("Sałaŭji", "Салаў'і"),  # and after ŭ
        ("źjezd", "зьезд"),  # a soft consonant separates by itself
        ("Ukrajina", "Украіна"),  # ji after a vowel
        ("jon jana jany", "ён яна яны"),  # j word-initially
        ("biaroza", "бяроза"),  # ia after a consonant
        ("liasy lasy lodu ludzi", "лясы лясы лёду людзі"),  # l is soft before a vowel
        ("Hal, vołat, volny", "Галь, волат, вольны"),  # ...and before a consonant
        ("dźvie dzieci, džała", "дзьве дзеці, джала"),  # dz, dź, dž
        ("chata", "хата"),
        ("heta efir", "гэта эфір"),  # e alone is э
        ("NATO i ZŠA", "НАТО і ЗША"),  # capitals kept
        ("Su-30 i 2 tanki!", "Су-30 і 2 танкі!"),  # digits and marks kept
    ],
)
def test_the_standard_mapping(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_a_plain_l_read_hard_where_only_that_is_a_word() -> None:
    # "Bielaruś" is the national romanisation's spelling; in łacinka it would read "Белярусь".
    assert cyrillic_norm("bielaruś") == "беларусь"
    assert cyrillic_norm("paviedamlaje") == "паведамляе"
    assert cyrillic_norm("ešalon") == "эшалон"
    assert cyrillic_norm("vučeńni") == "вучэньні"


@pytest.mark.parametrize("text", [SVABODA, NASHA_NIVA, "Vučeńni pačalisia la miažy."])
def test_lacinka_is_detected_as_belarusian(text: str) -> None:
    assert is_lacinka(text)
    assert detect_language(text) == "be"
    assert language_candidates(text) == ("be",)


@pytest.mark.parametrize(
    "text",
    [
        "Belarusian leader Alaksandr Łukašenka said on Monday that the troops would stay.",
        "Łukašenka meets Putin in Sochi",
        "Rosyjscy żołnierze opuszczają Białoruś, poinformowała straż graniczna.",
        "Ruski vojnici napuštaju Bjelorusiju, javlja granična služba.",
        "Russian troops are leaving Belarus, the border service says.",
    ],
)
def test_other_latin_texts_are_not_lacinka(text: str) -> None:
    assert not is_lacinka(text)
    assert detect_language(text) == "en"


def test_lacinka_is_matched_on_its_cyrillic_words() -> None:
    text = "U Asipovičach raźmiaścili rasijskija tanki i vajskoŭcaŭ."
    reading = read(text)
    assert reading.langs == ("be",)
    assert reading.surfaces[-1] == "vajskoŭcaŭ"  # shown as written
    assert reading.norms[-1] == "вайскоўцаў"
    assert "вайсковец" in reading.forms[-1]
    assert keyword_matcher(["танк", "размясціць"], "be").find(text) == ("размясціць", "танк")


def test_a_lacinka_report_is_classified_with_its_places() -> None:
    found = default_matcher().classify(
        "Kałona rasijskaj vajskovaj techniki rušyła z Asipovičaŭ u bok Mazyra."
    )
    assert found.lang == "be"
    assert "equipment" in found.topics
    assert {"Asipovichy", "Mazyr"} <= set(found.places)


def test_explain_shows_the_transliteration() -> None:
    text = "Vučeńni pačalisia la miažy."
    lines = explain(default_matcher(), default_catalog(), text)
    assert lines[0] == "language: be"
    assert lines[1] == "łacinka, read as: Вучэньні пачаліся ля мяжы."


def test_cyrillic_belarusian_is_not_transliterated() -> None:
    reading = read("Расійскія САУ і HIMARS на палігоне.")
    assert reading.norms == ("расійскія", "сау", "і", "himars", "на", "палігоне")
