"""The schemas as datamodel-code-generator is given them: the same meaning, in words it models faithfully.

Each rewrite keeps what a payload may be (except `nullable: true`, read as its author meant it):
- vendor extensions are dropped (they come in every shape, and Paddle's crash the generator);
- `properties` without `type` describes objects but accepts any other JSON value too (Adyen's
  `*ItemWrapper`): the schema becomes `type: object`, and every place that uses it also accepts
  the non-object values, so the model stays a class and nothing valid is refused;
- a `discriminator` whose property some branch does not require cannot tag every payload the
  schema allows (Polar's `aggregation`): it is dropped, and the union is tried branch by branch
  (`oneOf` exactness is then checked by the contract guard, see guard.py).
"""

from __future__ import annotations

from typing import Any

from .schemas import map_schema, with_null_for_nullable, without_extensions

COMPONENT = "#/components/schemas/"
NON_OBJECT_TYPES = ["array", "boolean", "number", "string", "null"]
_TYPED_BY = ("type", "$ref", "allOf", "anyOf", "oneOf", "const", "enum", "not", "if")
_PLACES_OF_USE = ("items", "additionalProperties")


def normalize(schemas: dict[str, Any]) -> dict[str, Any]:
    """Every component schema rewritten for the models (see the module docstring)."""
    cleaned = {name: map_schema(schema, _clean) for name, schema in schemas.items()}
    loose = {name for name, schema in cleaned.items() if is_loose_object(schema)}
    typed = {name: {**schema, "type": "object"} if name in loose else schema for name, schema in cleaned.items()}
    return {
        name: map_schema(
            schema,
            lambda node: _refinements_merged(_widen_uses(_tag_only_if_required(node, cleaned), loose), cleaned),
        )
        for name, schema in typed.items()
    }


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    return with_null_for_nullable(without_extensions(schema))


def is_loose_object(schema: Any) -> bool:
    """A schema with `properties` but nothing that limits it to objects."""
    return isinstance(schema, dict) and "properties" in schema and not any(key in schema for key in _TYPED_BY)


def _widen_uses(schema: dict[str, Any], loose: set[str]) -> dict[str, Any]:
    result = dict(schema)
    if isinstance(result.get("properties"), dict):
        result["properties"] = {name: _widened(value, loose) for name, value in result["properties"].items()}
    for key in _PLACES_OF_USE:
        if key in result:
            result[key] = _widened(result[key], loose)
    for key in ("anyOf", "oneOf"):
        if isinstance(result.get(key), list):
            result[key] = [_widened(value, loose) for value in result[key]]
    return result


def _widened(schema: Any, loose: set[str]) -> Any:
    if is_loose_object(schema):
        return {"anyOf": [{**schema, "type": "object"}, {"type": NON_OBJECT_TYPES}]}
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if not (isinstance(ref, str) and ref.startswith(COMPONENT) and ref[len(COMPONENT) :] in loose):
        return schema
    annotations = {key: value for key, value in schema.items() if key != "$ref"}
    return {**annotations, "anyOf": [{"$ref": ref}, {"type": NON_OBJECT_TYPES}]}


def _refinements_merged(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """An `allOf` whose later branch refines a property an inherited (`$ref`) branch defines.

    datamodel-code-generator keeps the inherited property (Paddle's `data: {type: object}` wins over
    the full object that refines it, and the payload is lost to `dict[str, Any]`). The inherited branch
    is inlined without that property, and the refining branch requires both schemas of it.
    """
    branches = schema.get("allOf")
    if not isinstance(branches, list):
        return schema
    merged = list(branches)
    for index, branch in enumerate(branches):
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        target = components.get(ref[len(COMPONENT) :]) if isinstance(ref, str) and ref.startswith(COMPONENT) else None
        if not isinstance(target, dict) or not isinstance(target.get("properties"), dict) or len(branch) > 1:
            continue
        inherited: dict[str, Any] = target["properties"]
        refined = {
            name
            for later in merged[index + 1 :]
            if isinstance(later, dict) and "$ref" not in later
            for name in (later.get("properties") or {})
            if name in inherited
        }
        if not refined:
            continue
        merged[index] = {**target, "properties": {k: v for k, v in inherited.items() if k not in refined}}
        merged[index + 1 :] = [_requiring_both(later, inherited, refined) for later in merged[index + 1 :]]
    return {**schema, "allOf": merged}


def _requiring_both(branch: Any, inherited: dict[str, Any], refined: set[str]) -> Any:
    if not isinstance(branch, dict) or "$ref" in branch or not isinstance(branch.get("properties"), dict):
        return branch
    properties = {
        name: {"allOf": [inherited[name], value]} if name in refined and name in inherited else value
        for name, value in branch["properties"].items()
    }
    return {**branch, "properties": properties}


def _tag_only_if_required(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    discriminator = schema.get("discriminator")
    branches = schema.get("oneOf") or schema.get("anyOf")
    if not isinstance(discriminator, dict) or not isinstance(branches, list):
        return schema
    name = discriminator.get("propertyName")
    if all(name in _required(branch, components, set()) for branch in branches):
        return schema
    return {key: value for key, value in schema.items() if key != "discriminator"}


def _required(schema: Any, components: dict[str, Any], seen: set[str]) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    ref = schema.get("$ref")
    found = set(schema.get("required") or [])
    if isinstance(ref, str) and ref.startswith(COMPONENT) and ref not in seen:
        found |= _required(components.get(ref[len(COMPONENT) :]), components, {*seen, ref})
    for branch in schema.get("allOf") or []:
        found |= _required(branch, components, seen)
    return found
