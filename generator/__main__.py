"""`python -m generator` runs the hookgen command line."""

from .cli import main

raise SystemExit(main())
