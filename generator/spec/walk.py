"""The one walker over a bundled document: local `$ref`s followed, operations found, schemas visited by keyword.

Every stage reads the document through these functions, so a `$ref` is followed the same way everywhere and
a property name is never mistaken for a keyword. In the bundle a local `$ref` is `#` and a plain JSON pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Set
from typing import Any

from . import pointers

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMPONENT = "#/components/schemas/"

SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SCHEMA_VALUES = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
# Every keyword whose value holds subschemas: most schema objects hold none, and the walks skip them at once.
SCHEMA_KEYWORDS = frozenset((*SCHEMA_MAPS, *SCHEMA_VALUES, *SCHEMA_LISTS))

Transform = Callable[[dict[str, Any]], dict[str, Any]]


def ref_target(node: Any) -> str | None:
    """The JSON pointer a node's local `$ref` names (`#/a/b` -> `/a/b`), else None."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref[1:] if isinstance(ref, str) and ref.startswith("#") else None


def deref(document: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s until a value that is not a reference (siblings are kept)."""
    seen: set[str] = set()
    target = ref_target(node)
    while target is not None and target not in seen:
        seen.add(target)
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        found = pointers.resolve(document, target)
        node = {**found, **siblings} if isinstance(found, dict) else found
        target = ref_target(node)
    return node


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, method, operation) for every webhook operation, in spec order, local `$ref`s followed."""
    found = []
    for key, declared in (document.get("webhooks") or {}).items():
        item = deref(document, declared)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                found.append((key, method, operation))
    return found


def body_contents(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The media types of an operation's request body, `$ref`s followed."""
    body = deref(document, operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    return content if isinstance(content, dict) else {}


def local_refs(node: Any) -> list[str]:
    """The pointers of every local `$ref` anywhere inside a JSON value, in document order."""
    found = []
    stack = [node]
    while stack:  # json_values without the pointers, which nothing here reads
        item = stack.pop()
        target = ref_target(item)
        if target is not None:
            found.append(target)
        if isinstance(item, dict):
            stack.extend(reversed(item.values()))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def ref_strings(node: Any) -> Iterator[str]:
    """Every `$ref` string inside a JSON value, local or not (also inside `examples` or `const`)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key == "$ref" and isinstance(child, str):
                    yield child
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def json_values(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every value inside a JSON value (itself included) with its pointer, in document order."""
    stack = [(pointer, node)]
    while stack:
        at, item = stack.pop()
        yield at, item
        if isinstance(item, dict):
            stack.extend((pointers.join(at, key), value) for key, value in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((pointers.join(at, index), value) for index, value in reversed(list(enumerate(item))))


def json_containers(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """The objects and arrays of a JSON value (itself included) with their pointers, in document order.

    `json_values` without the scalars, whose pointers are most of a large document's and which nothing here reads.
    """
    stack = [(pointer, node)]
    while stack:
        at, item = stack.pop()
        if isinstance(item, dict):
            children: Iterable[tuple[str | int, Any]] = reversed(item.items())
        elif isinstance(item, list):
            children = reversed(list(enumerate(item)))
        else:
            continue
        yield at, item
        stack.extend((pointers.join(at, key), value) for key, value in children if isinstance(value, dict | list))


def ref_locations(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(where, target) for every local `$ref` inside a JSON value: the pointer of the object holding it, its target."""
    for at, item in json_containers(node, pointer):
        target = ref_target(item)
        if target is not None:
            yield at, target


# What a reference object may say besides `$ref` without saying anything about the value.
_REFERENCE_ANNOTATIONS = frozenset({"$ref", "summary", "description", "title", "$comment", "deprecated"})


def ref_cycles(document: dict[str, Any]) -> list[list[str]]:
    """Chains of `$ref`s that come back to where they started with no value on the way (`A: {$ref: B}`, `B: {$ref: A}`).

    Each cycle once, as the pointers of its reference objects in order, starting from the smallest.
    """
    cycles: dict[frozenset[str], list[str]] = {}
    for start, _ in ref_locations(document):
        chain: list[str] = []
        at: str | None = start
        while at is not None and at not in chain:
            chain.append(at)
            at = _next_reference(document, at)
        if at is not None:
            cycle = chain[chain.index(at) :]
            first = cycle.index(min(cycle))
            cycles.setdefault(frozenset(cycle), cycle[first:] + cycle[:first])
    return sorted(cycles.values())


def _next_reference(document: dict[str, Any], pointer: str) -> str | None:
    """The target of the reference object at `pointer`, when that object says nothing but where to look."""
    try:
        node = pointers.resolve(document, pointer)
    except KeyError:
        return None
    if not isinstance(node, dict) or set(node) - _REFERENCE_ANNOTATIONS:
        return None
    return ref_target(node)


def webhooks_pointer(document: dict[str, Any]) -> str:
    """Where a document's webhooks are: `webhooks`, or the `x-webhooks` of specs written before OpenAPI 3.1."""
    return "/x-webhooks" if "webhooks" not in document and "x-webhooks" in document else "/webhooks"


def in_webhook_response(pointer: str) -> bool:
    """Whether a pointer lies inside a webhook's `responses` (what the receiver answers), or a response component."""
    tokens = pointers.parts(pointer)
    in_operation = tokens[:1] in (["webhooks"], ["x-webhooks"]) and tokens[3:4] == ["responses"]
    return in_operation or tokens[:2] == ["components", "responses"]


def reached_roots(document: dict[str, Any], start: str = "/webhooks") -> set[str]:
    """Pointers whose subtrees the webhooks reach, following local `$ref`s."""
    walked: set[str] = set()  # each pointer whose subtree was walked; the roots are the outermost ones
    pending = [start]
    while pending:
        pointer = pending.pop()
        if pointers.is_within(pointer, walked):
            continue
        walked.add(pointer)
        try:
            node = pointers.resolve(document, pointer)
        except KeyError:
            continue
        pending.extend(local_refs(node))
    return {pointer for pointer in walked if not _inside_another(pointer, walked)}


def _inside_another(pointer: str, subtrees: set[str]) -> bool:
    tokens = pointers.parts(pointer)
    return any(pointers.join("", *tokens[:size]) in subtrees for size in range(len(tokens)))


def webhook_document(document: dict[str, Any], roots: Set[str]) -> dict[str, Any]:
    """The part of a bundled document that the webhooks reach: what models and checks need.

    A component is kept whole when the webhooks reach it or any part of it (a `$ref` into its properties).
    """
    kept: dict[str, Any] = {
        key: document[key] for key in ("openapi", "info", "jsonSchemaDialect", "webhooks") if key in document
    }
    holding_roots = {pointers.join("", *pointers.parts(root)[:size]) for root in roots for size in range(4)}
    components: dict[str, Any] = {}
    for section, entries in (document.get("components") or {}).items():
        if not isinstance(entries, dict):
            continue
        reached = {
            name: value
            for name, value in entries.items()
            if pointers.join("/components", section, name) in holding_roots
            or pointers.is_within(pointers.join("/components", section, name), roots)
        }
        if reached:
            components[section] = reached
    if components:
        kept["components"] = components
    return kept


def document_schemas(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every schema object the document holds at a top level: components and media types."""
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        yield pointers.join("/components/schemas", name), schema
    yield from nested_schemas(document.get("webhooks"), "/webhooks")
    for section in ("parameters", "requestBodies", "responses", "headers", "pathItems"):
        entries = (document.get("components") or {}).get(section)
        yield from nested_schemas(entries, pointers.join("/components", section))


def nested_schemas(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every `schema` value inside a part of the document (media types, parameters, headers), with its pointer."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema":
                yield pointers.join(pointer, key), value
            else:
                yield from nested_schemas(value, pointers.join(pointer, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from nested_schemas(value, pointers.join(pointer, index))


def map_schema(schema: Any, transform: Transform) -> Any:
    """A new schema with `transform` applied to every schema object, innermost first."""
    if not isinstance(schema, dict):
        return schema
    result = dict(schema)
    if SCHEMA_KEYWORDS.isdisjoint(result):
        return transform(result)
    for key in SCHEMA_MAPS:
        if isinstance(result.get(key), dict):
            result[key] = {name: map_schema(value, transform) for name, value in result[key].items()}
    for key in SCHEMA_VALUES:
        if key in result:
            result[key] = map_schema(result[key], transform)
    for key in SCHEMA_LISTS:
        if isinstance(result.get(key), list):
            result[key] = [map_schema(value, transform) for value in result[key]]
    return transform(result)


def subschema_pointers(pointer: str, schema: dict[str, Any]) -> Iterator[str]:
    """The JSON pointers of a schema object's direct subschemas (not what its `$ref` points to)."""
    return (at for at, _ in subschemas(pointer, schema))


def subschemas(pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """A schema object's direct subschemas (not what its `$ref` points to), each with its JSON pointer."""
    if SCHEMA_KEYWORDS.isdisjoint(schema):
        return
    for key in SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            yield from ((pointers.join(pointer, key, name), value) for name, value in schema[key].items())
    for key in SCHEMA_VALUES:
        if isinstance(schema.get(key), dict):
            yield pointers.join(pointer, key), schema[key]
    for key in SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            yield from ((pointers.join(pointer, key, index), value) for index, value in enumerate(schema[key]))


def schema_children(pointer: str, schema: dict[str, Any]) -> Iterator[str]:
    """What a schema object leads to: its `$ref`'s target first, then its direct subschemas."""
    target = ref_target(schema)
    if target is not None:
        yield target
    yield from subschema_pointers(pointer, schema)


def reachable_schemas(document: dict[str, Any], *starts: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object reachable from the `starts` (local `$ref`s followed), once each, with its pointer."""
    seen: set[str] = set()
    pending = list(reversed(starts))
    while pending:
        at = pending.pop()
        if at in seen:
            continue
        seen.add(at)
        schema = pointers.resolve(document, at)
        if not isinstance(schema, dict):
            continue
        yield at, schema
        target = ref_target(schema)
        if target is not None:
            pending.append(target)
        pending += reversed(list(subschema_pointers(at, schema)))


def schema_users(document: dict[str, Any], *starts: str) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Every schema object reachable from the `starts`, by pointer, and for each pointer the schemas leading to it."""
    reached = dict(reachable_schemas(document, *starts))
    users: dict[str, list[str]] = {}
    for at, schema in reached.items():
        for child in schema_children(at, schema):
            users.setdefault(child, []).append(at)
    return reached, users


def leading_to(users: dict[str, list[str]], *targets: str) -> set[str]:
    """The `targets` and every schema from which one is reachable, given `schema_users`' second value."""
    found = set(targets)
    pending = list(found)
    while pending:
        for user in users.get(pending.pop(), []):
            if user not in found:
                found.add(user)
                pending.append(user)
    return found


def inline_refs(document: dict[str, Any], schema: Any, *, depth: int = 2, _stack: tuple[str, ...] = ()) -> Any:
    """A self-contained copy of a schema with every local `$ref` inlined.

    Recursion is unrolled `depth` times, then cut with `false`: what remains accepts a subset of
    what the source accepts, which is what a generator of valid payloads needs.
    """
    if isinstance(schema, list):
        return [inline_refs(document, item, depth=depth, _stack=_stack) for item in schema]
    if not isinstance(schema, dict):
        return schema
    target = ref_target(schema)
    if target is not None:
        if _stack.count(target) >= depth:
            return False
        found = inline_refs(document, pointers.resolve(document, target), depth=depth, _stack=(*_stack, target))
        siblings = {k: inline_refs(document, v, depth=depth, _stack=_stack) for k, v in schema.items() if k != "$ref"}
        if not siblings:
            return found
        return {"allOf": [found], **siblings}
    return {key: inline_refs(document, value, depth=depth, _stack=_stack) for key, value in schema.items()}


def component_ref_name(ref: object) -> str | None:
    """The component a `#/components/schemas/NAME` reference names (unescaped), else None."""
    if not (isinstance(ref, str) and ref.startswith(COMPONENT)):
        return None
    tokens = pointers.parts(ref[len(COMPONENT) - 1 :])
    return tokens[0] if len(tokens) == 1 else None
