"""Problems found in a spec: values with a level and a place, collected and reported together."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Level(enum.Enum):
    """How bad a problem is: errors stop generation, warnings are reported."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, with the file, line and JSON pointer where it was found."""

    file: str
    line: int | None
    pointer: str
    message: str
    level: Level = Level.ERROR
    webhooks: tuple[str, ...] = ()  # the webhooks whose payloads a model deviation touches

    def render(self) -> str:
        """Format as `FILE:LINE: JSON-POINTER: message` (warnings say so)."""
        place = f"{self.file}:{self.line}" if self.line is not None else self.file
        prefix = "warning: " if self.level is Level.WARNING else ""
        return f"{place}: {self.pointer or '/'}: {prefix}{self.message}"


class SpecError(Exception):
    """Raised when a spec cannot be generated; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.render() for p in problems))
        self.problems = problems


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that stop generation."""
    return [p for p in problems if p.level is Level.ERROR]


def pointer_join(pointer: str, *parts: str | int) -> str:
    """Append escaped reference tokens to a JSON pointer."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return pointer + "".join("/" + token for token in escaped)


def pointer_parts(pointer: str) -> list[str]:
    """Split a JSON pointer into unescaped reference tokens."""
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.lstrip("/").split("/")]
