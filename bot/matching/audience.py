"""Who receives a classified report: an index over every chat's topics, filters and words.

Fan-out must not loop over subscriptions: with 100,000 chats that is the whole cost of a
report. Instead every chat is turned, once, into index keys (LOCATION, WHAT):

- WHAT is `t:TOPIC` for each topic the chat follows whose severity reaches the chat's
  minimum (so severity costs nothing at fan-out), or `w:PHRASE` for each own keyword. A
  topic whose catalog rules grade some matches differently (a denial of mobilization is
  low, mobilization high) has no one severity: a chat following it keeps
  `t:TOPIC@MINIMUM` instead, and a report of severity S for it yields `t:TOPIC@L` for
  every level L up to S, so it still takes a set lookup or three, not a loop;
- LOCATION is `*` for a chat without place filters, `r:OBLAST` for each `/region`,
  `n:PLACE:KM` for each `/near PLACE KM` circle and `b:COUNTRY:KM` for each
  `/border COUNTRY KM` strip.

A report yields its own keys the same way: `*`, its oblasts, and the circles and strips
that contain one of its places (there are only as many distinct circles as distinct
`/near` filters, and which of them hold a place is worked out once per place and kept),
times its topics and the own keywords found in it. Its recipients are the union of a
few set lookups. Exclusions work the same way in reverse: the exclusion phrases found in
the report name the chats that vetoed it. Changing one chat touches only that chat's keys.

The index shrinks as well as it grows: every own keyword, exclusion, circle and strip is
counted by the chats that use it, and the last chat to stop using one takes it out (with
any table left empty), so chats that come and go leave the index as it was. Churn costs
the chats that churn, not every later report.

Own keywords and exclusions go through the same normalisation as the catalog
(`Vocabulary` of the matcher), so "/watch колонна" also finds "колонны".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product, starmap

from bot.matching.catalog import Catalog
from bot.matching.matcher import Reading, Vocabulary, normalize_phrase
from bot.matching.places import Place, PlaceIndex
from bot.models import ChatFilters, Classification, Severity

_EARTH_KM = 6371.0088
_KM_PER_DEGREE = math.pi * _EARTH_KM / 180  # along a meridian: the least a degree can be
_ANYWHERE = "*"


def distance_km(one: Place, other: Place) -> float:
    """Return the great-circle distance between two places."""
    lat1, lat2 = math.radians(one.lat), math.radians(other.lat)
    dlat = lat2 - lat1
    dlon = math.radians(other.lon - one.lon)
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(a))


class AudienceIndex:
    """Maps a classified report to the chats that should receive it."""

    def __init__(self, catalog: Catalog, places: PlaceIndex) -> None:
        self._severity = {topic.name: topic.severity.rank for topic in catalog.topics}
        # Topics with several possible severities -> the items a report of each rank yields.
        self._graded: dict[str, tuple[tuple[str, ...], ...]] = {
            topic.name: tuple(
                tuple(f"t:{topic.name}@{rank}" for rank in range(grade.rank + 1))
                for grade in Severity
            )
            for topic in catalog.topics
            if len(topic.severities()) > 1
        }
        self._highest = {topic.name: max(topic.severities()).rank for topic in catalog.topics}
        self._places = places
        # location -> what -> chats; nested so fan-out builds no key strings.
        self._by_key: dict[str, dict[str, set[int]]] = {}
        self._keys_of: dict[int, tuple[tuple[str, str], ...]] = {}
        self._excluders: dict[str, set[int]] = {}
        # Own keywords and exclusions in one vocabulary, so a report is searched once; each
        # (kind, phrase) is there while a chat uses it, counted here.
        self._words: Vocabulary[tuple[str, str]] = Vocabulary()
        self._phrases: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}  # users, keys
        self._circles: dict[tuple[str, float], int] = {}  # every /near filter in use, counted
        self._strips: dict[tuple[str, float], int] = {}  # every /border filter in use, counted
        self._excludes_of: dict[int, tuple[str, ...]] = {}  # only chats with exclusions
        # location key ("n:PLACE:KM", "b:COUNTRY:KM") -> the circle or strip it names
        self._area_at: dict[str, _Area] = {}
        self._areas_of: dict[str, tuple[str, ...]] = {}  # place -> circles and strips with it
        # The circles grouped by centre, for `_areas`; rebuilt when a circle is new.
        self._centres: list[_Centre] | None = None
        # place -> the index tables of the circles and strips holding it; cleared on any
        # change, which is rare next to the reports that read it.
        self._tables_of: dict[str, list[dict[str, set[int]]]] = {}

    def __len__(self) -> int:
        """Return how many chats the index holds (one that can receive nothing holds none)."""
        return len(self._keys_of)

    def footprint(self) -> dict[str, int]:
        """Return how much the index holds: chats, phrases, circles, strips, keys, tables."""
        return {
            "chats": len(self._keys_of),
            "phrases": len(self._phrases),
            "vocabulary": len(self._words),
            "circles": len(self._circles),
            "strips": len(self._strips),
            "locations": len(self._by_key),
            "keys": sum(map(len, self._by_key.values())),
            "excluders": len(self._excluders),
        }

    def build(self, chats: Iterable[ChatFilters]) -> None:
        """Add or replace many chats."""
        for chat in chats:
            self.update(chat)

    def update(self, chat: ChatFilters) -> None:
        """Add or replace one chat (an inactive chat is removed)."""
        self._tables_of.clear()
        keys: tuple[tuple[str, str], ...] = ()
        excludes: tuple[str, ...] = ()
        locations: dict[str, _Area | None] = {}
        if chat.active:
            locations = self._locations(chat)
            minimum = chat.min_severity.rank
            what = [
                f"t:{topic}@{minimum}" if topic in self._graded else f"t:{topic}"
                for topic in sorted(chat.topics)
                if self._highest.get(topic, -1) >= minimum
            ]
            what += [f"w:{phrase}" for phrase in dict.fromkeys(chat.watch)]
            keys = tuple((location, item) for location in locations for item in what)
            # A chat without keys receives nothing: its exclusions need no place either.
            excludes = tuple(dict.fromkeys(chat.exclude)) if keys else ()
        # What the chat uses now is counted before what it used is let go, so a phrase or
        # a circle it keeps is never taken out of the index and put back. What a chat uses
        # is read from its keys (and its exclusions), so nothing more is kept per chat.
        for location, area in locations.items():
            if area is not None and keys:
                self._area_at.setdefault(location, area)
        self._count(keys, excludes, +1)
        self.remove(chat.chat_id)
        if not keys:
            return
        by_key = self._by_key
        for location, item in keys:
            table = by_key.get(location)
            if table is None:
                table = by_key[location] = {}
            chats = table.get(item)
            if chats is None:
                table[item] = {chat.chat_id}
            else:
                chats.add(chat.chat_id)
        self._keys_of[chat.chat_id] = keys
        if excludes:
            for phrase in excludes:
                self._excluders.setdefault(phrase, set()).add(chat.chat_id)
            self._excludes_of[chat.chat_id] = excludes

    def remove(self, chat_id: int) -> None:
        """Forget a chat, and whatever only it used."""
        self._tables_of.clear()
        keys = self._keys_of.pop(chat_id, ())
        for location, item in keys:
            table = self._by_key.get(location)
            chats = table.get(item) if table is not None else None
            if table is None or chats is None:
                continue
            chats.discard(chat_id)
            if not chats:
                del table[item]
                if not table:
                    del self._by_key[location]
        excludes = self._excludes_of.pop(chat_id, ())
        for phrase in excludes:
            chats = self._excluders.get(phrase)
            if chats is not None:
                chats.discard(chat_id)
                if not chats:
                    del self._excluders[phrase]
        self._count(keys, excludes, -1)

    def _count(
        self, keys: tuple[tuple[str, str], ...], excludes: tuple[str, ...], step: int
    ) -> None:
        """Count one chat more (+1) or fewer (-1) using the phrases and areas in its keys."""
        locations = dict.fromkeys(location for location, _ in keys)
        for location in locations:
            if location[:2] in ("n:", "b:"):
                self._count_area(location, step)
        for item in dict.fromkeys(item for _, item in keys):
            if item.startswith("w:"):
                self._count_phrase("w", item[2:], step)
        for phrase in excludes:
            self._count_phrase("x", phrase, step)

    def _count_phrase(self, kind: str, phrase: str, step: int) -> None:
        if step > 0:
            self._use_phrase(kind, phrase)
        else:
            self._drop_phrase(kind, phrase)

    def _count_area(self, location: str, step: int) -> None:
        area = self._area_at[location]
        if step > 0:
            self._use_area(area)
        else:
            self._drop_area(area)
            if area[1:] not in (self._circles if area[0] == "n" else self._strips):
                del self._area_at[location]

    def _use_phrase(self, kind: str, phrase: str) -> None:
        """Count one more chat using an own keyword ("w") or exclusion ("x")."""
        used = self._phrases.get((kind, phrase))
        if used is None:
            keys = self._words.add(phrase, None, (kind, phrase))
            self._phrases[(kind, phrase)] = (1, keys)
        else:
            self._phrases[(kind, phrase)] = (used[0] + 1, used[1])

    def _drop_phrase(self, kind: str, phrase: str) -> None:
        """Count one chat fewer using a phrase; the last one takes it out."""
        used = self._phrases.get((kind, phrase))
        if used is None:
            return
        if used[0] > 1:
            self._phrases[(kind, phrase)] = (used[0] - 1, used[1])
            return
        del self._phrases[(kind, phrase)]
        self._words.remove(phrase, None, (kind, phrase), keys=used[1])

    def _use_area(self, area: _Area) -> None:
        """Count one more chat using a circle ("n", place, km) or a strip ("b", country, km)."""
        kind, name, km = area
        used = self._circles if kind == "n" else self._strips
        if (name, km) not in used:
            self._areas_of.clear()
            if kind == "n":
                self._centres = None
        used[(name, km)] = used.get((name, km), 0) + 1

    def _drop_area(self, area: _Area) -> None:
        """Count one chat fewer using a circle or strip; the last one takes it out."""
        kind, name, km = area
        used = self._circles if kind == "n" else self._strips
        left = used.get((name, km), 0) - 1
        if left > 0:
            used[(name, km)] = left
            return
        used.pop((name, km), None)
        self._areas_of.clear()
        if kind == "n":
            self._centres = None

    def recipients(self, found: Classification, reading: Reading) -> set[int]:
        """Return the chats a report reaches, given its classification and its words."""
        what = self._topic_items(found)
        words = self._words.find_in(reading) if self._phrases else []
        what += [f"w:{match.value[1]}" for match in words if match.value[0] == "w"]
        if not what:
            return set()  # nothing a chat follows: no table holds a recipient
        by_key = self._by_key
        tables = [
            table
            for location in (_ANYWHERE, *(f"r:{oblast}" for oblast in found.oblasts))
            if (table := by_key.get(location))
        ]
        for place in found.places:
            held = self._tables_of.get(place)
            if held is None:
                held = [by_key[area] for area in self._areas(place) if area in by_key]
                self._tables_of[place] = held
            tables += held
        # Every (table, item) pair looked up in C: a place may lie in dozens of circles.
        hits: list[set[int]] = list(filter(None, starmap(dict.get, product(tables, what))))
        if not hits:
            return set()
        result: set[int] = set().union(*hits)
        for match in words:
            if match.value[0] == "x":
                result -= self._excluders.get(match.value[1], set())
        return result

    def _topic_items(self, found: Classification) -> list[str]:
        """Return the index items a report's topics reach, at their severities in it."""
        what = []
        for topic in found.topics:
            graded = self._graded.get(topic)
            if graded is None:
                what.append("t:" + topic)
            else:
                level = found.topic_severity(topic)
                rank = level.rank if level is not None else self._severity.get(topic, 0)
                what += graded[rank]
        return what

    def _locations(self, chat: ChatFilters) -> dict[str, _Area | None]:
        """Return the location keys a chat's filters cover, each with the area it names."""
        if not chat.located:
            return {_ANYWHERE: None}
        keys: dict[str, _Area | None] = {f"r:{region}": None for region in chat.regions}
        for place_id, km in chat.near:
            place = self._places.get(place_id)
            if place is None:
                continue
            if place.kind == "oblast":
                keys[f"r:{place.id}"] = None
            else:
                keys[f"n:{place_id}:{km:g}"] = ("n", place_id, km)
        for country, km in chat.borders:
            keys[f"b:{country}:{km:g}"] = ("b", country, km)
        return dict(sorted(keys.items()))

    def _areas(self, place_id: str) -> tuple[str, ...]:
        """Return the circles and strips in use that contain a place (kept until one is new).

        Circles are taken by centre, so one distance serves all of a centre's radii, and a
        centre further north or south than its widest circle is passed over without one:
        no two points are closer than their difference in latitude.
        """
        areas = self._areas_of.get(place_id)
        if areas is None:
            place = self._places.get(place_id)
            found: list[str] = []
            if place is not None and place.kind != "oblast":
                for centre in self._centres_in_use():
                    if centre.place.id == place.id:
                        found += [key for _, key in centre.circles]
                        continue
                    if abs(place.lat - centre.place.lat) * _KM_PER_DEGREE > centre.widest:
                        continue
                    km_away = distance_km(centre.place, place)
                    found += [key for km, key in centre.circles if km_away <= km]
                found += [
                    f"b:{country}:{km:g}"
                    for country, km in self._strips
                    if place.border_km.get(country, math.inf) <= km
                ]
            areas = self._areas_of[place_id] = tuple(found)
        return areas

    def _centres_in_use(self) -> list[_Centre]:
        """Return the centres of the circles in use, each with its radii and their keys."""
        if self._centres is None:
            radii: dict[str, list[float]] = {}
            for centre_id, km in self._circles:
                radii.setdefault(centre_id, []).append(km)
            self._centres = []
            for centre_id, kms in sorted(radii.items()):
                place = self._places.get(centre_id)
                if place is not None:
                    circles = tuple((km, f"n:{centre_id}:{km:g}") for km in sorted(kms))
                    self._centres.append(_Centre(place, max(kms) + 1.0, circles))
        return self._centres


_Area = tuple[str, str, float]  # ("n", place, km) for a circle, ("b", country, km) a strip


@dataclass(frozen=True, slots=True)
class _Centre:
    """The centre of some /near circles: its place, widest radius (+1 km), radii and keys."""

    place: Place
    widest: float
    circles: tuple[tuple[float, str], ...]


class NaiveAudience:
    """The same answer by checking every chat in turn: the benchmark's baseline and the
    tests' reference. Own keywords are normalised once, up front; a phrase counts when all
    its words occur in the report."""

    def __init__(self, catalog: Catalog, places: PlaceIndex, chats: Iterable[ChatFilters]):
        self._severity = {topic.name: topic.severity.rank for topic in catalog.topics}
        self._places = places
        self._chats = [
            (
                chat,
                [frozenset(normalize_phrase(phrase)) for phrase in chat.watch],
                [frozenset(normalize_phrase(phrase)) for phrase in chat.exclude],
            )
            for chat in chats
            if chat.active
        ]

    def recipients(self, found: Classification, reading: Reading) -> set[int]:
        """Return the chats a report reaches."""
        words = reading.keys()
        event_places = [p for p in map(self._places.get, found.places) if p is not None]
        points = [p for p in event_places if p.kind != "oblast"]
        result: set[int] = set()
        # A topic's severity in this report: its rules' where they graded it, else the topic's.
        level = {
            topic: severity.rank
            if (severity := found.topic_severity(topic)) is not None
            else self._severity.get(topic, -1)
            for topic in found.topics
        }
        for chat, watch, exclude in self._chats:
            minimum = chat.min_severity.rank
            wanted = any(
                level[topic] >= minimum for topic in found.topics if topic in chat.topics
            ) or any(phrase <= words for phrase in watch)
            if not wanted:
                continue
            if chat.located and not self._located(chat, found, points):
                continue
            if any(phrase <= words for phrase in exclude):
                continue
            result.add(chat.chat_id)
        return result

    def _located(self, chat: ChatFilters, found: Classification, points: list[Place]) -> bool:
        """Tell whether a report's places pass a chat's place filters."""
        if set(chat.regions) & set(found.oblasts):
            return True
        for place_id, km in chat.near:
            centre = self._places.get(place_id)
            if centre is None:
                continue
            if centre.id in found.places:
                return True
            if any(distance_km(centre, p) <= km for p in points):
                return True
        return any(
            p.border_km.get(country, math.inf) <= km for country, km in chat.borders for p in points
        )
