"""Where a Pydantic model cannot say what the contract says, the body model asks the contract itself.

Some JSON Schema keywords have no Pydantic equivalent: `oneOf` means exactly one branch (a union
accepts a payload two branches match), `not`, `if`, `uniqueItems`, `dependentRequired`, an `anyOf`
beside other keywords (GitHub's `anyOf: [user, enterprise]` with `type: [null, object]` excludes
null), an `allOf` branch that refines an inherited property. A model left alone accepts payloads the
contract forbids. For every webhook body whose schema reaches one of them, the generated body model
gets a `before` validator that checks the raw payload against the contract's own schema (JSON
Schema 2020-12, shipped in the package as `_contract.json`), so what the handler receives is what
the contract allows. The check covers only what the model leaves out: each such keyword, whole, at
every place the model's own structure leads to it (`contract_document`). Bodies that reach none of
them pay nothing.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import Level, Problem
from ..spec import pointers
from ..spec.bundle import Bundle
from ..spec.pointers import fragment
from ..spec.walk import reachable_schemas, ref_target, schema_children
from .codegen import Models
from .normalize import tags_every_branch
from .prepare import ModelInput

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
CHECKS = "$defs"  # where the contract document keeps each check, by the pointer of the schema it checks
# The contract document's top-level key listing the formats the models assert (read by generator/runtime/_contract.py).
FORMATS = "assertedFormats"


@dataclass(frozen=True)
class CheckedModels:
    """The models' code with the contract check on every body model that needs it, and the contract it reads."""

    code: str
    contract: str | None  # the JSON document of `_contract.json`; None when no body needs a check


def add_contract_checks(
    model_input: ModelInput, models: Models, bundle: Bundle, asserted_formats: frozenset[str]
) -> tuple[CheckedModels, list[Problem]]:
    """Give each body model whose schema needs it the contract check; say so where one cannot carry it."""
    guards = guarded_bodies(model_input.contract, model_input.body_schemas.values())
    checks = {models.class_for(name): check_pointer(pointer) for name, pointer in guards.bodies.items()}
    code, unguarded = add_guards(models.code, checks)
    # Never silent: a body whose schema needs the contract check but could not get one is said.
    problems = [
        bundle.problem(
            "", f"model {name} is not a class: it cannot check what its schema's keywords say", Level.WARNING
        )
        for name in unguarded
    ]
    contract = contract_document(model_input.contract, guards, asserted_formats) if guards.bodies else None
    return CheckedModels(code, contract), problems


@dataclass(frozen=True)
class Guards:
    """The body schemas that need the contract check, and every schema they reach that needs one."""

    bodies: dict[str, str]  # component name -> pointer
    needing: frozenset[str]


def guarded_bodies(contract: dict[str, Any], body_schemas: Iterable[str]) -> Guards:
    """The body schemas (by component name) that need the contract check, with their pointers."""
    at = {name: pointers.join("/components/schemas", name) for name in sorted(set(body_schemas))}
    needing = frozenset(_needing_checks(contract, at.values()))
    return Guards({name: pointer for name, pointer in at.items() if pointer in needing}, needing)


def check_pointer(pointer: str) -> str:
    """Where the contract document keeps the check of the schema at `pointer`."""
    return pointers.join("", CHECKS, pointer)


def contract_document(contract: dict[str, Any], guards: Guards, asserted_formats: frozenset[str]) -> str:
    """The JSON the generated package checks payloads against: every schema the bodies reach, the checks, and the
    formats the models assert (which the checks then assert too).

    The schemas mean what the source means (normalize.for_contract). A body's check is the part of its
    schema the model cannot express: each keyword no Pydantic type carries, whole, at every place the
    model's own structure (properties, items, `$ref`s, `X | None`) leads to it. The model checks the rest,
    so a 12 kB GitHub payload whose only such keyword is one `oneOf` deep inside is not validated twice.
    """
    checks = _Checks(contract, guards.needing)
    for pointer in guards.bodies.values():
        checks.build(pointer)
    document = {FORMATS: sorted(asserted_formats), **contract, CHECKS: checks.built}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def _needing_checks(document: dict[str, Any], roots: Iterable[str]) -> set[str]:
    """The schemas reachable from `roots` from which a keyword the models cannot express is reachable."""
    reached: dict[str, dict[str, Any]] = {}
    for root in roots:
        reached.update((at, schema) for at, schema in reachable_schemas(document, root) if at not in reached)
    users: dict[str, list[str]] = {}
    for at, schema in reached.items():
        for child in schema_children(at, schema):
            users.setdefault(child, []).append(at)
    components = _components(document)
    needing = {at for at, schema in reached.items() if _unexpressed(schema, components)}
    pending = list(needing)
    while pending:
        for user in users.get(pending.pop(), []):
            if user not in needing:
                needing.add(user)
                pending.append(user)
    return needing


def _components(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


class _Checks:
    """The checks of the schemas that need one, built once each; recursive schemas refer to their own check."""

    def __init__(self, document: dict[str, Any], needing: frozenset[str]) -> None:
        self.document = document
        self.needing = needing
        self.built: dict[str, Any] = {}

    def build(self, pointer: str) -> None:
        pending = [pointer]
        while pending:
            at = pending.pop()
            if at not in self.built:
                self.built[at] = self._check(at, pending)

    def _check(self, pointer: str, pending: list[str]) -> dict[str, Any]:
        schema = pointers.resolve(self.document, pointer)
        nullable = _nullable_branch(pointer, schema)
        if nullable is not None:
            # `X | None`: the model takes null, or an X that X's own check then covers.
            return {"anyOf": [self._reference(nullable, pending), {"type": "null"}]}
        if _unexpressed(schema, _components(self.document)) or "anyOf" in schema or "oneOf" in schema:
            return {"$ref": fragment(pointer)}  # the whole schema: what it means cannot be split
        check: dict[str, Any] = {}
        target = ref_target(schema)
        if target is not None and target in self.needing:
            check.update(self._reference(target, pending))
        if pointers.join(pointer, "items") in self.needing:
            check["items"] = self._reference(pointers.join(pointer, "items"), pending)
        checks_others = pointers.join(pointer, "additionalProperties") in self.needing
        if checks_others:
            check["additionalProperties"] = self._reference(pointers.join(pointer, "additionalProperties"), pending)
        properties = {
            name: self._property_check(pointers.join(pointer, "properties", name), pending)
            for name in schema.get("properties") or {}
        }
        # Every declared property is listed when additionalProperties is checked: unlisted ones would count as others.
        listed = {name: rule for name, rule in properties.items() if checks_others or rule is not True}
        if listed:
            check["properties"] = listed
        return check

    def _property_check(self, pointer: str, pending: list[str]) -> dict[str, str] | bool:
        return self._reference(pointer, pending) if pointer in self.needing else True

    def _reference(self, pointer: str, pending: list[str]) -> dict[str, str]:
        pending.append(pointer)
        return {"$ref": fragment(check_pointer(pointer))}


def _nullable_branch(pointer: str, schema: dict[str, Any]) -> str | None:
    """The pointer of X when the schema is exactly `anyOf` [X, null] (annotations aside).

    Not `oneOf` [X, null]: were X to accept null as well, the `oneOf` would refuse it, so it is checked whole.
    """
    branches = schema.get("anyOf")
    if set(schema) - _ANNOTATIONS == {"anyOf"} and isinstance(branches, list) and len(branches) == 2:
        others = [index for index, branch in enumerate(branches) if branch != {"type": "null"}]
        if len(others) == 1:
            return pointers.join(pointer, "anyOf", others[0])
    return None


def _unexpressed(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    keywords = set(schema)
    if tags_every_branch(schema, components) or _one_branch_or_null(schema.get("oneOf")):
        # A tagged union picks exactly one branch (normalize.py drops tags some branch lacks); so does `X | None`.
        keywords.discard("oneOf")
    if UNEXPRESSED & keywords or schema.get("uniqueItems") is True:
        return True
    # anyOf alone is a union; beside other keywords, each must hold as well.
    return "anyOf" in schema and bool(set(schema) - _ANNOTATIONS - {"anyOf"} - {"discriminator"})


def _one_branch_or_null(branches: Any) -> bool:
    return isinstance(branches, list) and len([b for b in branches if b != {"type": "null"}]) <= 1


def add_guards(code: str, checks: dict[str, str]) -> tuple[str, list[str]]:
    """Add the contract check to each named class of the models' code (class name -> schema pointer).

    Also returns the names that are not a class there, which therefore carry no check.
    """
    if not checks:
        return code, []
    lines = code.splitlines()
    ends = {
        node.name: node.end_lineno
        for node in ast.parse(code).body
        if isinstance(node, ast.ClassDef) and node.name in checks and node.end_lineno is not None
    }
    for name, end in sorted(ends.items(), key=lambda item: -item[1]):
        lines.insert(end, f"    {GUARD_ATTRIBUTE} = contract_check({json.dumps(checks[name])})")
    return _with_import("\n".join(lines) + "\n"), sorted(set(checks) - set(ends))


def _with_import(code: str) -> str:
    # After `from __future__`, which must stay first; ruff sorts the imports afterwards.
    lines = code.splitlines(keepends=True)
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), 0)
    lines.insert(at, "\nfrom ._contract import contract_check\n")
    return "".join(lines)
