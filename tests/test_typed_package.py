"""The generated package passes `mypy --strict` whatever shape the spec has, not only the example's.

Each spec here holds one shape that once broke the types of a generated package; all are checked in one mypy run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.commands.imported import import_generated
from generator.pipeline import generate


def _document(schemas: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}},
        },
        "responses": {"200": {"description": "ok"}},
    }
    if parameters is not None:
        operation["parameters"] = parameters
    return {
        "openapi": "3.1.0",
        "info": {"title": "Typed", "version": "1"},
        "webhooks": {"event": {"post": operation}},
        "components": {"schemas": schemas},
    }


EVENT = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
STATUS = {"type": "string", "enum": ["success", "error"], "description": "How it went."}
# ucp's `status: {$ref: status, default: success}` was `status: BaseStatus = "success"`: a `str` where mypy wants the
# enum (ucp, Paddle, Chargebee, GitHub, Polar, Svix); as a member, the enum must be defined before the class reads it.
WITH_ENUM_DEFAULTS = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "status": {"$ref": "#/components/schemas/Status", "default": "success"},
        "inline": {"type": "string", "enum": ["a", "b"], "default": "b"},
        "level": {"$ref": "#/components/schemas/Level", "default": 2},
        "maybe": {"anyOf": [{"$ref": "#/components/schemas/Status"}, {"type": "null"}], "default": "error"},
    },
}
ENUM_SCHEMAS = {"Event": WITH_ENUM_DEFAULTS, "Status": STATUS, "Level": {"type": "integer", "enum": [1, 2, 3]}}
SHAPES = {
    # webhooks.py's header table was `headers = {}` (mypy: "Need type annotation") when no webhook has a header.
    "no_headers": _document({"Event": EVENT}),
    "headers": _document(
        {"Event": EVENT}, [{"name": "X-Request-Id", "in": "header", "required": True, "schema": {"type": "string"}}]
    ),
    "enum_defaults": _document(ENUM_SCHEMAS),
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("typed")
    for name, document in SHAPES.items():
        spec = folder / f"{name}.yaml"
        spec.write_text(yaml.safe_dump(document), encoding="utf-8")
        generate(spec, folder / "out" / f"typed_{name}", package=f"typed_{name}")
    return folder / "out"


def test_every_generated_package_passes_mypy_strict(packages: Path) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *(f"typed_{name}/typed_{name}" for name in SHAPES)],
        cwd=packages,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def test_an_enum_default_is_the_enums_member(packages: Path) -> None:
    (models,) = import_generated(packages / "typed_enum_defaults", "typed_enum_defaults", "models")
    event = models.Event.model_validate({"id": "e1"})
    assert (event.status, event.level, event.maybe) == (models.Status.SUCCESS, models.Level(2), models.Status.ERROR)
    assert all(type(value) is not str for value in (event.status, event.inline, event.maybe))
    assert event.model_dump(mode="json") == {
        "id": "e1",
        "status": "success",
        "inline": "b",
        "level": 2,
        "maybe": "error",
    }
    assert models.Event.model_validate({"id": "e2", "status": "error", "maybe": None}).maybe is None
    schema = models.Event.model_json_schema()["properties"]
    assert (schema["status"]["default"], schema["level"]["default"]) == ("success", 2)
