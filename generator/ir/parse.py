"""Build the IR from a bundled, validated document and the generated models."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import Level, Problem
from ..models.codegen import Models
from ..models.prepare import BodyKey
from ..names import snake_case, unique
from ..runtime._signatures import scheme_from_declaration
from ..spec import pointers
from ..spec.bundle import Bundle
from ..spec.rules import finding
from ..spec.walk import body_contents, deref, inline_refs, operations
from ..spec.webhook_lint import SIGNATURE_EXTENSION
from .nodes import HeaderParameter, RequestBody, Response, SignatureScheme, Spec, Webhook

# Names the generated webhooks module defines or reads itself (its webhook functions are module-level names, their
# annotations read when the webhooks are declared, on first use).
RESERVED_NAMES = frozenset(
    {"app", "models", "annotations", "openapi", "include_webhooks", "as_declared", "declare_webhooks"}
    | {"str", "int", "float", "bool"}
)
_HEADER_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def build_spec(
    bundle: Bundle,
    body_schemas: dict[BodyKey, str],
    models: Models,
    *,
    default_signature: dict[str, Any] | None = None,
) -> tuple[Spec, list[Problem]]:
    """The IR of a spec, and the problems met while building it (name collisions, unsupported headers, signatures).

    `default_signature` (`[tool.hookgen] signature`) is the scheme of webhooks when neither they nor the
    document declare one.
    """
    document = bundle.document
    found = operations(document)
    wanted = [snake_case(operation.get("operationId") or key) for key, _, operation in found]
    python_names, _ = unique(wanted, reserved=RESERVED_NAMES)
    problems = [
        finding(
            bundle.problem(pointers.join("/webhooks", key, method), f"name {old!r} is taken; this webhook is `{new}`"),
            "operation-id" if operation.get("operationId") else "name-collision",
        )
        for (key, method, operation), old, new in zip(found, wanted, python_names, strict=True)
        if old != new
    ]
    root_signature, signature_problems = _signature(bundle, document.get(SIGNATURE_EXTENSION), "")
    if root_signature is None and default_signature is not None and not signature_problems:
        root_signature = SignatureScheme(
            scheme=default_signature["scheme"], options={k: v for k, v in default_signature.items() if k != "scheme"}
        )
    problems += signature_problems
    webhooks = []
    for (key, method, operation), python_name in zip(found, python_names, strict=True):
        webhook, webhook_problems = _webhook(bundle, (key, method, operation), python_name, body_schemas, models)
        problems += webhook_problems
        webhooks.append(webhook if webhook.signature else replace(webhook, signature=root_signature))
    info = document.get("info") or {}
    spec = Spec(
        title=str(info.get("title") or "Webhooks"),
        version=str(info.get("version") or "0.0.0"),
        description=info.get("description"),
        webhooks=tuple(webhooks),
        signature=root_signature,
        security_schemes=dict((document.get("components") or {}).get("securitySchemes") or {}),
        info={k: v for k, v in info.items() if k not in ("title", "version", "description")},
        tags=tuple(inline_refs(document, tag) for tag in document.get("tags") or () if isinstance(tag, dict)),
        extensions={k: v for k, v in document.items() if k.startswith("x-") and k != "x-webhooks"},
    )
    return spec, problems


def _webhook(
    bundle: Bundle,
    found: tuple[str, str, dict[str, Any]],
    python_name: str,
    body_schemas: dict[BodyKey, str],
    models: Models,
) -> tuple[Webhook, list[Problem]]:
    key, method, operation = found
    document = bundle.document
    at = pointers.join("/webhooks", key, method)
    signature, problems = _signature(bundle, operation.get(SIGNATURE_EXTENSION), at)
    headers, header_problems = _headers(bundle, key, operation, at)
    webhook = Webhook(
        key=key,
        method=method,
        python_name=python_name,
        operation_id=operation.get("operationId"),
        summary=operation.get("summary"),
        description=operation.get("description"),
        tags=tuple(operation.get("tags") or ()),
        deprecated=bool(operation.get("deprecated", False)),
        headers=headers,
        bodies=_bodies(document, (key, method), operation, body_schemas=body_schemas, models=models),
        responses=_responses(document, operation),
        security=_security(operation),
        extensions={k: v for k, v in operation.items() if k.startswith("x-")},
        signature=signature,
    )
    return webhook, problems + header_problems + _unread_media_types(bundle, at, webhook)


def _unread_media_types(bundle: Bundle, at: str, webhook: Webhook) -> list[Problem]:
    """A warning naming the media types receivers cannot parse (answered 415; the declared app documents them)."""
    if not webhook.other_bodies:
        return []
    others = ", ".join(body.media_type for body in webhook.other_bodies)
    read = webhook.body.media_type if webhook.body else "none"
    message = f"receivers read {read} only and answer 415 to {others}; the declared app documents every media type"
    return [bundle.problem(pointers.join(at, "requestBody", "content"), message, Level.WARNING)]


def _headers(
    bundle: Bundle, key: str, operation: dict[str, Any], at: str
) -> tuple[tuple[HeaderParameter, ...], list[Problem]]:
    document = bundle.document
    path_item = deref(document, document["webhooks"][key])
    declared = [deref(document, p) for p in (path_item.get("parameters") or []) + (operation.get("parameters") or [])]
    by_name: dict[str, dict[str, Any]] = {}
    for parameter in declared:
        if isinstance(parameter, dict) and parameter.get("in") == "header" and isinstance(parameter.get("name"), str):
            by_name[parameter["name"].lower()] = parameter  # operation-level wins over path-level
    wanted = [snake_case(p["name"], fallback="header") for p in by_name.values()]
    python_names, _ = unique(wanted, reserved={"body", "request"})
    headers = []
    problems = [
        finding(
            bundle.problem(at, f"header {p['name']!r}: name {old!r} is taken; its parameter is `{new}`"),
            "name-collision",
        )
        for p, old, new in zip(by_name.values(), wanted, python_names, strict=True)
        if old != new
    ]
    for parameter, python_name in zip(by_name.values(), python_names, strict=True):
        schema = deref(document, parameter.get("schema")) or {}
        schema_type = schema.get("type") if isinstance(schema, dict) else None
        kind = _header_type(schema_type)
        if kind is None:
            message = f"header {parameter['name']!r} has schema type {schema_type!r}; it is read as a string"
            problems.append(bundle.problem(at, message, Level.WARNING))
        headers.append(
            HeaderParameter(
                name=parameter["name"],
                python_name=python_name,
                required=bool(parameter.get("required", False)),
                description=parameter.get("description"),
                deprecated=bool(parameter.get("deprecated", False)),
                schema=schema if isinstance(schema, dict) else {},
                python_type=_HEADER_TYPES.get(kind or "string", "str"),
                declaration=inline_refs(document, parameter),
            )
        )
    return tuple(headers), problems


def _header_type(declared: Any) -> str | None:
    """The one JSON type a header's schema gives it (`null` aside), when hookgen reads headers of that type."""
    kinds = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    named = [kind for kind in kinds if kind != "null"]
    return named[0] if len(named) == 1 and isinstance(named[0], str) and named[0] in _HEADER_TYPES else None


def _bodies(
    document: dict[str, Any],
    webhook: tuple[str, str],
    operation: dict[str, Any],
    *,
    body_schemas: dict[BodyKey, str],
    models: Models,
) -> tuple[RequestBody, ...]:
    key, method = webhook
    body = deref(document, operation.get("requestBody")) or {}
    bodies = []
    for media_type in body_contents(document, operation):
        schema_name = body_schemas.get((key, method, media_type))
        if schema_name is None:
            continue
        bodies.append(
            RequestBody(
                media_type=media_type,
                schema_pointer=body_pointer((key, method, media_type)),
                model_name=models.class_for(schema_name),
                description=body.get("description"),
                required=bool(body.get("required", False)),
                media=_media(document, (body.get("content") or {}).get(media_type)),
            )
        )
    return tuple(bodies)


def body_pointer(body: BodyKey) -> str:
    """Where the schema of a webhook's body (key, method, media type) stands in the bundle."""
    key, method, media_type = body
    return pointers.join("/webhooks", key, method, "requestBody", "content", media_type, "schema")


def _responses(document: dict[str, Any], operation: dict[str, Any]) -> tuple[Response, ...]:
    responses = operation.get("responses") or {}
    result = []
    for status, declared in responses.items():
        response = deref(document, declared)
        description = response.get("description", "") if isinstance(response, dict) else ""
        written = inline_refs(document, response) if isinstance(response, dict) else {}
        declaration = {"description": str(description), **{k: v for k, v in written.items() if k != "description"}}
        result.append(Response(status=str(status), description=str(description), declaration=declaration))
    return tuple(result)


def _media(document: dict[str, Any], media: Any) -> dict[str, Any]:
    """A media type object without its schema (the model documents that), `$ref`s inlined."""
    if not isinstance(media, dict):
        return {}
    return {key: inline_refs(document, value) for key, value in media.items() if key != "schema"}


def _security(operation: dict[str, Any]) -> tuple[dict[str, list[str]], ...] | None:
    security = operation.get("security")
    return tuple(security) if isinstance(security, list) else None


def _signature(bundle: Bundle, extension: Any, at: str) -> tuple[SignatureScheme | None, list[Problem]]:
    """The signature scheme an `x-webhook-signature` declares; an error problem when the receivers could not use it."""
    if extension is None:
        return None, []
    declaration = {"scheme": extension} if isinstance(extension, str) else extension
    try:
        scheme_from_declaration(declaration)
    except ValueError as error:  # the runtime module raises ValueError: it is copied into packages, stdlib only
        return None, [bundle.problem(pointers.join(at, SIGNATURE_EXTENSION), str(error), Level.ERROR)]
    options = {k: v for k, v in declaration.items() if k != "scheme"}
    return SignatureScheme(scheme=declaration["scheme"], options=options), []
