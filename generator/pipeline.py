"""The stages, wired: load and bundle → validate → models → IR → render → write.

Each stage takes a value and returns (value, problems). Problems are gathered in order; the first stage
that returns an error stops the run with every problem found so far (`SpecError`).
"""

from __future__ import annotations

import gc
import keyword
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, TypedDict, TypeVar, Unpack

from .errors import ConfigError, Problem, SpecError, raise_on_errors
from .ir import Spec
from .ir.parse import body_pointer, build_spec
from .models import child
from .models.codegen import DEFAULT_ASSERTED_FORMATS, Models, generate_models, run_options
from .models.contract_check import body_checks, contract_for, guarded_bodies
from .models.deviations import find_deviations
from .models.prepare import BodyKey, ModelInput, prepare
from .names import default_package, snake_case
from .progress import stage
from .render.render import compile_templates, render_package
from .render.write import write_package
from .spec.bundle import Bundle, bundle
from .spec.rules import RuleSettings
from .spec.upgrade import upgrade
from .spec.validate import validate, webhook_part

T = TypeVar("T")
_NO_SETTINGS = RuleSettings()
_PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Generated:
    """What one run produced: the IR, the files, and the warnings met on the way."""

    spec: Spec
    package: str
    files: dict[str, str]
    warnings: list[Problem]
    document: dict[str, Any]
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS
    changed: bool = True  # whether writing it changed any file (False: the output was already this)


@dataclass
class _Problems:
    """The problems of one run, in the order the stages met them (rule findings levelled as configured)."""

    found: list[Problem] = field(default_factory=list)
    levelled: Callable[[list[Problem]], list[Problem]] = list

    def take(self, result: tuple[T | None, list[Problem]]) -> T:
        """A stage's value; raises SpecError, with everything found so far, when the stage met an error."""
        value, problems = result
        self.found += self.levelled(problems)
        raise_on_errors(self.found)
        if value is None:
            raise SpecError(self.found)
        return value


def _placed(bundled: Bundle, result: tuple[T | None, list[Problem]]) -> tuple[T | None, list[Problem]]:
    """A stage's result with each problem it found at a pointer into the bundle placed in its source file and line."""
    value, found = result
    return value, [
        _place(bundled, p) if p.file == bundled.root.name and p.line is None and p.pointer else p for p in found
    ]


def _place(bundled: Bundle, problem: Problem) -> Problem:
    placed = bundled.problem(problem.pointer, problem.message, problem.level)
    return replace(problem, file=placed.file, line=placed.line, pointer=placed.pointer)


# CPython's cycle collector runs a young collection every 700 new container objects and rescans what survives. A
# generation makes millions that all live until its end (the bundle, datamodel-code-generator's models, the models'
# syntax tree), so most collections find nothing: on GitHub's spec they were 1.5-3 of its ~19 CPU seconds (one
# `ast.parse` of the 2.9 MB models took 2.4 s collected, 0.9 s not), with the same peak memory either way.
COLLECTOR_THRESHOLDS = (100_000, 50, 50)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The cycle collector at COLLECTOR_THRESHOLDS for the block, and as it was after it."""
    previous = gc.get_threshold()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def check_package_name(package: str) -> None:
    """Refuse a package name that is not a plain Python identifier: it names a folder inside the output."""
    if not _PACKAGE_NAME.fullmatch(package) or keyword.iskeyword(package):
        suggestion = snake_case(package, fallback="webhooks")
        raise ConfigError(f"package name {package!r} is not a Python identifier; try {suggestion!r}")


def load_bundle(
    spec_path: Path,
    *,
    strict: bool = False,
    ref_roots: Sequence[Path] = (),
    rules: RuleSettings = _NO_SETTINGS,
    signature: dict[str, Any] | None = None,
) -> tuple[Bundle, dict[str, Any], list[Problem]]:
    """Load, bundle and validate a spec: the bundle, the part the webhooks reach, and the warnings.

    `rules` switches off or re-levels lint rules; `signature` is the scheme of webhooks that declare none.
    Raises SpecError (carrying the warnings too) when the spec cannot be generated.
    """
    bundled, bundling = bundled_spec(spec_path, strict=strict, ref_roots=ref_roots)
    reached, problems = validated(bundled, bundling, strict=strict, rules=rules, signature=signature)
    return bundled, reached, problems


def bundled_spec(
    spec_path: Path, *, strict: bool = False, ref_roots: Sequence[Path] = ()
) -> tuple[Bundle, list[Problem]]:
    """The spec loaded, bundled and upgraded to OpenAPI 3.1, and the problems met; raises SpecError if it cannot be."""
    bundled, bundling = stage("bundle", _files, bundle, spec_path, strict=strict, ref_roots=ref_roots)
    if bundled is None:
        raise SpecError(bundling)
    bundled, upgrading = upgrade(bundled)
    return bundled, bundling + upgrading


def validated(
    bundled: Bundle,
    bundling: list[Problem],
    *,
    strict: bool = False,
    rules: RuleSettings = _NO_SETTINGS,
    signature: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """The part of the bundle the webhooks reach, and the warnings (`bundling`'s too); raises SpecError on an error."""
    reached, findings = stage(
        "validate", _findings, validate, bundled, strict=strict, default_signature=signature is not None
    )
    if reached is None:
        raise SpecError(findings)  # not a document the rest could be said of
    problems = rules.apply(bundling + findings, bundled.sources, strict=strict)
    raise_on_errors(problems)
    return reached, problems


def model_job(
    spec: Path | Bundle,
    asserted_formats: frozenset[str],
    settings: Mapping[str, Any] | None,
    *,
    strict: bool = False,
    ref_roots: Sequence[Path] = (),
) -> tuple[str, ModelInput, dict[str, Any]]:
    """datamodel-code-generator's input and options as `build` makes them (less the contract, which the run does not
    read), from the spec's files or its bundle alone, and the digest of those files (models/child.py: the child makes
    them while this process validates).

    The checks are not known yet: the run imports `contract_check` whatever they are (`codegen.run_options`).
    """
    bundled = spec if isinstance(spec, Bundle) else bundled_spec(spec, strict=strict, ref_roots=ref_roots)[0]
    model_input = prepare(webhook_part(bundled), contract=False)
    return bundled.digest(), model_input, run_options(asserted_formats, settings, None)


@fewer_collections()
def build(
    spec_path: Path,
    *,
    package: str | None = None,
    strict: bool = False,
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS,
    ref_roots: Sequence[Path] = (),
    templates: Path | None = None,
    rules: RuleSettings = _NO_SETTINGS,
    signature: dict[str, Any] | None = None,
    model_settings: Mapping[str, Any] | None = None,
) -> Generated:
    """Everything but the writing: the rendered package for a spec (`templates`: a folder searched first).

    `rules`: lint rules switched off or re-levelled; `signature`: the scheme of webhooks that declare none;
    `model_settings`: datamodel-code-generator options from `[tool.hookgen.models]` (`codegen.model_settings`).
    For a large spec with a core free, datamodel-code-generator runs in a child process, started before the spec is
    bundled when its root file is large too (models/child.py).
    """
    if package is not None:
        check_package_name(package)
    job = partial(model_job, spec_path, asserted_formats, model_settings, strict=strict, ref_roots=ref_roots)
    with child.started(job, spec_path) as started, ExitStack() as later:
        bundled, bundling = bundled_spec(spec_path, strict=strict, ref_roots=ref_roots)
        from_bundle = partial(model_job, bundled, asserted_formats, model_settings)
        runner = later.enter_context(child.kept(started, bundled, from_bundle))
        reached, warnings = validated(bundled, bundling, strict=strict, rules=rules, signature=signature)
        problems = _Problems(warnings, partial(rules.apply, sources=bundled.sources, strict=strict))
        model_input = stage("prepare", _bodies, prepare, reached)
        guards = guarded_bodies(model_input.contract, model_input.body_schemas.values())
        checks = body_checks(guards)
        # While the models are made: the spec's IR gives each body this pointer (`build_spec`).
        deviations = find_deviations(bundled, {body: body_pointer(body) for body in model_input.body_schemas})
        if runner is not None:
            compile_templates(templates)  # while the child runs
        made = stage(
            "models",
            _classes,
            generate_models,
            model_input,
            asserted_formats,
            checks=checks,
            root_file=bundled.root.name,
            settings=model_settings,
            runner=runner,
            names=runner.names if runner is not None else None,
        )
        # The child, its run done, reads part of the models' statements while this process goes on (models/split.py).
        reading = runner.reading(made[0].code) if runner is not None and made[0] is not None and made[0].code else None
        models = problems.take(_placed(bundled, made))
        spec = problems.take(
            stage(
                "parse", _webhooks, build_spec, bundled, model_input.body_schemas, models, default_signature=signature
            )
        )
        problems.found += deviations
        contract, unchecked = contract_for(model_input, guards, models, bundled, asserted_formats)
        problems.found += unchecked
        package = package or default_package(spec.title, spec_path.stem)
        files = stage(
            "render",
            _rendered,
            render_package,
            spec,
            package,
            models.code,
            contract=contract,
            templates=templates,
            model_statements=reading,
        )
    return Generated(spec, package, files, problems.found, bundled.document, asserted_formats)


def spec_with_known_classes(
    bundled: Bundle,
    bundling: list[Problem],
    body_classes: Mapping[BodyKey, str],
    *,
    signature: dict[str, Any] | None = None,
) -> tuple[Spec, dict[str, Any]] | None:
    """The IR and document of a spec (`bundled_spec`'s bundle and problems) whose body classes are known already (a
    cached package's), without generating the models; None when `body_classes` does not name exactly its bodies."""
    reached, _ = validated(bundled, bundling, signature=signature)
    body_schemas = prepare(reached).body_schemas
    if set(body_schemas) != set(body_classes):
        return None
    names = Models(code="", class_names={body_schemas[key]: name for key, name in body_classes.items()})
    spec, _ = build_spec(bundled, body_schemas, names, default_signature=signature)
    return spec, bundled.document


class BuildOptions(TypedDict, total=False):
    """What `build` takes besides the spec (see its parameters)."""

    package: str | None
    strict: bool
    asserted_formats: frozenset[str]
    ref_roots: Sequence[Path]
    templates: Path | None
    rules: RuleSettings
    signature: dict[str, Any] | None
    model_settings: Mapping[str, Any]


def generate(spec_path: Path, output: Path, **options: Unpack[BuildOptions]) -> Generated:
    """Generate the package for a spec into `output`, replacing it whole only when everything worked."""
    generated = build(spec_path, **options)
    changed = stage(
        "write", lambda changed: "changed" if changed else "unchanged", write_package, generated.files, output
    )
    return replace(generated, changed=changed)


# What each stage made, in a word or two, for the progress lines (`generator/progress.py`).
def _files(result: tuple[Bundle | None, list[Problem]]) -> str:
    return _count(len(result[0].sources), "file") if result[0] is not None else "failed"


def _findings(result: tuple[Any, list[Problem]]) -> str:
    return _count(len(result[1]), "finding")


def _bodies(model_input: Any) -> str:
    return _count(len(model_input.body_schemas), "body", "bodies")


def _classes(result: tuple[Any, list[Problem]]) -> str:
    return _count(result[0].code.count("\nclass "), "class", "classes") if result[0] is not None else "failed"


def _webhooks(result: tuple[Spec | None, list[Problem]]) -> str:
    return _count(len(result[0].webhooks), "webhook") if result[0] is not None else "failed"


def _rendered(files: dict[str, str]) -> str:
    return _count(len(files), "file")


def _count(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"
