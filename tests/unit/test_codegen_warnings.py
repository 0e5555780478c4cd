"""datamodel-code-generator's passes that only make warnings are left out of its run
(`codegen.warning_passes_left_out`): the same code and metadata as with them, and nothing else reads what they keep."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from generator.models import codegen
from generator.render import render

from .specs import openapi, post, prepared, ref

# Constraints beside a union, on an array, on a map, beside `not` and `const`: what a model may be generated without.
SCHEMAS: dict[str, Any] = {
    "Thing": {
        "type": "object",
        "properties": {
            "either": {"anyOf": [{"type": "string"}, {"type": "integer"}], "maxLength": 3, "minimum": 2},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "maxItems": 4},
            "by_name": {"type": "object", "additionalProperties": ref("Field"), "minProperties": 1},
            "nothing": {"not": {"type": "string"}, "maxLength": 2},
            "fixed": {"const": "x", "maxLength": 2},
        },
    },
    # Renamed `FieldModel` by the module pass (pydantic's `Field` is imported).
    "Field": {"type": "object", "properties": {"number": {"type": "integer", "minimum": 1}}},
}
SPEC = openapi({"thing": post(ref("Thing"))}, schemas=SCHEMAS)
# The two passes of datamodel-code-generator 0.89.0, as warning_passes_left_out was written for.
PASS_SHA256 = {
    "record_pydantic_floor": "d78dacb8c8ef727b066f416ed10995b28843f6c2cbbd66e1f460f78bb8e4026b",
    "warn_about_dropped_constraints": "d82c7b7177f40c43d1d8819d099e987b482fa9b9dd00a7cbd0d2223d275cd854",
}
# The lines of datamodel-code-generator's `generate()` module that read the floor `record_pydantic_floor` records: it
# is read to warn, and for nothing else.
FLOOR_READERS = (
    "pydantic_floor = floors.of(parser)",
    "pydantic_floor = floors.of(retry_parser)",
    "if pydantic_floor is not None:",
    "pydantic_floor,",
    "if config.use_missing_sentinel and pydantic_floor.target == TargetPydanticVersion.V2_12.value",
)


_FLOOR = re.compile(r"\bpydantic_floor\b")


def _run() -> codegen.RawModels:
    return codegen.raw_models(prepared(SPEC), codegen.model_options(codegen.DEFAULT_ASSERTED_FORMATS))


def _passes_called(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The warning passes called from now on, by name (each still does its work)."""
    from datamodel_code_generator.parser._passes import imports  # noqa: PLC0415 - slow import

    called: list[str] = []

    def counted(name: str) -> Any:
        original = getattr(imports, name)

        def calling(parser: Any, contexts: Any) -> None:
            called.append(name)
            original(parser, contexts)

        return calling

    for name in codegen.WARNING_PASSES:
        monkeypatch.setattr(imports, name, counted(name))
    return called


def test_the_run_without_the_warning_passes_makes_the_same_code_and_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    from datamodel_code_generator.parser._passes import imports  # noqa: PLC0415 - slow import

    called = _passes_called(monkeypatch)
    spied = [getattr(imports, name) for name in codegen.WARNING_PASSES]
    without = _run()
    assert called == []  # left out
    assert [getattr(imports, name) for name in codegen.WARNING_PASSES] == spied  # and put back after the run
    monkeypatch.setattr(codegen, "warning_passes_left_out", contextlib.nullcontext)
    with_them = _run()
    assert called == ["warn_about_dropped_constraints", "record_pydantic_floor"]  # they ran this time
    assert without == with_them
    assert "FieldModel" in without[0] and "max_length=4" in without[0]


def test_the_passes_are_the_ones_this_was_written_for() -> None:
    from datamodel_code_generator.parser._passes import imports  # noqa: PLC0415 - slow import

    # If this fails, datamodel-code-generator changed a pass that warning_passes_left_out leaves out: check that it
    # still only makes warnings (what it keeps is read as the test below reads it), then record the new digest here.
    digests = {
        name: hashlib.sha256(inspect.getsource(getattr(imports, name)).encode()).hexdigest()
        for name in codegen.WARNING_PASSES
    }
    assert digests == PASS_SHA256


def test_what_the_passes_keep_is_read_only_to_warn() -> None:
    import datamodel_code_generator  # noqa: PLC0415 - slow import

    package = Path(datamodel_code_generator.__file__).parent
    sources = {path.relative_to(package).as_posix(): path.read_text(encoding="utf-8") for path in package.rglob("*.py")}
    floor_lines = tuple(line.strip() for line in sources["__init__.py"].splitlines() if _FLOOR.search(line))
    assert floor_lines == FLOOR_READERS
    assert sorted(name for name, text in sources.items() if "floors.of(" in text) == ["__init__.py"]
    # The dropped constraints a parse keeps are recorded only inside `dropped_constraints_recorded`, which only the
    # recommendation trial enters.
    recorded = sorted(name for name, text in sources.items() if "dropped_constraints_recorded" in text)
    assert recorded == ["_recommend/_trial.py", "parser/base.py"]
    readers = sorted(name for name, text in sources.items() if "_dropped_constraint_fields" in text)
    assert readers == ["parser/_passes/imports.py", "parser/base.py"]


def test_the_generated_package_requires_a_pydantic_that_meets_every_floor_the_left_out_pass_could_find() -> None:
    from datamodel_code_generator._requirements import REQUIREMENTS  # noqa: PLC0415 - slow import

    # The floor's warning would name a Pydantic release above the package's own requirement: none is.
    template = Path(render.__file__).parent / "templates" / "pyproject.toml.jinja"
    required = re.search(r'"pydantic>=(\d+)\.(\d+)', template.read_text(encoding="utf-8"))
    assert required is not None
    floors = [tuple(map(int, r.minimum.split("."))) for r in REQUIREMENTS.values() if r.library == "pydantic"]
    assert floors and max(floors) <= (int(required[1]), int(required[2]))
