"""Split Outpost's own labelled corpus into a tuning part and a locked part, by page.

Items cut from one page share its URL and go to the same part, so the locked part never
holds a sentence whose neighbour was tuned on. The bucket is a hash of the URL, so the
split does not depend on file order and an item added later lands in a stable part.

    python scripts/split_corpus.py tests/data/corpus/{tune,locked}.jsonl NEW.jsonl

(re-)writes tests/data/corpus/tune.jsonl (about 60%) and tests/data/corpus/locked.jsonl
(that first locked part is now tune4.jsonl; see tests/data/corpus/README.md).
Tune on the first; only score on the second (bench/quality.py --corpus). If you study the
locked part's errors, move those items into the tuning part and write fresh locked ones.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

LOCKED_PERCENT = 40
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "corpus"


def locked(url: str) -> bool:
    """Tell whether the page at this URL belongs to the locked part."""
    return int(hashlib.sha256(url.encode()).hexdigest(), 16) % 100 < LOCKED_PERCENT


def main(paths: list[str]) -> None:
    """Read every item of the given files and write the two parts."""
    rows = [json.loads(line) for path in paths for line in Path(path).read_text().splitlines()]
    parts: dict[str, list[str]] = {"tune": [], "locked": []}
    for row in rows:
        part = "locked" if locked(row["url"]) else "tune"
        parts[part].append(json.dumps(row, ensure_ascii=False))
    for name, lines in parts.items():
        (OUT / f"{name}.jsonl").write_text("".join(line + "\n" for line in lines))
        print(f"{name}: {len(lines)} items")


if __name__ == "__main__":
    main(sys.argv[1:])
