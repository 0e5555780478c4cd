"""The generated sender delivers corpus webhooks to the generated receiver over uvicorn, in GitHub, Stripe and
Shopify signature schemes; each delivery is verified and parsed into its webhook's model.

The specs declare no `x-webhook-signature`, so each is generated with a preset as the build option `signature`
(as `[tool.hookgen] signature` would): GitHub's own spec with `github`; Autumn's with `stripe`; Redocly's museum with
`shopify`; Adyen's with Standard Webhooks, whose webhooks also require HTTP Basic credentials (`BasicAuth`): the sender
sends them and the receiver checks them.
The payloads are the spec's examples that the webhook's model accepts: every such webhook is delivered (GitHub's
spec has examples for 6 of its 261; drawing payloads for the rest would take minutes).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.commands.fidelity.judge import body_examples
from generator.commands.fidelity.measure import accepts
from generator.commands.imported import import_generated

from .conftest import CORPUS, Imported, generate_and_import
from .servers import serving
from .test_sender import Recorder

SECRET = "whsec_" + base64.b64encode(b"corpus-sender-secret-32-bytes!!!").decode()

ADYEN_BASIC = {"BasicAuth": ("adyen-user", "adyen-password")}
# (corpus file, preset, package, the least number of webhooks with an example the model accepts, credentials)
SPECS = [
    ("github-webhooks.json", "github", "corpus_github", 6, {}),
    ("autumn-openapi.yaml", "stripe", "corpus_autumn", 4, {}),
    ("redocly-museum.yaml", "shopify", "corpus_museum", 1, {}),
    ("adyen-webhooks-v1.json", "standard-webhooks", "corpus_adyen", 34, ADYEN_BASIC),
]


@pytest.fixture(scope="module", params=SPECS, ids=[f"{name}-{preset}" for name, preset, *_ in SPECS])
def corpus_spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A corpus spec generated with a signature preset (GitHub's takes about 20 s), and its modules."""
    name, preset, package, *_ = request.param
    spec = CORPUS / name
    if not spec.is_file():
        pytest.skip(f"corpus spec {spec} is absent (set HOOKGEN_CORPUS)")
    output: Path = tmp_path_factory.mktemp(package) / "out"
    imported = generate_and_import(spec, output, package, signature={"scheme": preset})
    # One import of the package for receivers, sender and models, so the classes the receiver parses into are these.
    models, receivers, sender = import_generated(output, package, "models", "receivers", "sender")
    return Corpus(imported, request.param, models, receivers, sender)


@dataclass
class Corpus:
    """A generated corpus package: how it was made, and its modules."""

    imported: Imported
    spec: tuple[str, str, str, int, dict[str, Any]]
    models: ModuleType
    receivers: ModuleType
    sender: ModuleType

    def model(self, webhook: Any) -> Any:
        return getattr(self.models, webhook.body.model_name)


def deliverable(corpus: Corpus) -> list[tuple[Any, Any]]:
    """Each webhook with an example its model accepts, and that example (the first one accepted)."""
    found = []
    for webhook in corpus.imported.generated.spec.webhooks:
        if webhook.body is None:
            continue
        model = corpus.model(webhook)
        accepted = [example for example in body_examples(corpus.imported.document, webhook) if accepts(model, example)]
        if accepted:
            found.append((webhook, model.model_validate(accepted[0])))
    return found


def test_the_sender_delivers_corpus_webhooks_to_the_generated_receiver_in_their_scheme(corpus_spec: Corpus) -> None:
    name, preset, _, least, credentials = corpus_spec.spec
    receivers, sender = corpus_spec.receivers, corpus_spec.sender
    webhooks = deliverable(corpus_spec)
    assert len(webhooks) >= least, f"{name}: only {len(webhooks)} webhooks with an example their model accepts"
    recorder = Recorder()
    with (
        serving(receivers.create_app(recorder, secrets=[SECRET], credentials=credentials)) as url,
        sender.WebhookSender(SECRET, allow_loopback=True, credentials=credentials) as client,
    ):
        for webhook, payload in webhooks:
            assert webhook.signature.scheme == preset
            path = "/webhooks/" + webhook.key.replace("/", "%2F")
            result = getattr(client, f"send_{webhook.python_name}")(url + path, payload)
            assert result.delivered, (webhook.key, result.attempts)
            name_called, received = recorder.calls[-1]
            assert name_called == webhook.python_name
            assert type(received) is corpus_spec.model(webhook)
            assert received == payload
    assert len(recorder.calls) == len(webhooks)


def test_a_corpus_delivery_signed_with_another_secret_is_refused(corpus_spec: Corpus) -> None:
    receivers, sender = corpus_spec.receivers, corpus_spec.sender
    credentials = corpus_spec.spec[-1]
    webhook, payload = deliverable(corpus_spec)[0]
    recorder = Recorder()
    other = "whsec_" + base64.b64encode(b"another-secret-entirely-32-bytes").decode()
    with (
        serving(receivers.create_app(recorder, secrets=[SECRET], credentials=credentials)) as url,
        sender.WebhookSender(other, allow_loopback=True, schedule=(0,), credentials=credentials) as client,
    ):
        path = "/webhooks/" + webhook.key.replace("/", "%2F")
        result = getattr(client, f"send_{webhook.python_name}")(url + path, payload)
    assert not result.delivered
    assert [attempt.status for attempt in result.attempts] == [401]
    assert recorder.calls == []
