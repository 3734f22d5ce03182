"""English culture words that also have a military or plain sense: "war games" are an
exercise, "a series of" drills is no TV series, troops that "exhibit" intent are not in a
museum. Each of these once vetoed every military topic of its sentence.

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
