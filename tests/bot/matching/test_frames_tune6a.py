"""Statements and border frames for the kinds of report the tune6a set showed were missed or
misfiled, and the traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

from tests.bot.matching.cases import finds, misses

# "In his words" in Belarusian ("паводле яго слоў", also in łacinka) and a quote the press
# "brings" from him ("приводит его слова") point to a speaker named in the sentence before.
test_his_words_reported = finds(
    "statements",
    [
        "Паводле яго слоў, войскі на мяжы застануцца да вясны.",
        "Pavodle jaje słoŭ, armija hatovaja da lubych pravakacyj.",
        "«Границу мы закроем в любой момент», — приводит его слова агентство.",
        "«Армія гатовая», — прыводзіць яго словы газета.",
        "«Армія готова до будь-якого сценарію», — наводить його слова видання.",
        "The army is ready for any provocation, the agency quoted him as saying.",
    ],
)

# A ministry or a council as the subject of informing, weighing a risk, assessing or
# publishing is an official speaking.
test_bodies_inform_weigh_and_assess = finds(
    "statements",
    [
        "Пра парушэнне мяжы інфармуе Дзяржпамежкамітэт.",
        "Совбез допускает новые провокации на границе с Польшей.",
        "Минобороны не исключает повторных учений у границы.",
        "Міністр абароны ацаніў абстаноўку на мяжы як напружаную.",
        "Міністерство оборони опублікувало карту навчань біля кордону.",
        "Глава Генштабу оцінив загрозу з боку Білорусі як низьку.",
        "Дзяржаўны сакратар Рады бяспекі заявіў пра новую пагрозу на мяжы.",
        "The defence ministry did not rule out a new exercise near the border.",
    ],
)

# "According to" a journalist or an agency is no official speaking, nor is a quote the press
# brings from a singer.
test_press_and_witnesses_quoted_are_no_statements = misses(
    "statements",
    [
        "«Мы ещё вернёмся с новым альбомом», — приводит его слова журнал.",
        "Паводле яго слоў, фестываль пройдзе ў ліпені.",
    ],
)

# The situation on a border described by anyone (tense, calm, under control) is border news;
# a "situation at the border" that is queues of lorries, or tension "near the borders", is not.
test_situation_on_the_border = finds(
    "border",
    [
        "Обстановка на границе с Литвой остается спокойной.",
        "Ситуация на белорусско-украинской границе напряженная, сообщили в Минобороны.",
        "Сітуацыя на мяжы з Польшчай застаецца напружанай.",
        "Абстаноўка на дзяржаўнай мяжы кантралюемая.",
        "Ситуація на кордоні з Білоруссю залишається контрольованою.",
        "The situation on the border with Belarus remains tense.",
    ],
)

test_queues_and_tension_near_borders_are_no_border_situation = misses(
    "border",
    [
        "Ситуация на границе: в очереди на выезд стоят 300 фур.",
        "Сітуацыя на мяжы: у чарзе чакаюць 120 аўтобусаў.",
        "Напряженность у границ союзного государства растет, считает министр.",
        "The situation at the border crossing: a queue of 200 trucks.",
    ],
)

# Forces covering, guarding or holding a border, and a migration crisis on it, are border news.
test_border_covered_held_or_in_crisis = finds(
    "border",
    [
        "Подразделения прикрывают государственную границу на юге страны.",
        "Вайскоўцы прыкрываюць дзяржаўную мяжу на поўдні.",
        "Памежнікі ахоўваюць мяжу з Латвіяй круглыя суткі.",
        "Армія взяла під контроль кордон із Литвою.",
        "Нацгвардия контролирует участок границы у Бреста.",
        "Совбез ждет миграционного кризиса на границе с Литвой.",
        "Міграцыйны крызіс на мяжы з Польшчай не спыняецца.",
        "Ukraine fears a new migration crisis at the border with Belarus.",
    ],
)

# Border troops at a championship are sportsmen, whatever border they guard.
test_border_troops_at_a_championship = misses(
    "border",
    [
        "На чемпионат по самбо прибыли команды частей, охраняющих границу.",
        "У чэмпіянаце па міні-футболе гулялі каманды памежнікаў, што ахоўваюць мяжу.",
        "На змагання з боротьби приїхали команди прикордонників, які охороняють кордон.",
        "Border guards who patrol the border with Poland won the football championship.",
    ],
)

# "Passage is not carried out" at a crossing is a closure.
test_passage_not_carried_out = finds(
    "border",
    [
        "В пункте пропуска «Домачево» пропуск легковых автомобилей не осуществляется.",
        "У пункце пропуску «Бераставіца» пропуск грузавікоў не ажыццяўляецца.",
        "У пункті пропуску «Мокрани» пропуск громадян не здійснюється.",
    ],
)

# An official mentioning troops sent somewhere is speaking.
test_official_mentions = finds(
    "statements",
    [
        "Министр обороны упомянул, что к границе перебросили ещё два батальона.",
        "Прэзідэнт згадаў, што войскі вернуцца на палігоны.",
        "Міністр згадав, що війська відвели від кордону.",
        "The defence minister mentioned that two battalions had been moved to the border.",
    ],
)

# An outlet's own "Напомним, …" (we remind readers) is no official speaking; an official who
# reminds ("напомнил", "нагадаў", "нагадав") is.
test_outlet_reminding_is_no_statement = misses(
    "statements",
    [
        "Напомним, что командование отправило к границе три батальона.",
        "Нагадаем, што камандаванне накіравала да мяжы батальён.",
        "Нагадаємо, командування перекинуло до кордону два батальйони.",
    ],
)

test_official_reminding_is_a_statement = finds(
    "statements",
    [
        "Министр обороны напомнил, что армия готова к любым провокациям.",
        "Міністр абароны нагадаў пра ваенную пагрозу з захаду.",
        "Міністр оборони нагадав про загрозу з боку Білорусі.",
    ],
)

# Balloons and drones carrying cigarettes are contraband crossing a border, unless they fly
# into a prison.
test_cigarettes_on_balloons_and_drones = finds(
    "border",
    [
        "Утром у Варены нашли воздушные шары с сигаретами, прилетевшие из Беларуси.",
        "Паветраныя шары з цыгарэтамі зноў заляцелі ў Літву.",
        "Біля Ковеля знайшли повітряні кулі з цигарками.",
        "Balloons carrying cigarettes landed near Vilnius airport.",
    ],
)

test_cigarette_drones_into_a_prison = misses(
    "border",
    [
        "Дрон с сигаретами пытался долететь до исправительной колонии.",
        "A drone carrying tobacco was caught over the prison yard.",
    ],
)
