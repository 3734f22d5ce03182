"""A change of a chat's delivery choices: typed fields, the others kept."""

from __future__ import annotations

from dataclasses import fields

from bot.models import KEEP, Delivery, DeliveryChange, DeliveryChoices, QuietMode


def test_a_change_has_one_field_per_choice() -> None:
    assert [f.name for f in fields(DeliveryChange)] == [f.name for f in fields(DeliveryChoices)]
    assert all(getattr(DeliveryChange(), f.name) is KEEP for f in fields(DeliveryChange))


def test_a_change_sets_its_fields_and_keeps_the_rest() -> None:
    chosen = DeliveryChoices(
        delivery=Delivery.DAILY,
        digest_hour=7,
        timezone="Europe/Minsk",
        quiet_start=23,
        quiet_end=7,
        quiet_mode=QuietMode.SILENT,
        quiet_urgent=True,
        link_previews=True,
        thread_id=5,
    )
    assert DeliveryChange().apply(chosen) == chosen
    assert DeliveryChange(digest_hour=9).apply(chosen) == DeliveryChoices(
        delivery=Delivery.DAILY,
        digest_hour=9,
        timezone="Europe/Minsk",
        quiet_start=23,
        quiet_end=7,
        quiet_mode=QuietMode.SILENT,
        quiet_urgent=True,
        link_previews=True,
        thread_id=5,
    )
    # None is a choice, not "unchanged": no quiet hours, the main chat.
    cleared = DeliveryChange(quiet_start=None, quiet_end=None, thread_id=None).apply(chosen)
    assert (cleared.quiet_start, cleared.quiet_end, cleared.thread_id) == (None, None, None)
    assert cleared.quiet_mode is QuietMode.SILENT
