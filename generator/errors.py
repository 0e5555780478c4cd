"""Problems and errors: every way hookgen reports something wrong.

A `Problem` is a value: a level, a file, a line and a JSON pointer. Stages return them beside their result;
the pipeline raises once there is an error among them. Every exception hookgen raises on purpose is a
`HookgenError`, and the command line catches that root alone:

    HookgenError
    ├── SpecError          the spec cannot be generated (located problems)
    ├── ConfigError        `[tool.hookgen]` or a command-line value is wrong
    ├── OutputError        what would be written, or read back, is not hookgen's to touch
    └── MissingExtraError  a command needs an extra (optional dependencies) that is not installed
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class Level(enum.Enum):
    """How bad a problem is: errors stop generation, warnings are reported."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem, with the file, line and JSON pointer where it was found."""

    file: str
    line: int | None
    pointer: str
    message: str
    level: Level = Level.ERROR
    webhooks: tuple[str, ...] = ()  # the webhooks whose payloads a model deviation touches
    rule: str = ""  # the id of the lint rule that found it (spec/rules.py), if one did

    def __lt__(self, other: Problem) -> bool:
        """Problems sort by file, line (a problem without one first), pointer, message, level and rule."""
        return self._order() < other._order()

    def _order(self) -> tuple[str, int, str, str, str, tuple[str, ...], str]:
        line = -1 if self.line is None else self.line
        return (self.file, line, self.pointer, self.message, self.level.value, self.webhooks, self.rule)

    def render(self) -> str:
        """Format as `FILE:LINE: JSON-POINTER: message` (warnings, and a rule's findings, say so) on one line."""
        place = f"{self.file}:{self.line}" if self.line is not None else self.file
        prefix = "warning: " if self.level is Level.WARNING else ""
        if self.rule:
            prefix = f"{self.level.value}[{self.rule}]: "
        # A spec's keys and values are free text: a newline or a U+2028 in one must not split a problem's line.
        return printable(f"{place}: {self.pointer or '/'}: {prefix}{self.message}")


class HookgenError(Exception):
    """The root of every error hookgen reports: located problems, or one plain message."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        self.problems = [] if isinstance(problems, str) else list(problems)
        self.message = problems if isinstance(problems, str) else None
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """What a user reads: one line per problem."""
        if self.message is not None:
            return [f"hookgen: error: {self.message}"]
        return [problem.render() for problem in self.problems]


class SpecError(HookgenError):
    """The spec cannot be generated; carries every problem found."""


class ConfigError(HookgenError):
    """The configuration (`[tool.hookgen]`, a command-line value) cannot be used."""


class OutputError(HookgenError):
    """A file or folder hookgen would write or read back is not one it may touch, or cannot be read."""


class MissingExtraError(HookgenError):
    """A command needs an extra (`hookgen[fidelity]`, `hookgen[listen]`) that is not installed."""


def printable(text: str) -> str:
    """Text with every unprintable character (a line break, U+2028, NUL, ESC) written as its escape (`\\x00`)."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def errors(problems: Sequence[Problem]) -> list[Problem]:
    """The problems that stop generation."""
    return [p for p in problems if p.level is Level.ERROR]


def raise_on_errors(problems: Sequence[Problem]) -> None:
    """Raise SpecError, carrying every problem (warnings too), when any is an error."""
    if errors(problems):
        raise SpecError(problems)
