"""The class names a run tells before it renders its classes (`codegen.names_told`), and what `generate_models` makes of
names told early: the entries the run writes, and the same models whether or not they were told, right or wrong."""

from __future__ import annotations

from typing import Any

import pytest

from generator.models import codegen

from .specs import openapi, post, prepared, ref

# A component named `Field` takes pydantic's import's name: the module pass renames its class `FieldModel`.
SCHEMAS: dict[str, Any] = {
    "Order": {"type": "object", "properties": {"field": ref("Field"), "kind": {"enum": ["a", "b"]}}},
    "Field": {"type": "object", "properties": {"number": {"type": "integer", "minimum": 1}}},
}
SPEC = openapi({"order": post(ref("Order"))}, schemas=SCHEMAS)


def test_the_entries_are_told_before_the_render_pass_as_the_run_writes_them() -> None:
    from datamodel_code_generator.parser._passes import imports  # noqa: PLC0415 - slow import

    render = imports.render
    told: list[codegen.Entries] = []

    def telling(entries: codegen.Entries) -> None:
        assert imports.render is not render  # told from inside the run
        told.append(entries)

    _, entries = codegen.raw_models(prepared(SPEC), codegen.model_options(codegen.DEFAULT_ASSERTED_FORMATS), telling)
    assert told == [entries]
    assert ("FieldModel", ["components", "schemas", "Field"]) in entries
    assert imports.render is render  # put back after the run


def test_names_told_right_are_read_once_and_names_told_wrong_are_read_again(
    entries_read: list[codegen.Entries],
) -> None:
    model_input = prepared(SPEC)
    options = codegen.run_options(codegen.DEFAULT_ASSERTED_FORMATS, None, {})
    right = codegen.raw_models(model_input, options)[1]
    wrong = [("Other" if name == "Order" else name, path) for name, path in right]
    models, _ = codegen.generate_models(model_input)
    assert models is not None and models.class_for("Order") == "Order"
    assert codegen.generate_models(model_input, names=lambda: right)[0] == models
    assert entries_read == [right, right]  # once without names, once from the names told
    assert codegen.generate_models(model_input, names=lambda: wrong)[0] == models
    assert entries_read[2:] == [wrong, right]  # read again from the run's own


def test_names_that_cannot_be_told_leave_the_run_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    options = codegen.model_options(codegen.DEFAULT_ASSERTED_FORMATS)
    made = codegen.raw_models(prepared(SPEC), options)
    entries, calls = codegen._entries, []

    def failing_first(metadata: Any) -> codegen.Entries:
        calls.append(len(calls))
        if len(calls) == 1:  # the early reading, inside the run
            raise KeyError("class_name")
        return entries(metadata)

    monkeypatch.setattr(codegen, "_entries", failing_first)
    told: list[codegen.Entries] = []
    assert codegen.raw_models(prepared(SPEC), options, told.append) == made
    assert told == [] and calls == [0, 1]
