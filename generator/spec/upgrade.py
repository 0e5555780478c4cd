"""Read an OpenAPI 3.0 document, and `x-webhooks` in any 3.x, as the OpenAPI 3.1 document its author meant.

Runs on the bundle, before validation, and returns a new bundle (the loaded one is never changed) whose
origins still lead every pointer back to its file and line. In a 3.0 document, every schema object is
rewritten to what 3.1 (JSON Schema 2020-12) says for the same thing:
- `nullable: true` becomes `type: [T, "null"]`, or `anyOf: [..., {type: "null"}]` where there is no `type`
  (an `enum` gets `null` too); `nullable: false` is dropped;
- a boolean `exclusiveMinimum`/`exclusiveMaximum` becomes the numeric form, in place of `minimum`/`maximum`;
- `example` becomes `examples: [example]`;
and `openapi: 3.0.x` becomes `3.1.0`. In any 3.x document, `x-webhooks` (the extension 3.0 specs use,
3.1's `webhooks` before it existed) becomes `webhooks`. One warning says what was rewritten, with counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Level, Problem
from . import pointers
from .bundle import Bundle, Origin
from .walk import HTTP_METHODS, SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES, webhooks_pointer

UPGRADED_VERSION = "3.1.0"
_SCHEMA_SECTIONS = frozenset({"/components/schemas"})
_BOUNDS = (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum"))
_SAID = {
    "extension": "vendor extensions among `x-webhooks` dropped",
    "callback": "webhooks written as a callback -> their path item",
    "nullable": "`nullable: true` -> a `null` type",
    "exclusive": "boolean `exclusiveMinimum`/`exclusiveMaximum` -> numeric",
    "example": "`example` in a schema -> `examples`",
}


def upgrade(bundle: Bundle) -> tuple[Bundle, list[Problem]]:
    """The bundle as an OpenAPI 3.1 document, and one warning saying what was rewritten (none when nothing was)."""
    document = bundle.document
    if not isinstance(document, dict):
        return bundle, []
    renamed = _renames_webhooks(document)
    if not (renamed or is_openapi_30(document)):
        return bundle, []
    rewriter = _Rewriter()
    upgraded = rewriter.webhooks(bundle) if renamed else bundle
    if is_openapi_30(document):
        rewritten = rewriter.node(upgraded.document, "", in_schema=False)
        upgraded = replace(upgraded, document={**rewritten, "openapi": UPGRADED_VERSION})
    origins = dict(upgraded.origins)
    for new, old in rewriter.moved:
        origins[new] = Origin(*upgraded.locate(old))
    message = _summary(document, renamed, rewriter.counts)
    return replace(upgraded, origins=origins), [bundle.problem("/openapi", message, Level.WARNING)]


def _summary(document: dict[str, Any], renamed: bool, counts: Counter[str]) -> str:
    said = (["`x-webhooks` -> `webhooks`"] if renamed else []) + [
        f"{_SAID[kind]} ({count})" for kind, count in sorted(counts.items())
    ]
    version = document.get("openapi")
    upgraded = UPGRADED_VERSION if is_openapi_30(document) else version
    return f"OpenAPI {version} document read as OpenAPI {upgraded}: " + ", ".join(said)


def is_openapi_30(document: dict[str, Any]) -> bool:
    """Whether a document declares OpenAPI 3.0 (`3.0`, `3.0.3`...)."""
    version = str(document.get("openapi", ""))
    return version == "3.0" or version.startswith("3.0.")


def _renames_webhooks(document: dict[str, Any]) -> bool:
    return str(document.get("openapi", "")).startswith("3.") and webhooks_pointer(document) == "/x-webhooks"


def _renamed_pointer(pointer: str) -> str:
    tokens = pointers.parts(pointer)
    return pointers.join("/webhooks", *tokens[1:]) if tokens[:1] == ["x-webhooks"] else pointer


def _callback_path_item(item: Any) -> tuple[str, Any] | None:
    """(expression, path item) for a webhook written as a callback (`"{$request.body#/callback}": {post: ...}`)."""
    if not isinstance(item, dict) or len(item) != 1 or "$ref" in item or any(m in item for m in HTTP_METHODS):
        return None
    ((expression, inner),) = item.items()
    return (expression, inner) if isinstance(inner, dict) and any(m in inner for m in HTTP_METHODS) else None


@dataclass
class _Rewriter:
    """Rewrites every schema object of a 3.0 document, counting each kind and noting what moved (new, old)."""

    counts: Counter[str] = field(default_factory=Counter)
    moved: list[tuple[str, str]] = field(default_factory=list)

    def webhooks(self, bundle: Bundle) -> Bundle:
        """`x-webhooks` as `webhooks`, in place among the top-level keys, its origins moved along.

        Vendor extensions among the webhooks (Apideck's `x-sdk-exclude: true`) are dropped, as a Paths object
        would read them, and a webhook written as a callback with one expression becomes its path item (Vonage).
        """
        entries = bundle.document["x-webhooks"]
        webhooks = self.webhook_entries(entries) if isinstance(entries, dict) else entries
        document = {("webhooks" if key == "x-webhooks" else key): value for key, value in bundle.document.items()}
        origins = {_renamed_pointer(pointer): origin for pointer, origin in bundle.origins.items()}
        origins.setdefault("/webhooks", Origin(*bundle.locate("/x-webhooks")))
        return replace(bundle, document={**document, "webhooks": webhooks}, origins=origins)

    def webhook_entries(self, entries: dict[str, Any]) -> dict[str, Any]:
        webhooks = {}
        for key, item in entries.items():
            if key.startswith("x-"):
                self.counts["extension"] += 1
                continue
            callback = _callback_path_item(item)
            if callback is not None:
                self.counts["callback"] += 1
                self.moved.append((pointers.join("/webhooks", key), pointers.join("/webhooks", key, callback[0])))
            webhooks[key] = item if callback is None else callback[1]
        return webhooks

    def node(self, node: Any, at: str, *, in_schema: bool) -> Any:
        if in_schema:
            return self.schema(node, at)
        if isinstance(node, list):
            return [self.node(item, pointers.join(at, i), in_schema=False) for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        return {
            key: self.node(value, pointers.join(at, key), in_schema=key == "schema" or at in _SCHEMA_SECTIONS)
            for key, value in node.items()
        }

    def schema(self, schema: Any, at: str) -> Any:
        if not isinstance(schema, dict):
            return schema
        result = dict(schema)
        for key in SCHEMA_MAPS:
            if isinstance(result.get(key), dict):
                entries = result[key].items()
                result[key] = {name: self.schema(value, pointers.join(at, key, name)) for name, value in entries}
        for key in SCHEMA_VALUES:
            if key in result:
                result[key] = self.schema(result[key], pointers.join(at, key))
        for key in SCHEMA_LISTS:
            if isinstance(result.get(key), list):
                result[key] = [self.schema(value, pointers.join(at, key, i)) for i, value in enumerate(result[key])]
        return self.nullable(self.example(self.exclusive(result), at), at)

    def nullable(self, schema: dict[str, Any], at: str) -> dict[str, Any]:
        if schema.get("nullable") is True:
            self.counts["nullable"] += 1
            if not isinstance(schema.get("type"), str | list):  # the schema moves into `anyOf`
                self.moved.append((pointers.join(at, "anyOf", 0), at))
        return with_null_for_nullable(schema)

    def exclusive(self, schema: dict[str, Any]) -> dict[str, Any]:
        if not any(isinstance(schema.get(flag), bool) for _, flag in _BOUNDS):
            return schema
        self.counts["exclusive"] += 1
        return numeric_bounds(schema)

    def example(self, schema: dict[str, Any], at: str) -> dict[str, Any]:
        if "example" not in schema or "examples" in schema:
            return schema
        self.counts["example"] += 1
        self.moved.append((pointers.join(at, "examples", 0), pointers.join(at, "example")))
        return {("examples" if key == "example" else key): [v] if key == "example" else v for key, v in schema.items()}


def numeric_bounds(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema's boolean `exclusiveMinimum`/`exclusiveMaximum` in 3.1's numeric form, where its bound was."""
    result: dict[str, Any] = {}
    for key, value in schema.items():
        flag = next((flag for bound, flag in _BOUNDS if key in (bound, flag)), None)
        if flag is None or not isinstance(schema.get(flag), bool):
            result[key] = value
        elif key != flag:  # the bound: exclusive when the flag says so
            result[flag if schema[flag] else key] = value
    return result


def with_null_for_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0's `nullable: true` as its author meant it: `null` is one more accepted value."""
    if "nullable" not in schema:
        return schema
    result = {key: value for key, value in schema.items() if key != "nullable"}
    if schema["nullable"] is not True:
        return result
    if isinstance(result.get("enum"), list) and None not in result["enum"]:
        result["enum"] = [*result["enum"], None]
    declared = result.get("type")
    if isinstance(declared, str):
        return {**result, "type": [declared, "null"]}
    if isinstance(declared, list):
        return {**result, "type": declared if "null" in declared else [*declared, "null"]}
    annotations: dict[str, Any] = {key: result.pop(key) for key in ("title", "description") if key in result}
    return {**annotations, "anyOf": [result, {"type": "null"}]}
