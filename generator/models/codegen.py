"""The datamodel-code-generator call: Pydantic v2 models for the prepared schemas, through its `generate()`.

Which formats a model asserts is a setting (see ASSERTABLE_FORMATS); every other format is read as a plain
string, so a model never refuses a string the contract allows. Class names are read back from
datamodel-code-generator's model metadata. The body models that need the contract check (contract_check.py) are
given it once their class names are known (see `with_checks`).
"""

from __future__ import annotations

import ast
import difflib
import functools
import json
import re
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Level, Problem
from ..render.escape import python_literal
from ..spec import pointers
from ..spec.walk import ref_strings
from .member_words import MemberWords, member_words, with_member_words
from .normalize import ENUM_DROPS, document_words
from .prepare import ModelInput


@dataclass(frozen=True)
class Models:
    """Generated model code, and the class name of every schema in `components/schemas`."""

    code: str
    class_names: dict[str, str]
    numbered: tuple[tuple[str, str], ...] = ()  # (class name, JSON pointer) of inline models named with a number
    checked: Mapping[str, str] = field(default_factory=dict)  # class name -> the pointer of its contract check

    def class_for(self, schema_name: str) -> str:
        """The class generated for a component schema."""
        return self.class_names[schema_name]


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
    # An enum field's default is its member (`= Status.ACTIVE`), not the bare value mypy refuses for the enum's type
    # (ucp, Paddle, Chargebee...); split.py puts a module's enums first, where the class bodies can read them.
    "set_default_enum_member": True,
    "use_schema_description": True,
    # Descriptions as `Field(description=...)`: they reach `model_fields` and the JSON schema, not only a docstring.
    "use_field_description": False,
    # Keywords the models do not enforce but the provider's document must say (see normalize.DOCUMENTED_KEYWORDS).
    "field_extra_keys_without_x_prefix": {"x-format", "x-uniqueItems", "x-json_schema_extra"},
    "model_extra_keys_without_x_prefix": {
        "x-title",
        "x-description",
        "x-examples",
        "x-example",
        # An enum's constraints (see normalize.DOCUMENTED_KEYWORDS).
        *(f"x-{key}" for key in ENUM_DROPS),
        # The conditions only the contract check enforces (see normalize._conditions).
        "x-allOf",
    },
    "keep_model_order": True,
    # An inline enum or object is named from where it stands (`OrderRefundReason`, not `Reason1`); a number is the
    # last resort, and each is a warning (see `numbered_warnings`).
    "naming_strategy": "parent-prefixed",
    "formatters": [],
    # An optional property that is not nullable must refuse `null`: absent means MISSING, not None.
    "use_missing_sentinel": True,
    # A property with a default is still not nullable: the default fills in only when it is absent.
    "strict_nullable": True,
    # Pydantic's lax mode reads "5" and true as integers, "1.5" as a number, "true" and 1 as booleans: the contract
    # does not. datamodel-code-generator writes StrictInt, StrictFloat and StrictBool for them, and the imports below
    # take those names from the package's `_types` (see generator/runtime/_types.py), whose integer still takes 5.0.
    "strict_types": ["int", "float", "bool"],
    # Pydantic reads a number as a Unix time; the contract's dates are strings (see generator/runtime/_types.py).
    # `contract_check` comes from the package's own `_contract.py` (see `check_options`).
    "import_overrides": {
        "MISSING": "pydantic",
        "AwareDatetime": "._types",
        "date": "._types",
        "time": "._types",
        "StrictInt": "._types",
        "StrictFloat": "._types",
        "StrictBool": "._types",
        "contract_check": "._contract",
        "enum_json_schema": "._types",
        "with_bases_json_schema": "._types",
        "with_words_json_schema": "._types",
    },
    # The names `with_checks` writes into enum classes and derived classes.
    "additional_imports": [
        "_types.enum_json_schema",
        "_types.with_bases_json_schema",
        "_types.with_words_json_schema",
    ],
}

# The contract check is one line in the body of a class, `_hookgen_contract = contract_check(pointer)`, where
# datamodel-code-generator's BaseModel and RootModel templates include `schema_runtime_validation.jinja2` (after the
# docstring, `model_config` and generated class-body lines, before the fields). It is written in by `with_checks` once
# the class names are known (they are known only after the run). A custom template folder holding only a replacement
# for that include would do the same, but makes datamodel-code-generator render every model through Jinja instead of
# its compiled templates (a fifth of its run on GitHub's spec). A custom base class (`base_class_map`,
# `customBasePath`) would not do: it is ignored for a subclass (`allOf`) and dropped for a RootModel; `validators`
# are field validators only.
# The same place gives a class derived from generated classes (an `allOf` of `$ref`s) `_types.with_bases_json_schema`
# (Pydantic's schema of a subclass is flat: the bases' titles and descriptions would not be in the document), and the
# end of an enum class `_types.enum_json_schema(...)`: an Enum has no `model_config` to carry the schema's `title`,
# `examples` and constraints as a BaseModel does (see `with_checks`).
GUARD_ATTRIBUTE = "_hookgen_contract"
ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum"})  # classes of enum templates, which have no such include


# What `[tool.hookgen.models]` may set: datamodel-code-generator options that change how a model reads in Python, not
# what it accepts nor how hookgen finds its classes (options that rename or collapse classes, or relax validation, are
# not offered). Each key maps to the option's name and the values it takes.
MODEL_SETTINGS: Mapping[str, tuple[str, tuple[Any, ...]]] = {
    # `Literal["a", "b"]` instead of an Enum class: "all" enums, or "one" (single-value enums) only.
    "enum-field-as-literal": ("enum_field_as_literal", ("all", "one")),
    # Alias strategy: `snake_case` attributes with the JSON name as alias (default), or the JSON names kept.
    "snake-case-field": ("snake_case_field", (True, False)),
    # Enum members `ACTIVE` (default) or as the values read (`active`).
    "capitalise-enum-members": ("capitalise_enum_members", (True, False)),
    # `Field(default=...)` instead of `= ...` for defaults.
    "use-default-kwarg": ("use_default_kwarg", (True, False)),
}


def model_settings(table: object) -> tuple[dict[str, Any], list[str]]:
    """datamodel-code-generator's options from a `[tool.hookgen.models]` table, and a message per entry refused."""
    if not isinstance(table, dict):
        return {}, ["[tool.hookgen.models] must be a table of model options"]
    options: dict[str, Any] = {}
    wrong = []
    for key, value in table.items():
        if key not in MODEL_SETTINGS:
            close = difflib.get_close_matches(str(key), list(MODEL_SETTINGS), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(MODEL_SETTINGS)})"
            wrong.append(f"[tool.hookgen.models]: unknown option {key!r}{hint}")
            continue
        name, allowed = MODEL_SETTINGS[key]
        if value not in allowed or type(value) is not type(allowed[0]):
            wrong.append(f"[tool.hookgen.models] {key}: {value!r} is not one of {', '.join(map(repr, allowed))}")
            continue
        options[name] = value
    return options, wrong


def model_options(asserted_formats: frozenset[str]) -> dict[str, Any]:
    """datamodel-code-generator's options, with every format not asserted read as a plain string."""
    annotated = [name for name in ASSERTABLE_FORMATS if name not in asserted_formats]
    mappings = [f"{name}=string" for name in (*_ALWAYS_STRINGS, *annotated)] + list(_NUMBERS_AS_NUMBERS)
    return {**MODEL_OPTIONS, "type_mappings": mappings}


def check_options(checks: Mapping[str, str]) -> dict[str, Any]:
    """datamodel-code-generator's options for models that get contract checks: the import of `contract_check`.

    `checks` maps a component schema's name to the pointer of its check; without checks there are no options.
    """
    if not checks:
        return {}
    # An import must name a module; MODEL_OPTIONS's `import_overrides` makes it the package's `._contract`.
    return {"additional_imports": [*MODEL_OPTIONS["additional_imports"], "_contract.contract_check"]}


# The line `check_options`' import takes in datamodel-code-generator's output.
CHECK_IMPORT = "from ._contract import contract_check\n"


def run_options(
    asserted_formats: frozenset[str], settings: Mapping[str, Any] | None, checks: Mapping[str, str] | None
) -> dict[str, Any]:
    """Every option of the run: hookgen's, the user's `settings` (`model_settings`) over them, the check's over both.

    `checks` None: not known yet (the run in models/child.py starts before they are found). The run then imports
    `contract_check` whatever they are, and `generate_models` takes the import out when no class gets a check.
    """
    imports = check_options({"": ""} if checks is None else checks)
    return {**model_options(asserted_formats), **(settings or {}), **imports}


def without_check_import(code: str) -> str:
    """The run's output without the import of `contract_check` in its imports (before the first class)."""
    at = code.find("\n" + CHECK_IMPORT) + 1
    first_class = code.find("\nclass ")
    if at == 0 or (first_class != -1 and at > first_class):
        return code
    return code[:at] + code[at + len(CHECK_IMPORT) :]


def generate_models(
    model_input: ModelInput,
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS,
    *,
    checks: Mapping[str, str] | None = None,
    root_file: str = "",
    settings: Mapping[str, Any] | None = None,
    runner: Callable[[ModelInput, dict[str, Any]], RawModels] | None = None,
    names: Callable[[], Entries | None] | None = None,
) -> tuple[Models | None, list[Problem]]:
    """Run datamodel-code-generator on the prepared document; a failure inside it is a problem at the root file.

    `checks` names the component schemas whose classes get the contract check, with the pointer of each check;
    `settings` are the user's options (`model_settings`), over hookgen's own and under the check's. `runner` gives
    the run's output for this input and these options (`raw_models` by default; `generator/models/child.py` runs it
    in a child process started earlier). `names` gives the run's entries before its end, when it can
    (`ModelsRun.names`): what hookgen reads of the names alone is then made while the run renders, and made again
    should the run end with other entries. Without any schema (no webhook carries a body: Lob's) there are no models,
    and nothing to run.
    """
    if not has_models(model_input):
        return Models(code="", class_names={}), []
    try:
        options = run_options(asserted_formats, settings, checks or {})
        named = _named_early(model_input, names, checks or {})
        code, entries = (runner or raw_models)(model_input, options)
        code = code if checks else without_check_import(code)  # a child's run imports it before checks are known
        if named is None or named.entries != entries:
            named = _named(model_input, entries, checks or {})
        models = _models(named, code)
    except Exception as exc:  # noqa: BLE001 - any failure inside the generator is reported as a problem
        problem = Problem(root_file, None, "", f"datamodel-code-generator failed: {failure(exc)}")
        return None, [problem]
    return models, numbered_warnings(models, root_file)


def has_models(model_input: ModelInput) -> bool:
    """Whether the prepared document has any schema to make a model of (none when no webhook carries a body)."""
    return bool((model_input.document.get("components") or {}).get("schemas"))


class RunFailed(Exception):  # noqa: N818 - it is the run that failed, told as it failed elsewhere
    """The run failed in another process; the message is `failure()` of what it raised there."""


def failure(exc: BaseException) -> str:
    """How a failure of the run is told: its type and message (`ValueError: ...`)."""
    return str(exc) if isinstance(exc, RunFailed) else f"{type(exc).__name__}: {exc}"


def numbered_warnings(models: Models, root_file: str) -> list[Problem]:
    """One warning per inline model whose name needed a number: two schemas standing at one place's name."""
    return [
        Problem(
            root_file,
            None,
            pointer,
            f"model {name} is named with a number: another inline schema here takes {name.rstrip('0123456789')} "
            "(a component schema would give it a name of its own)",
            Level.WARNING,
            rule="numbered-name",
        )
        for name, pointer in models.numbered
    ]


# The class name and source path of each model, in the run's order (its metadata entries).
Entries = list[tuple[str, list[str]]]
# What one run gives: the models' code, and its entries.
RawModels = tuple[str, Entries]


def raw_models(
    model_input: ModelInput, options: dict[str, Any], names: Callable[[Entries], None] | None = None
) -> RawModels:
    """datamodel-code-generator's run through its `generate()`: the code, and (class name, source path) per model.

    `names`, when given, is called with the entries once the run has named its classes, before it renders them
    (`names_told`).
    """
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
        with (
            warnings.catch_warnings(),
            fields_left_out(),
            compact_metadata(),
            renames_redraw_their_users(),
            warning_passes_left_out(),
            names_told(names),
        ):
            warnings.simplefilter("ignore")
            generate(
                model_input.document,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                openapi_scopes=[OpenAPIScope.Schemas],
                target_python_version=PythonVersion.PY_311,
                output=output,
                emit_model_metadata=metadata,
                **options,
            )
        code = output.read_text(encoding="utf-8")
        entries = json.loads(metadata.read_text(encoding="utf-8"))["models"]
    return code, _entries(entries)


def _entries(metadata: list[dict[str, Any]]) -> Entries:
    return [(entry["class_name"], list(entry["source_path"])) for entry in metadata]


# datamodel-code-generator's render pass writes the code of classes already named, then their metadata. The entries
# it would write are made before it, from the same modules and identities by the same method, so that the parent of a
# run in a child (models/child.py) reads the names while the classes are rendered: on GitHub's spec the render pass
# and what follows it are 2.5-3 s of the run. `generate_models` compares them with the entries the run writes.
@contextmanager
def names_told(tell: Callable[[Entries], None] | None) -> Iterator[None]:
    """`tell` called with the run's entries before its render pass, for the block (nothing without `tell`)."""
    if tell is None:
        yield
        return
    from datamodel_code_generator.parser._passes import imports  # noqa: PLC0415 - slow import

    original = imports.render

    def rendering(parser: Any, run: Any) -> None:
        try:
            metadata = parser._build_model_metadata(run.contexts, run.model_identities)[0]
            told = _entries(metadata["models"])
        except Exception:  # noqa: BLE001 - the names are told early only to save time: the run goes on without
            told = None
        if told is not None:
            tell(told)
        original(parser, run)

    imports.render = rendering
    try:
        yield
    finally:
        imports.render = original


# hookgen reads a model's class name and source path from datamodel-code-generator's model metadata, never its
# fields. Each field's entry renders its type hint, and on GitHub's spec the 36,000 of them were 9 of the file's 9.4 MB
# (written with `indent=2` by Python's pure encoder, then read back): about 0.8 s of the run. For the run's length,
# `Parser._field_metadata` of datamodel-code-generator 0.89 (pinned in pyproject.toml) writes `null` instead; the
# entries are otherwise its own. tests/unit/test_models_child.py fails when that method moves or changes.
@contextmanager
def fields_left_out() -> Iterator[None]:
    """datamodel-code-generator's model metadata written with `null` for each field, for the block."""
    from datamodel_code_generator.parser.base import Parser  # noqa: PLC0415 - slow import

    original = Parser.__dict__["_field_metadata"]
    Parser._field_metadata = staticmethod(_no_field)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Parser._field_metadata = original  # type: ignore[method-assign]


def _no_field(field: object, *, is_root_model: bool = False) -> None:
    return None


# The metadata file is written with `indent=2` (`model_metadata.dump_model_metadata`), which makes Python's json use its
# pure-Python encoder: on GitHub's 4,510 models about 0.2 s of the run, for a file hookgen reads back at once. For the
# run's length it is written on one line by the C encoder: the same JSON value, so the same entries.
@contextmanager
def compact_metadata() -> Iterator[None]:
    """datamodel-code-generator's model metadata written as compact JSON, for the block."""
    from datamodel_code_generator import model_metadata  # noqa: PLC0415 - slow import

    original = model_metadata.dump_model_metadata
    model_metadata.dump_model_metadata = _compact_metadata
    try:
        yield
    finally:
        model_metadata.dump_model_metadata = original


def _compact_metadata(metadata: Any) -> str:
    from datamodel_code_generator.model_metadata import model_metadata_payload  # noqa: PLC0415 - slow import

    payload = metadata if metadata is not None else model_metadata_payload([])
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# Two passes of datamodel-code-generator's run only make warnings, which `raw_models` ignores, as it ignores every
# warning of the run (hookgen tells the user its own findings). `record_pydantic_floor` finds the Pydantic release the
# models need above the target, which `generate()` reads only to warn; `warn_about_dropped_constraints` warns once per
# field generated without a constraint of its schema, and keeps the warnings for the recommendation trial alone,
# which `generate()` does not run. On GitHub's spec the two took 1.2-1.4 s of a 25-28 s run; without them the run's
# tail (from its `finish` segment) took 2.55-2.76 s instead of 3.71-4.19, of which 0.3-0.4 s moved to rendering (the
# floor's walk had filled caches the rendering fills instead). The code and metadata are the same, byte for byte.
# tests/unit/test_codegen_warnings.py fails when either pass, or what reads what they keep, changes.
WARNING_PASSES = ("record_pydantic_floor", "warn_about_dropped_constraints")


@contextmanager
def warning_passes_left_out() -> Iterator[None]:
    """datamodel-code-generator's passes that only make warnings (WARNING_PASSES) left out of its run, for the block."""
    from datamodel_code_generator.parser._passes import imports  # noqa: PLC0415 - slow import

    originals = {name: getattr(imports, name) for name in WARNING_PASSES}
    for name in WARNING_PASSES:
        setattr(imports, name, _no_pass)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(imports, name, original)


def _no_pass(parser: object, contexts: object) -> None:
    return None


# datamodel-code-generator makes the class names of a module unique (`replace_duplicate_name_in_module`), and once it
# has renamed any model it drops the render caches of every model of the module, so that the type hints naming a
# renamed model are drawn again with its new name. On GitHub's spec two renames (the component `issue` becomes
# `IssueModel`, as an inline `issue` titled "Issue" keeps `Issue`) dropped the caches of all 4,510 models. For the
# run's length, the calls that drop caches are held back from the pass's first rename on (after it the pass only
# names); at its end the caches of the renamed models, of the models that name them (11 models on GitHub's spec) and of
# any model a call was made for more than once or outside the module are dropped. Left out: the pass's closing call
# for every other model. The field render plans built fell from 69,167 to 61,573, and the package is the same, byte
# for byte, for the example and every corpus spec. tests/unit/test_codegen_renames.py fails when that function changes
# (pinned to 0.89 in pyproject.toml).
@contextmanager
def renames_redraw_their_users() -> Iterator[None]:
    """datamodel-code-generator's module renames dropping the render caches of the renamed models and their users only,
    for the block."""
    from datamodel_code_generator.parser._passes import structure  # noqa: PLC0415 - slow import

    original = structure.replace_duplicate_name_in_module

    def renaming(parser: Any, models: list[Any]) -> None:
        named = {id(model): model.class_name for model in models}
        with _invalidations_from_first_rename(parser) as deferred:
            original(parser, models)
        renamed = [model for model in models if named[id(model)] != model.class_name]
        for model in _still_to_invalidate(deferred, models, renamed):
            model.invalidate_render_caches()

    structure.replace_duplicate_name_in_module = renaming
    try:
        yield
    finally:
        structure.replace_duplicate_name_in_module = original


@contextmanager
def _invalidations_from_first_rename(parser: Any) -> Iterator[list[Any]]:
    """The models whose `invalidate_render_caches` is called from the block's first rename on, in order, each call
    recorded instead of made; the calls before it are made as usual."""
    from datamodel_code_generator.model.base import DataModel  # noqa: PLC0415 - slow import

    deferred: list[Any] = []
    builder = type(parser._graph_builder)
    rename = builder.__dict__["rename_model"]
    classes, stack = [], [DataModel]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if "invalidate_render_caches" in cls.__dict__:
            classes.append((cls, cls.__dict__["invalidate_render_caches"]))

    def record(model: Any) -> None:
        deferred.append(model)

    def rename_holding_back(graph: Any, model: Any, **names: Any) -> None:
        for cls, _ in classes:
            cls.invalidate_render_caches = record  # type: ignore[method-assign,assignment]
        builder.rename_model = rename  # every later call is held back already
        rename(graph, model, **names)

    builder.rename_model = rename_holding_back
    try:
        yield deferred
    finally:
        builder.rename_model = rename
        for cls, method in classes:
            cls.invalidate_render_caches = method  # type: ignore[method-assign]


def _still_to_invalidate(deferred: list[Any], models: list[Any], renamed: list[Any]) -> list[Any]:
    """The deferred invalidations that matter: the renamed models and their users (`_with_users`), and every model
    invalidated for another reason. What is left is the pass's closing call for each model of the module, once."""
    counts = Counter(map(id, deferred))
    in_module = {id(model) for model in models}
    found = {id(model): model for model in _with_users(renamed)}
    for model in deferred:
        if counts[id(model)] > 1 or id(model) not in in_module:
            found.setdefault(id(model), model)
    return list(found.values())


def _with_users(models: list[Any]) -> list[Any]:
    """The models, and every model that names one of them: as a base, or in a field's type (at any depth)."""
    from datamodel_code_generator.model.base import DataModel, DataModelFieldBase  # noqa: PLC0415 - slow import
    from datamodel_code_generator.types import DataType  # noqa: PLC0415 - slow import

    found = {id(model): model for model in models}
    for model in models:
        for child in model.reference.children:
            user = child
            while isinstance(user, DataType):
                user = user.parent
            if isinstance(user, DataModelFieldBase):
                user = user.parent
            if isinstance(user, DataModel):
                found.setdefault(id(user), user)
    return list(found.values())


@dataclass(frozen=True)
class _Named:
    """What hookgen reads of a run's entries and the prepared document alone, before the code."""

    entries: Entries
    class_names: dict[str, str]
    numbered: tuple[tuple[str, str], ...]
    checks: dict[str, str]  # class name -> the pointer of its contract check
    enums: dict[str, dict[str, Any]]
    words: dict[str, dict[str, Any]]
    member_words: dict[str, list[MemberWords]]


def _named(model_input: ModelInput, entries: Entries, checks: Mapping[str, str]) -> _Named:
    """The class names by component schema, the numbered names, and the words each class's lines will carry."""
    class_names = {path[2]: name for name, path in entries if path[:2] == ["components", "schemas"] and len(path) == 3}
    named = {name for name, _ in entries}
    numbered = tuple(
        (name, _source_pointer(path, model_input.moved)) for name, path in entries if _numbered(name, path, named)
    )
    schemas = _first_schemas(model_input.document, entries)
    return _Named(
        entries=entries,
        class_names=class_names,
        numbered=numbered,
        checks={class_names[name]: pointer for name, pointer in checks.items() if name in class_names},
        enums=_enum_extras(schemas),
        words=_class_words(model_input.document, schemas),
        member_words=member_words({name: schema for name, (_, schema) in schemas.items()}, class_names),
    )


def _named_early(
    model_input: ModelInput, names: Callable[[], Entries | None] | None, checks: Mapping[str, str]
) -> _Named | None:
    """`_named` of the entries `names` tells before the run's end; None without them, or should they not read (the
    run's own are read then)."""
    told = names() if names is not None else None
    if told is None:
        return None
    try:
        return _named(model_input, told, checks)
    except Exception:  # noqa: BLE001 - read early only to save time
        return None


def _models(named: _Named, code: str) -> Models:
    """The run's code read with its names: hookgen's class lines written in."""
    code, checked = with_checks(_without_header(code), named.checks, named.enums, named.words)
    code = with_member_words(code, named.member_words)
    return Models(code=code, class_names=named.class_names, numbered=named.numbered, checked=checked)


def with_checks(
    code: str,
    checks: Mapping[str, str],
    enum_extras: Mapping[str, dict[str, Any]] | None = None,
    class_words: Mapping[str, dict[str, Any]] | None = None,
) -> tuple[str, dict[str, str]]:
    """The models' code with hookgen's class lines written in, and the classes that got a contract check.

    - The contract check in each class `checks` names, and `with_bases_json_schema()` in each class derived from
      generated classes, go where datamodel-code-generator's templates include `schema_runtime_validation.jinja2`:
      before the first field, or after the last statement before the first method (a class with no field has a
      docstring, `model_config` or `pass`).
    - `enum_json_schema(...)` of the schema's words ends each enum class `enum_extras` names.
    - A class `class_words` names gets `with_words_json_schema(...)` instead (`bases=True` where it is derived): the
      words its model has no place for (normalize.document_words), after its bases' schemas.
    Each class is read alone: a top-level statement of generated code starts its line, and every other line of a
    class is indented (docstrings are indented line by line, and no string spans lines).
    """
    enum_extras = enum_extras or {}
    class_words = class_words or {}
    lines = _LINE.findall(code)
    tops = [index for index, line in enumerate(lines) if line[:1].strip()]
    inserted: dict[int, str] = {}
    checked = {}
    for position, start in enumerate(tops):
        head = _CLASS.match(lines[start])
        if head is None:
            continue
        name, bases = head.group(1), head.group(2) or ""
        end = tops[position + 1] if position + 1 < len(tops) else len(lines)
        if bases in ENUM_BASES:
            if name in enum_extras:
                at = max(index for index in range(start, end) if lines[index].strip()) + 1
                words = python_literal(enum_extras[name])
                inserted[at] = f"\n    __get_pydantic_json_schema__ = enum_json_schema({words})\n"
            continue
        derived = bases != "BaseModel" and not bases.startswith("RootModel[")
        if name not in checks and not derived and name not in class_words:
            continue
        spot = _check_line(lines[start:end], name)
        if spot is None:
            continue
        written = ""
        if name in checks:
            written += f"    {GUARD_ATTRIBUTE} = contract_check({python_literal(checks[name])})\n"
            checked[name] = checks[name]
        if name in class_words:
            arguments = python_literal(class_words[name]) + (", bases=True" if derived else "")
            written += f"    __get_pydantic_json_schema__ = with_words_json_schema({arguments})\n"
        elif derived:
            written += "    __get_pydantic_json_schema__ = with_bases_json_schema()\n"
        inserted[start + spot] = written
    tail = inserted.pop(len(lines), "")
    return "".join(inserted.get(index, "") + line for index, line in enumerate(lines)) + tail, checked


def model_extras(schema: Mapping[str, Any]) -> dict[str, Any]:
    """What datamodel-code-generator gives a BaseModel's `json_schema_extra` from a schema (its `model_extras`)."""
    extra_keys = model_extra_keys()
    extras = {key: value for key, value in schema.items() if key in extra_keys}
    unprefixed = MODEL_OPTIONS["model_extra_keys_without_x_prefix"]
    extras.update({key[2:]: value for key, value in schema.items() if key in unprefixed})
    return extras


@functools.cache
def model_extra_keys() -> frozenset[str]:
    """The schema keys datamodel-code-generator copies into a model's extras (its parser module: slow to import, a
    third of a second, so models/child.py calls this while the run goes on in the child)."""
    from datamodel_code_generator.parser.jsonschema import DEFAULT_MODEL_EXTRA_KEYS  # noqa: PLC0415 - slow import

    return frozenset(DEFAULT_MODEL_EXTRA_KEYS)


def _first_schemas(
    document: Mapping[str, Any], entries: list[tuple[str, list[str]]]
) -> dict[str, tuple[list[str], Any]]:
    """Each class's first source path and the schema there, by class name, in the run's order."""
    schemas: dict[str, tuple[list[str], Any]] = {}
    for name, path in entries:
        if name not in schemas:
            schemas[name] = (path, pointers.value_at(document, path))
    return schemas


def _enum_extras(schemas: Mapping[str, tuple[list[str], Any]]) -> dict[str, dict[str, Any]]:
    """The model extras of each class made from an enum schema, by class name."""
    found: dict[str, dict[str, Any]] = {}
    for name, (_, schema) in schemas.items():
        if isinstance(schema, dict) and "enum" in schema and (extras := model_extras(schema)):
            found[name] = extras
    return found


def _class_words(
    document: Mapping[str, Any], schemas: Mapping[str, tuple[list[str], Any]]
) -> dict[str, dict[str, Any]]:
    """The words each class's model does not write (normalize.document_words), by class name."""
    referenced = frozenset(ref_strings(document))
    components = (document.get("components") or {}).get("schemas") or {}
    found: dict[str, dict[str, Any]] = {}
    for name, (path, schema) in schemas.items():
        if isinstance(schema, dict) and "enum" not in schema:
            said = document_words(schema, referenced, pointers.join("", *path), components)
            if said:
                found[name] = said
    return found


_CLASS = re.compile(r"class ([A-Za-z_]\w*)\b(?:\((.*)\))?")
# A line with its end, at Python's line breaks only: `str.splitlines` also breaks at \x0c, \x1e or \u2028, which a
# docstring holds as they are.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _check_line(block: list[str], name: str) -> int | None:
    """Where in a class's lines the check goes (the index of the line it goes before); None for no model class."""
    try:
        statements = ast.parse("".join(block)).body
    except SyntaxError:
        return None
    node = statements[0] if len(statements) == 1 else None
    if not (isinstance(node, ast.ClassDef) and node.name == name and node.body):
        return None
    if any(isinstance(base, ast.Name) and base.id in ENUM_BASES for base in node.bases):
        return None
    for index, statement in enumerate(node.body):
        if _is_field(statement):
            return statement.lineno - 1
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return node.body[index - 1].end_lineno if index else None
    return node.body[-1].end_lineno


def _is_field(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.AnnAssign):
        return False
    annotation = statement.annotation
    subscripted = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return not (isinstance(subscripted, ast.Name) and subscripted.id == "ClassVar")


def _source_pointer(path: list[str], moved: Mapping[str, str]) -> str:
    """Where a model's schema stands in the source: a branch moved to a component of its own is found where it was."""
    if path[:2] == ["components", "schemas"] and len(path) > 2 and path[2] in moved:
        return pointers.join(moved[path[2]], *path[3:])
    return pointers.join("", *path)


def _numbered(name: str, source_path: list[str], named: set[str]) -> bool:
    """A class name with a number the schema's own name does not have, whose name without it is taken."""
    base = name.rstrip("0123456789")
    return base != name and base in named and not (source_path and source_path[-1] == name)


def _without_header(code: str) -> str:
    lines = code.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines).lstrip("\n")


__all__ = [
    "ASSERTABLE_FORMATS",
    "DEFAULT_ASSERTED_FORMATS",
    "Entries",
    "GUARD_ATTRIBUTE",
    "Models",
    "RunFailed",
    "CHECK_IMPORT",
    "check_options",
    "compact_metadata",
    "failure",
    "fields_left_out",
    "has_models",
    "generate_models",
    "model_extra_keys",
    "model_options",
    "names_told",
    "raw_models",
    "run_options",
    "warning_passes_left_out",
    "with_checks",
    "without_check_import",
]
