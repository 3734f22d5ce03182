"""The reasons behind an alert: what "Why this alert?" says agrees with who gets it, and every
filter it names is one the chat has and the story meets."""

from __future__ import annotations

from dataclasses import replace

from bot.matching import default_catalog, default_matcher
from bot.matching.audience import NaiveAudience
from bot.matching.explain import chat_reasons, story_reasons
from bot.matching.matcher import read
from bot.models import ChatFilters, Severity
from tests.bot.matching.test_audience import TEXTS, random_chats


def test_the_reasons_agree_with_the_audience_and_name_only_real_filters() -> None:
    matcher, catalog = default_matcher(), default_catalog()
    chats = [chat for chat in random_chats(600, seed=11) if chat.active]
    naive = NaiveAudience(catalog, matcher.places, chats)
    passed = 0
    for text in TEXTS:
        reading = read(text)
        found = matcher.classify(reading)
        reached = naive.recipients(found, reading)
        for chat in chats:
            why = chat_reasons(chat, found, reading, catalog, matcher.places)
            assert why.passes == (chat.chat_id in reached), (text, chat)
            assert {topic for topic, _ in why.topics + why.below} <= chat.topics & set(found.topics)
            assert all(level >= chat.min_severity for _, level in why.topics)
            assert all(level < chat.min_severity for _, level in why.below)
            assert set(why.words) <= set(chat.watch)
            assert set(why.excluded) <= set(chat.exclude)
            assert set(why.regions) <= set(found.oblasts)
            assert all(km_away <= km for _, km, _, km_away in why.near + why.borders)
            if why.passes:
                passed += 1
                # Something it follows let it through, and its places, if it chose any.
                assert why.topics or why.words
                assert not why.located or why.regions or why.near or why.borders
                assert not why.excluded
    assert passed > 100  # not trivially about chats that get nothing


def test_each_kind_of_place_filter_is_named_with_the_place_that_met_it() -> None:
    matcher, catalog = default_matcher(), default_catalog()
    reading = read("Колонна военной техники прошла через Ельск к границе")
    found = matcher.classify(reading)
    chat = ChatFilters(
        chat_id=1,
        topics=frozenset({"deployments"}),
        min_severity=Severity.HIGH,
        regions=("Gomel region", "Brest region"),
        near=(("Mazyr", 60.0), ("Lida", 30.0)),
        borders=(("ua", 20.0), ("pl", 20.0)),
        watch=("колонна техники",),
    )
    why = chat_reasons(chat, found, reading, catalog, matcher.places)
    assert why.passes  # by its own keyword: deployments is below its minimum
    assert why.below == (("deployments", Severity.MEDIUM),)
    assert why.words == ("колонна техники",)
    assert why.regions == ("Gomel region",)
    [(centre, km, place, away)] = why.near
    assert (centre, km, place) == ("Mazyr", 60.0, "Yelsk")
    assert 20 < away < 30  # Yelsk lies about 26 km from Mazyr
    [(country, strip, place, away)] = why.borders
    assert (country, strip, place) == ("ua", 20.0, "Yelsk")
    assert away < 20


def test_an_admins_topics_are_said_to_be_chosen_and_a_lost_topic_is_left_out() -> None:
    matcher, catalog = default_matcher(), default_catalog()
    found = matcher.classify("Учения войск у Ельска начались утром")
    topics, places = story_reasons(matcher, catalog, found)
    [drills] = topics
    assert drills.topic == "drills"
    assert [words for words, _ in drills.pairs] == ["Учения"]
    [yelsk] = places
    assert (yelsk.place, yelsk.oblast) == ("Yelsk", "Gomel region")
    assert yelsk.border is not None and yelsk.border[0] == "ua"

    chosen = replace(found, topics=("mobilization", "retired_topic"))
    [mobilization] = story_reasons(matcher, catalog, chosen, by_admin=True)[0]
    assert mobilization.by_admin and mobilization.pairs == ()
    assert mobilization.severity == catalog.topic("mobilization").severity


def test_a_frame_is_named_by_its_concepts_and_a_keyword_as_a_keyword() -> None:
    matcher, catalog = default_matcher(), default_catalog()
    found = matcher.classify("Два батальона десантников уже прибыли под Лунинец.")
    topics, _ = story_reasons(matcher, catalog, found)
    deployments = next(reason for reason in topics if reason.topic == "deployments")
    assert deployments.frames == {"forces + movement"}
    assert [keyword for _, keyword in deployments.pairs] == ["forces + movement"]
    found = matcher.classify("В Гомеле объявлена мобилизация резервистов.")
    mobilization = next(
        r for r in story_reasons(matcher, catalog, found)[0] if r.topic == "mobilization"
    )
    assert any(keyword == "мобилиз*" for _, keyword in mobilization.pairs)
    assert "мобилиз*" not in mobilization.frames
