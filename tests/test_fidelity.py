"""`hookgen fidelity`, and the format setting it judges with: both settings, on real generated models."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic
import pytest

from generator.commands import cli
from generator.commands.fidelity import measure as fidelity
from generator.commands.fidelity.judge import webhooks_with_bodies
from generator.commands.fidelity.mutations import mutations
from generator.commands.fidelity.payloads import draft7, draw_payloads

from .conftest import EXAMPLE_KEYS, EXAMPLE_SPEC, ROOT, Imported, generate_and_import, generate_document

NAIVE = "2026-11-27T10:00:00"  # a date-time without an offset: RFC 3339 requires one
LOGIN = {"user_id": 7, "username": "ada"}


def _fidelity(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", "fidelity", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False, timeout=600)


def test_fidelity_on_the_example_finds_no_disagreement_and_reports_every_webhook() -> None:
    run = _fidelity(str(EXAMPLE_SPEC), "--payloads", "6", "--seconds", "20", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    keys = [webhook["key"] for webhook in report["webhooks"]]
    assert keys == EXAMPLE_KEYS
    for webhook in report["webhooks"]:
        assert webhook["payloads"] >= 3, webhook
        assert webhook["mutations"] > 0, webhook
        assert (webhook["refused_valid"], webhook["accepted_invalid"]) == (0, 0), webhook
    assert report["asserted_formats"] == ["date", "date-time", "time"]
    assert "0 refused-but-valid, 0 accepted-but-invalid" in report["summary"]


def test_the_table_names_every_webhook_and_ends_with_the_summary() -> None:
    run = _fidelity(str(EXAMPLE_SPEC), "--payloads", "1", "--seconds", "20")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    header = ["webhook", "payloads", "mutations", "refused-valid", "accepted-invalid", "seconds", "note"]
    assert lines[0].split() == header
    assert [line.split()[0] for line in lines[1:8]] == EXAMPLE_KEYS
    assert lines[-1].startswith("fidelity: 7 webhooks")


def test_an_undocumented_disagreement_exits_1_and_shows_its_first_example(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A model that accepts everything: every mutation the schema rejects is a disagreement nobody warned of.
    monkeypatch.setattr(fidelity, "accepts", lambda model, payload: True)
    assert cli.main(["fidelity", str(EXAMPLE_SPEC), "--payloads", "2", "--seconds", "20"]) == cli.EXIT_DISAGREES
    out = capsys.readouterr().out
    assert "DISAGREES" in out
    assert "accepted-but-invalid: /" in out
    assert "7 webhooks disagree without a documented deviation" in out.splitlines()[-1]


def test_a_time_budget_that_ends_first_is_reported(tmp_path: Path) -> None:
    run = _fidelity(str(EXAMPLE_SPEC), "--payloads", "1000", "--seconds", "0.2", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert any(not webhook["drawn_all"] for webhook in report["webhooks"])
    assert "time budget ended" in report["summary"]


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The example generated with no format asserted."""
    output = tmp_path_factory.mktemp("annotated") / "out"
    generated = generate_and_import(EXAMPLE_SPEC, output, "annotated_webhooks", asserted_formats=frozenset())
    assert generated.generated.asserted_formats == frozenset()
    return generated


def _login(imported: Imported) -> type:
    webhook = next(w for w in imported.generated.spec.webhooks if w.key == "login-success")
    return imported.model(webhook)  # type: ignore[no-any-return]


def test_asserted_date_times_are_typed_and_refuse_a_missing_offset(example: Imported) -> None:
    model = _login(example)
    assert model.model_validate({**LOGIN, "login_timestamp": "2026-11-27T10:00:00Z"}).login_timestamp.tzinfo
    with pytest.raises(ValueError, match="timezone"):
        model.model_validate({**LOGIN, "login_timestamp": NAIVE})


def test_annotated_date_times_are_strings_and_refuse_nothing_the_schema_allows(annotated: Imported) -> None:
    model = _login(annotated)
    assert model.model_validate({**LOGIN, "login_timestamp": NAIVE}).login_timestamp == NAIVE
    assert model.model_validate({**LOGIN, "login_timestamp": "yesterday"}).login_timestamp == "yesterday"
    with pytest.raises(ValueError, match="string"):
        model.model_validate({**LOGIN, "login_timestamp": 12345})


@pytest.mark.parametrize("setting", ["asserted", "annotated"])
def test_the_models_agree_with_the_schema_judged_with_the_same_formats(
    setting: str, example: Imported, annotated: Imported
) -> None:
    imported = example if setting == "asserted" else annotated
    for webhook in webhooks_with_bodies(imported.generated.spec):
        result = fidelity.measure_webhook(imported.generated, webhook, imported.model(webhook), count=5, seconds=30)
        assert result.payloads > 0, webhook.key
        assert result.first == (), webhook.key


def test_the_judge_asserts_exactly_the_formats_the_models_assert(example: Imported, annotated: Imported) -> None:
    webhook = next(w for w in example.generated.spec.webhooks if w.key == "login-success")
    assert webhook.body is not None
    payload = {**LOGIN, "login_timestamp": NAIVE}
    strict = fidelity.judge(example.document, webhook.body.schema_pointer, example.generated.asserted_formats)
    lenient = fidelity.judge(annotated.document, webhook.body.schema_pointer, annotated.generated.asserted_formats)
    assert not strict.is_valid(payload)
    assert lenient.is_valid(payload)


def test_unknown_formats_in_the_setting_are_refused_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fidelity", str(EXAMPLE_SPEC), "--assert-formats", "date-time,ipv4"]) == cli.EXIT_SPEC
    assert "formats models cannot assert: ipv4" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "wrong"),
    [(5, ["not-a-number", "5", True]), (1.5, ["not-a-number", "1.5", True]), (True, ["not-a-number", 1, "true"])],
)
def test_mutations_give_scalars_the_types_pydantic_lax_mode_would_take(value: Any, wrong: list[Any]) -> None:
    schema = {"type": "object", "properties": {"x": {}}}
    changed = [payload["x"] for _, payload in mutations({}, schema, {"x": value}) if "x" in payload]
    assert changed[: len(wrong)] == wrong
    assert [type(v) for v in changed[: len(wrong)]] == [type(v) for v in wrong]


CAUSES_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Causes", "version": "1.0.0"},
    "webhooks": {
        "event": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["count", "flag", "at", "contact"],
                                "properties": {
                                    "count": {"type": "integer"},
                                    "flag": {"type": "boolean"},
                                    "at": {"type": "string", "format": "date-time"},
                                    "day": {"type": "string", "format": "date"},
                                    "contact": {
                                        "oneOf": [
                                            {
                                                "type": "object",
                                                "required": ["email"],
                                                "properties": {"email": {"type": "string"}},
                                            },
                                            {
                                                "type": "object",
                                                "required": ["phone"],
                                                "properties": {"phone": {"type": "string"}},
                                            },
                                        ]
                                    },
                                },
                                "examples": [
                                    {
                                        "count": 5,
                                        "flag": True,
                                        "at": "2026-11-27T10:00:00Z",
                                        "day": "2026-11-27",
                                        "contact": {"email": "e"},
                                    }
                                ],
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


class _Lax(pydantic.BaseModel):
    """What a model in Pydantic's lax mode, with a plain union, would read: the causes fidelity must name."""

    count: int
    flag: bool
    at: datetime.datetime
    day: datetime.date | None = None
    contact: dict[str, Any]


def test_the_table_counts_disagreements_by_cause(tmp_path: Path) -> None:
    causes = generate_document(tmp_path, CAUSES_SPEC, "causes_webhooks")
    [webhook] = causes.generated.spec.webhooks
    lax = fidelity.measure_webhook(causes.generated, webhook, _Lax, count=5, seconds=20)
    found = dict(lax.by_cause)
    for kind in (
        "numeric string",
        "boolean for a number",
        "integer for a boolean",
        "string for a boolean",
        "date-time without seconds",
        "date-time with a space",
        "epoch number",
        "date-time for a date",
        "two oneOf branches",
    ):
        assert found.get(kind, 0) > 0, kind
    report = fidelity.FidelityReport("causes.yaml", ("date", "date-time", "time"), (lax,))
    table = fidelity.render_table(report)
    assert any(line.split()[:2] == ["numeric", "string"] for line in table.splitlines())
    assert report.as_json()["by_cause"]["epoch number"]["disagreements"] == found["epoch number"]
    # The generated model refuses every one of them.
    generated = fidelity.measure_webhook(causes.generated, webhook, causes.model(webhook), count=5, seconds=20)
    assert generated.mutations >= lax.mutations > 0
    assert generated.by_cause == ()


@pytest.mark.parametrize(
    ("value", "loose"),
    [
        (
            "2026-11-27T10:00:00.5+01:00",
            ["2026-11-27T10:00+01:00", "2026-11-27T10:00:00.5", "2026-11-27 10:00:00.5+01:00"],
        ),
        ("2026-11-27", ["2026-11-27T00:00:00Z"]),
        ("10:00:00Z", ["10:00Z", "10:00:00"]),
    ],
)
def test_mutations_give_dates_the_forms_rfc_3339_refuses(value: str, loose: list[Any]) -> None:
    schema = {"type": "object", "properties": {"x": {}}}
    changed = [payload["x"] for _, payload in mutations({}, schema, {"x": value}) if isinstance(payload.get("x"), str)]
    assert [v for v in changed if v in loose] == loose


def _kind(name: str) -> dict[str, Any]:
    return {
        "contains": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
        "minContains": 1,
        "maxContains": 1,
    }


ENTRY = {
    "type": "object",
    "properties": {"kind": {"type": "string"}, "amount": {"type": "integer"}},
    "required": ["kind"],
}


@pytest.mark.parametrize(
    "schema",
    [
        # ucp's order totals: exactly one `subtotal` and one `total` entry among free-form ones
        {"type": "array", "items": ENTRY, "allOf": [_kind("subtotal"), _kind("total")]},
        {"type": "array", "items": ENTRY, "allOf": [_kind("subtotal"), _kind("total"), {"maxItems": 4}]},
        {"type": "array", "items": ENTRY, "allOf": [_kind("a"), _kind("b"), _kind("c")], "minItems": 4},
    ],
)
def test_arrays_that_must_contain_several_kinds_of_item_are_drawn(schema: dict[str, Any]) -> None:
    """Without the leading items, hypothesis-jsonschema filters for the second `contains` and draws nothing valid."""
    from jsonschema import Draft202012Validator  # noqa: PLC0415

    drawn = draw_payloads({}, schema, count=3, seconds=60)
    assert any(Draft202012Validator(schema).is_valid(payload) for payload in drawn.payloads)


def test_a_contains_that_forbids_its_kind_is_left_to_the_validator() -> None:
    never = {"contains": {"const": 1}, "maxContains": 0}
    assert draft7({"type": "array", "allOf": [_kind("a"), never]}) == {
        "type": "array",
        "items": [{"allOf": [True, _kind("a")["contains"]]}],
        "additionalItems": True,
        "allOf": [never],
    }
