"""datamodel-code-generator's module renames redraw the renamed models and the models that name them, no other
(`codegen.renames_redraw_their_users`): the same code and metadata as its own pass, which redraws every model."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
from typing import Any

import pytest

from generator.models import codegen

from .specs import openapi, post, prepared, ref

# A component named `Field` takes pydantic's import's name: the module pass renames its class `FieldModel`.
SCHEMAS: dict[str, Any] = {
    "Field": {"type": "object", "properties": {"number": {"type": "integer", "description": "a number"}}},
    "Holder": {
        "type": "object",
        "properties": {
            "field": ref("Field"),
            "fields": {"type": "array", "items": ref("Field")},
            "by_name": {"type": "object", "additionalProperties": {"anyOf": [ref("Field"), {"type": "string"}]}},
        },
    },
    "Other": {"type": "object", "properties": {"name": {"type": "string", "description": "a name"}}},
}
SPEC = openapi({"holder": post(ref("Holder")), "other": post(ref("Other"))}, schemas=SCHEMAS)
# `replace_duplicate_name_in_module` of datamodel-code-generator 0.89.0, as renames_redraw_their_users was written for.
PASS_SHA256 = "a38a9f57999dd95203cb4bc3b8dc72ae86eed47850b2cdd65701d6954eab12dc"


def _run() -> codegen.RawModels:
    return codegen.raw_models(prepared(SPEC), codegen.model_options(codegen.DEFAULT_ASSERTED_FORMATS))


def test_the_renamed_model_and_the_model_naming_it_are_redrawn_and_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    redrawn: list[list[str]] = []
    still_to_invalidate = codegen._still_to_invalidate

    def recording(deferred: list[Any], models: list[Any], renamed: list[Any]) -> list[Any]:
        found = still_to_invalidate(deferred, models, renamed)
        redrawn.append(sorted(model.class_name for model in found))
        return found

    monkeypatch.setattr(codegen, "_still_to_invalidate", recording)
    code, entries = _run()
    assert redrawn == [["FieldModel", "Holder"]]  # not `Other`, which names neither
    assert ("FieldModel", ["components", "schemas", "Field"]) in entries
    assert "field: FieldModel | MISSING" in code and "list[FieldModel]" in code
    assert "dict[str, FieldModel | str]" in code


def test_a_model_whose_caches_a_call_dropped_for_another_reason_is_kept_in() -> None:
    # The pass closes with one call for each model of the module: `once` and `closing` had only that one. `twice` had
    # another, and `elsewhere` is no model of the module: whatever those were for, they are made.
    once, twice, closing, elsewhere = object(), object(), object(), object()
    deferred = [twice, once, twice, closing, elsewhere]
    assert codegen._still_to_invalidate(deferred, [once, twice, closing], []) == [twice, elsewhere]


def test_the_same_code_and_metadata_as_datamodel_code_generators_own_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from datamodel_code_generator.model.base import DataModel  # noqa: PLC0415 - slow import
    from datamodel_code_generator.parser._passes import structure  # noqa: PLC0415
    from datamodel_code_generator.parser.generation import GraphBuilder  # noqa: PLC0415

    original_pass, original_invalidate = structure.replace_duplicate_name_in_module, DataModel.invalidate_render_caches
    original_rename = GraphBuilder.__dict__["rename_model"]
    redrawn = _run()
    assert structure.replace_duplicate_name_in_module is original_pass  # each put back after the run
    assert DataModel.invalidate_render_caches is original_invalidate
    assert GraphBuilder.__dict__["rename_model"] is original_rename
    monkeypatch.setattr(codegen, "renames_redraw_their_users", contextlib.nullcontext)
    assert _run() == redrawn


def test_datamodel_code_generators_pass_is_the_one_this_was_written_for() -> None:
    from datamodel_code_generator.parser._passes import structure  # noqa: PLC0415 - slow import

    source = inspect.getsource(structure.replace_duplicate_name_in_module)
    # If this fails, datamodel-code-generator changed how a module's renames drop render caches: check that
    # codegen.renames_redraw_their_users still drops those of every model whose render names a renamed model (run
    # tests/tools/snapshot_corpus.py with and without it), then record the new digest here.
    assert hashlib.sha256(source.encode()).hexdigest() == PASS_SHA256
