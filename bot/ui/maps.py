"""The map for /status: located stories of the last 48 hours over Belarus' outline.

The outline ships in bot/data/belarus_outline.json (generated once by
scripts/build_gazetteer.py from timezonefinder's Europe/Minsk polygon): about 400 border
points, each tagged with the neighbour beyond it. Like bot.ui.charts, this builds a `Figure`
without pyplot's global state and is meant to run in a worker thread.
"""

from __future__ import annotations

import functools
import io
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outline:
    """Belarus' border as (lon, lat) points, each with the neighbour beyond it ("" if unsure)."""

    points: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True, slots=True)
class Spot:
    """One place on the map and how many stories named it."""

    lat: float
    lon: float
    stories: int
    label: str


@functools.cache
def outline() -> Outline:
    """Load the packaged outline of Belarus (once)."""
    raw = resources.files("bot").joinpath("data/belarus_outline.json").read_text("utf-8")
    ring = json.loads(raw)["ring"]
    return Outline(tuple((float(lon), float(lat), str(code)) for lon, lat, code in ring))


def _label_points(shape: Outline) -> dict[str, tuple[float, float]]:
    """Return, per neighbour, a point just outside the middle of its stretch of border."""
    lon0 = sum(p[0] for p in shape.points) / len(shape.points)
    lat0 = sum(p[1] for p in shape.points) / len(shape.points)
    spots: dict[str, tuple[float, float]] = {}
    for code in {p[2] for p in shape.points if p[2]}:
        mine = [p for p in shape.points if p[2] == code]
        lon = sum(p[0] for p in mine) / len(mine)
        lat = sum(p[1] for p in mine) / len(mine)
        # Push the label out from the middle of Belarus, past the border.
        spots[code] = (lon + (lon - lon0) * 0.35, lat + (lat - lat0) * 0.35)
    return spots


def stories_map(
    spots: Sequence[Spot],
    *,
    neighbours: Mapping[str, str],
    title: str,
    shape: Outline | None = None,
) -> bytes:
    """Draw Belarus' border (neighbours labelled) and a circle a located place; return a PNG."""
    shape = shape or outline()
    figure = Figure(figsize=(7, 6), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    lons = [p[0] for p in shape.points]
    lats = [p[1] for p in shape.points]
    axes.fill([*lons, lons[0]], [*lats, lats[0]], color="#f3f1ea", zorder=0)
    axes.plot([*lons, lons[0]], [*lats, lats[0]], color="#555555", linewidth=1.2, zorder=1)
    for code, (lon, lat) in _label_points(shape).items():
        axes.text(
            lon,
            lat,
            neighbours.get(code, code.upper()),
            ha="center",
            va="center",
            fontsize=10,
            color="#777777",
            style="italic",
        )
    if spots:
        biggest = max(spot.stories for spot in spots)
        axes.scatter(
            [spot.lon for spot in spots],
            [spot.lat for spot in spots],
            s=[60 + 340 * spot.stories / biggest for spot in spots],
            color="#c0392b",
            alpha=0.6,
            edgecolors="#7b241c",
            zorder=3,
        )
        for spot in sorted(spots, key=lambda s: -s.stories)[:12]:
            axes.annotate(
                f"{spot.label} ({spot.stories})",
                (spot.lon, spot.lat),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=8,
                zorder=4,
            )
    axes.set_xlim(min(lons) - 1.6, max(lons) + 1.6)
    axes.set_ylim(min(lats) - 0.9, max(lats) + 0.9)
    axes.set_aspect(1.6)  # roughly 1/cos(53.5°): degrees of longitude are shorter here
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_title(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    png = buffer.getvalue()
    # The record's threadName shows where the rendering ran (tests check it is not the loop).
    log.debug("map rendered: %d bytes", len(png))
    return png
