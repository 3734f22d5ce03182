"""Sources for tests: the packaged samples added the way an admin adds them, small feeds."""

from __future__ import annotations

from bot.admin.intake import add_source
from bot.context import Core
from bot.models import SourceKind
from bot.pipeline.cycle import run_cycle
from sandbox import SourceServer
from tests.helpers.paths import SAMPLES

EMPTY_RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
EMPTY_ATOM = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>'
EMPTY_CHANNEL = b'<html><body><div class="tgme_channel_info"></div></body></html>'


async def add_samples(core: Core, server: SourceServer) -> None:
    """Store the three sample sources, let their (empty) first poll pass, then serve posts.

    A new source's first poll stores what it finds without alerting, so the sources are
    added while still empty: the sample posts then arrive as news.
    """
    samples = [
        ("rss/news_ru.rss", "news_ru.rss", SourceKind.RSS, "Новости Полесья", EMPTY_RSS),
        ("atom/analysis_en.atom", "analysis_en.atom", SourceKind.RSS, "Posture Notes", EMPTY_ATOM),
        ("s/belwatch_demo", "channel_be.html", SourceKind.TELEGRAM, "Belarus Watch", EMPTY_CHANNEL),
    ]
    for path, _, kind, name, empty in samples:
        url = server.add(path, empty)
        await add_source(
            core.db, url, now=core.clock.now(), allow_private=True, name=name, kind=kind
        )
    primed = await run_cycle(core.pipeline, all_sources=True)
    assert primed.new_events == 0
    for path, file_name, *_ in samples:
        server.add_file(path, SAMPLES / file_name)


def rss(*items: tuple[str, str], ttl: int | None = None) -> bytes:
    """Render an RSS 2.0 feed of (guid, title) items."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://n.example.org/{guid}</link><description>{title}</description></item>"
        for guid, title in items
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl is not None else ""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{ttl_tag}'
        f"{body}</channel></rss>"
    ).encode()


DRILLS = [(f"d{i}", f"Учения войск у Ельска, день {i}") for i in range(1, 6)]
