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
