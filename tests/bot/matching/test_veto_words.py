"""Words that veto every military topic (culture, history, parades) only in their own sense:
"war games" are an exercise, "a series of" drills is no TV series, troops that "exhibit"
intent are not in a museum, "the largest since World War II" is a report of today, and a
drone that falls "in the city centre" is no fly-over. Each once vetoed its whole sentence.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

from tests.bot.matching.cases import finds, misses

test_war_games_are_drills = finds(
    {"drills"},
    [
        "Minsk and Moscow started joint war games close to the Lithuanian border.",
        "The wargame near Asipovichy involved two motorised rifle brigades.",
    ],
)

test_a_series_of_drills_is_no_tv_series = finds(
    {"drills"},
    [
        "The defence ministry began a series of snap readiness checks in the western command.",
        "Belarusian artillery units held a series of live-fire exercises this week.",
    ],
)

test_troops_that_exhibit_intent_are_no_exhibition = finds(
    {"statements"},
    [
        "Foreign troops exhibit hostile intent along our frontier, the defence minister said.",
    ],
)

# The culture senses themselves still veto.
test_a_tv_series_or_a_video_game_stays_culture = misses(
    "drills",
    [
        "The new TV series follows conscripts through military exercises in a fictional town.",
        "In the video game players command tanks during war games on a map of Belarus.",
        "A documentary series revisits the military exercises of the 1980s.",
    ],
)


test_an_era_measured_against_is_no_history = finds(
    {"deployments"},
    [
        "Moscow sent more troops into Belarus than at any time since World War II.",
        "Впервые со времен Второй мировой войны к границе перебросили целую дивизию.",
        "Упершыню з часоў Другой сусветнай вайны да мяжы перакінулі цэлую дывізію.",
    ],
)

test_history_itself_stays_vetoed = misses(
    "deployments",
    [
        "During World War II the division was moved to the front near Babruysk.",
        "Во время Второй мировой войны дивизию перебросили под Бобруйск.",
    ],
)

test_a_drone_in_the_city_centre_is_no_fly_over = finds(
    {"air"},
    [
        "A military drone fell in the city centre of Mazyr late on Sunday.",
    ],
)

test_a_column_through_the_city_centre_is_a_parade = misses(
    "equipment",
    [
        "Tanks and howitzers rolled through the city centre while crowds waved flags.",
    ],
)
