"""`python -m bot`: the `outpost` command line."""

import sys

from bot.cli import main

sys.exit(main())
