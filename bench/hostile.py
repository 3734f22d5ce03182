"""Hostile documents: what a parser bomb costs now, and what the guard costs every document.

Run from the repository root:

    python bench/hostile.py --json [--depth 100000]

Printed figures (seconds, best of three, this process's CPU time):

- `bomb_<kind>_s`: `parse_document` on a document that nests `--depth` elements: a t.me
  channel page, an Atom feed with XHTML content, an RSS feed. Before the nesting guard
  (`bot.pipeline.parse.depth`) the same documents took minutes (t.me, lexbor) and seconds
  (feedparser); see docs/performance.md.
- `guard_<kind>_s`, `guard_<kind>_bytes`: the guard's own scan of an ordinary document of
  that kind (the sample channel page repeated to about 200 KB; a 50-item synthetic feed),
  and `parse_<kind>_s` for the whole parse of the same document, for scale.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.models import SourceKind  # noqa: E402 (needs the path above)
from bot.pipeline.parse import parse_document  # noqa: E402
from bot.pipeline.parse.depth import nesting_depth  # noqa: E402
from sandbox.synthetic import make_feed  # noqa: E402

SAMPLES = ROOT / "sandbox" / "samples"


def best(work: Callable[[], object], runs: int = 3) -> float:
    """Return the least CPU time of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return round(min(times), 4)


def bombs(depth: int) -> dict[str, tuple[bytes, SourceKind]]:
    """Documents nesting `depth` elements, one of each kind a source can serve."""
    nested = b"<div>" * depth + b"x" + b"</div>" * depth
    return {
        "telegram": (
            b'<html><body><div class="tgme_widget_message" data-post="b/1">'
            b'<div class="tgme_widget_message_text">' + nested + b"</div></div></body></html>",
            SourceKind.TELEGRAM,
        ),
        "atom": (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id>'
            b'<title>t</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            + nested
            + b"</div></content></entry></feed>",
            SourceKind.RSS,
        ),
        "rss": (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item>'
            b"<guid>1</guid><title>t</title><x>"
            + nested.replace(b"div", b"x")
            + b"</x></item></channel></rss>",
            SourceKind.RSS,
        ),
    }


def ordinary() -> dict[str, tuple[bytes, SourceKind, bool]]:
    """Documents as sources serve them, for the guard's cost on every poll."""
    page = (SAMPLES / "channel_be.html").read_bytes()
    head, _, rest = page.partition(b'<div class="tgme_widget_message_wrap')
    body, _, tail = rest.rpartition(b"</section>")
    repeated = head + (b'<div class="tgme_widget_message_wrap' + body) * 25 + b"</section>" + tail
    return {
        "telegram": (repeated, SourceKind.TELEGRAM, True),
        "rss": (make_feed(1, 50), SourceKind.RSS, False),
    }


def bench(depth: int) -> dict[str, Any]:
    """Measure the bombs and the guard's cost."""
    figures: dict[str, Any] = {"depth": depth}
    for name, (body, kind) in bombs(depth).items():
        figures[f"bomb_{name}_s"] = best(
            lambda body=body, kind=kind: parse_document(
                body, kind=kind, content_type=None, base_url="https://t.me/s/b"
            )
        )
    for name, (body, kind, html) in ordinary().items():
        figures[f"guard_{name}_bytes"] = len(body)
        figures[f"guard_{name}_s"] = best(
            lambda body=body, html=html: nesting_depth(body, html=html)
        )
        figures[f"parse_{name}_s"] = best(
            lambda body=body, kind=kind: parse_document(
                body, kind=kind, content_type=None, base_url="https://t.me/s/b"
            )
        )
    return figures


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object (the default)")
    parser.add_argument("--depth", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(bench(args.depth)))


if __name__ == "__main__":
    main()
