"""The stages, wired: load → resolve → validate → models → IR → render → write."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from . import names
from .deviations import find_deviations
from .guard import add_guards, check_pointer, contract_document, guarded_bodies
from .ir import Spec
from .load import FileSet
from .models import DEFAULT_ASSERTED_FORMATS, generate_models, generation_problem, prepare
from .parse import build_spec
from .problems import Level, Problem, SpecError, errors
from .render import render_package
from .resolve import Bundle, bundle, reached_roots, webhook_document
from .validate import check_document, validate
from .write import write_package


@dataclass(frozen=True)
class Generated:
    """What one run produced: the IR, the files, and the warnings met on the way."""

    spec: Spec
    package: str
    files: dict[str, str]
    warnings: list[Problem]
    document: dict[str, Any]
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS


def load_bundle(spec_path: Path, *, strict: bool = False) -> tuple[Bundle, dict[str, Any], list[Problem]]:
    """Load, resolve and validate a spec; raise SpecError (with warnings too) when it cannot be generated.

    Returns the bundle, the part of it the webhooks reach, and the warnings.
    """
    files = FileSet()
    root = files.get(spec_path)
    bundled = bundle(files, root)
    structural = check_document(bundled)
    if structural:
        raise SpecError(structural)
    roots = reached_roots(bundled.document)
    reached = webhook_document(bundled.document, roots)
    problems = sorted(set(bundled.problems(roots, strict=strict) + validate(bundled, reached, strict=strict)))
    if errors(problems):
        raise SpecError(problems)
    return bundled, reached, problems


def build(
    spec_path: Path,
    *,
    package: str | None = None,
    strict: bool = False,
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS,
) -> Generated:
    """Everything but the writing: the rendered package for a spec."""
    bundled, reached, problems = load_bundle(spec_path, strict=strict)
    model_input = prepare(reached)
    try:
        models = generate_models(model_input, asserted_formats)
    except Exception as exc:  # noqa: BLE001 - any failure inside the generator is reported as a problem
        raise SpecError([*problems, generation_problem(bundled.origins[""].file.name, exc)]) from None
    spec, naming = build_spec(bundled, model_input.body_schemas, models)
    if errors(naming):
        raise SpecError(problems + naming)
    deviations = find_deviations(
        bundled, {(w.key, w.method, b.media_type): b.schema_pointer for w in spec.webhooks for b in w.bodies}
    )
    package = package or names.snake_case(spec.title, fallback="webhooks")
    guards = guarded_bodies(model_input.contract, model_input.body_schemas.values())
    checks = {models.class_for(name): check_pointer(pointer) for name, pointer in guards.bodies.items()}
    code, unguarded = add_guards(models.code, checks)
    # Never silent: a body whose schema needs the contract check but could not get one is said.
    unchecked = [
        bundled.problem(
            "", f"model {name} is not a class: it cannot check what its schema's keywords say", Level.WARNING
        )
        for name in unguarded
    ]
    contract = contract_document(model_input.contract, guards) if guards.bodies else None
    files = render_package(spec, package, code, contract=contract, asserted_formats=asserted_formats)
    warnings = problems + naming + deviations + unchecked
    return Generated(spec, package, files, warnings, bundled.document, asserted_formats)


def generate(
    spec_path: Path,
    output: Path,
    *,
    package: str | None = None,
    strict: bool = False,
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS,
) -> Generated:
    """Generate the package for a spec into `output`, replacing it whole only when everything worked."""
    generated = build(spec_path, package=package, strict=strict, asserted_formats=asserted_formats)
    write_package(generated.files, output)
    return generated


def import_generated(output: Path, package: str, *modules: str) -> list[ModuleType]:
    """Import modules of a package generated into `output`, replacing any earlier import of that package."""
    sys.path.insert(0, str(output))
    try:
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        return [importlib.import_module(f"{package}.{module}") for module in modules]
    finally:
        sys.path.remove(str(output))
