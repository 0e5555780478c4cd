"""Every real spec in ../shared/corpus generates, imports and passes the round trip.

Where the models cannot follow a schema exactly, hookgen must have said so: a disagreement is
allowed only on a webhook that a warning names. Payload generation is bounded per spec.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from generator.contract import declaration_differences, webhooks_with_bodies
from generator.models import operations

from .conftest import CORPUS, Imported, generate_and_import
from .roundtrip import check_shapes, disagreements_on, examples_of, generated_payloads

# polar and github are not yet bounded well enough for CI's time: `make test-slow` runs them.
SPECS = [
    "oai-webhook-example.yaml",
    "redocly-museum.yaml",
    "scalar-galaxy-3.1.yaml",
    "adyen-tokenization-notification-v1.json",
    "adyen-balanceplatform-configuration-notification-v2.json",
    "adyen-webhooks-v1.json",
    "resend-openapi.yaml",
    "svix-lib-openapi.json",
    pytest.param("polar-2026-10.openapi.json", marks=pytest.mark.slow),
    "openai-openapi.yaml",
    "paddle-openapi.yaml",
    pytest.param("github-webhooks.json", marks=pytest.mark.slow),
]
PAYLOADS_PER_WEBHOOK = 3
SECONDS_PER_SPEC = 45.0
_NAMED = re.compile(r"\(webhooks: (?P<keys>.+)\)$")

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the corpus of real specs is not at {CORPUS} (set HOOKGEN_CORPUS)"),
]


@pytest.fixture(scope="module", params=SPECS)
def corpus_spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    name: str = request.param
    package = "corpus_" + re.sub(r"\W", "_", Path(name).stem)
    return generate_and_import(CORPUS / name, tmp_path_factory.mktemp(package) / "out", package)


def _warned_webhooks(imported: Imported) -> set[str]:
    warned: set[str] = set()
    for problem in imported.generated.warnings:
        if match := _NAMED.search(problem.message):
            warned |= set(match["keys"].split(", "))
    return warned


def test_every_webhook_operation_is_generated_and_declared(corpus_spec: Imported) -> None:
    source = [(key, method) for key, method, _ in operations(corpus_spec.document)]
    generated = [(w.key, w.method) for w in corpus_spec.generated.spec.webhooks]
    assert generated == source
    assert declaration_differences(corpus_spec.document, corpus_spec.webhooks.app.openapi()) == []


def test_body_shapes_differ_only_where_a_warning_says_so(corpus_spec: Imported) -> None:
    unwarned = [d for d in check_shapes(corpus_spec) if d.split(": ", 1)[0] not in _warned_webhooks(corpus_spec)]
    assert unwarned == []


def test_models_agree_with_the_source_except_where_a_warning_says_so(corpus_spec: Imported) -> None:
    warned = _warned_webhooks(corpus_spec)
    deadline = time.monotonic() + SECONDS_PER_SPEC
    unwarned: list[str] = []
    checked = payloads = 0
    for webhook in webhooks_with_bodies(corpus_spec.generated.spec):
        found = examples_of(corpus_spec, webhook)
        if time.monotonic() < deadline:
            generated = generated_payloads(corpus_spec, webhook, PAYLOADS_PER_WEBHOOK)
            checked += bool(generated)
            found += generated
        payloads += len(found)
        unwarned += [d for d in disagreements_on(corpus_spec, webhook, found) if webhook.key not in warned]
    total = len(webhooks_with_bodies(corpus_spec.generated.spec))
    print(
        f"{payloads} payloads; generated payloads reached {checked} of {total} webhooks within {SECONDS_PER_SPEC:.0f} s"
    )
    assert payloads > 0
    assert unwarned == []
