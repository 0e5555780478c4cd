"""datamodel-code-generator runs in a child process started before the spec is bundled, while the parent bundles and
validates it: the same models as a run in the parent, the same problems when it fails, and no child left behind."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.commands import cli
from generator.errors import ConfigError, SpecError
from generator.models import child, codegen
from generator.pipeline import build
from generator.render import render

from .conftest import WriteFiles
from .specs import bundle_of, openapi, post, prepared, ref

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
FREE_CORE = child.free_core  # as it is: the fixture below says there is one
SPEC = openapi({"order": post(ref("Order")), "refund": post(ref("Refund"))}, schemas=SCHEMAS)


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    if not child.can_fork():
        pytest.skip("no child process here (not Linux, or other threads run)")
    monkeypatch.setattr(child, "CHILD_FROM_SCHEMAS", 1)  # these specs are small: a child for any
    monkeypatch.setattr(child, "CHILD_FROM_BYTES", 0)
    monkeypatch.setattr(child, "free_core", lambda: True)  # and whatever else the machine runs


def test_a_child_needs_a_free_core(write: WriteFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(child.os, "getloadavg", lambda: (1.6, 0.0, 0.0))  # this process, and another most of the time
    assert not FREE_CORE()
    monkeypatch.setattr(child.os, "getloadavg", lambda: (1.2, 3.0, 3.0))  # this process, and a little more
    assert FREE_CORE()
    monkeypatch.setattr(child, "free_core", lambda: False)
    starts: list[object] = []
    monkeypatch.setattr(child, "ModelsRun", starts.append)
    build(write({"spec.yaml": SPEC}))
    assert starts == []


def test_a_small_spec_starts_no_child(write: WriteFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child, "CHILD_FROM_BYTES", 1_000_000)
    monkeypatch.setattr(child, "CHILD_FROM_SCHEMAS", 3)  # Order and Refund are two
    starts: list[object] = []
    monkeypatch.setattr(child, "ModelsRun", starts.append)
    build(write({"spec.yaml": SPEC}))
    assert starts == []


def test_a_large_spec_with_a_small_root_file_gets_its_child_once_bundled(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(child, "CHILD_FROM_BYTES", 1_000_000)
    spec = write({"spec.yaml": SPEC})
    bundles_seeing_children = _children_seen_by(monkeypatch, "bundled_spec")
    children_at_validation = _children_seen_by(monkeypatch, "validate")
    made_in = _runs_telling_their_process(tmp_path, monkeypatch)
    generated = build(spec)
    assert bundles_seeing_children == [0]
    assert children_at_validation == [1]
    assert [int(pid) != os.getpid() for pid in made_in.read_text().split()] == [True]
    assert multiprocessing.active_children() == []
    monkeypatch.setattr(child, "can_fork", lambda: False)
    assert build(spec).files == generated.files


def test_a_child_is_ended_once_the_bundle_shows_a_small_spec(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(child, "CHILD_FROM_SCHEMAS", 2)
    assert child.worth_a_child(bundle_of(SPEC))  # Order and Refund
    small = {**SPEC, "webhooks": {"order": SPEC["webhooks"]["order"]}}
    assert not child.worth_a_child(bundle_of(small))
    assert not child.worth_a_child(bundle_of(["not", "a", "document"]))
    runs = _runs_kept(monkeypatch)
    children_at_validation = _children_seen_by(monkeypatch, "validate")
    made_in = _runs_telling_their_process(tmp_path, monkeypatch)
    parent, model_job = os.getpid(), pipeline.model_job

    def slow_in_the_child(*args: Any, **kwargs: Any) -> Any:
        # The child's job outlasts this process's bundle even on a busy machine: it must be ended before its run.
        if os.getpid() != parent:
            time.sleep(10)
        return model_job(*args, **kwargs)

    monkeypatch.setattr(pipeline, "model_job", slow_in_the_child)
    generated = build(write({"spec.yaml": small}))
    assert len(runs) == 1  # started before the bundle was made, ended once it was
    assert children_at_validation == [0]
    assert [int(pid) for pid in made_in.read_text().split()] == [os.getpid()]
    monkeypatch.setattr(child, "can_fork", lambda: False)
    assert build(write({"spec.yaml": small})).files == generated.files


def test_a_child_that_read_other_files_is_not_listened_to(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The spec changed between the child's reading it and this process's: the run is made here, on what was read here.
    spec = write({"spec.yaml": SPEC})
    model_job = pipeline.model_job

    def reading_other_files(*args: Any, **kwargs: Any) -> Any:
        _, model_input, options = model_job(*args, **kwargs)
        return "the digest of other files", model_input, options

    monkeypatch.setattr(pipeline, "model_job", reading_other_files)
    made_in = _runs_telling_their_process(tmp_path, monkeypatch)
    generated = build(spec)
    pids = [int(pid) for pid in made_in.read_text().split()]
    assert len(pids) == 2 and pids[0] != os.getpid() and pids[1] == os.getpid()
    monkeypatch.setattr(child, "can_fork", lambda: False)
    assert build(spec).files == generated.files


def test_only_the_parent_tells_the_stages(write: WriteFiles, capfd: pytest.CaptureFixture[str]) -> None:
    spec = write({"spec.yaml": SPEC})
    assert cli.main(["generate", str(spec), "-o", str(spec.parent / "out"), "--verbose"]) == 0
    lines = capfd.readouterr().err.splitlines()
    assert len([line for line in lines if line.startswith("hookgen: bundle ")]) == 1, lines


def _runs_kept(monkeypatch: pytest.MonkeyPatch) -> list[child.ModelsRun]:
    """Every run started in a child, from now on."""
    runs: list[child.ModelsRun] = []

    class Kept(child.ModelsRun):
        def __init__(self, job: child.Job) -> None:
            super().__init__(job)
            runs.append(self)

    monkeypatch.setattr(child, "ModelsRun", Kept)
    return runs


def _children_seen_by(monkeypatch: pytest.MonkeyPatch, stage: str) -> list[int]:
    """How many child processes run at each call of the pipeline's `stage` function, from now on."""
    seen: list[int] = []
    function = getattr(pipeline, stage)

    def seeing_children(*args: Any, **kwargs: Any) -> Any:
        seen.append(len(multiprocessing.active_children()))
        return function(*args, **kwargs)

    monkeypatch.setattr(pipeline, stage, seeing_children)
    return seen


def _runs_telling_their_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file each run of datamodel-code-generator writes its process id into, from now on."""
    runs = tmp_path / "runs"
    raw_models = codegen.raw_models

    def raw_models_telling_its_process(*args: Any, **kwargs: Any) -> Any:
        with runs.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return raw_models(*args, **kwargs)

    monkeypatch.setattr(child, "raw_models", raw_models_telling_its_process)
    monkeypatch.setattr(codegen, "raw_models", raw_models_telling_its_process)
    return runs


def test_the_models_are_made_in_a_child_started_before_the_bundle(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write({"spec.yaml": SPEC})
    children_at_validation = _children_seen_by(monkeypatch, "validate")
    bundles_seeing_children = _children_seen_by(monkeypatch, "bundled_spec")
    runs = _runs_telling_their_process(tmp_path, monkeypatch)
    generated = build(spec)
    assert bundles_seeing_children == [1]  # this process's bundle: the child was started before it
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


def test_without_checks_the_childs_import_of_the_check_is_taken_out(
    write: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The child starts before the checks are known, and imports `contract_check` whatever they are.
    plain = {"Order": {k: v for k, v in SCHEMAS["Order"].items() if k != "not"}}
    spec = write({"spec.yaml": openapi({"order": post(ref("Order"))}, schemas=plain)})
    codes = _models_codes(monkeypatch)
    in_child = build(spec)
    monkeypatch.setattr(child, "can_fork", lambda: False)
    here = build(spec)
    assert codes[0] == codes[1]
    assert "contract_check" not in codes[0]
    assert in_child.files == here.files
    assert not any("_contract" in path for path in in_child.files)


def test_without_check_import_reads_only_the_imports() -> None:
    head = "from __future__ import annotations\n\n" + codegen.CHECK_IMPORT + "from ._types import StrictInt\n"
    body = '\n\nclass A(BaseModel):\n    """\n' + codegen.CHECK_IMPORT + '    """\n'
    assert codegen.without_check_import(head + body) == head.replace(codegen.CHECK_IMPORT, "") + body
    assert codegen.without_check_import(body) == body  # written in a docstring, not imported


def test_the_child_reads_the_last_pieces_of_the_models_statements_and_this_process_the_first(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write({"spec.yaml": SPEC})
    readers = tmp_path / "readers"
    module_statements = child.module_statements

    def telling_who_reads(code: str) -> Any:
        with readers.open("a") as file:
            file.write(json.dumps([os.getpid(), code]) + "\n")
        return module_statements(code)

    monkeypatch.setattr(child, "module_statements", telling_who_reads)
    monkeypatch.setattr(child, "PIECES", 6)
    monkeypatch.setattr(child, "CHILD_FIRST", 2)
    codes = _models_codes(monkeypatch)
    generated = build(spec)
    reads = [json.loads(line) for line in readers.read_text().splitlines()]
    # Every piece read once, by one process: in the order of the code, this process's pieces, then the child's.
    spans = sorted((codes[0].index(code), pid, code) for pid, code in reads)
    assert "".join(code for _, _, code in spans) == codes[0]
    readers_in_order = [pid for _, pid, _ in spans]
    assert readers_in_order[0] == os.getpid() and readers_in_order[-1] != os.getpid()
    assert readers_in_order == sorted(readers_in_order, key=lambda pid: pid != os.getpid())
    assert len(readers_in_order) >= 3  # the code cut in pieces, not two halves
    monkeypatch.setattr(child, "can_fork", lambda: False)
    assert build(spec).files == generated.files


def _models_codes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models code of each run of the pipeline's `generate_models`, from now on."""
    codes: list[str] = []
    generate_models = pipeline.generate_models

    def keeping_the_code(*args: Any, **kwargs: Any) -> Any:
        models, problems = generate_models(*args, **kwargs)
        codes.append(models.code)
        return models, problems

    monkeypatch.setattr(pipeline, "generate_models", keeping_the_code)
    return codes


def test_the_child_ends_by_itself_once_the_parent_is_done(write: WriteFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = write({"spec.yaml": SPEC})
    runs = _runs_kept(monkeypatch)
    build(spec)
    assert len(runs) == 1
    assert runs[0]._process.exitcode == 0  # not ended by a signal (-15) after a wait


def test_the_child_ends_once_its_share_of_the_statements_is_read(
    write: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write({"spec.yaml": SPEC})
    runs = _runs_kept(monkeypatch)
    exit_codes_at_split: list[int | None] = []
    split_models = render.split_models

    def split_once_the_child_is_gone(*args: Any, **kwargs: Any) -> Any:
        runs[0]._process.join(timeout=10)  # the parent has not stopped it yet: it must end by itself
        exit_codes_at_split.append(runs[0]._process.exitcode)
        return split_models(*args, **kwargs)

    monkeypatch.setattr(render, "split_models", split_once_the_child_is_gone)
    build(spec)
    assert exit_codes_at_split == [0]


def test_the_child_runs_and_reads_with_the_cycle_collector_off(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write({"spec.yaml": SPEC})
    seen = tmp_path / "collector"

    def telling_the_collector(step: Callable[..., Any], name: str) -> Callable[..., Any]:
        def told(*args: Any, **kwargs: Any) -> Any:
            with seen.open("a") as file:
                file.write(f"{name} {os.getpid()} {gc.isenabled()}\n")
            return step(*args, **kwargs)

        return told

    monkeypatch.setattr(child, "raw_models", telling_the_collector(child.raw_models, "run"))
    monkeypatch.setattr(child, "module_statements", telling_the_collector(child.module_statements, "read"))
    assert gc.isenabled()
    build(spec)
    assert gc.isenabled()  # this process's collector as it was
    told = [line.split() for line in seen.read_text().splitlines()]
    in_child = {(name, enabled) for name, pid, enabled in told if int(pid) != os.getpid()}
    in_here = {(name, enabled) for name, pid, enabled in told if int(pid) == os.getpid()}
    assert ("run", "False") in in_child and ("read", "False") in in_child
    assert in_here == {("read", "True")}  # this process reads its pieces with its collector on


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


def test_an_invalid_spec_ends_the_child_at_once(write: WriteFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = json.loads(json.dumps(SPEC))
    bad["webhooks"]["order"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {"type": 5}
    spec = write({"spec.yaml": bad})
    waits: list[float | None] = []
    runs: list[child.ModelsRun] = []

    class Watched(child.ModelsRun):
        def __init__(self, job: child.Job) -> None:
            super().__init__(job)
            runs.append(self)
            join = self._process.join

            def waited(timeout: float | None = None) -> None:
                waits.append(timeout)
                join(timeout)

            self._process.join = waited  # type: ignore[method-assign]

    monkeypatch.setattr(child, "ModelsRun", Watched)
    with pytest.raises(SpecError):
        build(spec)
    # Ended without waiting for it to end by itself: it was still making models nobody will read.
    assert waits == [None]
    assert runs[0]._process.exitcode == -signal.SIGTERM


def test_metadata_fields_are_left_out_and_the_entries_are_datamodel_code_generators_own() -> None:
    from datamodel_code_generator.parser.base import Parser  # noqa: PLC0415

    model_input = prepared(SPEC)
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


def test_metadata_is_written_compact_and_read_as_the_indented_file_reads() -> None:
    from datamodel_code_generator import model_metadata  # noqa: PLC0415

    model_input = prepared(SPEC)
    options = codegen.model_options(codegen.DEFAULT_ASSERTED_FORMATS)
    original = model_metadata.dump_model_metadata
    written: list[str] = []
    compact = codegen._compact_metadata

    def recording(metadata: Any) -> str:
        written.append(compact(metadata))
        return written[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codegen, "compact_metadata", _as_it_is)
        indented = codegen.raw_models(model_input, options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codegen, "_compact_metadata", recording)
        assert codegen.raw_models(model_input, options) == indented
    assert model_metadata.dump_model_metadata is original  # put back after the run
    # datamodel-code-generator still writes its metadata through the function replaced, and it was written compact.
    assert len(written) == 1 and "\n" not in written[0] and json.loads(written[0])["models"]


class _as_it_is:  # noqa: N801 - stands in for the context managers `fields_left_out` and `compact_metadata`
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def test_the_child_tells_the_class_names_before_its_answer_and_they_are_read_meanwhile(
    write: WriteFiles, monkeypatch: pytest.MonkeyPatch, entries_read: list[codegen.Entries]
) -> None:
    spec = write({"spec.yaml": SPEC})
    told: list[codegen.Entries | None] = []
    names = child.ModelsRun.names

    def keeping_what_was_told(run: child.ModelsRun) -> codegen.Entries | None:
        told.append(names(run))
        return told[-1]

    monkeypatch.setattr(child.ModelsRun, "names", keeping_what_was_told)
    generated = build(spec)
    assert len(told) == 1 and told[0] is not None
    assert ("Order", ["components", "schemas", "Order"]) in told[0]
    assert entries_read == told  # read once, before the answer: the run's own entries were the same
    monkeypatch.setattr(child, "can_fork", lambda: False)
    assert build(spec).files == generated.files
    assert len(entries_read) == 2  # made here, from the run's entries alone


def test_the_child_tells_its_names_once_however_often_its_run_renders() -> None:
    ours, theirs = multiprocessing.Pipe(duplex=True)
    telling = child._Telling(theirs, "digest")
    telling([("A", ["components", "schemas", "A"])])
    telling([("B", ["components", "schemas", "B"])])  # a run that parses again: one sender on the channel
    telling.done()
    assert ours.recv() == ("names", ("digest", [("A", ["components", "schemas", "A"])]))
    assert not ours.poll(0.2)


def test_the_templates_are_compiled_while_the_child_runs_and_a_broken_one_is_told_as_without_a_child(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write({"spec.yaml": SPEC})
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "__init__.py.jinja").write_text("{% if %}\n", encoding="utf-8")
    compiled: list[Path | None] = []
    compile_templates = pipeline.compile_templates

    def compiling(folder: Path | None = None) -> None:
        compiled.append(folder)
        compile_templates(folder)

    monkeypatch.setattr(pipeline, "compile_templates", compiling)
    with pytest.raises(ConfigError) as in_child:
        build(spec, templates=templates)
    assert compiled == [templates]
    monkeypatch.setattr(child, "can_fork", lambda: False)
    with pytest.raises(ConfigError) as here:
        build(spec, templates=templates)
    assert compiled == [templates]  # only while a child runs
    assert str(in_child.value) == str(here.value)
    assert "__init__.py.jinja" in str(here.value)
