"""The import block of a models module, with only the names it uses, sorted and wrapped as ruff's isort writes it.

render/write.py still runs `ruff check --select I,F401 --fix` over the package, which keeps the last word: a block
already in its form leaves it nothing to fix, and ruff reads a file with nothing to fix once, where a file with fixes is
read again until none is left (on GitHub's 340 model modules 0.13 s instead of 0.68 s). A block this module sorts
otherwise than ruff is only slower, never different: ruff sorts it.

ruff's isort as hookgen runs it (no configuration but `split-on-trailing-comma = false`): sections future, standard
library, third party, then relative imports, one blank line apart; in a section `import x` lines before `from` lines,
modules in natural order (`_shared_2` before `_shared_10`), case ignored first, the furthest relative import first;
the names of a `from` import constants first, then classes, then the rest, each in natural order; `a as b` on a line of
its own; a line longer than 120 characters wrapped one name per line.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

LINE_LENGTH = 120
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Imported:
    """One name an import binds: `from MODULE import NAME as ALIAS`, or `import NAME` (module "")."""

    module: str  # with its leading dots when relative
    name: str
    alias: str = ""

    @property
    def bound(self) -> str:
        """The name the import binds in the module."""
        return self.alias or (self.name if self.module else self.name.split(".", maxsplit=1)[0])


def imported(node: ast.Import | ast.ImportFrom, climb: int = 0) -> list[Imported]:
    """The names an import statement binds; a relative one climbs `climb` more levels (a module moved one deeper)."""
    if isinstance(node, ast.Import):
        return [Imported("", alias.name, alias.asname or "") for alias in node.names]
    level = node.level + climb if node.level else 0
    module = "." * level + (node.module or "")
    return [Imported(module, alias.name, alias.asname or "") for alias in node.names]


def import_block(names: Iterable[Imported]) -> str:
    """The import lines of `names` (each once), sectioned, sorted and wrapped as ruff's isort writes them."""
    sections: dict[int, list[tuple[tuple[object, ...], str]]] = {}
    for module, members in _by_module(names).items():
        for statement in _statements(module, members):
            sections.setdefault(_section(module), []).append(statement)
    ordered = (sorted(sections[section], key=lambda statement: statement[0]) for section in sorted(sections))
    return "\n\n".join("\n".join(line for _, line in statements) for statements in ordered)


def _by_module(names: Iterable[Imported]) -> dict[str, list[Imported]]:
    by_module: dict[str, list[Imported]] = {}
    for name in dict.fromkeys(names):
        by_module.setdefault(name.module, []).append(name)
    return by_module


def _statements(module: str, members: list[Imported]) -> list[tuple[tuple[object, ...], str]]:
    """The lines importing `members` of `module`, each with its sort key in its section."""
    if not module:
        return [((0, *_module_key(member.name), ()), _straight(member)) for member in members]
    plain = sorted((member for member in members if not member.alias), key=_member_key)
    aliased = [[member] for member in sorted((member for member in members if member.alias), key=_member_key)]
    groups = ([plain] if plain else []) + aliased
    level = len(module) - len(module.lstrip("."))
    return [
        ((1, -level, *_module_key(module.lstrip(".")), _member_key(group[0])), _from_line(module, group))
        for group in groups
    ]


def _straight(member: Imported) -> str:
    return f"import {member.name}" + (f" as {member.alias}" if member.alias else "")


def _from_line(module: str, members: list[Imported]) -> str:
    names = [member.name + (f" as {member.alias}" if member.alias else "") for member in members]
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    return f"from {module} import (\n" + "".join(f"    {name},\n" for name in names) + ")"


def _section(module: str) -> int:
    top = module.split(".", maxsplit=1)[0]
    if module.startswith("."):
        return 3
    if top == "__future__":
        return 0
    return 1 if top in sys.stdlib_module_names else 2


def _module_key(module: str) -> tuple[object, ...]:
    return (_natural(module.lower()), _natural(module))


def _member_key(member: Imported) -> tuple[object, ...]:
    name = member.name
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return (kind, _natural(name.lower()), _natural(name), member.alias)


def _natural(text: str) -> tuple[object, ...]:
    """`text` ordered naturally: its runs of digits as numbers."""
    return tuple(int(part) if index % 2 else part for index, part in enumerate(_DIGITS.split(text)))


__all__ = ["Imported", "LINE_LENGTH", "import_block", "imported"]
