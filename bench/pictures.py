"""How long the /status pictures take to draw (in the worker thread, off the event loop).

Run from the repository root:

    python bench/pictures.py --json [--rounds 5] [--places 60]

    python bench/pictures.py --out DIR [--lang be]

Draws the 14-day chart (8 topics) and the 48-hour map (`--places` located places from the
gazetteer, a few named often, most once or twice, and a /near filter on Mazyr) `--rounds`
times each and prints the median and worst milliseconds and the PNG sizes. Slow drawing
never blocks the bot (it runs in `asyncio.to_thread`); this says how long a user waits for
the picture. With `--out`, it also writes chart-LANG.png and map-LANG.png there, to look at
as a phone shows them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.chats.filters import COUNTRY_NAMES  # noqa: E402
from bot.matching import Place, PlaceIndex, default_catalog, default_places  # noqa: E402
from bot.ui import charts, maps  # noqa: E402 (needs the path above)
from bot.ui.i18n import LANGUAGES  # noqa: E402
from bot.ui.texts import ui_for  # noqa: E402


def _time(draw: Callable[[], bytes], rounds: int) -> dict[str, float | int]:
    """Return median and worst milliseconds of `rounds` draws and the PNG size."""
    took, size = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        size = len(draw())
        took.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(took), 1),
        "max_ms": round(max(took), 1),
        "png_bytes": size,
    }


def _samples(
    places: int,
) -> tuple[dict[str, list[int]], list[date], list[Place], dict[str, int], dict[str, float]]:
    """Return chart series, days, towns with story counts, and a /near filter (Mazyr 30)."""
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(14)]
    topics = default_catalog().names()
    series = {
        name: [(n * 3 + day * (n + 1)) % 7 for day in range(14)] for n, name in enumerate(topics)
    }
    towns = sorted(
        (p for p in PlaceIndex(default_places()) if p.kind == "town"),
        key=lambda p: -(p.population or 0),
    )[:places]
    counts = {town.id: max(1, round(40 / (n + 1) ** 1.1)) for n, town in enumerate(towns)}
    return series, days, towns, counts, {"Mazyr": 30.0}


def main(argv: list[str] | None = None) -> int:
    """Measure both pictures, print the figures, and write them with --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--places", type=int, default=60)
    parser.add_argument("--lang", default="en", choices=LANGUAGES)
    parser.add_argument("--out", type=Path, help="write chart-LANG.png and map-LANG.png here")
    args = parser.parse_args(argv)
    series, days, towns, counts, near = _samples(args.places)
    ui = ui_for(args.lang, default_catalog())
    spots = [maps.Spot(t.lat, t.lon, counts[t.id], t.label(args.lang), t.id in near) for t in towns]
    areas = [maps.Area(t.lat, t.lon, near[t.id]) for t in towns if t.id in near]
    labels = {name: default_catalog().topic(name).display_name(args.lang) for name in series}
    map_texts = maps.map_texts(ui, COUNTRY_NAMES)
    chart_texts = charts.chart_texts(ui)
    maps.outline()  # loaded once per process, like in the bot

    def chart() -> bytes:
        return charts.reports_chart(series, days, labels=labels, texts=chart_texts)

    def stories_map() -> bytes:
        return maps.stories_map(spots, texts=map_texts, areas=areas)

    figures = {
        "chart": _time(chart, args.rounds),
        "map": _time(stories_map, args.rounds),
        "map_places": len(spots),
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / f"chart-{args.lang}.png").write_bytes(chart())
        (args.out / f"map-{args.lang}.png").write_bytes(stories_map())
    print(json.dumps(figures) if args.json else figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
