"""Error notices to the owners: once per kind in a while, and a few kinds at most."""

from __future__ import annotations

from bot.runtime.notices import NoticeGate, error_kind


def test_one_kind_does_not_mute_another_nor_flood_the_owners() -> None:
    gate = NoticeGate(every=600.0, most=3)
    forged = error_kind(ValueError("invalid literal for int() with base 10: '²'"))
    real = error_kind(RuntimeError("database is locked"))
    assert gate.allow(forged, 0.0)
    assert not gate.allow(forged, 10.0)  # the same kind again: not told again
    assert gate.allow(real, 20.0)  # another kind still is
    assert gate.allow(error_kind(KeyError("x")), 30.0)
    assert not gate.allow(error_kind(KeyError("y")), 40.0)  # three kinds in ten minutes
    assert gate.allow(forged, 700.0)  # the window moved on


def test_a_kind_ignores_the_numbers_in_its_message() -> None:
    assert error_kind(ValueError("chat 123 not found")) == error_kind(
        ValueError("chat 98765 not found")
    )
    assert error_kind(ValueError("a")) != error_kind(TypeError("a"))
    assert len(error_kind(ValueError("x" * 10_000))) < 300
