"""The receivers under every signature preset, declared per webhook, and the single endpoint; through TestClient."""

from __future__ import annotations

import base64
import importlib
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from generator.errors import SpecError
from generator.render.render import CONTRACT_MODULE, MARKER, RUNTIME_MODULES

from .conftest import ROOT, generate_document

# Base64, so that Standard Webhooks takes it too; the HMAC presets key with its UTF-8 bytes.
SECRET = base64.b64encode(b"one secret for every scheme").decode()


@dataclass(frozen=True)
class Preset:
    """One webhook of the presets spec, signed with one scheme."""

    key: str
    declaration: dict[str, str]
    required: tuple[str, ...]  # the headers, as sign() names them, without which verification fails


PRESETS = [
    Preset("push", {"scheme": "github"}, ("X-Hub-Signature-256",)),
    Preset("charge", {"scheme": "stripe"}, ("Stripe-Signature",)),
    Preset("order", {"scheme": "shopify"}, ("X-Shopify-Hmac-SHA256",)),
    Preset("slash", {"scheme": "slack"}, ("X-Slack-Signature", "X-Slack-Request-Timestamp")),
    Preset(
        "custom",
        {
            "scheme": "hmac",
            "header": "X-Signature",
            "algorithm": "sha512",
            "encoding": "base64",
            "prefix": "v=",
            "timestamp-header": "X-Timestamp",
            "id-header": "X-Id",
            "signed-content": "{id}:{timestamp}:{body}",
        },
        ("X-Signature", "X-Timestamp", "X-Id"),
    ),
    Preset("standard", {"scheme": "standard-webhooks"}, ("webhook-id", "webhook-timestamp", "webhook-signature")),
]


def spec_document(root: dict[str, str] | None, presets: list[Preset]) -> dict[str, Any]:
    body = {
        "type": "object",
        "required": ["type", "name"],
        "properties": {"type": {"type": "string"}, "name": {"type": "string", "minLength": 1}},
    }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Presets", "version": "1.0.0"},
        "webhooks": {
            preset.key: {
                "post": {
                    "x-webhook-signature": preset.declaration,
                    "summary": f"{preset.key} happened",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                    "responses": {"202": {"description": "accepted"}},
                }
            }
            for preset in presets
        },
    }
    if root is not None:
        document["x-webhook-signature"] = root
    return document


@pytest.fixture(scope="module")
def presets(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    # The root scheme is github; every webhook overrides it but `push`, which declares github itself.
    document = spec_document({"scheme": "github"}, PRESETS)
    generate_document(tmp_path_factory.mktemp("presets"), document, "presets_webhooks")
    return importlib.import_module("presets_webhooks.receivers")


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda payload: self.calls.append((name, payload))


def signed(receivers: ModuleType, preset: Preset, body: bytes, delivery_id: str = "d-1") -> dict[str, str]:
    scheme = importlib.import_module(receivers.__package__ + "._signatures").scheme_from_declaration(preset.declaration)
    headers: dict[str, str] = scheme.sign(body, SECRET, delivery_id=delivery_id, timestamp=int(time.time()))
    return {**headers, "Content-Type": "application/json"}


def body_for(preset: Preset, name: str = "ada") -> bytes:
    return json.dumps({"type": preset.key, "name": name}).encode()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(presets: ModuleType, recorder: Recorder) -> TestClient:
    return TestClient(presets.create_app(recorder, secrets=[SECRET]))


def test_each_webhook_carries_its_own_declaration(presets: ModuleType):
    assert {endpoint.key: dict(endpoint.signature) for endpoint in presets.ENDPOINTS} == {
        preset.key: preset.declaration for preset in PRESETS
    }
    assert presets.SIGNATURE == {"scheme": "github"}


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
def test_a_valid_delivery_reaches_the_handler(client: TestClient, recorder: Recorder, presets: Any, preset: Preset):
    body = body_for(preset)
    response = client.post(f"/webhooks/{preset.key}", content=body, headers=signed(presets, preset, body))
    assert response.status_code == 202
    assert [(name, payload.name) for name, payload in recorder.calls] == [(preset.key, "ada")]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
def test_a_tampered_body_is_refused(client: TestClient, recorder: Recorder, presets: Any, preset: Preset):
    headers = signed(presets, preset, body_for(preset))
    response = client.post(f"/webhooks/{preset.key}", content=body_for(preset, "eve"), headers=headers)
    assert response.status_code == 401
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("preset", "header"),
    [(preset, header) for preset in PRESETS for header in preset.required],
    ids=lambda value: value if isinstance(value, str) else value.declaration["scheme"],
)
def test_each_required_header_missing_is_refused(
    client: TestClient, recorder: Recorder, presets: Any, preset: Preset, header: str
):
    body = body_for(preset)
    headers = {name: value for name, value in signed(presets, preset, body).items() if name != header}
    assert client.post(f"/webhooks/{preset.key}", content=body, headers=headers).status_code == 401
    assert recorder.calls == []


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
def test_a_duplicate_runs_the_handler_once(client: TestClient, recorder: Recorder, presets: Any, preset: Preset):
    body = body_for(preset)
    for _ in range(2):  # re-signed each time: Stripe and Slack, without an id header, are known by their body
        response = client.post(f"/webhooks/{preset.key}", content=body, headers=signed(presets, preset, body))
        assert response.status_code == 202
    assert len(recorder.calls) == 1


@pytest.mark.parametrize(("key", "field"), [("charge", "id"), ("slash", "event_id")])
def test_without_an_id_header_the_id_field_names_the_delivery(
    client: TestClient, recorder: Recorder, presets: Any, key: str, field: str
):
    # A retry may differ in its bytes (Stripe's `pending_webhooks` count): the event id says it is the same one.
    preset = next(p for p in PRESETS if p.key == key)
    first, retried, other = (
        json.dumps({"type": key, "name": name, field: event, "pending_webhooks": count}).encode()
        for name, event, count in (("ada", "evt_1", 2), ("ada", "evt_1", 1), ("bob", "evt_2", 1))
    )
    for body in (first, retried, other):
        response = client.post(f"/webhooks/{key}", content=body, headers=signed(presets, preset, body))
        assert response.status_code == 202
    assert [payload.name for _, payload in recorder.calls] == ["ada", "bob"]


def test_an_id_from_the_payload_is_one_webhooks_own(client: TestClient, recorder: Recorder, presets: Any):
    # The same value in Stripe's `id` and Slack's `event_id` names two deliveries, one per webhook.
    for key in ("charge", "slash"):
        preset = next(p for p in PRESETS if p.key == key)
        body = json.dumps({"type": key, "name": key, "id": "same", "event_id": "same"}).encode()
        assert client.post(f"/webhooks/{key}", content=body, headers=signed(presets, preset, body)).status_code == 202
    assert [payload.name for _, payload in recorder.calls] == ["charge", "slash"]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
def test_a_signature_of_another_scheme_is_refused(client: TestClient, presets: Any, preset: Preset):
    other = PRESETS[(PRESETS.index(preset) + 1) % len(PRESETS)]
    body = body_for(preset)
    response = client.post(f"/webhooks/{preset.key}", content=body, headers=signed(presets, other, body))
    assert response.status_code == 401


# Where each timestamped preset carries its timestamp, and how to put another value there.
TIMESTAMPED = {
    "stripe": lambda headers, value: {
        **headers,
        "Stripe-Signature": re.sub(r"t=\d+", f"t={value}", headers["Stripe-Signature"]),
    },
    "slack": lambda headers, value: {**headers, "X-Slack-Request-Timestamp": value},
    "hmac": lambda headers, value: {**headers, "X-Timestamp": value},
    "standard-webhooks": lambda headers, value: {**headers, "webhook-timestamp": value},
}
SIGNATURE_HEADER = {
    "github": "X-Hub-Signature-256",
    "stripe": "Stripe-Signature",
    "shopify": "X-Shopify-Hmac-SHA256",
    "slack": "X-Slack-Signature",
    "hmac": "X-Signature",
    "standard-webhooks": "webhook-signature",
}
PINNED_NOW = 1_800_000_000
MALFORMED = ["garbage", "v1,a,b", "v1,!!!notbase64", "v1a", "sha256=zz", "t=1,v1=", "v0=", "=="]


def _post(client: TestClient, preset: Preset, body: bytes, headers: dict[str, str]) -> int:
    return client.post(f"/webhooks/{preset.key}", content=body, headers=headers).status_code


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
def test_a_reserialised_body_is_refused(client: TestClient, recorder: Recorder, presets: Any, preset: Preset):
    body = body_for(preset, "é")
    headers = signed(presets, preset, body)
    payload = json.loads(body)
    for reserialised in (
        json.dumps(payload, indent=1).encode(),
        json.dumps(dict(reversed(payload.items()))).encode(),
        json.dumps(payload, ensure_ascii=False).encode(),
    ):
        assert reserialised != body
        assert _post(client, preset, reserialised, headers) == 401
    assert recorder.calls == []


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_signature_header_is_refused(client: TestClient, presets: Any, preset: Preset, value: str):
    body = body_for(preset)
    headers = {**signed(presets, preset, body), SIGNATURE_HEADER[preset.declaration["scheme"]]: value}
    assert _post(client, preset, body, headers) == 401


@pytest.mark.parametrize(
    "preset", [p for p in PRESETS if p.declaration["scheme"] in TIMESTAMPED], ids=lambda p: p.declaration["scheme"]
)
@pytest.mark.parametrize(
    ("change", "status"),
    [(-301, 401), (301, 401), ("abc", 401), ("nan", 401), (-299, 202), (-300, 202), (300, 202)],
)
def test_the_timestamp_must_be_within_the_tolerance(
    presets: Any, recorder: Recorder, preset: Preset, change: int | str, status: int
):
    # The receiver's clock is pinned: against the wall clock, a whole-second timestamp at the boundary races it.
    client = TestClient(presets.create_app(recorder, secrets=[SECRET], clock=lambda: PINNED_NOW))
    body = body_for(preset, f"t{change}")
    scheme = importlib.import_module(presets.__package__ + "._signatures").scheme_from_declaration(preset.declaration)
    if isinstance(change, int):  # signed honestly, at another time
        headers = scheme.sign(body, SECRET, delivery_id=f"t{change}", timestamp=PINNED_NOW + change)
        headers = {**headers, "Content-Type": "application/json"}
    else:
        headers = TIMESTAMPED[preset.declaration["scheme"]](signed(presets, preset, body), change)
    assert _post(client, preset, body, headers) == status


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
def test_both_secrets_are_accepted_while_rotating(presets: ModuleType, recorder: Recorder, preset: Preset):
    new = base64.b64encode(b"the next secret of every scheme").decode()
    client = TestClient(presets.create_app(recorder, secrets=[new, SECRET]))
    scheme = importlib.import_module(presets.__package__ + "._signatures").scheme_from_declaration(preset.declaration)
    for secret, name in ((SECRET, "old"), (new, "new")):
        body = body_for(preset, name)
        headers = {
            **scheme.sign(body, secret, delivery_id=name, timestamp=int(time.time())),
            "Content-Type": "application/json",
        }
        assert _post(client, preset, body, headers) == 202
    assert [payload.name for _, payload in recorder.calls] == ["old", "new"]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.declaration["scheme"])
def test_bad_deliveries_get_their_4xx_and_never_reach_the_handler(presets: ModuleType, preset: Preset):
    recorder = Recorder()
    client = TestClient(presets.create_app(recorder, secrets=[SECRET], max_body=1024))
    big = json.dumps({"type": preset.key, "name": "x" * 2048}).encode()
    assert _post(client, preset, big, signed(presets, preset, big)) == 413
    body = body_for(preset)
    assert _post(client, preset, body, {**signed(presets, preset, body), "Content-Type": "text/plain"}) == 415
    latin1 = json.dumps({"type": preset.key, "name": "é"}, ensure_ascii=False).encode("latin-1")
    assert _post(client, preset, latin1, signed(presets, preset, latin1)) == 400
    empty_name = json.dumps({"type": preset.key, "name": ""}).encode()
    assert _post(client, preset, empty_name, signed(presets, preset, empty_name)) == 422
    assert recorder.calls == []


def test_the_single_endpoint_dispatches_by_the_event_header(presets: ModuleType, recorder: Recorder):
    client = TestClient(_single(presets, recorder))
    github = PRESETS[0]
    body = json.dumps({"type": "whatever", "name": "ada"}).encode()
    headers = {**signed(presets, github, body), "X-GitHub-Event": "order"}
    assert client.post("/hooks", content=body, headers=headers).status_code == 202
    assert [name for name, _ in recorder.calls] == ["order"]


def test_the_single_endpoint_dispatches_by_a_payload_field(presets: ModuleType, recorder: Recorder):
    app = _single(presets, recorder, event_field="type")
    client = TestClient(app)
    body = body_for(PRESETS[3])
    assert client.post("/hooks", content=body, headers=signed(presets, PRESETS[0], body)).status_code == 202
    assert [name for name, _ in recorder.calls] == ["slash"]


def test_the_single_endpoint_verifies_with_the_document_scheme(presets: ModuleType, recorder: Recorder):
    client = TestClient(_single(presets, recorder))
    stripe = PRESETS[1]
    body = body_for(stripe)
    headers = {**signed(presets, stripe, body), "X-GitHub-Event": "charge"}
    assert client.post("/hooks", content=body, headers=headers).status_code == 401
    assert recorder.calls == []


def test_an_unknown_event_gets_200_and_a_log_line(
    presets: ModuleType, recorder: Recorder, caplog: pytest.LogCaptureFixture
):
    client = TestClient(_single(presets, recorder))
    body = body_for(PRESETS[0])
    headers = {**signed(presets, PRESETS[0], body), "X-GitHub-Event": "ping"}
    with caplog.at_level(logging.WARNING):
        assert client.post("/hooks", content=body, headers=headers).status_code == 200
    assert "unknown event type 'ping'" in caplog.text
    assert recorder.calls == []


def test_the_single_endpoint_needs_an_event_source(tmp_path: Path):
    document = spec_document(None, PRESETS[-1:])
    generate_document(tmp_path, document, "standard_only_webhooks")
    receivers = importlib.import_module("standard_only_webhooks.receivers")
    with pytest.raises(ValueError, match="event_field"):
        receivers.single_endpoint(Recorder(), secrets=["whsec_" + "a" * 32])


def _single(presets: ModuleType, recorder: Recorder, **options: Any) -> Any:
    from fastapi import FastAPI  # noqa: PLC0415

    app = FastAPI()
    app.include_router(presets.single_endpoint(recorder, secrets=[SECRET], path="/hooks", **options))
    return app


def test_a_declaration_the_receivers_cannot_use_is_a_generation_error(tmp_path: Path):
    document = spec_document(None, [Preset("bad", {"scheme": "github", "algorithm": "md5"}, ())])
    with pytest.raises(SpecError) as raised:
        generate_document(tmp_path, document, "bad_webhooks")
    assert [problem.pointer for problem in raised.value.problems] == ["/webhooks/bad/post/x-webhook-signature"]
    assert "does not take algorithm" in raised.value.problems[0].message


def test_the_runtime_modules_are_copied_verbatim():
    runtime = ROOT / "generator" / "runtime"
    shipped = [*RUNTIME_MODULES, CONTRACT_MODULE]
    assert sorted(shipped) == sorted(path.name for path in runtime.glob("_*.py") if path.name != "__init__.py")
    package = ROOT / "generated" / "subscriptions_webhooks"  # the example has a body that needs the contract check
    for name in shipped:
        copied = (package / name).read_text(encoding="utf-8")
        source = (runtime / name).read_text(encoding="utf-8")
        assert copied == f"# {MARKER}\n{source}"


SECURED_SCHEMES = {
    "basic": {"type": "http", "scheme": "basic"},
    "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
}
CREDENTIALS = {"basic": ("adyen", "s3cret"), "key": "k-123"}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    github = {"scheme": "github"}
    document = spec_document(
        github, [Preset("paid", github, ()), Preset("keyed", github, ()), Preset("open", github, ())]
    )
    document["webhooks"]["paid"]["post"]["security"] = [{"basic": []}]
    document["webhooks"]["keyed"]["post"]["security"] = [{"key": []}, {"basic": []}]
    document["components"] = {"securitySchemes": {**SECURED_SCHEMES, "unused": {"type": "oauth2", "flows": {}}}}
    generate_document(tmp_path_factory.mktemp("secured"), document, "secured_webhooks")
    return importlib.import_module("secured_webhooks.receivers")


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize(
    ("key", "credentials", "status"),
    [
        ("paid", basic("adyen", "s3cret"), 202),
        ("paid", {}, 401),
        ("paid", basic("adyen", "wrong"), 401),
        ("paid", {"Authorization": "Bearer s3cret"}, 401),
        ("paid", {"X-Api-Key": "k-123"}, 401),
        ("keyed", {"X-Api-Key": "k-123"}, 202),
        ("keyed", basic("adyen", "s3cret"), 202),
        ("keyed", {"X-Api-Key": "k-12"}, 401),
        ("open", {}, 202),
    ],
)
def test_the_declared_security_is_enforced(secured: ModuleType, key: str, credentials: dict[str, str], status: int):
    recorder = Recorder()
    client = TestClient(secured.create_app(recorder, secrets=[SECRET], credentials=CREDENTIALS))
    body = body_for(Preset(key, {"scheme": "github"}, ()))
    headers = {**signed(secured, PRESETS[0], body), **credentials}
    response = client.post(f"/webhooks/{key}", content=body, headers=headers)
    assert response.status_code == status
    assert len(recorder.calls) == (1 if status == 202 else 0)
    if key == "paid" and status == 401:
        assert response.headers["WWW-Authenticate"] == 'Basic realm="webhooks"'


def test_only_the_schemes_webhooks_use_are_generated(secured: ModuleType):
    assert secured.SECURITY_SCHEMES == SECURED_SCHEMES
    assert {endpoint.key: endpoint.security for endpoint in secured.ENDPOINTS} == {
        "paid": (("basic",),),
        "keyed": (("key",), ("basic",)),
        "open": None,
    }


def test_required_credentials_must_be_given(secured: ModuleType):
    with pytest.raises(ValueError, match="requires security scheme 'basic'"):
        secured.create_app(Recorder(), secrets=[SECRET], credentials={"key": "k"})
    with pytest.raises(ValueError, match="requires security scheme 'key'"):
        secured.create_app(Recorder(), secrets=[SECRET], credentials={"basic": ("a", "b"), "key": ("a", "b")})


def test_an_unsupported_security_scheme_fails_at_start_up(secured: ModuleType):
    receive = importlib.import_module("secured_webhooks._receive")
    endpoint = receive.Endpoint("oauth", "oauth", None, None, 200, None, security=(("unused",),))
    with pytest.raises(ValueError, match=r"security scheme 'unused'.*is not supported"):
        receive.Receiver(
            [endpoint],
            Recorder(),
            secrets=[SECRET],
            security_schemes={"unused": {"type": "oauth2", "flows": {}}},
            credentials={"unused": "token"},
        )
