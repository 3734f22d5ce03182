"""Where the tests' inputs live: `tests/data` and the sandbox's packaged sample sources."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
DATA = PROJECT / "tests" / "data"
SAMPLES = Path(str(resources.files("sandbox") / "samples"))
