"""The schemas as datamodel-code-generator is given them: every body schema named, and rewritten by normalize.

Every request body schema is given a place in `components/schemas` first (inline bodies are
hoisted under a name derived from the webhook), so that each webhook's model has a known,
stable class name. The titled inline object branches of a union are given one too (naming.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..names import free_name, pascal_case
from ..spec.walk import body_contents, component_ref_name, operations
from .naming import titled_branches_named
from .normalize import for_contract, normalize

BodyKey = tuple[str, str, str]  # webhook key, method, media type


@dataclass(frozen=True)
class ModelInput:
    """The document handed to datamodel-code-generator, and where each body's schema sits in it."""

    document: dict[str, Any]
    body_schemas: dict[BodyKey, str]
    contract: dict[str, Any]  # the same component schemas, meaning exactly what the source means
    # Inline union branches given a component name of their own (naming.py), and where each stands in the source.
    moved: dict[str, str] = field(default_factory=dict)


def prepare(document: dict[str, Any], *, contract: bool = True) -> ModelInput:
    """Put every body schema into `components/schemas` and drop what datamodel-code-generator should not read.

    `contract` False: the run's input only, its `contract` left empty (the child's, models/child.py: the parent makes
    its own input, contract included).
    """
    components = (document.get("components") or {}).get("schemas") or {}
    schemas = dict(components)
    body_schemas: dict[BodyKey, str] = {}
    for key, method, operation in operations(document):
        for media_type, media in body_contents(document, operation).items():
            schema = media.get("schema") if isinstance(media, dict) else None
            if schema is None:
                continue
            name = _component_name(schema)
            if name is None:
                name = _hoisted_name(key, method, media_type, schemas)
                schemas[name] = schema
            body_schemas[(key, method, media_type)] = name
    named, moved = titled_branches_named(schemas)
    model_document = {
        "openapi": document["openapi"],
        "info": {"title": "models", "version": "0"},
        "components": {"schemas": normalize(named)},
    }
    meant = {"components": {"schemas": for_contract(schemas)}} if contract else {}
    return ModelInput(model_document, body_schemas, meant, moved)


def _component_name(schema: Any) -> str | None:
    if not isinstance(schema, dict) or set(schema) - {"$ref", "description", "summary"}:
        return None
    return component_ref_name(schema.get("$ref"))


def _hoisted_name(key: str, method: str, media_type: str, taken: dict[str, Any]) -> str:
    base = pascal_case(key) + ("" if method == "post" else method.capitalize())
    preferred = (f"{base}Payload", f"{base}{pascal_case(media_type)}Payload")
    return free_name(taken, *preferred, numbered=lambda n: f"{base}Payload{n}")
