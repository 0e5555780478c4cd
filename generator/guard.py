"""Where a Pydantic model cannot say what the contract says, the body model asks the contract itself.

Some JSON Schema keywords have no Pydantic equivalent: `oneOf` means exactly one branch (a union
accepts a payload two branches match), `not`, `if`, `uniqueItems`, `dependentRequired`, an `anyOf`
beside other keywords (GitHub's `anyOf: [user, enterprise]` with `type: [null, object]` excludes
null), an `allOf` branch that refines an inherited property. A model left alone accepts payloads the
contract forbids. For every webhook body whose schema reaches one of them, the generated body model
gets a `before` validator that checks the raw payload against the contract's own schema (JSON
Schema 2020-12, shipped in the package as `_contract.json`), so what the handler receives is what
the contract allows. Bodies that reach none of them pay nothing.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from typing import Any

from .problems import pointer_join
from .schemas import reachable_schemas

# Keywords whose meaning no generated Pydantic type carries.
UNEXPRESSED = frozenset(
    {
        "oneOf",
        "allOf",
        "not",
        "if",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "contains",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "patternProperties",
        "prefixItems",
    }
)
_ANNOTATIONS = frozenset({"title", "description", "examples", "deprecated", "default", "$comment", "nullable"})
GUARD_ATTRIBUTE = "_hookgen_contract"


def guarded_bodies(contract: dict[str, Any], body_schemas: Iterable[str]) -> dict[str, str]:
    """The body schemas (by component name) that need the contract check, with their pointers."""
    pointers = {name: pointer_join("/components/schemas", name) for name in sorted(set(body_schemas))}
    return {name: pointer for name, pointer in pointers.items() if needs_guard(contract, pointer)}


def needs_guard(document: dict[str, Any], pointer: str) -> bool:
    """Whether the schema at `pointer` reaches a keyword the models cannot express."""
    return any(_unexpressed(schema) for _, schema in reachable_schemas(document, pointer))


def _unexpressed(schema: dict[str, Any]) -> bool:
    keywords = set(schema)
    if "discriminator" in schema or _one_branch_or_null(schema.get("oneOf")):
        # A tagged union picks exactly one branch (normalize.py keeps only usable tags); so does `X | None`.
        keywords.discard("oneOf")
    if UNEXPRESSED & keywords or schema.get("uniqueItems") is True:
        return True
    # anyOf alone is a union; beside other keywords, each must hold as well.
    return "anyOf" in schema and bool(set(schema) - _ANNOTATIONS - {"anyOf"} - {"discriminator"})


def _one_branch_or_null(branches: Any) -> bool:
    return isinstance(branches, list) and len([b for b in branches if b != {"type": "null"}]) <= 1


def contract_document(contract: dict[str, Any]) -> str:
    """The JSON the generated package checks payloads against: every schema the bodies reach, by name.

    It means what the source means (normalize.for_contract), and every body has a name in it.
    """
    return json.dumps(contract, ensure_ascii=False, separators=(",", ":")) + "\n"


def add_guards(code: str, pointers: dict[str, str]) -> tuple[str, list[str]]:
    """Add the contract check to each named class of the models' code (class name -> schema pointer).

    Also returns the names that are not a class there, which therefore carry no check.
    """
    if not pointers:
        return code, []
    lines = code.splitlines()
    ends = {
        node.name: node.end_lineno
        for node in ast.parse(code).body
        if isinstance(node, ast.ClassDef) and node.name in pointers and node.end_lineno is not None
    }
    for name, end in sorted(ends.items(), key=lambda item: -item[1]):
        lines.insert(end, f"    {GUARD_ATTRIBUTE} = contract_check({json.dumps(pointers[name])})")
    return _with_import("\n".join(lines) + "\n"), sorted(set(pointers) - set(ends))


def _with_import(code: str) -> str:
    # After `from __future__`, which must stay first; ruff sorts the imports afterwards.
    lines = code.splitlines(keepends=True)
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), 0)
    lines.insert(at, "\nfrom ._contract import contract_check\n")
    return "".join(lines)
