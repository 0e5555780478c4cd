"""Small in-memory specs for the unit tests, and a writer that puts a dict of files on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from generator import pipeline
from generator.models.prepare import ModelInput
from generator.spec import pointers
from generator.spec.bundle import Bundle


def write_files(folder: Path, files: dict[str, Any]) -> Path:
    """Write each file under `folder` (text as is; other values as YAML, or JSON for `.json`); the first's path."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            text = content
        elif path.suffix == ".json":
            text = json.dumps(content, indent=2)
        else:
            text = yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return folder / next(iter(files))


def bundle_of(document: Any) -> Bundle:
    """A bundle of one document (no files behind it: what the webhooks reach is read from the document alone)."""
    return Bundle(document, {}, ())


def prepared(document: Any) -> ModelInput:
    """datamodel-code-generator's input for an in-memory document, as the pipeline prepares it."""
    return pipeline.prepare(pipeline.webhook_part(bundle_of(document)))


def openapi(webhooks: dict[str, Any], *, schemas: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An OpenAPI 3.1 document with these webhooks and component schemas (lint-clean: a signature scheme)."""
    document: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "Test", "version": "1"}, "webhooks": webhooks}
    document["x-webhook-signature"] = "standard-webhooks"
    document.update(extra)
    if schemas is not None:
        document.setdefault("components", {})["schemas"] = schemas
    return document


def post(schema: Any = None, **operation: Any) -> dict[str, Any]:
    """A path item whose POST carries `schema` as its required JSON body (no body when None), lint-clean."""
    declared: dict[str, Any] = dict(operation)
    if schema is not None:
        declared["requestBody"] = {"content": {"application/json": {"schema": schema}}, "required": True}
    declared.setdefault("responses", {"200": {"description": "ok"}})
    declared.setdefault("description", "d")
    return {"post": declared}


def ref(name: str) -> dict[str, str]:
    """A `$ref` to a component schema of the same document."""
    return {"$ref": "#" + pointers.join("/components/schemas", name)}


def body_pointer(key: str, method: str = "post", media_type: str = "application/json") -> str:
    """Where a webhook's body schema sits in the document."""
    return pointers.join("/webhooks", key, method, "requestBody", "content", media_type, "schema")


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of a file that contains `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)
