"""Cut the single models module into groups: the classes reached by the same set of webhooks share a module.

A receiver that serves one webhook then imports only the groups its body reaches. A class used by the webhooks W
refers only to classes whose webhooks include W, so a group imports only groups of larger sets: no import cycle,
and the classes of one reference cycle always share a group.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from .codegen import ENUM_BASES
from .imports import Imported, import_block, imported

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The module of the classes no webhook's body reaches.
UNREACHED = "_unreached"


@dataclass(frozen=True)
class ModelGroup:
    """One module of the models package: the webhooks whose bodies reach its classes, and its source."""

    module: str
    webhooks: tuple[str, ...]  # keys, in the spec's order
    classes: tuple[str, ...]
    code: str


@dataclass(frozen=True)
class _Statement:
    """A top-level statement of the models module other than an import: what it defines and refers to."""

    source: str
    defines: tuple[str, ...]
    refers: frozenset[str]  # what splitting follows (`_names`)
    uses: frozenset[str]  # what the module must import for it (`_names`)
    bases: frozenset[str] = frozenset()  # the names a class definition's bases refer to


@dataclass(frozen=True)
class ModuleStatements:
    """What splitting reads of a piece of the models module: the names its imports bind, as the subpackage imports
    them, and the other top-level statements in order."""

    imports: tuple[Imported, ...]
    statements: tuple[_Statement, ...]

    def __add__(self, other: ModuleStatements) -> ModuleStatements:
        return ModuleStatements(self.imports + other.imports, self.statements + other.statements)


def module_statements(code: str) -> ModuleStatements:
    """The imports and statements of models code (one `ast.parse`: on GitHub's 3 MB of models, about a second)."""
    tree = ast.parse(code)
    lines = _LINE_BREAK.split(code)  # Python's line breaks only: `str.splitlines` also breaks at \x1e or \u2028
    # As the subpackage imports them: a relative import climbs one more level.
    imports = [
        name for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom) for name in imported(node, 1)
    ]
    return ModuleStatements(
        tuple(imports), tuple(_statement(node, lines) for node in tree.body if not _is_header(node))
    )


# Where datamodel-code-generator's models module can be cut into pieces that parse alone: before a class that follows
# two blank lines (a top-level statement: inside a class every line is indented, and no string spans lines).
_CLASS_AFTER_BLANK_LINES = "\n\n\nclass "


def pieces(code: str, count: int) -> list[str]:
    """The models code cut into at most `count` pieces of about equal size, each but the first starting at a class that
    follows two blank lines: `module_statements` of each, added in order, are those of the whole."""
    cuts = [0]
    for index in range(1, count):
        at = code.find(_CLASS_AFTER_BLANK_LINES, max(len(code) * index // count, cuts[-1]))
        if at == -1:
            break
        cuts.append(at + len(_CLASS_AFTER_BLANK_LINES) - len("class "))
    cuts.append(len(code))
    return [code[start:end] for start, end in pairwise(cuts) if end > start]


def split_models(
    code: str, bodies: Sequence[tuple[str, str, Sequence[str]]], read: ModuleStatements | None = None
) -> tuple[ModelGroup, ...]:
    """The groups of the models `code`, given each webhook's key, Python name and body model names, in order.

    A group of one webhook is named after it (`_webhook_NAME`), one of several `_shared_N` in order of appearance.
    `read` is `module_statements(code)` when already made (models/child.py reads its last pieces in its child process).
    """
    read = read or module_statements(code)
    imports, statements = list(read.imports), list(read.statements)
    defined = {name: index for index, statement in enumerate(statements) for name in statement.defines}
    reached = _reached_by(statements, defined, [(name, roots) for _, name, roots in bodies])
    keys = {name: key for key, name, _ in bodies}
    owner = {name: reached.get(name, ()) for name in defined}
    modules = _module_names(statements, owner)
    grouped: dict[tuple[str, ...], list[_Statement]] = {}
    for statement in statements:
        grouped.setdefault(_webhooks_of(statement, owner), []).append(statement)
    grouped = {webhooks: _enums_first(members) for webhooks, members in grouped.items()}
    rebuilt = _rebuilt_bases(list(grouped.values()))
    return tuple(
        ModelGroup(
            module=modules[webhooks],
            webhooks=tuple(keys[name] for name in webhooks),
            classes=tuple(name for statement in members for name in statement.defines),
            code=_group_code(members, imports, owner, modules, rebuilt),
        )
        for webhooks, members in grouped.items()
    )


def _enums_first(members: list[_Statement]) -> list[_Statement]:
    """A module's enum classes first, in their order: a field's default may be an enum's member (`= Status.ACTIVE`),
    which the class body evaluates, and datamodel-code-generator orders classes as if only bases were read then."""
    return sorted(members, key=lambda statement: not statement.bases & ENUM_BASES)


def _is_header(node: ast.stmt) -> bool:
    value = node.value if isinstance(node, ast.Expr) else None
    docstring = isinstance(value, ast.Constant) and isinstance(value.value, str)
    return docstring or isinstance(node, ast.Import | ast.ImportFrom)


def _statement(node: ast.stmt, lines: list[str]) -> _Statement:
    first = min([node.lineno, *(decorator.lineno for decorator in getattr(node, "decorator_list", ()))])
    source = "\n".join(lines[first - 1 : node.end_lineno])
    if isinstance(node, ast.ClassDef | ast.FunctionDef):
        defines: tuple[str, ...] = (node.name,)
    elif isinstance(node, ast.Assign):
        defines = tuple(target.id for target in node.targets if isinstance(target, ast.Name))
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        defines = (node.target.id,)
    else:
        defines = ()
    bases = frozenset(name for base in getattr(node, "bases", ()) for name in _names(base)[0])
    refers, uses = _names(node)
    return _Statement(
        source, defines, frozenset(refers.difference(defines)), frozenset(uses.difference(defines)), bases
    )


# Where a node stands: outside any annotation, inside one as a type, or inside one as a value (an argument of a call,
# the values of a `Literal`).
_OUTSIDE, _TYPE, _VALUE = 0, 1, 2


def _names(node: ast.AST) -> tuple[set[str], set[str]]:
    """The names a statement refers to, and those its code uses.

    Both hold its `Name`s. The first also holds every identifier written as a string in an annotation: a forward
    reference, but also a `Literal` value or a `Field` title, which splitting has always followed. The second holds
    only the strings that stand as types, as ruff reads them when it decides whether an import is used.
    One walk over the tree (`ast.walk` twice over a 3 MB module took over a second): each node is taken with where it
    stands.
    """
    names: set[str] = set()
    strings: set[str] = set()  # identifiers written as strings in annotations, but not as types
    types: set[str] = set()  # identifiers written as strings that stand as types
    stack: list[tuple[ast.AST, int]] = [(node, _OUTSIDE)]
    while stack:
        current, place = stack.pop()
        if isinstance(current, ast.Name):
            names.add(current.id)
            continue
        if isinstance(current, ast.Constant):
            if place and isinstance(current.value, str) and current.value.isidentifier():
                (types if place == _TYPE else strings).add(current.value)
            continue
        annotated = isinstance(current, ast.AnnAssign)
        valued = place == _TYPE and (isinstance(current, ast.Call) or _is_literal(current))
        for field in current._fields:
            child = getattr(current, field, None)
            inside = _TYPE if annotated and field == "annotation" else _VALUE if valued and field in _VALUED else place
            if isinstance(child, ast.AST):
                stack.append((child, inside))
            elif isinstance(child, list):
                stack.extend((item, inside) for item in child if isinstance(item, ast.AST))
    return names | strings | types, names | types


_VALUED = frozenset({"args", "keywords", "slice"})  # the fields of a call or a `Literal` that hold values


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal"


def _reached_by(
    statements: list[_Statement], defined: Mapping[str, int], roots: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, tuple[str, ...]]:
    """For each class, the Python names of the webhooks whose bodies reach it, in the spec's order."""
    reached: dict[str, list[str]] = {}
    for key, names in roots:
        stack = [name for name in names if name in defined]
        seen: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            reached.setdefault(name, []).append(key)
            stack.extend(ref for ref in statements[defined[name]].refers if ref in defined and ref not in seen)
    return {name: tuple(keys) for name, keys in reached.items()}


def _webhooks_of(statement: _Statement, owner: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The webhooks of a statement's group: of what it defines, else of the first class it refers to."""
    if statement.defines:
        return owner[statement.defines[0]]
    known = sorted(name for name in statement.refers if name in owner)
    return owner[known[0]] if known else ()


def _module_names(statements: list[_Statement], owner: Mapping[str, tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """A module name for each set of webhooks: the webhook's name for one, else numbered in order of appearance."""
    names: dict[tuple[str, ...], str] = {}
    shared = 0
    for statement in statements:
        webhooks = _webhooks_of(statement, owner)
        if webhooks in names:
            continue
        if not webhooks:
            names[webhooks] = UNREACHED
        elif len(webhooks) == 1:
            names[webhooks] = f"_webhook_{webhooks[0]}"
        else:
            shared += 1
            names[webhooks] = f"_shared_{shared}"
    return names


def _group_code(
    members: list[_Statement],
    imports: list[Imported],
    owner: Mapping[str, tuple[str, ...]],
    modules: Mapping[tuple[str, ...], str],
    rebuilt: frozenset[str],
) -> str:
    """A group's source: the imports it uses (`uses`; ruff would remove any other), other groups' classes, its own."""
    own = {name for statement in members for name in statement.defines}
    used = set().union(*(statement.uses for statement in members))
    needed: dict[str, set[str]] = {}
    for statement in members:
        for name in statement.uses:
            if name in owner and name not in own:
                needed.setdefault(modules[owner[name]], set()).add(name)
    names = [Imported("__future__", "annotations")]
    names += [name for name in imports if name.bound in used or name.module == "__future__" or name.name == "*"]
    names += [Imported(f".{module}", name) for module, classes in needed.items() for name in classes]
    rebuilds = [f"{name}.model_rebuild()" for statement in members for name in statement.defines if name in rebuilt]
    code = import_block(names) + "\n\n\n" + "\n\n\n".join(statement.source for statement in members) + "\n"
    return code + ("\n\n" + "\n".join(rebuilds) + "\n" if rebuilds else "")


def _rebuilt_bases(groups: list[list[_Statement]]) -> frozenset[str]:
    """The classes to rebuild at the end of their module: those that may be incomplete there and that a class of
    another module derives from.

    Pydantic completes a class that names a class defined after it on its first use, in its own module's names; a
    subclass in another module would read the inherited fields in its own module's names, which lack them.
    A class may be incomplete when it names a class of its module defined at or after it, or one that may be.
    """
    position = {
        name: (index, at) for index, group in enumerate(groups) for at, s in enumerate(group) for name in s.defines
    }
    statements = [statement for group in groups for statement in group]
    incomplete: set[str] = set()
    changed = True
    while changed:
        changed = False
        for statement in statements:
            for name in statement.defines:
                group, at = position[name]
                later = any(
                    ref in position and position[ref][0] == group and position[ref][1] >= at for ref in statement.refers
                )
                if name not in incomplete and (later or statement.refers & incomplete):
                    incomplete.add(name)
                    changed = True
    derived = {
        base
        for s in statements
        for name in s.defines
        for base in s.bases
        if base in position and position[base][0] != position[name][0]
    }
    return frozenset(incomplete & derived)
