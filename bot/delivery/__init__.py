"""Delivery: render alerts as safe Telegram HTML and send the outbox through Telegram."""
