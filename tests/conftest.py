"""Shared fixtures: generating a spec into a temporary folder and importing what came out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.ir import Webhook
from generator.pipeline import Generated, generate, import_generated

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

    def model(self, webhook: Webhook) -> Any:
        assert webhook.body is not None
        return getattr(self.models, webhook.body.model_name)


def generate_and_import(spec: Path, output: Path, package: str, **options: Any) -> Imported:
    """Generate a spec into `output` and import its package (fresh, under a unique name)."""
    generated = generate(spec, output, package=package, **options)
    webhooks, models = import_generated(output, package, "webhooks", "models")
    return Imported(generated, output, webhooks, models)


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The example spec, generated afresh and imported."""
    return generate_and_import(EXAMPLE_SPEC, tmp_path_factory.mktemp("example") / "out", "example_webhooks")
