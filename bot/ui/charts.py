"""The chart for /status: stories per day, one small panel per topic. Pure functions.

Drawn for a phone like the map (bot.ui.maps.PHONE): at most the topics the reader follows,
each in a panel of its own on one shared scale (small multiples rather than eight crossing
lines), both axes labelled, and today's bar hatched and marked as a day still going on.

matplotlib is CPU-bound and not thread-safe through pyplot, so these build a `Figure`
object directly (no global pyplot state) and are meant to run in a worker thread.
"""

from __future__ import annotations

import io
import logging
import math
import textwrap
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bot.ui.maps import PHONE
from bot.ui.texts import UI

log = logging.getLogger(__name__)

TEXT_PT = PHONE.points_for(12.5)  # ticks, axis labels, the note on today
PANEL_PT = PHONE.points_for(13.5)  # each topic's name
TITLE_PT = PHONE.points_for(15.5)
MAX_PANELS = 8  # every topic of the catalog, in four rows of two
# The layout in inches: room for the title and the legend on today above the panels, for
# the dates and the x label below, for the y label and the counts on the left; each row
# is a panel and, above it, a gap for its topic's name on up to two lines.
TOP_IN, BOTTOM_IN, LEFT_IN, RIGHT_IN = 0.72, 0.72, 0.62, 0.34
ROW_IN, GAP_IN = 1.5, 0.5
BAR = "#2f6f9f"


@dataclass(frozen=True, slots=True)
class ChartTexts:
    """The chart's words in the reader's language."""

    title: str
    y_label: str  # what a bar counts
    x_label: str  # what the days are counted in (UTC)
    today: str  # the last tick: today
    partial: str  # the legend for today's hatched bar: the day is not over


def chart_texts(ui: UI) -> ChartTexts:
    """Return the chart's words in a reader's language."""
    return ChartTexts(
        title=ui._("Stories per day, last 14 days"),
        y_label=ui._("stories a day"),
        x_label=ui._("day (UTC)"),
        today=ui._("today"),
        partial=ui._("today so far"),
    )


@dataclass(frozen=True, slots=True)
class ChartDrawing:
    """A drawn chart before it is saved: the figure and one axes per topic shown."""

    figure: Figure
    panels: Mapping[str, Axes]  # topic -> its panel, in the order drawn


def topics_to_show(
    names: Sequence[str], followed: Set[str], counts: Mapping[str, Sequence[int]]
) -> list[str]:
    """Return the topics a reader's chart shows, in catalog order.

    The topics the reader follows, busy or not; a reader who follows none sees every topic
    that had a story in the fortnight.
    """
    return [name for name in names if name in followed] or [
        name for name in names if any(counts.get(name, ()))
    ]


def draw_chart(
    series: Mapping[str, Sequence[int]],
    days: Sequence[date],
    *,
    labels: Mapping[str, str],
    texts: ChartTexts,
) -> ChartDrawing:
    """Draw a panel of stories per day for each topic of `series` (at most MAX_PANELS).

    The caller picks the topics (the reader's own); the last day is today, drawn hatched.
    """
    topics = list(series)[:MAX_PANELS]
    columns = 1 if len(topics) <= 3 else 2
    rows = max(1, math.ceil(len(topics) / columns))
    height = TOP_IN + BOTTOM_IN + ROW_IN * rows
    figure = Figure(figsize=(PHONE.figure_width_in, height), dpi=PHONE.dpi)
    FigureCanvasAgg(figure)
    # Fixed margins in inches, not tight_layout: it measures every artist of every panel
    # and takes longer than drawing them.
    panel = ROW_IN - GAP_IN
    figure.subplots_adjust(
        left=LEFT_IN / PHONE.figure_width_in,
        right=1 - RIGHT_IN / PHONE.figure_width_in,
        top=1 - (TOP_IN + GAP_IN) / height,
        bottom=BOTTOM_IN / height,
        hspace=GAP_IN / panel,
        wspace=0.12,
    )
    grid = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    positions = list(range(len(days)))
    ticks = _ticks(len(days), columns)
    tick_labels = [texts.today if n == len(days) - 1 else days[n].strftime("%d.%m") for n in ticks]
    # One scale for every panel, set by the busiest day of any topic shown: with shared axes
    # a limit set on one panel holds for all, and autoscaling stops at the first panel's data.
    busiest = max((max(series[topic], default=0) for topic in topics), default=0)
    top = max(busiest, 1) * 1.05
    panels: dict[str, Axes] = {}
    for index, axes in enumerate(grid.flat):
        if index >= len(topics):
            axes.set_visible(False)
            continue
        topic = topics[index]
        counts = list(series[topic])
        bars = axes.bar(positions, counts, width=0.75, color=BAR)
        if bars.patches:  # today: the day is not over, its bar is partial
            today = bars.patches[-1]
            today.set_facecolor("#a9c6dc")
            today.set_hatch("///")
            today.set_edgecolor(BAR)
        _title(axes, labels.get(topic, topic))
        axes.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True, min_n_ticks=2))
        axes.set_xticks(ticks, tick_labels)
        axes.tick_params(labelsize=TEXT_PT, length=3)
        axes.grid(visible=True, axis="y", alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_ylim(0, top)
        panels[topic] = axes
    if not panels:
        grid.flat[0].set_visible(True)
        grid.flat[0].set_xticks(ticks, tick_labels)
    figure.suptitle(texts.title, fontsize=TITLE_PT, y=1 - 0.08 / height, va="top")
    figure.supylabel(texts.y_label, fontsize=TEXT_PT, x=0.06 / PHONE.figure_width_in, ha="left")
    figure.supxlabel(texts.x_label, fontsize=TEXT_PT, y=0.06 / height, va="bottom")
    figure.legend(
        handles=[Patch(facecolor="#a9c6dc", edgecolor=BAR, hatch="///", label=texts.partial)],
        loc="upper right",
        bbox_to_anchor=(0.99, 1 - 0.4 / height),
        fontsize=TEXT_PT,
        frameon=False,
        handlelength=1.2,
    )
    return ChartDrawing(figure, panels)


def _title(axes: Axes, title: str) -> None:
    """Name a panel, on as many lines as its width needs ("Ракеты і ядзерная зброя")."""
    renderer = axes.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    room = axes.get_window_extent(renderer).width
    for width in range(len(title), 0, -1):
        text = axes.set_title(
            textwrap.fill(title, width, break_long_words=False),
            fontsize=PANEL_PT,
            loc="left",
            pad=3,
        )
        if text.get_window_extent(renderer).width <= room:
            return


def _ticks(days: int, columns: int) -> list[int]:
    """Return the days that get a date under them, counted back from today."""
    step = 4 if columns == 1 else 7
    return sorted(range(days - 1, -1, -step))


def reports_chart(
    series: Mapping[str, Sequence[int]],
    days: Sequence[date],
    *,
    labels: Mapping[str, str],
    texts: ChartTexts,
) -> bytes:
    """Draw the chart and return it as a PNG."""
    drawing = draw_chart(series, days, labels=labels, texts=texts)
    buffer = io.BytesIO()
    drawing.figure.savefig(buffer, format="png", facecolor="white")
    png = buffer.getvalue()
    # The record's threadName shows where the rendering ran (tests check it is not the loop).
    log.debug("chart rendered: %d bytes", len(png))
    return png
