"""`python -m generator` runs the hookgen command line."""

from .commands.cli import run

run()
