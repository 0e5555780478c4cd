"""Every real spec in ../shared/corpus generates, imports and passes the round trip.

Where the models cannot follow a schema exactly, hookgen must have said so: a disagreement is
allowed only on a webhook that a warning names, and no valid payload may be refused. Payloads are
drawn for a bounded sample of webhooks, each inside a time budget (see generator/payloads.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
from .roundtrip import check_annotations, check_shapes

UCP_ROOT = "ucp-shopping/source/services/shopping/rest.openapi.json"
# OpenAPI 3.0 with `x-webhooks`: upgraded to 3.1 (spec/upgrade.py); each round-trips against its upgraded form.
SPECS_30 = [
    "openapi-3.0-x-webhooks/apideck-crm.yml",
    "openapi-3.0-x-webhooks/clerk-webhooks-2025-04-15.yml",
    "openapi-3.0-x-webhooks/lob-api-public.yml",  # refers to files absent from the corpus; no webhook has a body
    "openapi-3.0-x-webhooks/vonage-sms.yml",  # its webhook is written as a callback
]
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
    *SPECS_30,
]
OPTIONS: dict[str, dict[str, Any]] = {UCP_ROOT: {"ref_roots": [CORPUS / "ucp-shopping" / "source"]}}
# Specs whose bodies hypothesis-jsonschema cannot draw from within the budget and that give no examples: their
# fidelity is measured on nothing, said here rather than passed silently.
# ucp has no examples, and hypothesis-jsonschema takes ~4 s of CPU to draw its `order` (far longer for a second one):
# its one webhook is given one payload and a budget that a loaded machine still meets.
DRAWS = {UCP_ROOT: (1, 60.0)}
# Known failures, in one place, each with its reason: the round trip fails on them, and must keep failing until fixed.
KNOWN_FAILURES: dict[str, str] = {}
# Specs whose body schemas say something the declared app's document does not, each with its cause; the round trip of
# schemas (check_annotations) fails on them, and must keep failing until fixed (strict xfail).
ANNOTATION_GAPS: dict[str, str] = {}
PAYLOADS_PER_WEBHOOK = 5
SECONDS_PER_WEBHOOK = 4.0
DRAWN_WEBHOOKS_PER_SPEC = 6
MAX_WEBHOOKS_FOR_SPEC_VALIDATOR = 100

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the corpus of real specs is not at {CORPUS} (set HOOKGEN_CORPUS)"),
]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[name]))
        if name in KNOWN_FAILURES
        else name
        for name in SPECS
    ],
)
def corpus_spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    name: str = request.param
    if not (CORPUS / name).is_file():
        pytest.skip(f"{name} is not in the corpus at {CORPUS}")
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


@pytest.mark.parametrize("name", SPECS_30)
def test_a_3_0_spec_is_read_as_3_1_with_one_warning(name: str, tmp_path: Path) -> None:
    if not (CORPUS / name).is_file():
        pytest.skip(f"{name} is not in the corpus at {CORPUS}")
    imported = generate_and_import(CORPUS / name, tmp_path / "out", "corpus_upgraded")
    assert imported.document["openapi"] == "3.1.0"
    assert "x-webhooks" not in imported.document
    assert imported.webhooks.app.openapi()["openapi"].startswith("3.1")
    upgraded = [p for p in imported.generated.warnings if p.pointer == "/openapi"]
    assert [p.message.split(":")[0] for p in upgraded] == [
        f"OpenAPI {_declared_version(name)} document read as OpenAPI 3.1.0"
    ]
    assert not [p for p in imported.generated.warnings if "nullable" in p.message and p not in upgraded]


def _declared_version(name: str) -> str:
    first = (CORPUS / name).read_text(encoding="utf-8").split("\n", 1)[0]
    return first.split(":", 1)[1].strip().strip('"')


def test_the_generated_package_passes_mypy_strict(corpus_spec: Imported) -> None:
    """What a consuming team's type checker reads: every real spec's package type-checks, not only the example's
    (enum defaults written as bare values and an unannotated empty header table once failed on 7 corpus specs)."""
    package = corpus_spec.generated.package
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, package],
        cwd=corpus_spec.output,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-3000:]


def test_body_shapes_differ_only_where_a_warning_says_so(corpus_spec: Imported) -> None:
    warned = documented_webhooks(corpus_spec.generated.warnings)
    unwarned = [d for d in check_shapes(corpus_spec) if d.split(": ", 1)[0] not in warned]
    assert unwarned == []


def test_every_annotation_of_the_source_is_in_the_app_document(
    corpus_spec: Imported, request: pytest.FixtureRequest
) -> None:
    """Descriptions, titles, examples, formats, enums and constraints of every body schema (see README)."""
    name = request.node.callspec.params["corpus_spec"]
    if name in ANNOTATION_GAPS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=ANNOTATION_GAPS[name]))
    assert check_annotations(corpus_spec) == []


def test_models_agree_with_the_source_except_where_a_warning_says_so(
    corpus_spec: Imported, request: pytest.FixtureRequest
) -> None:
    """`hookgen fidelity` on a bounded sample: every example judged, payloads drawn for a spread of webhooks."""
    webhooks = webhooks_with_bodies(corpus_spec.generated.spec)
    if not webhooks:
        pytest.skip("no webhook of this spec carries a body: there is nothing to judge")
    drawn_for = {w.key for w in webhooks[:: max(1, len(webhooks) // DRAWN_WEBHOOKS_PER_SPEC)][:DRAWN_WEBHOOKS_PER_SPEC]}
    count, seconds = DRAWS.get(request.node.callspec.params["corpus_spec"], (PAYLOADS_PER_WEBHOOK, SECONDS_PER_WEBHOOK))
    results = [
        measure_webhook(
            corpus_spec.generated,
            webhook,
            corpus_spec.model(webhook),
            count=count if webhook.key in drawn_for else 0,
            seconds=seconds,
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
