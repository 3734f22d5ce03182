"""Statements frames for the ways of speaking the statements7 set showed were missed, and
the traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

from tests.bot.matching.cases import finds, misses

# A claim ("утверждает глава ведомства"), a question put by the speaker ("– запитує
# міністр"), "гаварыў", "зазначыць", "поінформував", "informed about", "learned from".
test_claims_questions_and_less_common_verbs = finds(
    "statements",
    [
        "Польша стянула к границе три бригады, утверждает министр обороны.",
        "«Зачем нам воевать с соседями?» — спросил президент.",
        "Пра пагрозу з боку NATO на брыфінгу гаварыў начальнік Генштаба.",
        "Міністр абароны зазначыць, што войскі застануцца на мяжы да зімы.",
        "Дзяржсакратар зазначыў, што на мяжы неспакойна і войскі гатовыя.",
        "«Хто нападатиме на нас із півночі?» – запитує міністр оборони.",
        "Як поінформував речник ДПСУ, білоруські війська відходять від кордону.",
        "The defence ministry informed about the end of the exercise near the border.",
        "The agency learned from the border committee that the troops had left the area.",
        "“Who would want a war here?” the defence minister asked.",
    ],
)

# The same verbs about harvests, prices or sport are no statement on security.
test_same_verbs_off_topic = misses(
    "statements",
    [
        "Урожай в этом году будет рекордным, утверждает министр сельского хозяйства.",
        "Пра новыя цэны на хлеб гаварыў міністр эканомікі.",
        "«Хто поїде на чемпіонат?» – запитує міністр спорту.",
        "The minister asked farmers to finish the harvest before the rains.",
    ],
)

# What makes a statement one about security: a rebuff promised, the security bloc, terrorists
# and saboteurs, territorial integrity.
test_security_words_that_were_missing = finds(
    "statements",
    [
        "«Если понадобится, ответим жестким отпором», — подчеркнул министр.",
        "Обстановку силовой блок держит под контролем, отметил госсекретарь.",
        "Кіраўнік КДБ паведаміў, што затрыманы тэрарыст рыхтаваў выбух на чыгунцы.",
        "Міністр заявив, що країна дасть рішучу відсіч будь-кому.",
        "“We will find every saboteur who crosses over,” the interior minister said.",
        "The president said the country would defend its territorial integrity at any cost.",
    ],
)

# "Паводле яго," (without "слоў") points to the speaker of the sentence before; so does a
# press officer of a brigade.
test_his_words_short_and_press_officers = finds(
    "statements",
    [
        "Паводле яго, на мяжы з'явіліся новыя ўмацаванні.",
        "Пресс-офицер бригады рассказал, что на границе спокойно.",
        "Пресофіцер бригади повідомив, що білоруські війська біля кордону не помічені.",
        "The brigade's press officer said the border area was calm.",
    ],
)

# Opposition politicians quoted by name alone speak for no office.
test_opposition_quoted_is_no_statement = misses(
    "statements",
    [
        "«Армия не пойдёт воевать за диктатора», — сказала Тихановская.",
        "«Войско не хоча ваяваць», — заявіла Ціханоўская.",
        "“The army will not fight this war,” Tsikhanouskaya said.",
        "«Солдати не хочуть воювати», — сказав лідер опозиції.",
    ],
)

# The words of the security bloc about an officials' sport day or a concert stay off topic.
test_security_words_beside_culture_and_sport = misses(
    "statements",
    [
        "Силовики сыграли в хоккей на турнире, сообщил министр спорта.",
        "Паводле яго, канцэрт пройдзе ў суботу.",
    ],
)

# The war named by its two sides makes "conflict" one of states.
test_conflict_named_by_its_two_sides = finds(
    "statements",
    [
        "Министр заявил, что российско-украинский конфликт может затянуться надолго.",
        "Ministr zajaviŭ, što rasijska-ŭkrainski kanflikt moža zaciahnucca.",
        "Міністр заявив, що російсько-український конфлікт може затягнутися.",
        "The minister said the Russian-Ukrainian conflict could drag on for years.",
    ],
)

# A conflict of two neighbours' markets or football clubs stays off topic.
test_conflict_of_markets_is_off_topic = misses(
    "statements",
    [
        "Министр заявил, что торговый конфликт с соседями ударил по ценам.",
        "The minister said the conflict between the two football clubs was settled.",
    ],
)
