"""How long the /status pictures take to draw (in the worker thread, off the event loop).

Run from the repository root:

    python bench/pictures.py --json [--rounds 5] [--places 60]

Draws the 14-day chart (8 topics) and the 48-hour map (`--places` located places from the
gazetteer) `--rounds` times each and prints the median and worst milliseconds and the PNG
sizes. Slow drawing never blocks the bot (it runs in `asyncio.to_thread`); this says how
long a user waits for the picture.
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

from bot.matching import PlaceIndex, default_places  # noqa: E402
from bot.ui import charts, maps  # noqa: E402 (needs the path above)


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


def main(argv: list[str] | None = None) -> int:
    """Measure both pictures and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--places", type=int, default=60)
    args = parser.parse_args(argv)
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(14)]
    series = {f"t{n}": [(n * day) % 7 for day in range(14)] for n in range(8)}
    towns = [p for p in PlaceIndex(default_places()) if p.kind == "town"][: args.places]
    spots = [maps.Spot(p.lat, p.lon, 1 + n % 5, p.id) for n, p in enumerate(towns)]
    maps.outline()  # loaded once per process, like in the bot
    figures = {
        "chart": _time(
            lambda: charts.reports_chart(series, days, labels={}, title="Reports"), args.rounds
        ),
        "map": _time(lambda: maps.stories_map(spots, neighbours={}, title="Map"), args.rounds),
        "map_places": len(spots),
    }
    print(json.dumps(figures) if args.json else figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
