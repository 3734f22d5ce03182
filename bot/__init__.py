"""Outpost: watch public sources about military activity and alert Telegram subscribers."""

__version__ = "0.1.0"
