"""Compare the webhooks of two versions of a spec: webhooks, methods, headers, signature scheme and bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ...spec import pointers
from ...spec.walk import HTTP_METHODS
from ...spec.webhook_lint import SIGNATURE_EXTENSION
from .changes import Change, Side, change
from .schemas import SchemaDiff, resolve


@dataclass(frozen=True)
class Operation:
    """One webhook operation of one side, by pointer into its bundle."""

    name: str
    pointer: str
    node: dict[str, Any]


def webhook_operations(document: dict[str, Any]) -> dict[tuple[str, str], Operation]:
    """(key, method) -> operation, for every webhook operation, `$ref`s followed."""
    found = {}
    for key in document.get("webhooks") or {}:
        item_pointer, item = resolve(document, pointers.join("/webhooks", key))
        for method in HTTP_METHODS if isinstance(item, dict) else ():
            if isinstance(item.get(method), dict):
                name = key if method == "post" else f"{key} ({method.upper()})"
                found[key, method] = Operation(name, pointers.join(item_pointer, method), item[method])
    return found


def diff(old: Side, new: Side) -> list[Change]:
    """Every change between two versions, each once with every webhook it affects, worst first."""
    schemas = SchemaDiff(old, new)
    before, after = webhook_operations(old.document), webhook_operations(new.document)
    found: list[Change] = []
    for (key, method), operation in before.items():
        if (key, method) not in after:
            rule = "method-removed" if key in {k for k, _ in after} else "webhook-removed"
            message = f"webhook `{operation.name}` is no longer sent"
            found.append(_for(operation, change(rule, message, old.place(operation.pointer), new.place("/webhooks"))))
    for (key, method), operation in after.items():
        if (key, method) not in before:
            message = f"new webhook `{operation.name}`"
            found.append(
                _for(operation, change("webhook-added", message, old.place("/webhooks"), new.place(operation.pointer)))
            )
    for pair in (pair for pair in before if pair in after):
        was, now = before[pair], after[pair]
        found += [_for(now, item) for item in _operation_changes(schemas, was, now)]
    return merge(found)


def _for(operation: Operation, found: Change) -> Change:
    return replace(found, webhooks=(operation.name,))


def merge(changes: list[Change]) -> list[Change]:
    """One change per rule, message and places, naming every webhook it affects; worst first."""
    merged: dict[tuple[Any, ...], Change] = {}
    for item in changes:
        key = (item.rule, item.message, item.old, item.new)
        if key in merged:
            known = merged[key]
            names = known.webhooks + tuple(name for name in item.webhooks if name not in known.webhooks)
            merged[key] = replace(known, webhooks=names)
        else:
            merged[key] = item
    return sorted(merged.values(), key=Change.sort_key)


def _operation_changes(schemas: SchemaDiff, was: Operation, now: Operation) -> Iterator[Change]:
    yield from _signature_changes(schemas, was, now)
    yield from _header_changes(schemas, was, now)
    yield from _body_changes(schemas, was, now)


def _signature_changes(schemas: SchemaDiff, was: Operation, now: Operation) -> Iterator[Change]:
    before, old_at = _signature(schemas.old.document, was)
    after, new_at = _signature(schemas.new.document, now)
    if json.dumps(before, sort_keys=True) != json.dumps(after, sort_keys=True):
        message = (
            f"signature scheme {_scheme(before)} -> {_scheme(after)}: receivers reject every delivery until updated"
        )
        yield change("signature-changed", message, schemas.old.place(old_at), schemas.new.place(new_at))


def _signature(document: dict[str, Any], operation: Operation) -> tuple[Any, str]:
    """The scheme that signs an operation's deliveries (its own, else the document's) and where it is written."""
    if SIGNATURE_EXTENSION in operation.node:
        return operation.node[SIGNATURE_EXTENSION], pointers.join(operation.pointer, SIGNATURE_EXTENSION)
    if SIGNATURE_EXTENSION in document:
        return document[SIGNATURE_EXTENSION], pointers.join("", SIGNATURE_EXTENSION)
    return None, operation.pointer


def _scheme(value: Any) -> str:
    if value is None:
        return "(none: standard-webhooks)"
    return json.dumps(value, sort_keys=True)


def _headers(document: dict[str, Any], operation: Operation) -> dict[str, tuple[str, dict[str, Any]]]:
    """Lower-cased header name -> (pointer, parameter) for an operation's header parameters."""
    found = {}
    listed = operation.node.get("parameters")
    for index in range(len(listed) if isinstance(listed, list) else 0):
        at, parameter = resolve(document, pointers.join(operation.pointer, "parameters", index))
        if isinstance(parameter, dict) and parameter.get("in") == "header" and isinstance(parameter.get("name"), str):
            found[parameter["name"].lower()] = (at, parameter)
    return found


def _header_changes(schemas: SchemaDiff, was: Operation, now: Operation) -> Iterator[Change]:
    old, new = schemas.old, schemas.new
    before, after = _headers(old.document, was), _headers(new.document, now)
    for name, (at, parameter) in before.items():
        required = parameter.get("required") is True
        if name not in after:
            rule = "required-header-removed" if required else "header-removed"
            message = f"header `{parameter['name']}` is no longer sent"
            yield change(rule, message, old.place(at), new.place(now.pointer))
            continue
        new_at, new_parameter = after[name]
        if required and new_parameter.get("required") is not True:
            message = f"header `{parameter['name']}` is no longer required"
            yield change("header-optional", message, old.place(at), new.place(new_at))
        if isinstance(parameter.get("schema"), dict) and isinstance(new_parameter.get("schema"), dict):
            old_schema, new_schema = pointers.join(at, "schema"), pointers.join(new_at, "schema")
            yield from schemas.compare(old_schema, new_schema, f"header {parameter['name']}")
    for name, (at, parameter) in after.items():
        if name not in before:
            yield change("header-added", f"new header `{parameter['name']}`", old.place(was.pointer), new.place(at))


def _contents(document: dict[str, Any], operation: Operation) -> dict[str, str]:
    """Media type -> pointer of its schema, for an operation's request body."""
    body_at, body = resolve(document, pointers.join(operation.pointer, "requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return {}
    return {
        media: pointers.join(body_at, "content", media, "schema")
        for media, entry in content.items()
        if isinstance(entry, dict) and "schema" in entry
    }


def _body_changes(schemas: SchemaDiff, was: Operation, now: Operation) -> Iterator[Change]:
    old, new = schemas.old, schemas.new
    before, after = _contents(old.document, was), _contents(new.document, now)
    for media, at in before.items():
        if media not in after:
            message = f"body `{media}` is no longer sent"
            yield change("media-type-removed", message, old.place(at), new.place(now.pointer))
        else:
            yield from schemas.compare(at, after[media], "payload" if len(before) == 1 else f"payload<{media}>")
    for media, at in after.items():
        if media not in before:
            yield change("media-type-added", f"new body `{media}`", old.place(was.pointer), new.place(at))
