"""The example contract in spec/: generated, imported, and round-tripped against its source."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from generator.commands.fidelity.judge import webhooks_with_bodies
from generator.commands.fidelity.measure import accepts, measure_webhook
from generator.pipeline import build
from generator.render.write import write_package

from .compare import declaration_differences
from .conftest import EXAMPLE_KEYS, EXAMPLE_SPEC, ROOT, Imported
from .roundtrip import check_declarations, check_shapes, examples_of


def test_every_webhook_of_the_spec_is_declared_under_its_own_key(example: Imported) -> None:
    declared = example.webhooks.app.openapi()["webhooks"]
    assert set(declared) == set(EXAMPLE_KEYS)
    assert all(list(item) == ["post"] for item in declared.values())


def test_declarations_round_trip(example: Imported) -> None:
    check_declarations(example)


def test_header_parameters_are_declared(example: Imported) -> None:
    operation = example.webhooks.app.openapi()["webhooks"]["login-success"]["post"]
    headers = {p["name"]: p["required"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"X-Tenant-Id": True, "X-Login-Attempt": False}


def test_body_shapes_match_the_source(example: Imported) -> None:
    assert check_shapes(example) == []


def test_every_payload_has_examples_and_the_models_accept_them(example: Imported) -> None:
    for webhook in webhooks_with_bodies(example.generated.spec):
        examples = examples_of(example, webhook)
        assert examples, f"{webhook.key} has no example"
        for payload in examples:
            assert accepts(example.model(webhook), payload), (webhook.key, payload)


def test_models_agree_with_the_source_on_drawn_payloads_and_their_mutations(example: Imported) -> None:
    for webhook in webhooks_with_bodies(example.generated.spec):
        result = measure_webhook(example.generated, webhook, example.model(webhook), count=25, seconds=60)
        assert result.drawn_all, f"{webhook.key}: the generator did not finish within a minute"
        assert result.payloads >= 12, f"{webhook.key}: only {result.payloads} valid payloads"
        assert result.mutations > 0, webhook.key
        assert result.first == (), f"{webhook.key}: {result.first}"


@pytest.mark.parametrize(
    ("payload", "accepted"),
    [
        (
            {
                "status": "succeeded",
                "payment_id": "p",
                "amount": {"value": 1, "currency": "EUR"},
                "paid_at": "2026-01-01T00:00:00Z",
            },
            True,
        ),
        (
            {
                "status": "failed",
                "payment_id": "p",
                "amount": {"value": 1, "currency": "EUR"},
                "failure_code": "card_declined",
            },
            True,
        ),
        ({"status": "refunded", "payment_id": "p", "amount": {"value": 1, "currency": "EUR"}}, False),
        (
            {"status": "failed", "payment_id": "p", "amount": {"value": 1, "currency": "EUR"}, "failure_code": "nope"},
            False,
        ),
    ],
)
def test_the_payment_discriminator_picks_the_branch(
    example: Imported, payload: dict[str, object], accepted: bool
) -> None:
    payment = next(w for w in example.generated.spec.webhooks if w.key == "payment")
    assert accepts(example.model(payment), payload) is accepted


def test_recursive_segments_parse_to_any_depth(example: Imported) -> None:
    segment = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": [{"name": "d"}]}]}]}
    parsed = example.models.Segment.model_validate(segment)
    assert parsed.children[0].children[0].children[0].name == "d"


def test_committed_generated_folder_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "generated"
    generated = build(EXAMPLE_SPEC, package="subscriptions_webhooks")
    write_package(generated.files, fresh)
    comparison = filecmp.dircmp(ROOT / "generated", fresh, ignore=["__pycache__", "subscriptions_webhooks.egg-info"])
    stale = _differences(comparison)
    assert stale == [], "generated/ is stale: run `make generate`, read the diff, commit it"


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [
        f"{comparison.left}/{name}" for name in comparison.diff_files + comparison.left_only + comparison.right_only
    ]
    _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files, shallow=False)
    found += [f"{comparison.left}/{name}" for name in mismatch + errors]
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return sorted(set(found))


def test_generated_package_passes_mypy_strict(example: Imported) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(example.output / "example_webhooks")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_properties_are_ignored_unless_the_schema_forbids_them(example: Imported) -> None:
    by_key = {w.key: w for w in example.generated.spec.webhooks}
    subscription = examples_of(example, by_key["new-subscription"])[0]
    alert = examples_of(example, by_key["monitoring.alert"])[0]
    # Payloads evolve: a field the contract does not name yet must not lose the delivery...
    assert accepts(example.model(by_key["new-subscription"]), {**subscription, "added_later": 1})
    # ...unless the contract says `additionalProperties: false`, as the monitoring alert does.
    assert accepts(example.model(by_key["monitoring.alert"]), alert)
    assert not accepts(example.model(by_key["monitoring.alert"]), {**alert, "added_later": 1})


def test_the_declared_document_is_valid_openapi_3_1(example: Imported) -> None:
    OpenAPIV31SpecValidator(example.webhooks.app.openapi()).validate()


def test_header_parameters_are_declared_exactly_and_a_lost_constraint_is_caught(example: Imported) -> None:
    declared = example.webhooks.app.openapi()
    attempt = next(
        p for p in declared["webhooks"]["login-success"]["post"]["parameters"] if p["name"] == "X-Login-Attempt"
    )
    assert attempt == {
        "name": "X-Login-Attempt",
        "in": "header",
        "required": False,
        "description": "How many attempts the sign-in took.",
        "schema": {"type": "integer", "minimum": 1},
    }
    del attempt["schema"]["minimum"]
    assert [d.split(":")[0] for d in declaration_differences(example.document, declared)] == ["login-success post"]
