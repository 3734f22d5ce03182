"""What a worker process sends back rebuilds into exactly what it worked out."""

from __future__ import annotations

import pickle

from bot.matching import default_matcher
from bot.pipeline.workers import analyse, pack, unpack

POSTS = [
    ("Колонна техники у Ельска", "Колонна из 28 грузовиков Урал прошла через Ельск к границе."),
    ("Учение Аристотеля", "Лекция об учении Аристотеля прошла в университете."),
    ("Drills", "Drills near Asipovichy and Brest; 12 tanks moved to the Polish border."),
    ("", "Пустой заголовок, но текст есть."),
]


def test_packed_analyses_survive_the_trip_between_processes() -> None:
    analyses = analyse(default_matcher(), POSTS)
    assert any(found.hits for found, _, _ in analyses)
    assert any(found.notes for found, _, _ in analyses)
    assert any(found.border_km for found, _, _ in analyses)
    for analysis in analyses:
        sent = pickle.dumps(pack(analysis))
        assert unpack(pickle.loads(sent)) == analysis  # noqa: S301 -- our own bytes
