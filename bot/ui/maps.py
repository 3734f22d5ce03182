"""The map for /status: located stories of the last 48 hours over Belarus' outline.

Drawn for a phone: the picture is as wide as a phone shows a photo in a chat (`PHONE`), so
every letter is at least `PHONE.min_text_px` pixels tall there; the places that matter
(those the reader filters on, then the most named) carry their names, placed so that no
two names and no name and a neighbour's name overlap; a legend says what a circle's size
and the "(N)" after a name count.

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
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.ui.texts import UI

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Phone:
    """How a phone shows a photo in a chat, and the smallest text it should carry."""

    width_px: int = 360  # CSS pixels a portrait phone gives a photo in a chat
    min_text_px: float = 12.0
    figure_width_in: float = 4.0  # the picture's width; its text sizes follow from it
    dpi: int = 270  # 1080 pixels across: sharp on a 3x screen

    def points_for(self, px: float) -> float:
        """Return the font size in points that shows `px` pixels tall on the phone."""
        return px * 72 * self.figure_width_in / self.width_px

    def px_of(self, points: float, figure_width_in: float) -> float:
        """Return how many phone pixels a font of `points` is in a figure that wide."""
        return points * self.width_px / (72 * figure_width_in)


PHONE = Phone()
TEXT_PT = PHONE.points_for(13.0)  # names of places
SMALL_PT = PHONE.points_for(12.5)  # neighbours, the legend
TITLE_PT = PHONE.points_for(15.5)
MAX_LABELS = 14  # names a 4-inch map of Belarus holds without crowding
LAT0 = 53.5  # Belarus' middle: a degree of longitude is cos(53.5°) of a degree of latitude


@dataclass(frozen=True, slots=True)
class Outline:
    """Belarus' border as (lon, lat) points, each with the neighbour beyond it ("" if unsure)."""

    points: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True, slots=True)
class Spot:
    """One place on the map: how many stories named it, and whether the reader filters on it."""

    lat: float
    lon: float
    stories: int  # 0 for a place the reader filters on that no story named
    label: str
    filtered: bool = False  # the reader's /near place: named on the map whatever its count


@dataclass(frozen=True, slots=True)
class Area:
    """A reader's /near filter: a place and the radius around it."""

    lat: float
    lon: float
    km: float


@dataclass(frozen=True, slots=True)
class MapTexts:
    """The map's words in the reader's language."""

    title: str
    legend: str  # what a circle's size and the "(N)" after a name count
    area: str = ""  # the legend's name for the reader's /near circles
    neighbours: Mapping[str, str] = field(default_factory=dict)  # code -> the country's name


def map_texts(ui: UI, neighbours: Mapping[str, str]) -> MapTexts:
    """Return the map's words in a reader's language (`neighbours`: code -> message id)."""
    return MapTexts(
        title=ui._("Places named in stories, last 48 hours"),
        legend=ui._("Circle size and (N): stories that named the place"),
        area=ui._("your /near area"),
        neighbours={code: ui._(name) for code, name in neighbours.items()},
    )


@dataclass(frozen=True, slots=True)
class Drawing:
    """A drawn map before it is saved: the figure, the names it carries, the neighbours'."""

    figure: Figure
    names: tuple[Text, ...]  # the place labels drawn, in the order they were chosen
    neighbours: tuple[Text, ...]
    legend_texts: tuple[Text, ...]

    def labelled(self) -> tuple[str, ...]:
        """Return the texts of the place labels drawn."""
        return tuple(text.get_text() for text in self.names)


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
    for code in sorted({p[2] for p in shape.points if p[2]}):
        mine = [p for p in shape.points if p[2] == code]
        lon = sum(p[0] for p in mine) / len(mine)
        lat = sum(p[1] for p in mine) / len(mine)
        # Push the label out from the middle of Belarus, past the border.
        spots[code] = (lon + (lon - lon0) * 0.3, lat + (lat - lat0) * 0.3)
    return spots


def choose_labels(spots: Sequence[Spot], limit: int = MAX_LABELS) -> list[Spot]:
    """Return the spots that deserve a name, most deserving first.

    The places the reader filters on come first, then the most named (ties by name, so the
    same data always gives the same map). Drawing may still leave out one whose name finds
    no free room; `Drawing.names` says which were drawn.
    """
    ranked = sorted(spots, key=lambda spot: (not spot.filtered, -spot.stories, spot.label))
    return ranked[:limit]


def _size(stories: int, biggest: int) -> float:
    """Return a circle's marker area in points²: its area grows with the stories (a place
    no story named, shown because the reader filters on it, is a small dot)."""
    return 40.0 + 360.0 * stories / max(biggest, 1) if stories else 18.0


def _legend_counts(biggest: int) -> list[int]:
    """Return up to three round story counts for the legend's sample circles."""
    if biggest <= 3:
        return list(range(1, biggest + 1))
    middle = max(2, round(biggest / 2, -1) if biggest >= 20 else biggest // 2)
    return sorted({1, int(middle), biggest})


# Where a name may stand around its circle, in the order tried: right, left, above,
# below, then the diagonals. (dx, dy) in units of the circle's radius plus a gap.
_POSITIONS = (
    (1, 0, "left", "center"),
    (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (0.75, 0.75, "left", "bottom"),
    (-0.75, 0.75, "right", "bottom"),
    (0.75, -0.75, "left", "top"),
    (-0.75, -0.75, "right", "top"),
)


def _place_names(
    axes: Axes,
    renderer: RendererBase,
    chosen: Sequence[Spot],
    biggest: int,
    obstacles: Sequence[Bbox],
) -> list[Text]:
    """Put each chosen name beside its circle where it overlaps nothing; skip it if none.

    A greedy placement over the renderer's real text extents: each name, most deserving
    first, tries eight positions around its circle and takes the first inside the map that
    overlaps no name already placed, no obstacle (the neighbours' names) and no other
    chosen circle. Neither adjustText (it moves names until overlaps shrink, without
    promising none, and never leaves one out) nor textalloc (it cannot treat text already
    drawn as an obstacle) gives that promise, which the tests check on these extents.
    """
    frame = axes.get_window_extent(renderer)
    circles = [_circle_box(axes, spot, biggest) for spot in chosen]
    taken: list[Bbox] = []
    placed: list[Text] = []
    for index, spot in enumerate(chosen):
        avoid = [*obstacles, *taken, *(c for n, c in enumerate(circles) if n != index)]
        gap = math.sqrt(_size(spot.stories, biggest)) / 2 + 2.5  # the radius in points
        for dx, dy, ha, va in _POSITIONS:
            text = axes.annotate(
                f"{spot.label} ({spot.stories})" if spot.stories else spot.label,
                (spot.lon, spot.lat),
                xytext=(dx * gap, dy * gap),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=TEXT_PT,
                color="#1b1b1b",
                zorder=5,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            )
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
            inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in avoid):
                taken.append(box)
                placed.append(text)
                break
            text.remove()
    return placed


def _keep_inside(axes: Axes, renderer: RendererBase, text: Text) -> None:
    """Move a text drawn at a data point so that all of it is inside the axes."""
    frame, box = axes.get_window_extent(renderer), text.get_window_extent(renderer)
    dx = max(0.0, frame.x0 - box.x0) - max(0.0, box.x1 - frame.x1)
    dy = max(0.0, frame.y0 - box.y0) - max(0.0, box.y1 - frame.y1)
    if dx or dy:
        x, y = axes.transData.transform(text.get_position())
        lon, lat = axes.transData.inverted().transform((x + dx, y + dy))
        text.set_position((float(lon), float(lat)))


def _circle_box(axes: Axes, spot: Spot, biggest: int) -> Bbox:
    """Return a circle's extent on the canvas (pixels)."""
    x, y = axes.transData.transform((spot.lon, spot.lat))
    radius = math.sqrt(_size(spot.stories, biggest)) / 2 * axes.figure.dpi / 72
    return Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)


def draw_map(
    spots: Sequence[Spot],
    *,
    texts: MapTexts,
    areas: Sequence[Area] = (),
    shape: Outline | None = None,
) -> Drawing:
    """Draw Belarus' border (neighbours named), a circle a located place and the names that
    fit; return the figure unsaved, with the texts drawn (tests measure them)."""
    shape = shape or outline()
    figure = Figure(figsize=(PHONE.figure_width_in, 4.45), dpi=PHONE.dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.01, 0.15, 0.98, 0.77))
    lons = [p[0] for p in shape.points]
    lats = [p[1] for p in shape.points]
    axes.fill([*lons, lons[0]], [*lats, lats[0]], color="#f3f1ea", zorder=0)
    axes.plot([*lons, lons[0]], [*lats, lats[0]], color="#555555", linewidth=1.0, zorder=1)
    axes.set_xlim(min(lons) - 1.2, max(lons) + 1.2)
    axes.set_ylim(min(lats) - 0.55, max(lats) + 0.55)
    axes.set_aspect(1 / math.cos(math.radians(LAT0)))
    axes.set_axis_off()
    axes.set_title(texts.title, fontsize=TITLE_PT, pad=4)
    for area in areas:  # the reader's own circles, under everything else
        axes.add_patch(
            Ellipse(
                (area.lon, area.lat),
                width=2 * area.km / (111.32 * math.cos(math.radians(area.lat))),
                height=2 * area.km / 110.57,
                fill=False,
                linestyle="--",
                linewidth=1.2,
                edgecolor="#1f5fa8",
                zorder=2,
            )
        )
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    neighbours = []
    for code, (lon, lat) in _label_points(shape).items():
        name = axes.text(
            lon,
            lat,
            texts.neighbours.get(code, code.upper()),
            ha="center",
            va="center",
            fontsize=SMALL_PT,
            color="#777777",
            style="italic",
            zorder=1,
        )
        _keep_inside(axes, renderer, name)
        neighbours.append(name)
    biggest = max((spot.stories for spot in spots), default=1)
    named = [spot for spot in spots if spot.stories]
    if named:
        axes.scatter(
            [spot.lon for spot in named],
            [spot.lat for spot in named],
            s=[_size(spot.stories, biggest) for spot in named],
            color="#c0392b",
            alpha=0.55,
            edgecolors="#7b241c",
            linewidths=0.6,
            zorder=3,
        )
    quiet = [spot for spot in spots if not spot.stories]  # the reader's places, unnamed
    if quiet:
        axes.scatter(
            [spot.lon for spot in quiet],
            [spot.lat for spot in quiet],
            s=18,
            color="#1f5fa8",
            zorder=3,
        )
    obstacles = [text.get_window_extent(renderer) for text in neighbours]
    names = _place_names(axes, renderer, choose_labels(spots), biggest, obstacles)
    legend_texts = _legend(figure, axes, texts, biggest, with_area=bool(areas))
    return Drawing(figure, tuple(names), tuple(neighbours), legend_texts)


def _legend(
    figure: Figure, axes: Axes, texts: MapTexts, biggest: int, *, with_area: bool
) -> tuple[Text, ...]:
    """Explain the circles under the map: sample sizes, and what they and "(N)" count."""
    handles: list[object] = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=math.sqrt(_size(count, biggest)),
            markerfacecolor="#c0392b",
            markeredgecolor="#7b241c",
            alpha=0.55,
            label=str(count),
        )
        for count in _legend_counts(biggest)
    ]
    if with_area and texts.area:
        handles.append(
            Line2D([], [], linestyle="--", color="#1f5fa8", linewidth=1.2, label=texts.area)
        )
    legend = figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.01),
        ncols=len(handles),
        title=texts.legend,
        fontsize=SMALL_PT,
        title_fontsize=SMALL_PT,
        frameon=False,
        handletextpad=0.3,
        columnspacing=1.2,
        borderaxespad=0.2,
    )
    del axes
    return (legend.get_title(), *legend.get_texts())


def render(drawing: Drawing) -> bytes:
    """Save a drawn map as a PNG."""
    buffer = io.BytesIO()
    drawing.figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def stories_map(
    spots: Sequence[Spot],
    *,
    texts: MapTexts,
    areas: Sequence[Area] = (),
    shape: Outline | None = None,
) -> bytes:
    """Draw the map and return it as a PNG."""
    png = render(draw_map(spots, texts=texts, areas=areas, shape=shape))
    # The record's threadName shows where the rendering ran (tests check it is not the loop).
    log.debug("map rendered: %d bytes", len(png))
    return png
