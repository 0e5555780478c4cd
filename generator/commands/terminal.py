"""What the command line prints on stderr, and how: quiet or verbose, progress and colour on a terminal only.

- `--quiet`: errors only (no warnings, no progress, no summary line).
- default: warnings grouped by kind (one line for a kind met once; a count, the message and the first place for
  a kind met more often); on a terminal, one progress line per stage with what it made and its seconds.
- `--verbose`: every warning on its own line, and the progress lines everywhere (CI logs too).

Colour only when stderr is a terminal; `NO_COLOR` (set and not empty) turns it off, `FORCE_COLOR` on.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

from ..errors import Level, Problem, printable

QUIET, NORMAL, VERBOSE = -1, 0, 1
_RED, _YELLOW, _DIM, _RESET = "\033[31m", "\033[33m", "\033[2m", "\033[0m"
_WEBHOOKS = re.compile(r" \(webhooks: [^()]*\)$")
_LEVEL = re.compile(r"\b(warning|error)(?:\[[a-z-]+\])?:")


@dataclass(frozen=True)
class Terminal:
    """How much to print on `stream`, and whether in colour."""

    verbosity: int = NORMAL
    stream: TextIO = sys.stderr
    progress: bool = False
    colour: bool = False

    @classmethod
    def open(cls, verbosity: int, stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> Terminal:
        """The terminal for `stream` (stderr): progress and colour only when it is a TTY, unless told otherwise."""
        stream = stream if stream is not None else sys.stderr
        environ = os.environ if environ is None else environ
        tty = stream.isatty()
        colour = not environ.get("NO_COLOR") and (tty or environ.get("FORCE_COLOR", "0") not in ("", "0"))
        progress = verbosity == VERBOSE or (verbosity == NORMAL and tty)
        return cls(verbosity, stream, progress, colour)

    def say(self, text: str) -> None:
        """A `hookgen: ...` line (a summary), unless quiet."""
        if self.verbosity > QUIET:
            print(f"hookgen: {text}", file=self.stream)

    def stage(self, name: str, made: str, seconds: float) -> None:
        """One progress line: the stage, what it made, its seconds (`generator.progress` listener)."""
        if self.progress:
            print(self._dim(f"hookgen: {name:<9} {made:<16} {seconds:7.2f} s"), file=self.stream)

    def problems(self, problems: Sequence[Problem]) -> None:
        """Errors one per line; warnings grouped by kind (each one under --verbose; none under --quiet)."""
        errors = [p for p in problems if p.level is Level.ERROR]
        warnings = sorted(p for p in problems if p.level is Level.WARNING)
        if self.verbosity == VERBOSE:
            lines = [p.render() for p in warnings]
        elif self.verbosity == NORMAL:
            lines = self._grouped(warnings)
        else:
            lines = []
        for line in lines + [p.render() for p in errors]:
            print(self._coloured(line), file=self.stream)

    def error(self, line: str) -> None:
        """A plain error line."""
        print(self._coloured(line), file=self.stream)

    def _grouped(self, warnings: list[Problem]) -> list[str]:
        kinds: dict[str, list[Problem]] = {}
        for problem in warnings:  # a rule's findings are one kind; other warnings, by their message
            kinds.setdefault(problem.rule or _WEBHOOKS.sub("", problem.message), []).append(problem)
        lines = []
        for found in kinds.values():  # in the order of each kind's first place
            first = found[0]
            if len(found) == 1:
                lines.append(first.render())
                continue
            place = f"{first.file}:{first.line}" if first.line is not None else first.file
            label = f"warning[{first.rule}]" if first.rule else "warning"
            said = first.message if first.rule else _WEBHOOKS.sub("", first.message)
            # A spec's keys are free text: a U+001E in a pointer must not split the line (as Problem.render).
            lines.append(
                printable(
                    f"hookgen: {label}: {len(found)} times: {said} "
                    f"(first at {place}: {first.pointer or '/'}; --verbose lists each)"
                )
            )
        return lines

    def _coloured(self, line: str) -> str:
        if not self.colour:
            return line
        return _LEVEL.sub(lambda m: f"{_RED if m[1] == 'error' else _YELLOW}{m[0]}{_RESET}", line, count=1)

    def _dim(self, line: str) -> str:
        return f"{_DIM}{line}{_RESET}" if self.colour else line
