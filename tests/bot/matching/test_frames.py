"""Concepts and frames: each class of error found on real text, with sentences written here.

Every sentence below was written for these tests (none is copied from a corpus). Each group
is one class of error the first catalog made: a rule that vetoed the military sense, a
prefix that missed an alternation, a phrase list that missed an unlisted combination, an
English stem that merged two words, an ambiguous word that fired alone, an abbreviation
that was stemmed, a speech form or a call-up word that was not listed, a trap.
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher, normalize_phrase, normalize_word
from bot.matching.normalize import fold, word_forms
from tests.bot.matching.cases import finds, finds_each, finds_nothing, misses, topics

# --- a civil sense rule must not veto the military one ----------------------------------------


test_live_fire_is_a_drill_not_a_fire_drill = finds(
    "drills",
    [
        "Mortar crews held live-fire drills at the range outside Lepel.",
        "Tank crews of the 19th brigade practised firing at the Borisov range.",
        "A live fire exercise with artillery units began on Monday.",
    ],
)


test_fire_and_evacuation_drills_stay_civil = finds_nothing(
    [
        "The kindergarten held its autumn fire drill and evacuated in four minutes.",
        "Firefighters ran an evacuation drill at the shopping centre.",
        "В гимназии прошла учебная эвакуация на случай пожара.",
    ],
)


# --- lemmas, not prefixes: alternations -------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "lang", "lemma"),
    [
        ("переброшены", "ru", "перебросить"),  # с→ш
        ("переброшенная", "ru", "перебросить"),
        ("перекинута", "uk", "перекинути"),  # a participle the dictionary files as an adjective
        ("перекинуті", "uk", "перекинути"),
        ("зосереджені", "uk", "зосередити"),  # дж→д
        ("розміщені", "uk", "розмістити"),  # щ→ст
    ],
)
def test_alternations_reach_the_lemma(form: str, lang: str, lemma: str) -> None:
    assert normalize_word(lemma, lang) in word_forms(form, lang)


test_alternated_forms_make_deployments = finds(
    "deployments",
    [
        "Десантники переброшены под Брест.",
        "Танковая рота была переброшена на полигон под Борисовом.",
        "Російська рота перекинута ближче до Мозиря.",
        "Батальйони перекинуті до білоруського кордону.",
    ],
)


# --- forces × movement in any order and form --------------------------------------------------


test_forces_and_movement_in_any_order = finds(
    "deployments",
    [
        "Three Russian battalions have reached Gomel.",
        "Arrived overnight in Luninets: a Russian paratrooper regiment.",
        "Paratroopers of the 98th division moved toward Brest.",
        "В Лунинец ночью прибыл российский батальон.",
        "Ночью к Мозырю выдвинулись российские военнослужащие.",
        "До Гомеля прибули російські військовослужбовці.",
        "Батальён прыбыў у Лунінец.",
    ],
)


def test_forces_and_movement_must_share_a_sentence(matcher: Matcher) -> None:
    assert "deployments" not in topics(
        matcher, "The battalion was formed in 1944. Tourists arrive."
    )
    assert "deployments" not in topics(matcher, "Soldiers were decorated; the guests left.")


def test_no_movement_seen_is_no_deployment(matcher: Matcher) -> None:
    text = "Border guards have not recorded any movement of troops toward Volhynia."
    assert "deployments" not in topics(matcher, text)


# --- English: forms that are different words stay apart ---------------------------------------


def test_military_training_is_not_military_trained(matcher: Matcher) -> None:
    assert topics(matcher, "The military trained with new radios.") == set()
    assert "drills" in topics(matcher, "Conscripts began military training at the Pechy centre.")


def test_a_noun_keyword_is_not_its_verb() -> None:
    assert normalize_word("training", "en") not in word_forms("trained", "en")
    assert normalize_word("reinforcements", "en") not in word_forms("reinforced", "en")
    assert normalize_word("tank", "en") not in word_forms("tanked", "en")
    assert normalize_word("military", "en") in word_forms("military", "en")  # not "militari"


def test_reinforced_border_security_is_no_troop_movement(matcher: Matcher) -> None:
    found = topics(matcher, "Latvia reinforced border security with new cameras and drones.")
    assert "deployments" not in found
    assert "equipment" not in found


def test_tanked_is_not_a_tank(matcher: Matcher) -> None:
    assert topics(matcher, "The rouble tanked after the announcement.") == set()


# --- an ambiguous word counts only beside a military word -------------------------------------


test_an_ambiguous_word_alone_is_nothing = finds_nothing(
    [
        "Колонна ветеранов прошла по площади в День Независимости.",
        "Колонна школьников прошла по проспекту к стадиону.",
        "Калона спартсменаў прайшла па цэнтры горада.",
        "A convoy of wedding cars drove through Grodno.",
        "Эшелон власти сменился после выборов.",
        "Техника безопасности на стройке нарушена.",
    ],
)


test_an_ambiguous_word_beside_a_military_one_counts = finds_each(
    [
        ("Колонна военной техники движется в сторону Мозыря.", {"deployments", "equipment"}),
        ("Калона вайсковай тэхнікі рухаецца да Мазыра.", {"deployments", "equipment"}),
        ("Колона бронетехніки рухалася трасою М1.", {"deployments", "equipment"}),
        ("A convoy of armoured vehicles was spotted near Orsha.", {"deployments", "equipment"}),
    ],
)


def test_two_ambiguous_words_do_not_vouch_for_each_other(matcher: Matcher) -> None:
    assert topics(matcher, "Колонна техники прошла по проспекту.") == set()


# --- word-initial ў, folded in exclusions too -------------------------------------------------


def test_word_initial_u_short_is_folded() -> None:
    assert fold("ўраджай") == fold("ураджай")
    assert word_forms("ўборку", "be") == word_forms("уборку", "be")


def test_harvest_with_word_initial_u_short_cancels_machinery(matcher: Matcher) -> None:
    # Servicemen help, but the machinery is the harvest's: the exclusion is written with у.
    text = "Вайскоўцы дапамагаюць: тэхніка выйшла на ўборку, ўраджай трэба сабраць."
    assert "equipment" not in topics(matcher, text)
    assert "equipment" in topics(matcher, "Вайсковая тэхніка выйшла на палігон.")


# --- abbreviations and designations are never stemmed -----------------------------------------


@pytest.mark.parametrize(
    ("phrase", "lang", "key"),
    [("САУ", "be", "сау"), ("ПВО", "ru", "пво"), ("ЗРК", "uk", "зрк"), ("NATO", "en", "nato")],
)
def test_abbreviations_keep_their_letters(phrase: str, lang: str, key: str) -> None:
    assert normalize_phrase(phrase, lang) == (key,)


def test_an_abbreviation_never_meets_a_preposition(matcher: Matcher) -> None:
    assert topics(matcher, "Ён прыехаў са сваёй сям'ёй на выхадныя.") == set()
    assert "equipment" in topics(matcher, "САУ заўважылі каля Гомеля.")
    assert "equipment" in topics(matcher, "Две САУ прошли через Рогачев.")
    assert "equipment" in topics(matcher, "На станции выгрузили БТРы.")  # "БТРы" is "БТР"


test_designations_match_across_scripts = finds_each(
    [
        ("Над Пинском заметили Су-30СМ.", "air"),
        ("Під Мінськом розгорнули дивізіон ПВО.", "air"),
        ("S-400 launchers were moved to Gomel.", "missiles"),
        ("An Iskander-M battalion arrived in Asipovichy.", "missiles"),
        ("Эшелон с Т-72Б3 разгрузили в Барановичах.", "equipment"),
    ],
)


# --- speech forms -----------------------------------------------------------------------------


test_speech_forms_make_statements = finds(
    "statements",
    [
        "«Подразделения выдвигаются в районы сосредоточения», — заявили в пресс-службе Минобороны.",
        "«Армия готова к любым провокациям», — подчеркнул министр.",
        "The ministry said in a statement that the troops would stay in the region.",
        "According to the General Staff, two brigades remain on combat duty.",
        "«Загрози наступу з півночі немає», — наголосив речник Держприкордонслужби.",
        "Про посилення охорони кордону повідомили в пресслужбі Міноборони.",
        "«Войска останутся на полигонах до конца месяца», — сказал он журналистам.",
    ],
)


test_officials_on_civil_matters_are_no_statement = misses(
    "statements",
    [
        "The ministry said in a statement that passenger trains to Vilnius will run again.",
        "«Урожай в этом году хороший», — заявил министр сельского хозяйства.",
        "Митрополит сказал в проповеди, что войну нужно прекратить.",
        "Министр отметил, что в музее откроется выставка о войне.",
    ],
)


# --- thin vocabulary classes ------------------------------------------------------------------


test_call_up_words = finds(
    "mobilization",
    [
        "Мужчин призывного возраста вызывают в военкоматы для уточнения данных.",
        "Резервістів призвали на збори до Гродна.",
        "Ваеннаабавязаных выклікаюць на вайсковыя зборы.",
        "Reservists were called up for a snap training camp near Brest.",
        "Men across the Gomel region were served summonses this week.",
        "Началась приписка допризывников, повестки получили 300 человек.",
    ],
)


test_readiness_checks_of_the_armed_forces = finds(
    "drills",
    [
        "Началась внезапная проверка Вооруженных сил.",
        "Розпочалася перевірка боєготовності армії.",
        "A snap check of the army began on Tuesday morning.",
        "Подразделения приводятся в высшую степень боевой готовности.",
    ],
)


test_nuclear_strikes = finds(
    "missiles",
    [
        "Летчики отрабатывали нанесение ядерного удара.",
        "Экипажи учились применять тактическое ядерное оружие.",
        "A nuclear strike on a notional enemy was rehearsed, the general said.",
    ],
)


def test_nuclear_power_is_no_weapon(matcher: Matcher) -> None:
    assert topics(matcher, "The nuclear power plant at Astravets resumed work.") == set()


test_a_crossing_closed = finds(
    "border",
    [
        "Польша закрыла пункт пропуска «Кукурыки» для грузовиков.",
        "Lithuania shut the Medininkai checkpoint overnight.",
        "Пункт пропуску «Доманове» тимчасово закрито.",
        "Латвія зачыніла мяжу з Беларуссю на тыдзень.",
    ],
)


test_queues_visas_and_figures_of_speech_are_not_the_border = misses(
    "border",
    [
        "Очередь из 900 фур собралась на границе с Польшей.",
        "Visa rules for travellers crossing the border change in May.",
        "На мяжы паміж жыццём і смерцю ён правёў тры дні.",
    ],
)


# --- traps: civil machinery, culture and games, figurative uses -------------------------------


test_traps = finds_nothing(
    [
        "Снегоуборочная техника вышла на улицы Минска.",
        "Комбайны и другая техника вышли в поле убирать урожай.",
        "В музее под открытым небом показали танки Т-34 и самолеты войны.",
        "Игроки World of Tanks получили новую ветку тяжелых танков.",
        "The film about a tank crew premiered in Minsk on Friday.",
        "Re-enactors in Soviet uniforms replayed the 1944 battle near Bobruisk.",
        "Prices shot up like a rocket after the devaluation.",
        "Нападающий провел стремительную атаку и забил гол.",
        "The party will mobilise voters before the election.",
        "Ціни на пальне злетіли ракетою.",
        "Парад: по проспекту прошли танки и колонна военной техники.",
    ],
)


# --- explain shows the frames and concepts that fired -----------------------------------------


def test_the_trace_names_frames_concepts_and_words(matcher: Matcher) -> None:
    trace = matcher.trace("Российские войска переброшены под Мозырь.")
    assert trace.classification.topics == ("deployments",)
    (hit,) = trace.frames
    assert hit.topic == "deployments"
    assert hit.frame.concepts == ("forces", "movement")
    assert hit.words == (("forces", "войска"), ("movement", "переброшены"))
    assert ("forces", ("войска",)) in trace.concepts
    assert trace.classification.hits[0].pairs == (("войска … переброшены", "forces + movement"),)


def test_the_trace_says_why_an_ambiguous_word_did_not_count(matcher: Matcher) -> None:
    trace = matcher.trace("Колонна пенсионеров прошла по проспекту.")
    assert trace.classification.topics == ()
    assert any(note.startswith("'Колонна' (column) not counted") for note in trace.dropped)
