"""Classes of error found on a second batch of real reports (tests/data/corpus/tune2.jsonl).

Every sentence here was written for these tests (none is copied from a corpus): each group
is one class the batch showed, tested in more words and languages than the batch held.
"""

from __future__ import annotations

from bot.matching import Matcher
from tests.bot.matching.cases import finds, finds_nothing, misses, topics

# --- verbs and nouns of movement the catalog lacked ---------------------------------------------


test_unlisted_movement_words_reveal_deployments = finds(
    "deployments",
    [
        "На станцыі пад Слуцкам пачалася пагрузка вайскоўцаў у вагоны.",
        "Вайскоўцы брыгады перамясціліся ў раён Гомеля.",
        "Расійскія падраздзяленні адвялі ад мяжы яшчэ ўвосень.",
        "Для перевозки военнослужащих заказаны дополнительные вагоны.",
        "Підрозділам наказано перевезення особового складу до Мозиря.",
        "Two companies of paratroopers came back to their base near Vitebsk.",
        "Russian soldiers entered Gomel late on Sunday.",
        "Two more battalions were brought to Belarus last week.",
    ],
)


def test_arms_entering_service_are_no_troop_movement(matcher: Matcher) -> None:
    found = topics(matcher, "The new Tor-M2 systems entered service with the Belarusian army.")
    assert "deployments" not in found
    assert "deployments" not in topics(
        matcher, "Новые самолеты поступили на вооружение белорусской армии."
    )


def test_rail_alone_is_no_military_echelon(matcher: Matcher) -> None:
    found = topics(matcher, "The airborne battalion left Brest by rail after the exercise.")
    assert "equipment" not in found
    assert "deployments" in found


# --- border guards on passage resumed, an illegal crossing ---------------------------------------


test_border_guards_on_passage_closed_or_resumed_is_border = finds(
    "border",
    [
        "ГПК: пропуск грузовиков через «Бенякони» возобновлен с полудня.",
        "Пограничники сообщили, что движение через пункт пропуска приостановлено.",
    ],
)


test_an_illegal_crossing_of_the_border_is_border = finds(
    "border",
    [
        "Уночі прикордонники зафіксували незаконний перетин кордону біля Овруча.",
        "Затрымалі двух чалавек за незаконнае перасячэнне мяжы з Літвой.",
    ],
)


def test_a_border_guard_statement_on_passports_is_no_security_statement(
    matcher: Matcher,
) -> None:
    text = "Речник Держприкордонслужби попередив, що без закордонного паспорта виїзд неможливий."
    assert "statements" not in topics(matcher, text)


# --- speech forms: warning, remarking, "in his words" --------------------------------------------


test_warning_and_remarking_are_speech = finds(
    "statements",
    [
        "Міністерство оборони попереджає про можливі провокації на кордоні.",
        "Генштаб зауважив, що загроза наступу з півночі зберігається.",
        "Міністр абароны заўважыў, што войскі гатовыя да абароны.",
    ],
)


test_in_his_words_reports_a_statement = finds(
    "statements",
    [
        "По его словам, угроза вторжения с территории Польши сохраняется.",
        "Па яе словах, войскі застануцца на мяжы да канца месяца.",
        "According to him, the troops will stay near the border until spring.",
    ],
)


def test_in_his_words_on_schooling_is_no_statement(matcher: Matcher) -> None:
    text = "За його словами, навчання в школах почнеться залежно від безпекової ситуації."
    assert "statements" not in topics(matcher, text)


def test_a_passive_accusation_is_not_the_official_speaking(matcher: Matcher) -> None:
    text = "The president was accused of ignoring the threat of war, opposition media wrote."
    assert "statements" not in topics(matcher, text)


# --- readiness monitoring, and "as well as" ------------------------------------------------------


def test_monitoring_of_combat_readiness_is_a_drill(matcher: Matcher) -> None:
    text = "В армии начался мониторинг боевой готовности одной из бригад."
    assert "drills" in topics(matcher, text)


def test_as_well_as_is_no_oil_well(matcher: Matcher) -> None:
    text = "Soldiers began training near Brest as well as at the Lepel range."
    assert "drills" in topics(matcher, text)
    assert "drills" not in topics(matcher, "Engineers began training on the new oil well.")


# --- figurative call-ups and the Belarusian genitive of "parade" ---------------------------------


test_a_call_to_bring_in_the_harvest_is_no_call_up = misses(
    "mobilization",
    [
        "The governor urged residents to mobilise – to bring in the potato harvest before frost.",
        "Власти призвали мобилизовать всех, чтобы помочь с уборкой урожая.",
        "The mayor asked volunteers to mobilize to help flood victims.",
    ],
)


def test_a_parade_in_the_belarusian_genitive_vetoes_movement(matcher: Matcher) -> None:
    text = "Пасля парада вайсковая тэхніка вернецца ў парк да вечара."
    assert topics(matcher, text) == set()


# --- a headline's source without a verb of speech ------------------------------------------------


test_an_official_named_as_a_headlines_source_is_a_statement = finds(
    "statements",
    [
        "Российские войска остаются на полигоне под Брестом – Минобороны",
        "Колона техніки рухається до кордону, - ДПСУ",
        "Госпогранкомитет: на границе с Литвой задержаны двое нарушителей",
        "Генштаб ВСУ: угрозы наступления с севера нет",
        "Британська розвідка: Росія відводить війська від кордону",
        "Belarusian troops will stay near the border until spring — Defence Ministry",
    ],
)


test_a_dash_alone_is_no_source_of_a_security_statement = misses(
    "statements",
    [
        "Министр обороны – генерал Хренин – провел совещание с ветеранами спорта.",
        "Очереди на границе растут из-за отпусков, - ДПСУ",
        "Матч отменили из-за дождя – министр спорта",
    ],
)


def test_a_four_letter_abbreviation_is_itself(matcher: Matcher) -> None:
    found = matcher.classify("ДПСУ фіксує рух колон біля кордону.")
    assert "border" in found.topics


# --- more speech forms and officials; Belarusian forms the dictionary does not reduce -----------


test_unlisted_speech_forms_and_officials_make_statements = finds(
    "statements",
    [
        "Минобороны объяснило, зачем войска вышли к границе.",
        "Як распавёў міністр абароны, войскі застануцца на мяжы.",
        "Речниця Повітряних сил підкреслила, що загроза з півночі зберігається.",
        "Официальная представительница Минобороны озвучила сроки проверки войск.",
    ],
)


test_going_out_to_the_border_and_irregular_belarusian_forms_are_movement = finds(
    "deployments",
    [
        "Войска вышли к границе с Литвой ночью.",
        "Расійскія вайскоўцы ўвайшлі ў Гомель на світанку.",
        "Калона вайскоўцаў перасякла мяжу каля Мазыра.",
        "Вайскоўцы застануцца ў Беларусі да канца года.",
    ],
)


def test_a_year_of_the_first_world_war_is_history(matcher: Matcher) -> None:
    text = "У 1918 годзе нямецкія войскі ўвайшлі ў Мінск без бою."
    assert "deployments" not in topics(matcher, text)


test_troops_spotted_or_appearing_are_deployments = finds(
    "deployments",
    [
        "Russian troops have been spotted near Mozyr again.",
        "У Беларусі з'явіліся расійскія вайскоўцы з новай тэхнікай.",
        "В Гомеле появились российские военные.",
        "На Волині з'явилися білоруські військові.",
    ],
)


test_conscripts_donating_blood_and_tanks_on_plinths_are_no_alert = finds_nothing(
    [
        "Солдаты срочной службы сдали донорскую кровь в Лиде.",
        "Танк Т-34 установили на постамент у школы в Ветке.",
        "An old T-55 tank was lifted onto a plinth in the town square.",
    ],
)


def test_a_call_up_for_conscript_service_is_still_mobilization(matcher: Matcher) -> None:
    assert "mobilization" in topics(matcher, "Осенний призыв на срочную службу начнется 1 ноября.")


test_aircraft_delivered_are_equipment = finds(
    {"air", "equipment"},
    [
        "В Беларусь доставлены новые вертолеты Ми-35.",
        "Да Беларусі даставілі новую партыю знішчальнікаў Су-30СМ.",
        "До Білорусі доставили нову партію гелікоптерів Мі-8.",
    ],
)


def test_the_air_force_warning_is_a_statement(matcher: Matcher) -> None:
    text = "Ukraine's Air Force warned of a missile threat from Belarus overnight."
    assert "statements" in topics(matcher, text)


def test_aircraft_deployed_are_military_and_airline_planes_are_not(matcher: Matcher) -> None:
    assert "air" in topics(matcher, "Russia deployed more aircraft to Belarus this week.")
    assert "air" not in topics(matcher, "Belavia will station two more planes in Brest.")


# --- "according to" is a statement only when the official is the source named ------------------


test_according_to_an_official_is_a_statement = finds(
    "statements",
    [
        "По данным Минобороны, войска вернулись в пункты постоянной дислокации.",
        "According to the Belarusian defence ministry, the troops have returned to their bases.",
        "За даними Генштабу, загрози наступу з півночі немає.",
    ],
)


def test_according_to_a_monitoring_group_is_no_official_statement(matcher: Matcher) -> None:
    text = (
        "По информации мониторинговой группы «Гаюн», после визита Лукашенко в Зябровку"
        " российские «Искандеры» остались на аэродроме."
    )
    assert "statements" not in topics(matcher, text)


def test_the_preposition_after_is_no_ambassador(matcher: Matcher) -> None:
    text = "После сообщения о пожаре спасатели прибыли к складу у границы."
    assert "statements" not in topics(matcher, text)


test_forces_sent_to_the_border_are_border_news = finds(
    {"border", "deployments"},
    [
        "Литва дислоцирует дополнительные силы на границе с Беларусью.",
        "Польща перекидає до кордону ще дві тисячі військових.",
    ],
)


# --- a headline's "Belarus begins exercises" needs no military word; sport stays sport ------------


test_exercises_of_a_state_named_are_drills = finds(
    "drills",
    [
        "В Беларуси стартовали учения.",
        "Ў Беларусі пачаліся вучэнні.",
        "У Білорусі розпочалися навчання.",
        "Belarus begins drills.",
    ],
)


test_study_sport_and_a_training_centre_are_no_drills = misses(
    "drills",
    [
        "Білоруські студенти розпочали навчання в Польщі.",
        "Russia's gymnasts completed their exercises in Kazan.",
        "Belarusian footballers held a training session in Minsk.",
    ],
)


def test_by_order_of_the_head_of_state_before_a_colon_is_no_source(matcher: Matcher) -> None:
    text = "По поручению главы государства: в Гомельской области создадут мехотряды для уборки."
    assert "statements" not in topics(matcher, text)


# --- officials on prices, fraudsters, parades; waging war and spies are security ----------------


test_prices_fraudsters_and_parades_are_no_security_statement = finds_nothing(
    [
        "Лукашенко объявил войну ценам и потребовал навести порядок.",
        "МВД предупредило о мошенниках, звонящих от имени военкомата.",
        "Шахраї телефонують від імені ТЦК і просять гроші, попередила поліція.",
        "Минобороны: на Параде Победы пройдут 5 тысяч военнослужащих.",
    ],
)


test_waging_war_and_spies_make_a_statement_one_on_security = finds(
    "statements",
    [
        "Лукашенко сказал, что Беларусь не будет воевать с Украиной.",
        "КГБ сообщил о задержании агента польских спецслужб.",
        "Лукашэнка заявіў, што Беларусь не збіраецца ваяваць.",
    ],
)


test_the_northern_command_and_its_spokesmen_speak_as_officials = finds(
    "statements",
    [
        "Російські війська залишили Білорусь, повідомили в ОК «Північ».",
        "Наєв: на північному напрямку ворог не має ударних угруповань.",
        "Ihnat said the MiG-31K jets had left Belarusian airspace.",
    ],
)


def test_a_sports_rival_is_no_enemy(matcher: Matcher) -> None:
    text = "Тренер сказал, что главный противник сборной — Норвегия."
    assert topics(matcher, text) == set()


def test_the_classical_spelling_of_helicopter_is_aircraft(matcher: Matcher) -> None:
    assert "air" in topics(matcher, "Над Пінскам зафіксавалі расейскія верцялёты Мі-24.")
    assert "air" in topics(matcher, "На аэрадроме зафіксавалі расейскія верцялёты.")
