"""`python -m bot` runs the `pishran` command line."""

import sys

from bot.cli import main

sys.exit(main())
