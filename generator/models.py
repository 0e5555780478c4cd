"""Pydantic v2 models for every webhook payload, through datamodel-code-generator's `generate()`.

Every request body schema is given a place in `components/schemas` first (inline bodies are
hoisted under a name derived from the webhook), so that each webhook's model has a known,
stable class name, read back from datamodel-code-generator's model metadata.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import names
from .normalize import for_contract, normalize
from .problems import Problem
from .resolve import resolve_pointer
from .schemas import component_ref_name
from .validate import HTTP_METHODS

BodyKey = tuple[str, str, str]  # webhook key, method, media type


@dataclass(frozen=True)
class ModelInput:
    """The document handed to datamodel-code-generator, and where each body's schema sits in it."""

    document: dict[str, Any]
    body_schemas: dict[BodyKey, str]
    contract: dict[str, Any]  # the same component schemas, meaning exactly what the source means


@dataclass(frozen=True)
class Models:
    """Generated model code, and the class name of every schema in `components/schemas`."""

    code: str
    class_names: dict[str, str]

    def class_for(self, schema_name: str) -> str:
        """The class generated for a component schema."""
        return self.class_names[schema_name]


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


def deref(document: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s until a value that is not a reference (siblings are kept)."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        ref = node["$ref"]
        if ref in seen:
            break
        seen.add(ref)
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        target = resolve_pointer(document, ref[1:])
        node = {**target, **siblings} if isinstance(target, dict) else target
    return node


def body_contents(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The media types of an operation's request body, `$ref`s followed."""
    body = deref(document, operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    return content if isinstance(content, dict) else {}


def prepare(document: dict[str, Any]) -> ModelInput:
    """Put every body schema into `components/schemas` and drop what datamodel-code-generator should not read."""
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
    model_document = {
        "openapi": document["openapi"],
        "info": {"title": "models", "version": "0"},
        "components": {"schemas": normalize(schemas)},
    }
    contract = {"components": {"schemas": for_contract(schemas)}}
    return ModelInput(model_document, body_schemas, contract)


def _component_name(schema: Any) -> str | None:
    if not isinstance(schema, dict) or set(schema) - {"$ref", "description", "summary"}:
        return None
    return component_ref_name(schema.get("$ref"))


def _hoisted_name(key: str, method: str, media_type: str, taken: dict[str, Any]) -> str:
    base = names.pascal_case(key) + ("" if method == "post" else method.capitalize())
    candidates = [f"{base}Payload", f"{base}{names.pascal_case(media_type)}Payload"]
    candidates += [f"{base}Payload{n}" for n in range(2, 10_000)]
    return next(name for name in candidates if name not in taken)


# Formats a model can assert (refuse a string that breaks it). JSON Schema 2020-12 makes formats
# annotations, so each is a choice: asserting gives typed values (`datetime`, `UUID`), annotating
# never refuses a delivery the contract's validator accepts. `email` is always annotated: asserting
# it would need the email-validator package in every receiver.
ASSERTABLE_FORMATS = ("date", "date-time", "time", "uri", "uuid")
DEFAULT_ASSERTED_FORMATS = frozenset({"date", "date-time", "time"})
# Every other string format datamodel-code-generator 0.89 types (its `json_schema_data_formats`) would
# refuse or transform strings the contract allows: `uuid4` and `ipv4` refuse, `password` hides the value.
_ALWAYS_STRINGS = (
    "byte",
    "date-time-local",
    "decimal",
    "duration",
    "email",
    "hostname",
    "idn-email",
    "integer",
    "ipv4",
    "ipv4-network",
    "ipv6",
    "ipv6-network",
    "password",
    "path",
    "time-local",
    "timestamp with time zone",
    "ulid",
    "uri-reference",
    "uuid1",
    "uuid2",
    "uuid3",
    "uuid4",
    "uuid5",
)
# A number is a number whatever its format says (datamodel-code-generator reads these as dates and times).
_NUMBERS_AS_NUMBERS = (
    "integer+date-time=integer",
    "number+date-time=number",
    "number+time=number",
    "number+time-delta=number",
)

MODEL_OPTIONS: dict[str, Any] = {
    "use_annotated": True,
    "field_constraints": True,
    "use_union_operator": True,
    "use_standard_collections": True,
    "use_double_quotes": True,
    "disable_timestamp": True,
    "treat_dot_as_module": False,
    "snake_case_field": True,
    "capitalise_enum_members": True,
    "use_schema_description": True,
    "use_field_description": True,
    "keep_model_order": True,
    "formatters": [],
    # An optional property that is not nullable must refuse `null`: absent means MISSING, not None.
    "use_missing_sentinel": True,
    # A property with a default is still not nullable: the default fills in only when it is absent.
    "strict_nullable": True,
    # Pydantic reads a number as a Unix time; the contract's dates are strings (see _types.py.jinja).
    "import_overrides": {"MISSING": "pydantic", "AwareDatetime": "._types", "date": "._types", "time": "._types"},
}


def model_options(asserted_formats: frozenset[str]) -> dict[str, Any]:
    """datamodel-code-generator's options, with every format not asserted read as a plain string."""
    annotated = [name for name in ASSERTABLE_FORMATS if name not in asserted_formats]
    mappings = [f"{name}=string" for name in (*_ALWAYS_STRINGS, *annotated)] + list(_NUMBERS_AS_NUMBERS)
    return {**MODEL_OPTIONS, "type_mappings": mappings}


def generate_models(model_input: ModelInput, asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS) -> Models:
    """Run datamodel-code-generator on the prepared document."""
    # Slow to import, and needed only here.
    from datamodel_code_generator import generate  # noqa: PLC0415
    from datamodel_code_generator.enums import (  # noqa: PLC0415
        DataModelType,
        InputFileType,
        OpenAPIScope,
    )
    from datamodel_code_generator.format import PythonVersion  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="hookgen-models-") as folder:
        output, metadata = Path(folder) / "models.py", Path(folder) / "metadata.json"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generate(
                model_input.document,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                openapi_scopes=[OpenAPIScope.Schemas],
                target_python_version=PythonVersion.PY_311,
                output=output,
                emit_model_metadata=metadata,
                **model_options(asserted_formats),
            )
        code = output.read_text(encoding="utf-8")
        entries = json.loads(metadata.read_text(encoding="utf-8"))["models"]
    class_names = {
        entry["source_path"][2]: entry["class_name"]
        for entry in entries
        if entry["source_path"][:2] == ["components", "schemas"] and len(entry["source_path"]) == 3
    }
    return Models(code=_without_header(code), class_names=class_names)


def _without_header(code: str) -> str:
    lines = code.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines).lstrip("\n")


def generation_problem(root_file: str, exc: Exception) -> Problem:
    """A failure inside datamodel-code-generator, as a problem."""
    return Problem(root_file, None, "", f"datamodel-code-generator failed: {type(exc).__name__}: {exc}")


__all__ = [
    "ASSERTABLE_FORMATS",
    "DEFAULT_ASSERTED_FORMATS",
    "Models",
    "ModelInput",
    "body_contents",
    "deref",
    "generate_models",
    "operations",
    "prepare",
]
