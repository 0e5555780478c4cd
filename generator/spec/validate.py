"""Validate a bundled spec: what makes generation impossible is an error, the rest a warning.

Only what the webhooks reach is checked by default: real specs (OpenAI's, Svix's) carry
findings in paths their webhooks never touch, and checking GitHub's whole document costs
seconds. `strict` also runs openapi-spec-validator over the whole document and turns every
finding into an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError

from ..errors import Level, Problem
from . import pointers
from .bundle import Bundle
from .lint import careless_findings
from .walk import HTTP_METHODS, document_schemas, json_containers, ref_cycles, webhook_document

# Findings that do not change how a payload is read: reported, never blocking (unless strict).
# Maps whose keys are names chosen by the author (a property called `example`, a `default` response).
_NAME_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "responses", "schemas", "webhooks"}
)
_BENIGN_KEYWORDS = frozenset({"default", "example", "examples", "exclusiveMinimum", "exclusiveMaximum"})


def _check_document(bundle: Bundle) -> list[Problem]:  # noqa: PLR0911 - one return per kind of problem
    """Problems that stop before anything else can run: not OpenAPI 3.1, no usable `webhooks`."""
    document = bundle.document
    if not isinstance(document, dict):
        return [bundle.problem("", f"not an OpenAPI document: the top level is a {_kind(document)}, not a map")]
    version = document.get("openapi")
    if version is None:
        hint = " (this is Swagger 2.0)" if "swagger" in document else ""
        return [bundle.problem("", f"not an OpenAPI document: there is no `openapi` field{hint}")]
    if not str(version).startswith("3.1"):
        message = f"OpenAPI {version} is not supported: hookgen reads OpenAPI 3.1 and 3.0"
        return [bundle.problem("/openapi", message)]
    if "webhooks" not in document:
        return [bundle.problem("", "the document has no `webhooks` section: there is nothing to generate")]
    webhooks = document["webhooks"]
    if not isinstance(webhooks, dict):
        return [
            bundle.problem("/webhooks", f"`webhooks` must be a map of names to path items, not a {_kind(webhooks)}")
        ]
    if not webhooks:
        return [bundle.problem("/webhooks", "`webhooks` is empty: there is nothing to generate")]
    return list(_check_webhooks(bundle, webhooks))


def _check_webhooks(bundle: Bundle, webhooks: dict[str, Any]) -> Iterator[Problem]:
    for key, item in webhooks.items():
        at = pointers.join("/webhooks", key)
        if not isinstance(item, dict):
            yield bundle.problem(at, f"webhook {key!r} must be a path item (a map), not a {_kind(item)}")
        elif "$ref" not in item and not any(method in item for method in HTTP_METHODS):
            yield bundle.problem(at, f"webhook {key!r} declares no operation (post, put, ...)")


def validate(
    bundle: Bundle, *, strict: bool = False, default_signature: bool = False
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The part of the bundle the webhooks reach, and every finding about it, located and levelled.

    A document that is not OpenAPI 3.1 with webhooks gives None and only that problem. `default_signature`: a
    signature scheme is configured for webhooks that declare none (the `signature-scheme` rule is then content).
    """
    structural = _check_document(bundle)
    if structural:
        return None, structural
    reached = webhook_part(bundle)
    problems = [_level(bundle, error, strict) for error in _oas_validator().iter_errors(reached)]
    problems += [_cycle_problem(bundle, cycle) for cycle in ref_cycles(reached)]
    problems += _schema_problems(bundle, reached, strict)
    problems += careless_findings(bundle, reached, strict=strict, default_signature=default_signature)
    if strict:
        problems += _spec_validator_findings(bundle)
    return reached, sorted(set(problems))


def webhook_part(bundle: Bundle) -> dict[str, Any]:
    """The part of a bundle's document the webhooks reach: what `validate` gives for a document it can say anything
    of."""
    return webhook_document(bundle.document, bundle.webhook_roots)


def _cycle_problem(bundle: Bundle, cycle: list[str]) -> Problem:
    places = [bundle.locate(pointer) for pointer in [*cycle, cycle[0]]]
    path = " -> ".join(f"{file.name}#{pointer}" for file, pointer in places)
    return bundle.problem(pointers.join(cycle[0], "$ref"), f"$ref cycle with nothing but references in it: {path}")


def _level(bundle: Bundle, error: ValidationError, strict: bool) -> Problem:
    pointer = pointers.join("", *error.absolute_path)
    if _is_missing_version(error):
        return bundle.problem(pointer, "`info` has no `version`: the package gets version 0.0.0", _warning(strict))
    benign = _under_benign_keyword(list(map(str, error.absolute_path))) or _is_duplicate_required(error)
    return bundle.problem(pointer, _message(error), _warning(strict) if benign else Level.ERROR)


def _under_benign_keyword(path: list[str]) -> bool:
    """Whether the path passes through a benign keyword used as a keyword, not as a name (`properties/example`)."""
    return any(
        token in _BENIGN_KEYWORDS and (index == 0 or path[index - 1] not in _NAME_MAPS)
        for index, token in enumerate(path)
    )


def _warning(strict: bool) -> Level:
    return Level.ERROR if strict else Level.WARNING


def _is_missing_version(error: ValidationError) -> bool:
    return error.validator == "required" and list(error.absolute_path) == ["info"] and "'version'" in error.message


def _is_duplicate_required(error: ValidationError) -> bool:
    return error.validator == "uniqueItems" and bool(error.absolute_path) and error.absolute_path[-1] == "required"


def _message(error: ValidationError) -> str:
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = max(error.context, key=lambda sub: len(sub.absolute_path))
        return _message(deepest)
    message = str(error.message)
    return message if len(message) <= 200 else message[:197] + "..."


class _Checker:
    """A JSON Schema validator whose findings are jsonschema's, asked only of what jsonschema-rs finds invalid.

    jsonschema-rs answers "valid?" about 100x faster (GitHub's spec: 0.06 s against 21 s); jsonschema still
    writes every finding, so the messages and paths are the same as without the shortcut. jsonschema-rs crashes
    on values nested about 10,000 deep; the loader refuses documents nested past Python's recursion limit first.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        self.slow = jsonschema.Draft202012Validator(schema)
        self.fast = jsonschema_rs.Draft202012Validator(schema, validate_formats=False, offline=True)

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        """jsonschema's errors about `instance`; none without asking it when jsonschema-rs finds it valid."""
        try:
            valid = self.fast.is_valid(instance)
        except (ValueError, TypeError, OverflowError):  # a value jsonschema-rs cannot read: ask jsonschema
            valid = False
        return iter(()) if valid else self.slow.iter_errors(instance)


def _schema_problems(bundle: Bundle, reached: dict[str, Any], strict: bool) -> Iterator[Problem]:
    checker = _schema_meta_validator()
    for pointer, schema in document_schemas(reached):
        for error in checker.iter_errors(schema):
            error.path.extendleft(reversed(pointers.parts(pointer)))
            yield _level(bundle, error, strict)


def _spec_validator_findings(bundle: Bundle) -> list[Problem]:
    from openapi_spec_validator import OpenAPIV31SpecValidator  # noqa: PLC0415 - only in strict mode

    class OfflineValidator(OpenAPIV31SpecValidator):
        # Its default handlers fetch any http(s) or file URI a `$ref` names; it is only given local ones, and
        # should one slip through, it reads as an empty document, without a request.
        resolver_handlers = dict.fromkeys(("<all_urls>", "http", "https", "file"), _nothing)  # type: ignore[arg-type]

    # The bundle already reports every `$ref` it could not follow; the validator sees the rest only.
    document = _only_followable_refs(bundle.document, bundle.document)
    try:
        findings = list(OfflineValidator(document).iter_errors())
    except Exception as exc:  # noqa: BLE001 - a failure inside the third-party validator is a finding, not a crash
        return [bundle.problem("", f"openapi-spec-validator could not finish: {type(exc).__name__}: {exc}")]
    places = _container_pointers(document)
    return [
        bundle.problem(_place(document, places, error), f"openapi-spec-validator: {_message(error)}")
        for error in findings
    ]


def _container_pointers(document: Any) -> dict[int, str]:
    """The pointer of every map and list in the document, by identity (the document shares none: it is a copy)."""
    return {id(node): pointer for pointer, node in json_containers(document)}


def _place(document: Any, places: dict[int, str], error: ValidationError) -> str:
    """Where in the document an openapi-spec-validator finding is: its errors carry no path into it."""
    # A map or list it judged is the very object of the document it was given: found by identity.
    found = places.get(id(error.instance))
    if found is not None:
        return pointers.join(found, *error.relative_path)
    # A bare value cannot be found so. A `default` is validated against its own schema, which is the document's:
    # the failing subschema is found by identity, the schema path leads back up to the schema holding the default.
    if id(error.schema) in places:
        return _default_place(document, places[id(error.schema)], error)
    # Else it was judged against the OpenAPI schema, whose error path starts at the document's root.
    at = pointers.join("", *error.absolute_path)
    return at if error.absolute_path and _holds(document, at, error.instance) else ""


def _default_place(document: Any, subschema: str, error: ValidationError) -> str:
    """The value inside a schema's `default` that its subschema refused; else that subschema."""
    tokens, walked = pointers.parts(subschema), [str(token) for token in list(error.schema_path)[:-1]]
    top = pointers.join("", *tokens[: len(tokens) - len(walked)])
    if walked == tokens[len(tokens) - len(walked) :]:
        at = pointers.join(top, "default", *error.absolute_path)
        if _holds(document, at, error.instance):
            return at
    return subschema


def _holds(document: Any, pointer: str, value: Any) -> bool:
    try:
        found = pointers.resolve(document, pointer)
    except KeyError:
        return False
    return bool(found == value and type(found) is type(value))


def _only_followable_refs(document: dict[str, Any], node: Any) -> Any:
    if isinstance(node, list):
        return [_only_followable_refs(document, item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _only_followable_refs(document, value) for key, value in node.items()}
    if "$ref" in copied and not _follows(document, copied["$ref"]):
        del copied["$ref"]
    return copied


def _follows(document: dict[str, Any], ref: Any) -> bool:
    if not (isinstance(ref, str) and ref.startswith("#")):
        return False
    try:
        pointers.resolve(document, ref[1:])
    except KeyError:
        return False
    return True


def _nothing(uri: str) -> dict[str, Any]:
    return {}


@cache
def _oas_validator() -> _Checker:
    # openapi-spec-validator ships the official OAS 3.1 schema; validating against it directly keeps error paths.
    text = resources.files("openapi_spec_validator").joinpath("resources/schemas/v3.1/schema.json").read_text()
    return _Checker(json.loads(text))


@cache
def _schema_meta_validator() -> _Checker:
    return _Checker(jsonschema.Draft202012Validator.META_SCHEMA)


def _kind(value: Any) -> str:
    return {dict: "map", list: "list", str: "string", type(None): "null"}.get(type(value), type(value).__name__)
