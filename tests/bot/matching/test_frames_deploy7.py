"""Deployment and mobilization frames for the kinds of report the deploy7 set showed were
missed or misfiled, and the traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

from tests.bot.matching.cases import finds, misses

# Hardware counted in units with a word describing it between count and hardware
# ("40 единиц российской техники") is counted hardware as much as "40 единиц техники".
test_counted_described_hardware_on_the_move = finds(
    {"deployments", "equipment"},
    [
        "Ночью в Гомельскую область въехали около сорока единиц российской техники.",
        "Да Асіповічаў прыбылі дваццаць адзінак колавай тэхнікі.",
        "До кордону висунулися п'ятнадцять одиниць важкої техніки.",
        "Some thirty units of Russian equipment arrived at the railway station.",
    ],
)

test_counted_described_civil_hardware_is_no_deployment = misses(
    "deployments",
    [
        "На расчистку дорог вышли двадцать единиц тяжелой техники коммунальщиков.",
        "На ярмарок завезли сорок одиниць колісної техніки для фермерів.",
    ],
)

# Sending troops, in the imperfective ("направляє", "накіроўвае"), is a deployment too.
test_troops_being_sent = finds(
    "deployments",
    [
        "Литва направляє до кордону ще два батальйони.",
        "Латвія відправляє на кордон додаткових військових.",
        "Мінабароны накіроўвае войскі ў Гомельскую вобласць.",
    ],
)

test_sending_papers_is_no_deployment = misses(
    "deployments",
    [
        "Міністерство направляє запит до обласної ради щодо ремонту доріг.",
        "Школа адпраўляе дзяцей на экскурсію ў Брэст.",
    ],
)

# Forces gathering or massing ("скапливаются", "гуртуюцца", "скупчуються") are a buildup.
test_forces_massing = finds(
    "deployments",
    [
        "У Мозыря скапливаются подразделения российской армии.",
        "Каля Брагіна гуртуюцца расійскія вайскоўцы.",
        "Біля кордону скупчуються російські війська.",
    ],
)

test_people_gathering_is_no_deployment = misses(
    "deployments",
    [
        "На площади скапливаются болельщики перед матчем.",
        "Беларусы ў эміграцыі гуртуюцца вакол культурных ініцыятыў.",
    ],
)

# Mercenaries in the plural ("вагнераўцы", "вагнеровцы") are mercenaries.
test_mercenaries_in_the_plural = finds(
    "deployments",
    [
        "У лагеры пад Асіповічамі зноў з'явіліся вагнераўцы.",
        "Pad Asipovičami znoŭ źjavilisia vahnieraŭcy.",
        "В лагерь под Осиповичами вернулись вагнеровцы.",
        "До табору повернулися вагнерівці.",
    ],
)

# Units going back to their permanent bases end a deployment.
test_return_to_permanent_bases = finds(
    "deployments",
    [
        "After the drills the brigades began returning to their points of permanent deployment.",
        "Части начали возвращаться в пункты постоянной дислокации.",
        "Падраздзяленні вярнуліся ў месцы пастаяннай дыслакацыі.",
        "Бригади повертаються до місць постійної дислокації.",
    ],
)

test_going_home_is_no_deployment = misses(
    "deployments",
    [
        "The football team returned to its home base after the tournament.",
        "Police units returned to their permanent bases after the festival.",
    ],
)

# Stocks of goods ("запасы топлива", "запасамі формы на складах") are not the reserve.
test_stocks_are_not_the_reserve = misses(
    "mobilization",
    [
        "На складах хранятся большие запасы топлива.",
        "Заводы накапілі запасы збожжа на складзе.",
        "Vialikija zapasy paliva zachoŭvajucca na składach.",
    ],
)

test_reservists_are_still_called_up = finds(
    "mobilization",
    [
        "Из запаса призвали ещё двести военнообязанных.",
        "З запасу прызвалі сто вайскоўцаў.",
    ],
)

# Mobilising solidarity or a community is no call-up.
test_figurative_mobilisation_of_solidarity = misses(
    "mobilization",
    [
        "Activists urged the world to mobilise solidarity with the flood victims.",
        "Организаторы призвали мобилизовать солидарность с пострадавшими.",
        "Депутати закликали мобілізувати територіальні громади на ремонт шкіл.",
    ],
)

# A unit named by its brigade's kind ("подразделение 25-й отдельной механизированной
# бригады") is a military unit even far from "war" words; a march it makes is a move.
test_unit_of_a_brigade_on_the_march = finds(
    "deployments",
    [
        "Марш в район Ельска совершило подразделение 12-й отдельной механизированной бригады.",
        "Да Лельчыц прыбыло падраздзяленне 5-й асобнай брыгады спецыяльнага прызначэння.",
        "До Овруча прибув підрозділ 30-ї окремої механізованої бригади.",
    ],
)

test_a_builders_brigade_is_no_unit = misses(
    "deployments",
    [
        "На объект прибыла бригада строителей из Гродно.",
        "До села приїхала бригада електриків.",
    ],
)

# Contract soldiers and conscripts are troops; a state's forces ("российские силы") too.
test_contract_soldiers_and_a_states_forces = finds(
    "deployments",
    [
        "Под Мозырем размещены белорусские контрактники.",
        "Пад Хойнікамі гуртуюцца кантрактнікі і тэрміновікі.",
        "Біля Рівного зосереджуються строковики та контрактники.",
        "Российские силы снова скапливаются под Брестом.",
        "Українські сили перекинули на північ.",
    ],
)

test_political_forces_are_no_troops = misses(
    "deployments",
    [
        "Демократические силы Беларуси собираются на конференцию в Вильнюсе.",
        "Беларускія дэмакратычныя сілы гуртуюцца вакол новай ініцыятывы.",
    ],
)

# Transporting or ferrying troops is moving them.
test_troops_transported = finds(
    "deployments",
    [
        "Russia is transporting paratroopers to the Brest region by rail.",
        "The army ferried two battalions across the river overnight.",
    ],
)

test_goods_transported_are_no_deployment = misses(
    "deployments",
    [
        "The company is transporting fertiliser to Klaipeda by rail.",
    ],
)

# "Mobilization resources" is the pool of men liable for call-up (a military term), and
# reserve officers reporting are a call-up, not a deployment of units.
test_mobilization_resources_and_reserve_officers = finds(
    "mobilization",
    [
        "Checks of mobilization resources continue in every district, the General Staff said.",
        "Reserve officers were told to report to the assembly point in Lida on Monday.",
    ],
)

test_reserve_officers_sent_to_units_are_no_deployment = misses(
    "deployments",
    [
        "Reserve officers reported to assembly points and were then dispatched to units.",
    ],
)

test_resources_mobilised_for_a_campaign_are_no_call_up = misses(
    "mobilization",
    [
        "The charity will mobilise resources for a winter campaign.",
    ],
)

# The General Staff is no "staff" being mobilised; a hospital's staff is.
test_general_staff_speaking_of_a_call_up = finds(
    "mobilization",
    [
        "The General Staff said mobilization resources are being checked in Brest region.",
        "The General Staff reported a call-up of reservists in the east.",
    ],
)

test_staff_mobilised_for_work_is_no_call_up = misses(
    "mobilization",
    [
        "The hospital will mobilise its staff for the vaccination drive.",
        "The retailer mobilised staff members for the holiday sales.",
    ],
)
