"""Every real spec in ../shared/corpus generates, imports and passes the round trip.

Where the models cannot follow a schema exactly, hookgen must have said so: a disagreement is
allowed only on a webhook that a warning names, and no valid payload may be refused. Payloads are
drawn for a bounded sample of webhooks, each inside a time budget (see generator/payloads.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from generator.commands.fidelity.judge import webhooks_with_bodies
from generator.commands.fidelity.measure import FidelityReport, measure_webhook
from generator.models.deviations import documented_webhooks
from generator.spec.walk import operations

from .compare import declaration_differences
from .conftest import CORPUS, Imported, generate_and_import
from .roundtrip import check_shapes

UCP_ROOT = "ucp-shopping/source/services/shopping/rest.openapi.json"
SPECS = [
    "oai-webhook-example.yaml",
    "redocly-museum.yaml",
    "scalar-galaxy-3.1.yaml",
    "adyen-tokenization-notification-v1.json",
    "adyen-balanceplatform-configuration-notification-v2.json",
    "adyen-webhooks-v1.json",
    "resend-openapi.yaml",
    "svix-lib-openapi.json",
    "polar-2026-10.openapi.json",
    "openai-openapi.yaml",
    "paddle-openapi.yaml",
    "github-webhooks.json",  # 261 webhooks: about 100 s of the suite, the price of proving the biggest spec
    "chargebee-api-v1.json",
    "autumn-openapi.yaml",
    # Split over a tree: its root reaches ../../schemas, outside its own folder, so the tree is a ref-root.
    UCP_ROOT,
]
OPTIONS: dict[str, dict[str, Any]] = {UCP_ROOT: {"ref_roots": [CORPUS / "ucp-shopping" / "source"]}}
PAYLOADS_PER_WEBHOOK = 5
SECONDS_PER_WEBHOOK = 4.0
DRAWN_WEBHOOKS_PER_SPEC = 6
MAX_WEBHOOKS_FOR_SPEC_VALIDATOR = 100

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the corpus of real specs is not at {CORPUS} (set HOOKGEN_CORPUS)"),
]


@pytest.fixture(scope="module", params=SPECS)
def corpus_spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    name: str = request.param
    package = "corpus_" + re.sub(r"\W", "_", Path(name).stem)
    return generate_and_import(
        CORPUS / name, tmp_path_factory.mktemp(package) / "out", package, **OPTIONS.get(name, {})
    )


def test_every_webhook_operation_is_generated_and_declared(corpus_spec: Imported) -> None:
    source = [(key, method) for key, method, _ in operations(corpus_spec.document)]
    generated = [(w.key, w.method) for w in corpus_spec.generated.spec.webhooks]
    assert generated == source
    declared = corpus_spec.webhooks.app.openapi()
    assert declaration_differences(corpus_spec.document, declared) == []
    # The provider's /openapi.json is itself a valid OpenAPI 3.1 document, security schemes included.
    # openapi-spec-validator takes ~40 s on GitHub's 261 webhooks: specs that size get the checks below only.
    if len(declared["webhooks"]) <= MAX_WEBHOOKS_FOR_SPEC_VALIDATOR:
        OpenAPIV31SpecValidator(declared).validate()
    named = {
        name
        for item in declared["webhooks"].values()
        for op in item.values()
        for r in op.get("security", [])
        for name in r
    }
    assert named <= set(declared.get("components", {}).get("securitySchemes", {}))


def test_body_shapes_differ_only_where_a_warning_says_so(corpus_spec: Imported) -> None:
    warned = documented_webhooks(corpus_spec.generated.warnings)
    unwarned = [d for d in check_shapes(corpus_spec) if d.split(": ", 1)[0] not in warned]
    assert unwarned == []


def test_models_agree_with_the_source_except_where_a_warning_says_so(corpus_spec: Imported) -> None:
    """`hookgen fidelity` on a bounded sample: every example judged, payloads drawn for a spread of webhooks."""
    webhooks = webhooks_with_bodies(corpus_spec.generated.spec)
    drawn_for = {w.key for w in webhooks[:: max(1, len(webhooks) // DRAWN_WEBHOOKS_PER_SPEC)][:DRAWN_WEBHOOKS_PER_SPEC]}
    results = [
        measure_webhook(
            corpus_spec.generated,
            webhook,
            corpus_spec.model(webhook),
            count=PAYLOADS_PER_WEBHOOK if webhook.key in drawn_for else 0,
            seconds=SECONDS_PER_WEBHOOK,
        )
        for webhook in webhooks
    ]
    report = FidelityReport(corpus_spec.generated.spec.title, (), tuple(results))
    print(report.summary())
    assert sum(result.payloads for result in results) > 0
    assert [(r.key, r.first) for r in report.undocumented()] == []
    # No refusals: a documented deviation may accept too much, but never refuses what the contract allows.
    refused = [(r.key, r.first) for r in results if r.refused_valid and not _refusal_documented(corpus_spec, r.key)]
    assert refused == []


def _refusal_documented(imported: Imported, key: str) -> bool:
    # The one refusal hookgen documents: a payload schema that accepts non-objects (see deviations.py).
    return any(key in p.webhooks and "`properties` without `type`" in p.message for p in imported.generated.warnings)
