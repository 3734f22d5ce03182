"""The /status pictures as a phone shows them: the map names the places that matter without
any two names overlapping and explains its circles; the chart shows the reader's topics,
labels its axes and marks today; every letter is big enough on a phone."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.chats.filters import COUNTRY_NAMES
from bot.matching import Place, PlaceIndex, default_catalog, default_places
from bot.ui import charts, maps
from bot.ui.maps import PHONE
from bot.ui.texts import ui_for


def towns(count: int) -> list[Place]:
    """The most populous towns of the gazetteer."""
    found = [place for place in PlaceIndex(default_places()) if place.kind == "town"]
    return sorted(found, key=lambda place: -(place.population or 0))[:count]


def busy_spots(lang: str, *, near: str = "Mazyr") -> list[maps.Spot]:
    """Sixty places, a few named often and most once or twice; the reader filters on one."""
    return [
        maps.Spot(
            town.lat,
            town.lon,
            max(1, round(40 / (n + 1) ** 1.1)),
            town.label(lang),
            filtered=town.id == near,
        )
        for n, town in enumerate(towns(60))
    ]


def boxes(figure: Figure, texts: list[Text]) -> list[Bbox]:
    """Return where texts stand once the figure is laid out as it is saved."""
    figure.draw_without_rendering()  # places the legend
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return [text.get_window_extent(renderer) for text in texts if text.get_text()]


def all_texts(figure: Figure) -> list[Text]:
    """Return the texts a saved figure shows (not the tick labels beyond an axis' limits)."""
    hidden = set()
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return [
        text
        for text in figure.findobj(Text)
        if text.get_text() and text.get_visible() and id(text) not in hidden
    ]


def phone_px(figure: Figure, text: Text) -> float:
    return PHONE.px_of(text.get_fontsize(), figure.get_figwidth())


@pytest.mark.parametrize("lang", ["en", "be", "uk"])
def test_map_names_the_places_that_matter_without_overlap(lang: str) -> None:
    spots = busy_spots(lang)
    ui = ui_for(lang, default_catalog())
    mazyr = next(t for t in towns(60) if t.id == "Mazyr")
    drawing = maps.draw_map(
        spots, texts=maps.map_texts(ui, COUNTRY_NAMES), areas=[maps.Area(mazyr.lat, mazyr.lon, 30)]
    )
    named = drawing.labelled()
    chosen = [f"{spot.label} ({spot.stories})" for spot in maps.choose_labels(spots)]
    assert set(named) <= set(chosen)  # only the chosen places carry names...
    most = sorted(spots, key=lambda spot: -spot.stories)[:6]
    for spot in [*most, next(spot for spot in spots if spot.filtered)]:
        assert f"{spot.label} ({spot.stories})" in named  # ...the busiest and the reader's
    assert len(named) >= 10
    title = drawing.figure.axes[0].title
    drawn = boxes(
        drawing.figure, [*drawing.names, *drawing.neighbours, *drawing.legend_texts, title]
    )
    for first, second in itertools.combinations(drawn, 2):
        assert not first.overlaps(second), (first, second)
    frame = drawing.figure.bbox
    for box in drawn:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 <= frame.y1


def test_map_legend_explains_circles_and_counts() -> None:
    spots = busy_spots("be")
    ui = ui_for("be", default_catalog())
    drawing = maps.draw_map(spots, texts=maps.map_texts(ui, COUNTRY_NAMES))
    legend = [text.get_text() for text in drawing.legend_texts]
    assert legend[0] == ui._("Circle size and (N): stories that named the place")
    assert legend[0] != "Circle size and (N): stories that named the place"  # in Belarusian
    assert legend[1:] == ["1", "20", "40"]  # sample circles up to the busiest place
    assert {text.get_text() for text in drawing.neighbours} == {
        "Украіна",
        "Польшча",
        "Літва",
        "Латвія",
        "Расія",
    }


def test_every_letter_on_the_map_is_readable_on_a_phone() -> None:
    drawing = maps.draw_map(
        busy_spots("uk"), texts=maps.map_texts(ui_for("uk", default_catalog()), COUNTRY_NAMES)
    )
    assert drawing.figure.get_figwidth() * drawing.figure.dpi >= 1000  # sharp on a 3x screen
    small = [t.get_text() for t in all_texts(drawing.figure) if phone_px(drawing.figure, t) < 12]
    assert small == []


def test_the_chosen_names_put_the_readers_places_first() -> None:
    spots = [
        maps.Spot(53.9, 27.56, 40, "Мінск"),
        maps.Spot(52.05, 29.25, 1, "Мазыр", filtered=True),
        maps.Spot(52.4, 31.0, 19, "Гомель"),
    ]
    assert [spot.label for spot in maps.choose_labels(spots, limit=2)] == ["Мазыр", "Мінск"]


def test_no_place_still_draws_a_map() -> None:
    drawing = maps.draw_map([], texts=maps.map_texts(ui_for("ru", default_catalog()), {}))
    assert drawing.labelled() == ()
    assert maps.render(drawing).startswith(b"\x89PNG")


DAYS = [date(2026, 11, 1) + timedelta(days=n) for n in range(14)]


def test_chart_shows_the_readers_topics_with_labelled_axes_and_today_partial() -> None:
    ui = ui_for("be", default_catalog())
    counts = {
        "drills": [n % 4 for n in range(14)],
        "mobilization": [1] * 14,
        "air": [2] * 14,
    }
    shown = charts.topics_to_show(default_catalog().names(), {"drills", "mobilization"}, counts)
    assert shown == ["drills", "mobilization"]
    labels = {name: default_catalog().topic(name).display_name("be") for name in shown}
    drawing = charts.draw_chart(
        {name: counts[name] for name in shown}, DAYS, labels=labels, texts=charts.chart_texts(ui)
    )
    assert list(drawing.panels) == ["drills", "mobilization"]
    figure = drawing.figure
    assert figure._supylabel is not None and figure._supylabel.get_text() == ui._("stories a day")
    assert figure._supxlabel is not None and figure._supxlabel.get_text() == ui._("day (UTC)")
    for name, axes in drawing.panels.items():
        assert axes.get_title(loc="left") == labels[name]
        bars = axes.patches
        assert len(bars) == 14
        assert bars[-1].get_hatch() == "///"  # today: the day is not over
        assert not any(bar.get_hatch() for bar in bars[:-1])
    bottom = list(drawing.panels.values())[-1]  # the panels share the days
    assert bottom.get_xticklabels()[-1].get_text() == ui._("today")
    legend = [text.get_text() for legend in figure.legends for text in legend.get_texts()]
    assert legend == [ui._("today so far")]
    small = [t.get_text() for t in all_texts(figure) if phone_px(figure, t) < 12]
    assert small == []


def test_a_reader_following_nothing_sees_the_topics_that_had_stories() -> None:
    counts = {"drills": [0] * 13 + [1], "air": [0] * 14}
    assert charts.topics_to_show(default_catalog().names(), set(), counts) == ["drills"]


def test_eight_topics_are_small_multiples_in_two_columns() -> None:
    names = default_catalog().names()
    series = {name: [n % 3 for n in range(14)] for name in names}
    drawing = charts.draw_chart(
        series, DAYS, labels={}, texts=charts.chart_texts(ui_for("en", default_catalog()))
    )
    assert len(drawing.panels) == len(names) == 8
    columns = {round(axes.get_position().x0, 2) for axes in drawing.panels.values()}
    assert len(columns) == 2
    figure = drawing.figure
    assert figure.get_figheight() / figure.get_figwidth() < 2  # a phone shows it whole


def test_every_panel_shows_its_highest_bar_whole() -> None:
    """The panels share one scale, set by the busiest day of any topic, not of the first."""
    series = {"drills": [0] * 13 + [1], "deployments": [0] * 12 + [2, 4], "air": [3] + [0] * 13}
    drawing = charts.draw_chart(
        series, DAYS, labels={}, texts=charts.chart_texts(ui_for("en", default_catalog()))
    )
    for name, axes in drawing.panels.items():
        low, high = axes.get_ylim()
        assert low == 0
        assert high >= max(series[name]), (name, high)


@pytest.mark.parametrize("lang", ["en", "ru", "be", "uk"])
def test_chart_texts_fit_and_do_not_overlap(lang: str) -> None:
    catalog = default_catalog()
    series = {name: [n % 5 for n in range(14)] for name in catalog.names()}
    labels = {name: catalog.topic(name).display_name(lang) for name in series}
    drawing = charts.draw_chart(
        series, DAYS, labels=labels, texts=charts.chart_texts(ui_for(lang, catalog))
    )
    texts = all_texts(drawing.figure)
    drawn = boxes(drawing.figure, texts)
    frame = drawing.figure.bbox
    for text, box in zip(texts, drawn, strict=True):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text.get_text()
    for (one, first), (two, second) in itertools.combinations(zip(texts, drawn, strict=True), 2):
        assert not first.overlaps(second), (one.get_text(), two.get_text())


def test_the_readers_place_is_named_even_when_no_story_named_it() -> None:
    spots = [
        maps.Spot(53.9, 27.56, 5, "Мінск"),
        maps.Spot(52.05, 29.25, 0, "Мазыр", filtered=True),  # /near Мазыр, a quiet day
    ]
    drawing = maps.draw_map(spots, texts=maps.map_texts(ui_for("be", default_catalog()), {}))
    assert drawing.labelled() == ("Мазыр", "Мінск (5)")
