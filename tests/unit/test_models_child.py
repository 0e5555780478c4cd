"""datamodel-code-generator runs in a child process started once the spec is bundled, while the parent validates:
the same models as a run in the parent, the same problems when it fails, and no child left behind."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.errors import SpecError
from generator.models import child, codegen
from generator.pipeline import build

from .conftest import WriteFiles
from .specs import openapi, post, ref

SCHEMAS: dict[str, Any] = {
    "Order": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "integer"}, "kind": {"type": "string", "enum": ["a", "b"]}},
        # A keyword the models cannot express: the body gets the contract check.
        "not": {"required": ["forbidden"]},
    },
    "Refund": {"allOf": [ref("Order"), {"type": "object", "properties": {"amount": {"type": "number"}}}]},
}
SPEC = openapi({"order": post(ref("Order")), "refund": post(ref("Refund"))}, schemas=SCHEMAS)


@pytest.fixture(autouse=True)
def forking() -> None:
    if not child.can_fork():
        pytest.skip("no child process here (not Linux, or other threads run)")


def test_the_models_are_made_in_a_child_started_before_validation(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write({"spec.yaml": SPEC})
    children_at_validation: list[int] = []
    validate = pipeline.validate

    def validate_seeing_children(*args: Any, **kwargs: Any) -> Any:
        children_at_validation.append(len(multiprocessing.active_children()))
        return validate(*args, **kwargs)

    runs = tmp_path / "runs"
    raw_models = codegen.raw_models

    def raw_models_telling_its_process(*args: Any, **kwargs: Any) -> Any:
        with runs.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return raw_models(*args, **kwargs)

    monkeypatch.setattr(pipeline, "validate", validate_seeing_children)
    monkeypatch.setattr(child, "raw_models", raw_models_telling_its_process)
    monkeypatch.setattr(codegen, "raw_models", raw_models_telling_its_process)
    generated = build(spec)
    assert children_at_validation == [1]
    pids = runs.read_text().split()
    assert len(pids) == 1
    assert int(pids[0]) != os.getpid()
    assert multiprocessing.active_children() == []
    # The same package as a run made in this process.
    monkeypatch.setattr(child, "can_fork", lambda: False)
    here = build(spec)
    assert len(runs.read_text().split()) == 2
    assert int(runs.read_text().split()[1]) == os.getpid()
    assert generated.files == here.files
    assert generated.warnings == here.warnings
    assert "_hookgen_contract = contract_check(" in "".join(generated.files.values())


def test_a_failure_in_the_child_is_the_same_problem_as_in_the_parent(
    write: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write({"spec.yaml": SPEC})

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("no models today")

    monkeypatch.setattr(child, "raw_models", failing)
    with pytest.raises(SpecError) as in_child:
        build(spec)
    monkeypatch.setattr(codegen, "raw_models", failing)
    monkeypatch.setattr(child, "can_fork", lambda: False)
    with pytest.raises(SpecError) as in_parent:
        build(spec)
    expected = "datamodel-code-generator failed: ValueError: no models today"
    assert [p.message for p in in_child.value.problems] == [expected]
    assert in_child.value.problems == in_parent.value.problems
    assert multiprocessing.active_children() == []


def test_a_child_that_dies_is_replaced_by_a_run_here(write: WriteFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write({"spec.yaml": SPEC})
    expected = build(spec).files

    def dying(*args: Any, **kwargs: Any) -> Any:
        os._exit(9)

    monkeypatch.setattr(child, "_child", dying)
    assert build(spec).files == expected
    assert multiprocessing.active_children() == []


def test_an_invalid_spec_ends_the_child_and_says_only_what_is_wrong(write: WriteFiles) -> None:
    bad = json.loads(json.dumps(SPEC))
    bad["webhooks"]["order"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {"type": 5}
    spec = write({"spec.yaml": bad})
    with pytest.raises(SpecError) as raised:
        build(spec)
    assert [p.pointer for p in raised.value.problems] == [
        "/webhooks/order/post/requestBody/content/application~1json/schema/type"
    ]
    assert multiprocessing.active_children() == []


def test_metadata_fields_are_left_out_and_the_entries_are_datamodel_code_generators_own() -> None:
    from datamodel_code_generator.parser.base import Parser  # noqa: PLC0415

    model_input = pipeline.prepare(pipeline.webhook_part(SPEC))
    options = codegen.model_options(codegen.DEFAULT_ASSERTED_FORMATS)
    original = Parser.__dict__["_field_metadata"]
    fields: list[list[Any]] = []
    entries = []
    for left_out in (False, True):
        captured: dict[str, Any] = {}
        build_metadata = Parser.__dict__["_build_model_metadata"]

        def capture(cls: Any, *args: Any, build_metadata: Any = build_metadata, captured: Any = captured) -> Any:
            captured["metadata"] = build_metadata.__func__(cls, *args)
            return captured["metadata"]

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Parser, "_build_model_metadata", classmethod(capture))
            if not left_out:
                patch.setattr(codegen, "fields_left_out", _as_it_is)
            code, found = codegen.raw_models(model_input, options)
        entries.append((code, found))
        fields.append([entry["fields"] for entry in captured["metadata"][0]["models"]])
    assert Parser.__dict__["_field_metadata"] is original  # put back after the run
    assert entries[0] == entries[1]  # the same code, class names and source paths
    assert any(fields[0]) and all(field is not None for entry in fields[0] for field in entry)
    assert [len(entry) for entry in fields[0]] == [len(entry) for entry in fields[1]]
    assert all(field is None for entry in fields[1] for field in entry)


class _as_it_is:  # noqa: N801 - stands in for the context manager `fields_left_out`
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None
