"""Pictures for /status: reports per day per topic. Pure functions returning PNG bytes.

matplotlib is CPU-bound and not thread-safe through pyplot, so these build a `Figure`
object directly (no global pyplot state) and are meant to run in a worker thread.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

log = logging.getLogger(__name__)


def reports_chart(
    series: Mapping[str, Sequence[int]],
    days: Sequence[date],
    *,
    labels: Mapping[str, str],
    title: str,
) -> bytes:
    """Draw one line per topic of reports per day; return a PNG."""
    figure = Figure(figsize=(8, 4.5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    ticks = [day.strftime("%d.%m") for day in days]
    for topic, counts in series.items():
        if any(counts):
            axes.plot(
                ticks, list(counts), marker="o", linewidth=1.8, label=labels.get(topic, topic)
            )
    axes.set_title(title)
    axes.set_ylim(bottom=0)
    axes.grid(visible=True, alpha=0.3)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    png = buffer.getvalue()
    # The record's threadName shows where the rendering ran (tests check it is not the loop).
    log.debug("chart rendered: %d bytes", len(png))
    return png
