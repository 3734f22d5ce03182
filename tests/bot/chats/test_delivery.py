"""The delivery commands' words become typed changes."""

from __future__ import annotations

from bot.chats.delivery import parse_digest, parse_previews, parse_quiet, parse_timezone
from bot.models import Delivery, DeliveryChange, QuietMode


def test_commands_parse_into_typed_changes() -> None:
    assert parse_digest(["off"]) == DeliveryChange(delivery=Delivery.INSTANT)
    assert parse_digest(["hourly"]) == DeliveryChange(delivery=Delivery.HOURLY)
    assert parse_digest(["daily"]) == DeliveryChange(delivery=Delivery.DAILY)
    assert parse_digest(["Daily", "08:30"]) == DeliveryChange(
        delivery=Delivery.DAILY, digest_hour=8
    )
    assert parse_timezone(["Europe/Minsk"]) == DeliveryChange(timezone="Europe/Minsk")
    assert parse_quiet(["off"]) == DeliveryChange(quiet_start=None, quiet_end=None)
    assert parse_quiet(["23-07", "silent", "urgent"]) == DeliveryChange(
        quiet_start=23, quiet_end=7, quiet_mode=QuietMode.SILENT, quiet_urgent=True
    )
    assert parse_quiet(["22-06"]) == DeliveryChange(
        quiet_start=22, quiet_end=6, quiet_mode=QuietMode.HOLD, quiet_urgent=False
    )
    assert parse_previews(["ON"]) == DeliveryChange(link_previews=True)
