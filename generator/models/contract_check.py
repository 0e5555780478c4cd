"""Where a Pydantic model cannot say what the contract says, the body model asks the contract itself.

Some JSON Schema keywords have no Pydantic equivalent: `oneOf` means exactly one branch (a union
accepts a payload two branches match), `not`, `if`, `uniqueItems`, `dependentRequired`, an `anyOf`
beside other keywords (GitHub's `anyOf: [user, enterprise]` with `type: [null, object]` excludes
null), an `allOf` branch that refines an inherited property. A model left alone accepts payloads the
contract forbids. For every webhook body whose schema reaches one of them, the generated body model
gets a `before` validator that checks the raw payload against the contract's own schema (JSON
Schema 2020-12, shipped in the package under `_contracts/`, a share per group of models: see
contract_shares.py), so what the handler receives is what the contract allows. The check covers
only what the model leaves out: each such keyword, whole, at every place the model's own structure
leads to it (`contract_document`). Bodies that reach none of them pay nothing. Which bodies need it
is known before the models are generated (`guarded_bodies`); codegen writes the check into their
classes (codegen.with_checks), and `contract_for` says where a body's model could not carry it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import Level, Problem
from ..spec import pointers
from ..spec.bundle import Bundle
from ..spec.pointers import fragment
from ..spec.walk import leading_to, ref_target, schema_users
from .codegen import GUARD_ATTRIBUTE, Models
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
CHECKS = "$defs"  # where the contract document keeps each check, by the pointer of the schema it checks
# The contract document's top-level key listing the formats the models assert (read by generator/runtime/_contract.py).
FORMATS = "assertedFormats"


@dataclass(frozen=True)
class PackageContract:
    """The contract document the body models check payloads against, and the check each model class carries."""

    document: dict[str, Any]
    checks: dict[str, str]  # class name -> the pointer of its check in `document`


def contract_for(
    model_input: ModelInput, guards: Guards, models: Models, bundle: Bundle, asserted_formats: frozenset[str]
) -> tuple[PackageContract | None, list[Problem]]:
    """The contract the body models check payloads against (None if none does); a warning where one cannot."""
    if not guards.bodies:
        return None, []
    attached = models.checked
    unguarded = sorted(
        name
        for schema, pointer in body_checks(guards).items()
        if attached.get(name := models.class_for(schema)) != pointer
    )
    # Never silent: a body whose schema needs the contract check but could not get one is said.
    problems = [
        bundle.problem(
            "", f"model {name} is not a class: it cannot check what its schema's keywords say", Level.WARNING
        )
        for name in unguarded
    ]
    document = contract_document(model_input.contract, guards, asserted_formats)
    return PackageContract(document, dict(attached)), problems


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


def body_checks(guards: Guards) -> dict[str, str]:
    """Component name -> the pointer of its check, for each body schema that needs one (what codegen attaches)."""
    return {name: check_pointer(pointer) for name, pointer in guards.bodies.items()}


def check_pointer(pointer: str) -> str:
    """Where the contract document keeps the check of the schema at `pointer`."""
    return pointers.join("", CHECKS, pointer)


def contract_document(contract: dict[str, Any], guards: Guards, asserted_formats: frozenset[str]) -> dict[str, Any]:
    """The document the generated package checks payloads against: every schema the bodies reach, the checks, and
    the formats the models assert (which the checks then assert too).

    The schemas mean what the source means (normalize.for_contract). A body's check is the part of its
    schema the model cannot express: each keyword no Pydantic type carries, whole, at every place the
    model's own structure (properties, items, `$ref`s, `X | None`) leads to it. The model checks the rest,
    so a 12 kB GitHub payload whose only such keyword is one `oneOf` deep inside is not validated twice.
    """
    checks = _Checks(contract, guards.needing)
    for pointer in guards.bodies.values():
        checks.build(pointer)
    return {FORMATS: sorted(asserted_formats), **contract, CHECKS: checks.built}


def _needing_checks(document: dict[str, Any], roots: Iterable[str]) -> set[str]:
    """The schemas reachable from `roots` from which a keyword the models cannot express is reachable."""
    reached, users = schema_users(document, *roots)
    components = _components(document)
    return leading_to(users, *(at for at, schema in reached.items() if _unexpressed(schema, components)))


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
    if "anyOf" in schema and bool(set(schema) - _ANNOTATIONS - {"anyOf"} - {"discriminator"}):
        return True
    return _read_more_widely(schema)


def _read_more_widely(schema: dict[str, Any]) -> bool:
    """Whether the model datamodel-code-generator writes for this schema takes values the schema refuses.

    - an `enum` or `const` holding a number, a boolean, an object or an array: an `IntEnum` reads `"2"`, `Literal[1]`
      and an `Enum` of `1` read `true` (and `true`'s read `1`), and an object or array `const` is typed by its shape;
    - a `$ref` beside other keywords: JSON Schema applies both, the model merges them (`additionalProperties: false`
      beside a `$ref` refuses the target's properties; `type: [object, null]` does not make the target nullable);
    - `null` in a `type` list beside an `enum` that lacks it (the model writes `Enum | None`);
    - a `required` name that `properties` does not declare (the model does not require it);
    - a property whose schema is `false`, or a map without `type` (the model types either `Any`).
    """
    enum = schema.get("enum")
    values: list[Any] = list(enum) if isinstance(enum, list) else []
    if "const" in schema:
        values = [*values, schema["const"]]
    if any(value is not None and not isinstance(value, str) for value in values):
        return True
    if "$ref" in schema and set(schema) - _ANNOTATIONS - {"$ref", "discriminator"}:
        return True
    types = schema.get("type")
    if isinstance(types, list) and "null" in types and "enum" in schema and None not in values:
        return True
    declared = schema.get("properties")
    properties: dict[str, Any] = declared if isinstance(declared, dict) else {}
    if "type" not in schema and not properties and isinstance(schema.get("additionalProperties"), dict):
        return True
    if set(schema.get("required") or []) - set(properties):
        return True
    return any(value is False for value in properties.values())


def _one_branch_or_null(branches: Any) -> bool:
    return isinstance(branches, list) and len([b for b in branches if b != {"type": "null"}]) <= 1


def attached_checks(code: str) -> dict[str, str]:
    """Class name -> the pointer its contract check names, for every class of the models' code that carries one."""
    checks = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.ClassDef):
            pointer = next(filter(None, (_check_pointer_of(statement) for statement in node.body)), None)
            if pointer is not None:
                checks[node.name] = pointer
    return checks


def _check_pointer_of(statement: ast.stmt) -> str | None:
    """The pointer of `GUARD_ATTRIBUTE = contract_check("pointer")`; None for any other statement."""
    if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)):
        return None
    if [getattr(target, "id", None) for target in statement.targets] != [GUARD_ATTRIBUTE]:
        return None
    argument = statement.value.args[0] if statement.value.args else None
    return argument.value if isinstance(argument, ast.Constant) and isinstance(argument.value, str) else None
