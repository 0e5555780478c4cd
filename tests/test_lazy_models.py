"""Start-up of the example package: the receivers import no model until a delivery needs it, then only its own.

Each check runs in a fresh interpreter, so that `sys.modules` shows what the package itself imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generator.pipeline import generate

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "subscriptions_webhooks"
MODELS = ROOT / "generated" / PACKAGE / "models"

_SERVE_ONE = f"""
import json, sys, time
import {PACKAGE}.receivers as receivers
from fastapi.testclient import TestClient
from {PACKAGE}._signatures import scheme_from_declaration

def groups():
    return sorted(name.rpartition(".")[2] for name in sys.modules if name.startswith("{PACKAGE}.models._"))

after_import = groups()
received = []

class Handlers:
    def __getattr__(self, name):
        return received.append

secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
client = TestClient(receivers.create_app(Handlers(), secrets=[secret]))
body = json.dumps({{
    "status": "failed", "payment_id": "pay_124", "amount": {{"value": 1250, "currency": "EUR"}},
    "failure_code": "card_declined", "failure_message": None,
}}).encode()
scheme = scheme_from_declaration(receivers.SIGNATURE)
headers = scheme.sign(body, secret, delivery_id="msg_1", timestamp=int(time.time()))
answer = client.post("/webhooks/payment", content=body, headers=headers | {{"content-type": "application/json"}})
print(json.dumps({{"after_import": after_import, "status": answer.status_code, "after_delivery": groups(),
                  "payload": type(received[0]).__name__}}))
"""

_EVERY_CLASS = f"""
import json, sys
import {PACKAGE}.models as models
listed = [name for name in models.__all__ if name in dir(models)]
where = {{name: getattr(models, name).__module__ for name in models.__all__}}
try:
    models.NoSuchModel
    missing = "no error"
except AttributeError as error:
    missing = str(error)
print(json.dumps({{"listed": listed, "where": where, "missing": missing}}))
"""


_PROVIDER = f"""
import json, sys
import {PACKAGE}.webhooks as webhooks

def groups():
    return sorted(name.rpartition(".")[2] for name in sys.modules if name.startswith("{PACKAGE}.models._"))

after_import = (groups(), len(webhooks.app.webhooks.routes))
document = webhooks.app.openapi()
print(json.dumps({{"after_import": after_import, "declared": len(webhooks.app.webhooks.routes),
                  "documented": len(document["webhooks"]), "after_openapi": groups()}}))
"""


def _run(code: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def test_a_delivery_of_one_webhook_imports_only_the_groups_its_body_reaches() -> None:
    served = _run(_SERVE_ONE)
    assert served["after_import"] == []  # importing the receivers and building the app imports no model
    assert served["status"] == 200
    assert served["payload"] == "PaymentEvent"
    # `payment`'s body reaches its own classes and Money, which it shares with `order.updated`; the package has
    # groups for five other webhooks, none of them imported.
    assert served["after_delivery"] == ["_shared_1", "_webhook_payment_status"]
    assert len(list(MODELS.glob("_*.py"))) > 3


def test_every_class_is_an_attribute_of_models_and_lives_in_its_group() -> None:
    found = _run(_EVERY_CLASS)
    where = found["where"]
    assert isinstance(where, dict)
    assert found["listed"] == list(where)  # `dir(models)` lists every class before any is imported
    defined = {
        path.stem: path.read_text(encoding="utf-8") for path in MODELS.glob("_*.py")
    }  # each class is defined in the module `models` takes it from
    assert len(where) == sum(text.count("\nclass ") for text in defined.values())
    for name, module in where.items():
        assert f"\nclass {name}(" in defined[module.rpartition(".")[2]], name
    assert "has no attribute 'NoSuchModel'" in str(found["missing"])


def test_the_provider_app_declares_its_webhooks_when_its_document_is_first_built() -> None:
    provider = _run(_PROVIDER)
    assert provider["after_import"] == [[], 0]  # importing it imports no model and declares no route
    groups = sorted(path.stem for path in MODELS.glob("_*.py") if path.stem != "__init__")
    assert provider["after_openapi"] == groups  # the document holds every webhook's models
    assert provider["declared"] == provider["documented"] == 7  # the example's webhook keys


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# Three webhooks whose bodies need the contract check (`uniqueItems`), through schemas of their own and one shared.
_TAGS = {"type": "array", "uniqueItems": True, "items": {"type": "string"}}
_CHECKED_SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Shares", "version": "1.0.0"},
    "components": {
        "schemas": {
            "Labels": {"type": "object", "properties": {"tags": _TAGS}},
            **{
                name: {
                    "type": "object",
                    "required": ["id"],
                    "properties": {"id": {"type": "string"}, f"{name.lower()}_tags": _TAGS, "labels": _ref("Labels")},
                }
                for name in ("Alpha", "Beta", "Gamma")
            },
        }
    },
    "webhooks": {
        name.lower(): {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": _ref(name)}}},
                "responses": {"200": {"description": "ok"}},
            }
        }
        for name in ("Alpha", "Beta", "Gamma")
    },
}

_DELIVER_TO_BETA = """
import json, sys, time
opened = []

def audit(event, args):
    if event == "open" and "_contract" in str(args[0]):
        opened.append(str(args[0]))

sys.addaudithook(audit)
import shares_webhooks.receivers as receivers
from fastapi.testclient import TestClient
from shares_webhooks._signatures import scheme_from_declaration

received = []

class Handlers:
    def __getattr__(self, name):
        return received.append

secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
client = TestClient(receivers.create_app(Handlers(), secrets=[secret]))
scheme = scheme_from_declaration(receivers.SIGNATURE)
statuses = []
bodies = [
    {"id": "b1", "beta_tags": ["x", "y"], "labels": {"tags": ["l"]}},
    {"id": "b2", "labels": {"tags": ["l", "l"]}},
]
for body in bodies:
    content = json.dumps(body).encode()
    headers = scheme.sign(content, secret, delivery_id=body["id"], timestamp=int(time.time()))
    headers["content-type"] = "application/json"
    statuses.append(client.post("/webhooks/beta", content=content, headers=headers).status_code)
print(json.dumps({"statuses": statuses, "received": [type(r).__name__ for r in received], "opened": opened}))
"""


def test_a_delivery_reads_only_the_contract_share_of_its_webhook(tmp_path: Path) -> None:
    (tmp_path / "openapi.json").write_text(json.dumps(_CHECKED_SPEC), encoding="utf-8")
    generate(tmp_path / "openapi.json", tmp_path / "out", package="shares_webhooks")
    folder = tmp_path / "out" / "shares_webhooks"
    shares = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("_contracts/*.json")}
    assert sorted(shares) == ["_webhook_alpha.json", "_webhook_beta.json", "_webhook_gamma.json", "index.json"]
    # Each share holds its own body's schema and the shared Labels, not the other bodies'.
    assert list(shares["_webhook_beta.json"]["components"]["schemas"]) == ["Labels", "Beta"]
    code = f"import sys; sys.path.insert(0, {str(tmp_path / 'out')!r})\n{_DELIVER_TO_BETA}"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout)
    # The second payload repeats a label: only the contract check refuses it.
    assert served["statuses"] == [200, 422]
    assert served["received"] == ["Beta"]
    opened = [Path(path).relative_to(folder).as_posix() for path in served["opened"] if path.endswith(".json")]
    assert opened == ["_contracts/index.json", "_contracts/_webhook_beta.json"]
