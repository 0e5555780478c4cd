"""The words of union members, written where datamodel-code-generator drops them.

A union branch beside its `$ref` (Paddle's `data: {oneOf: [{$ref: report-adjustments, title: Adjustments reports,
description: ...}, ...]}`), a nested union with its own title (Polar's `discount: {anyOf: [{oneOf: [...], title:
OrderDiscount}, {type: null}], title: Discount}`), or the union of a list's items (`items: {oneOf: [...], title:
Benefit}`) makes no class of its own: datamodel-code-generator types the field `A | B | None` and its words are lost.
Pydantic writes the words of an annotated member beside it (`{$ref: A, title: ...}`, a nested `anyOf` with its title),
so the member is written `Annotated[A, Field(title=...)]` (`Annotated[A | B, Field(...)]` for a nested union): the
provider's document says what the spec says, and the field accepts exactly what it accepted.

Each class is read alone (as `codegen.with_checks` does), and only the classes with such words are parsed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..render.escape import python_literal
from ..spec.walk import component_ref_name

# The words a member can carry, as Pydantic's `Field` names them; a branch's `example` is written as `examples`.
_MEMBER_WORDS = ("title", "description", "examples")
# What a branch holds besides its `$ref` or union for its words to be placed on a member (no validating keyword).
_BESIDE = frozenset(
    {"title", "description", "examples", "example", "deprecated", "readOnly", "writeOnly", "x-title", "x-description"}
)
_X_COPIES = frozenset({"x-title", "x-description", "x-examples", "x-example"})


@dataclass(frozen=True)
class MemberWords:
    """The words of a group of union members of one field: its members' class names, in order, and their words.

    `items` places the group in the field's list items (the whole union of the list's items).
    """

    field: str  # the property's name in JSON
    members: tuple[str, ...]
    words: tuple[tuple[str, Any], ...]
    items: bool = False


def member_words(schemas: Mapping[str, Any], class_names: Mapping[str, str]) -> dict[str, list[MemberWords]]:
    """The member words of each class's fields, by class name, from the schema that makes each class."""
    found: dict[str, list[MemberWords]] = {}
    for name, schema in schemas.items():
        words = [word for field, value in _properties(schema) for word in _groups(field, value, class_names)]
        if words:
            found[name] = words
    return found


def _properties(schema: Any) -> list[tuple[str, Any]]:
    """A class schema's own properties, those of the inline `allOf` branches merged into it too."""
    if not isinstance(schema, dict):
        return []
    own = schema.get("properties")
    found = list(own.items()) if isinstance(own, dict) else []
    for branch in schema.get("allOf") or []:
        if isinstance(branch, dict) and "$ref" not in branch:
            found += _properties(branch)
    return found


def _groups(field: str, schema: Any, class_names: Mapping[str, str]) -> list[MemberWords]:
    if not isinstance(schema, dict):
        return []
    groups = []
    for keyword in ("anyOf", "oneOf"):
        for branch in schema.get(keyword) or []:
            members = _members(branch, class_names)
            words = _words(branch, schema)
            if members and words:
                groups.append(MemberWords(field, members, words))
    items = schema.get("items")
    members = _members(items, class_names)
    words = _words(items, {})
    if members and words:
        groups.append(MemberWords(field, members, words, items=True))
    return groups


def _members(branch: Any, class_names: Mapping[str, str]) -> tuple[str, ...]:
    """The classes a branch is typed by: its `$ref`'s, or those of a union of bare `$ref`s; else none."""
    if not isinstance(branch, dict):
        return ()
    if "$ref" in branch:
        refs = [branch] if not set(branch) - _BESIDE - _X_COPIES - {"$ref"} else []
    else:
        keyword = [key for key in ("anyOf", "oneOf") if key in branch]
        if len(keyword) != 1 or set(branch) - _BESIDE - _X_COPIES - set(keyword):
            return ()
        refs = branch[keyword[0]] if isinstance(branch[keyword[0]], list) else []
        if not all(isinstance(ref, dict) and set(ref) == {"$ref"} for ref in refs):
            return ()
    names = tuple(class_names.get(component_ref_name(ref["$ref"]) or "", "") for ref in refs)
    return names if names and all(names) else ()


def _words(branch: Any, field: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The words of a branch that the field does not say itself (a word lifted to it is written there already)."""
    if not isinstance(branch, dict):
        return ()
    said = dict(branch)
    if "example" in said and "examples" not in said:
        said["examples"] = [said["example"]]
    return tuple((key, said[key]) for key in _MEMBER_WORDS if key in said and field.get(key) != said[key])


_CLASS = re.compile(r"class ([A-Za-z_]\w*)\b")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def with_member_words(code: str, words: Mapping[str, list[MemberWords]]) -> str:
    """The models' code with each group of union members that has words written `Annotated[members, Field(...)]`.

    Only where the module imports `Annotated` and `Field` under those names; a group not found as written (another
    order, another type) or that is the field's whole type is left as it is.
    """
    if not words:
        return code
    annotated, field = _imported_names(code)
    if annotated is None or field is None:
        return code
    lines = _LINE.findall(code)
    tops = [index for index, line in enumerate(lines) if line[:1].strip()]
    for position, start in enumerate(tops):
        head = _CLASS.match(lines[start])
        if head is None or head.group(1) not in words:
            continue
        end = tops[position + 1] if position + 1 < len(tops) else len(lines)
        block = "".join(lines[start:end])
        rewritten = _rewritten(block, words[head.group(1)], lambda text, said: f"{annotated}[{text}, {field}({said})]")
        if rewritten != block:
            lines[start:end] = [rewritten] + [""] * (end - start - 1)
    return "".join(lines)


def _imported_names(code: str) -> tuple[str | None, str | None]:
    """Whether the module imports `typing.Annotated` and `pydantic.Field` (and defines neither name itself)."""
    if re.search(r"^(?:class |)(?:Annotated|Field)\b", code, re.MULTILINE):
        return None, None
    header = re.search(r"^(?:class|[A-Za-z_]\w* *[:=])", code, re.MULTILINE)
    imported = {
        (node.module, alias.name): alias.asname or alias.name
        for node in ast.parse(code[: header.start()] if header else code).body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    annotated = imported.get(("typing", "Annotated")) or imported.get(("typing_extensions", "Annotated"))
    field = imported.get(("pydantic", "Field"))
    return (annotated, field) if annotated == "Annotated" and field == "Field" else (None, None)


def _rewritten(block: str, groups: list[MemberWords], wrap: Callable[[str, str], str]) -> str:
    try:
        statements = ast.parse(block).body
    except SyntaxError:
        return block
    node = statements[0] if len(statements) == 1 else None
    if not isinstance(node, ast.ClassDef):
        return block
    fields = {_json_name(statement): statement.annotation for statement in _fields(node)}
    lines = _LINE.findall(block)  # Python's line breaks only, as `ast` counts lines
    spans = []
    for group in groups:
        annotation = fields.get(group.field)
        found = _span(annotation, group) if annotation is not None else None
        if found is not None:
            said = ", ".join(f"{key}={python_literal(value)}" for key, value in group.words)
            spans.append((_offset(lines, found[0]), _offset(lines, found[1]), said))
    for start, end, said in sorted(spans, reverse=True):
        block = block[:start] + wrap(block[start:end], said) + block[end:]
    return block


def _fields(node: ast.ClassDef) -> list[ast.AnnAssign]:
    return [s for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]


def _json_name(statement: ast.AnnAssign) -> str:
    """A field's name in JSON: its `alias`, else its own name."""
    assert isinstance(statement.target, ast.Name)
    for call in ast.walk(statement.annotation):
        if isinstance(call, ast.Call):
            for keyword in call.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return statement.target.id


def _span(annotation: ast.expr, group: MemberWords) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Where the group's members stand in a field's annotation: (line, byte column) of their start and end."""
    typed = annotation
    if isinstance(typed, ast.Subscript) and isinstance(typed.value, ast.Name) and typed.value.id == "Annotated":
        typed = typed.slice.elts[0] if isinstance(typed.slice, ast.Tuple) else typed.slice
    members = _union(typed)
    if group.items:
        lists = [m for m in members if isinstance(m, ast.Subscript) and getattr(m.value, "id", None) == "list"]
        if len(lists) != 1:
            return None
        members = _union(lists[0].slice)
        if [getattr(m, "id", None) for m in members] != list(group.members):
            return None
        return (members[0].lineno, members[0].col_offset), _end(members[-1])
    names = [getattr(member, "id", None) for member in members]
    size = len(group.members)
    if size == len(names):  # the whole type: its words would be the field's own (Pydantic merges the two `Field`s)
        return None
    for index in range(len(names) - size + 1):
        if tuple(names[index : index + size]) == group.members:
            return (members[index].lineno, members[index].col_offset), _end(members[index + size - 1])
    return None


def _end(node: ast.expr) -> tuple[int, int]:
    assert node.end_lineno is not None and node.end_col_offset is not None
    return node.end_lineno, node.end_col_offset


def _union(node: ast.expr) -> list[ast.expr]:
    """The members of `A | B | C`, in order (one member for anything else)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union(node.left), *_union(node.right)]
    return [node]


def _offset(lines: list[str], at: tuple[int, int]) -> int:
    """The offset in the block's text of a (line, UTF-8 byte column) position, as `ast` gives it."""
    line, column = at
    before = sum(len(text) for text in lines[: line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:column].decode("utf-8"))
