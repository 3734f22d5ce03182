"""Belarusian word forms: the dictionary's lemmas, abbreviations, the classical spelling."""

from __future__ import annotations

import gzip
from importlib import resources

import pytest

from bot.matching.belarusian import LemmaTable, fold_classical, lemmas
from bot.matching.matcher import keyword_matcher, normalize_phrase
from bot.matching.normalize import normalize_word, word_forms


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("вучэнні", "вучэнне"),
        ("танкаў", "танк"),
        ("мабілізацыі", "мабілізацыя"),
        ("эшалонам", "эшалон"),
        ("ваенкамата", "ваенкамат"),
        ("перакінулі", "перакінуць"),
        # Reflexive forms keep the reflexive infinitive.
        ("перакінуліся", "перакінуцца"),
        # Consonant alternations of the case endings: к/ц, г/з.
        ("руцэ", "рука"),
        ("назе", "нага"),
        ("дарозе", "дарога"),
        # A vowel that drops out, ў/в: the plural stem meets its singular.
        ("вайскоўцаў", "вайсковец"),
        ("вайскоўцы", "вайсковец"),
        ("тыдня", "тыдзень"),
        # Stressed е/я: the genitive stem meets the nominative.
        ("снегіра", "снягір"),
        # Irregular verbs, form by form.
        ("прыйшлі", "прыйсці"),
        ("прыйду", "прыйсці"),
        ("Вёў", "весці"),
        ("правялі", "правесці"),
        ("пачну", "пачаць"),
        ("прыбылі", "прыбыць"),
        ("размясцілі", "размясціць"),
        # Adjectives and participles.
        ("расійскія", "расійскі"),
        ("вайсковай", "вайсковы"),
        # Proper names, folded like any word.
        ("Беларусі", "беларусь"),
        ("Мінску", "мінск"),
    ],
)
def test_lemmas_come_from_the_dictionary(form: str, lemma: str) -> None:
    assert normalize_word(form, "be") == lemma
    assert lemma in word_forms(form, "be")


def test_forms_of_one_word_meet_and_different_words_stay_apart() -> None:
    forms = {normalize_word(word, "be") for word in ("калона", "калоны", "калоне", "калонамі")}
    assert forms == {"калона"}
    # The stripper gave "беларусам" (of беларус) and "беларусі" (of Беларусь) one stem.
    assert normalize_word("беларусам", "be") != normalize_word("беларусі", "be")


def test_a_word_many_words_share_keeps_each_lemma() -> None:
    assert set(word_forms("сталі", "be")) >= {"сталь", "стаць"}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ўраджай", "ураджай"),  # word-initial ў
        ("Ўзброеныя", "узброеныя"),
        ("самалёт", "самалет"),  # ё/е
        ("з'езд", "з’езд"),  # apostrophes
        ("з'езд", "зʼезд"),
    ],
)
def test_spellings_fold_to_one_word(one: str, other: str) -> None:
    assert normalize_word(one, "be") == normalize_word(other, "be")


def test_a_keyword_with_u_matches_a_text_with_word_initial_short_u() -> None:
    text = "Камбайны выйшлі ў поле: ўраджай сёлета высокі."
    assert keyword_matcher(["ураджай"], "be").find(text) == ("ураджай",)
    assert keyword_matcher(["ураджа*"], "be").find("Чакаюць добрага ўраджаю.") == ("ураджа*",)


@pytest.mark.parametrize("abbreviation", ["САУ", "ПВО", "РСЗА", "ЗРК", "АДКБ"])
def test_abbreviations_are_never_stemmed(abbreviation: str) -> None:
    assert normalize_word(abbreviation, "be") == abbreviation.lower()


def test_sau_does_not_match_the_preposition_sa() -> None:
    assert normalize_word("САУ", "be") != normalize_word("са", "be")
    matcher = keyword_matcher(["САУ"], "be")
    assert matcher.find("Вайскоўцы вярнуліся са збоража са сваёй тэхнікай.") == ()
    assert matcher.find("На палігон прывезлі расійскія САУ.") == ("САУ",)


def test_words_the_dictionary_lacks_are_stripped_alike() -> None:
    assert lemmas("бронетэхнікі") == ()
    assert normalize_word("бронетэхнікі", "be") == normalize_word("бронетэхніка", "be")


@pytest.mark.parametrize(
    ("classical", "official"),
    [
        ("сьнег", "снег"),
        ("сьвята", "свята"),
        ("дзьве", "дзве"),
        ("зьмена", "змена"),
        ("сьлед", "след"),
        ("вучэньні", "вучэнні"),
        ("пытаньне", "пытанне"),
        ("сьцьвярджаць", "сцвярджаць"),
        ("вясельле", "вяселле"),
        ("зьезд", "з'езд"),
        ("зьвяз", "звяз"),
    ],
)
def test_the_classical_spelling_meets_the_official(classical: str, official: str) -> None:
    assert normalize_word(classical, "be") == normalize_word(official, "be")


def test_fold_classical_drops_only_the_signs_of_softness_in_clusters() -> None:
    assert fold_classical("сьнег") == "снег"
    assert fold_classical("зьезд") == "зезд"
    assert fold_classical("вясельле") == "вяселле"
    # A soft sign that says a consonant itself is soft stays.
    assert fold_classical("восьмы") == "восьмы"
    assert fold_classical("пальцы") == "пальцы"
    assert fold_classical("дзень") == "дзень"


def test_official_words_that_keep_a_soft_sign_are_read_as_written() -> None:
    assert lemmas("агледзьце") == ("агледзіць",)
    assert lemmas("пісьме") == ("пісьмо",)
    assert lemmas("аганькі") == ("аганек",)


def test_catalog_phrases_normalise_through_the_table() -> None:
    assert normalize_phrase("перакінулі эшалоны", "be") == ("перакінуць", "эшалон")


def test_lemma_table_bisects_its_lines() -> None:
    lines = "а\tа\nвай\tвай ваяваць\nтанк\tтанк\nтанкаў\tтанк\nэшалон\tэшалон\n"
    table = LemmaTable(lines.encode())
    assert table.lemmas("а") == ("а",)
    assert table.lemmas("вай") == ("вай", "ваяваць")
    assert table.lemmas("танкаў") == ("танк",)
    assert table.lemmas("эшалон") == ("эшалон",)
    for missing in ("", "б", "тан", "танка", "танкаўся", "я", "aaa"):
        assert table.lemmas(missing) == ()


def test_lemma_table_without_a_final_newline() -> None:
    assert LemmaTable("а\tа\nб\tб".encode()).lemmas("б") == ("б",)


def test_the_shipped_table_is_sorted_folded_and_licensed() -> None:
    data = resources.files("bot").joinpath("data", "be_lemmas.tsv.gz").read_bytes()
    lines = gzip.decompress(data).decode().splitlines()
    forms = [line.split("\t", 1)[0] for line in lines]
    assert len(forms) > 600_000
    assert forms == sorted(set(forms))
    assert all(form == form.lower() and "ё" not in form for form in forms[::997])
    licence = resources.files("bot").joinpath("data", "be_lemmas.LICENSE").read_text()
    assert "Attribution-ShareAlike 3.0" in licence
