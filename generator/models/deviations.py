"""Where datamodel-code-generator's models cannot follow a schema exactly: found, so they are never silent.

Each finding is a warning at the schema's JSON pointer, naming the webhooks whose payloads reach it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..errors import Level, Problem
from ..spec import pointers
from ..spec.bundle import Bundle
from ..spec.walk import deref, leading_to, schema_users
from .normalize import is_loose_object, is_restatable
from .prepare import BodyKey


def find_deviations(bundle: Bundle, body_pointers: dict[BodyKey, str]) -> list[Problem]:
    """One warning per schema the models read differently, naming every webhook that reaches it."""
    reached_by: dict[tuple[str, str], set[str]] = {}
    keys_at: dict[str, set[str]] = {}  # body pointer -> the webhooks whose body it is
    for (key, _, _), pointer in body_pointers.items():
        keys_at.setdefault(pointer, set()).add(key)
        # Below the root, normalize.py keeps such schemas faithful. A body itself is read as an object, on purpose: its
        # handler is given a class with attributes, and a schema that lists properties describes objects (README).
        if _loose_payload(bundle.document, pointers.resolve(bundle.document, pointer)):
            message = (
                "`properties` without `type`: the schema also allows a body that is not an object, which the receiver "
                "refuses (422); write `type: object` if the body is always one"
            )
            reached_by.setdefault((pointer, message), set()).add(key)
    # Each schema is checked once; a finding names the webhooks whose bodies lead to it.
    reached, users = schema_users(bundle.document, *keys_at)
    for at, schema in reached.items():
        findings = list(_check(bundle.document, at, schema))
        if findings:
            keys = {key for body in leading_to(users, at) & keys_at.keys() for key in keys_at[body]}
            for place, message in findings:
                reached_by.setdefault((place, message), set()).update(keys)
    return [
        replace(
            bundle.problem(at, f"{message} (webhooks: {', '.join(sorted(keys))})", Level.WARNING),
            webhooks=tuple(sorted(keys)),
        )
        for (at, message), keys in sorted(reached_by.items())
    ]


def _loose_payload(document: dict[str, Any], schema: Any) -> bool:
    """A payload schema with `properties` (its own or its `allOf` branches') and nothing limiting it to objects."""
    schema = deref(document, schema)
    if is_loose_object(schema):
        return True
    if not isinstance(schema, dict) or set(schema) & {"type", "$ref", "anyOf", "oneOf", "const", "enum", "not", "if"}:
        return False
    branches = schema.get("allOf")
    if not isinstance(branches, list) or not branches:
        return False
    resolved = [deref(document, branch) for branch in branches]
    return all(_untyped(branch) for branch in resolved) and any(
        isinstance(branch, dict) and "properties" in branch for branch in resolved
    )


def _untyped(schema: Any) -> bool:
    """A schema with no keyword that limits the JSON types it takes (its `allOf` branches included)."""
    if not isinstance(schema, dict) or set(schema) & {"type", "$ref", "anyOf", "oneOf", "const", "enum", "not", "if"}:
        return False
    return all(_untyped(branch) for branch in schema.get("allOf") or [])


def documented_webhooks(warnings: list[Problem]) -> set[str]:
    """The webhooks a deviation warning names: where models are known to read payloads differently."""
    return {key for problem in warnings for key in problem.webhooks}


def _check(document: dict[str, Any], pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if schema.get("nullable") is True:
        yield (
            pointer,
            "OpenAPI 3.0 `nullable: true` in a 3.1 document, where it means nothing: "
            "the model follows the author and accepts null",
        )
    yield from _overridden_properties(document, pointer, schema)


def _overridden_properties(document: dict[str, Any], pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    # datamodel-code-generator keeps an inherited property's schema when a later allOf branch refines it.
    # normalize.py merges the two when the earlier branch is inline or a bare component `$ref`; others are warned.
    branches = schema.get("allOf")
    if not isinstance(branches, list):
        return
    inherited: set[str] = set()
    for index, branch in enumerate(branches):
        resolved = deref(document, branch)
        properties = resolved.get("properties") if isinstance(resolved, dict) else None
        if not isinstance(properties, dict):
            continue
        if not (isinstance(branch, dict) and "$ref" in branch):
            for name in sorted(set(properties) & inherited):
                at = pointers.join(pointer, "allOf", index, "properties", name)
                yield at, f"property {name!r} refines an inherited one; the model may keep the inherited schema"
        if not is_restatable(branch):
            inherited |= set(properties)
