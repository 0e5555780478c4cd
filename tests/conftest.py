"""Shared fixtures: generating a spec into a temporary folder and importing what came out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from generator.commands.fidelity.measure import WebhookFidelity, accepts, judge, measure_webhook
from generator.commands.imported import import_generated
from generator.ir import Webhook
from generator.pipeline import Generated, generate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_SPEC = ROOT / "spec" / "openapi.yaml"
# The example's webhook keys, in spec order.
EXAMPLE_KEYS = [
    "new-subscription",
    "login-success",
    "payment",
    "order.updated",
    "customer.event",
    "email.delivery_status_changed",
    "monitoring.alert",
]
CORPUS = Path(os.environ.get("HOOKGEN_CORPUS", ROOT.parent / "shared" / "corpus"))


@dataclass
class Imported:
    """A generated package, imported."""

    generated: Generated
    output: Path
    webhooks: ModuleType
    models: ModuleType

    @property
    def document(self) -> dict[str, Any]:
        return self.generated.document

    def models_source(self) -> str:
        """The source of every module of the generated `models` package, one after the other."""
        modules = sorted(Path(self.models.__file__).parent.glob("*.py"))
        assert len(modules) > 1, modules  # the package and at least one group
        return "\n".join(path.read_text(encoding="utf-8") for path in modules)

    def model(self, webhook: Webhook) -> Any:
        assert webhook.body is not None
        return getattr(self.models, webhook.body.model_name)

    def webhook(self, key: str) -> Webhook:
        """The generated IR of the webhook with this key."""
        return next(webhook for webhook in self.generated.spec.webhooks if webhook.key == key)

    def verdicts(self, key: str, payload: Any) -> tuple[bool, bool]:
        """Whether the source schema takes a payload of this webhook (asserting the formats the models assert), and
        whether its model does."""
        webhook = self.webhook(key)
        assert webhook.body is not None
        valid = judge(self.document, webhook.body.schema_pointer, self.generated.asserted_formats).is_valid(payload)
        return valid, accepts(self.model(webhook), payload)

    def drawn(self, key: str) -> WebhookFidelity:
        """`hookgen fidelity` on one webhook: 25 drawn payloads and their mutations, judged both ways."""
        webhook = self.webhook(key)
        return measure_webhook(self.generated, webhook, self.model(webhook), count=25, seconds=30)


def generate_document(folder: Path, document: dict[str, Any], package: str) -> Imported:
    """Write a spec document as `folder/openapi.yaml`, generate it into `folder/out` and import it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openapi.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return generate_and_import(folder / "openapi.yaml", folder / "out", package)


def generate_and_import(spec: Path, output: Path, package: str, **options: Any) -> Imported:
    """Generate a spec into `output` and import its package (fresh, under a unique name)."""
    generated = generate(spec, output, package=package, **options)
    webhooks, models = import_generated(output, package, "webhooks", "models")
    return Imported(generated, output, webhooks, models)


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The example spec, generated afresh and imported."""
    return generate_and_import(EXAMPLE_SPEC, tmp_path_factory.mktemp("example") / "out", "example_webhooks")
