"""`python -m generator` runs the hookgen command line."""

from .commands.cli import main

raise SystemExit(main())
