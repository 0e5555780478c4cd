"""Security schemes on webhooks (HTTP Basic, an API key header): the sender sends them, the receiver checks them,
`hookgen listen` and `hookgen send` take them as `--credential NAME=VALUE`. All over real HTTP."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.commands.cli import main
from generator.commands.imported import import_generated

from .conftest import ROOT, generate_document
from .redis_server import free_port
from .servers import serving
from .test_listen import Listener

SECRET = "whsec_" + base64.b64encode(b"credentials!" * 3).decode()
BASIC = ("adyen", "s3cret:with colon")
KEY = "k-1"
CHARGE = {"id": "ch_1", "amount": 5}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Secured", "version": "1.0.0"},
    "webhooks": {
        name: {
            "post": {
                "operationId": name,
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Charge"}, "example": CHARGE}
                    },
                },
                "responses": {"200": {"description": "received"}},
            }
        }
        for name, security in (("charge", [{"BasicAuth": []}]), ("notice", [{"ApiKey": []}, {"BasicAuth": []}]))
    },
    "components": {
        "schemas": {
            "Charge": {
                "type": "object",
                "required": ["id", "amount"],
                "properties": {"id": {"type": "string"}, "amount": {"type": "integer"}},
            }
        },
        "securitySchemes": {
            "BasicAuth": {"type": "http", "scheme": "basic"},
            "ApiKey": {"type": "apiKey", "in": "header", "name": "X-Webhook-Key"},
        },
    },
}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda payload: self.calls.append((name, payload))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    imported = generate_document(tmp_path_factory.mktemp("secured"), DOCUMENT, "secured_webhooks")
    receivers, sender = import_generated(imported.output, "secured_webhooks", "receivers", "sender")
    return imported.models, receivers, sender


@pytest.fixture(scope="module")
def receiving(package: tuple[Any, Any, Any]) -> Any:
    _, receivers, _ = package
    recorder = Recorder()
    app = receivers.create_app(recorder, secrets=[SECRET], credentials={"BasicAuth": BASIC, "ApiKey": KEY})
    with serving(app) as base:
        yield base, recorder


def test_the_generated_sender_declares_each_webhooks_requirement(package: tuple[Any, Any, Any]):
    _, _, sender = package
    assert DOCUMENT["components"]["securitySchemes"] == sender.SECURITY_SCHEMES
    assert sender.WebhookSender.security_schemes is sender.AsyncWebhookSender.security_schemes


def test_basic_credentials_are_sent_and_accepted(package: tuple[Any, Any, Any], receiving: Any):
    models, _, sender = package
    base, recorder = receiving
    recorder.calls.clear()
    with sender.WebhookSender(SECRET, allow_loopback=True, credentials={"BasicAuth": BASIC}) as client:
        result = client.send_charge(f"{base}/webhooks/charge", models.Charge(**CHARGE))
    assert result.delivered, result.attempts
    assert [(name, payload.id) for name, payload in recorder.calls] == [("charge", "ch_1")]
    assert result.delivery.security == ("BasicAuth",)
    stored = result.to_json()
    assert BASIC[1] not in stored and base64.b64encode(f"{BASIC[0]}:{BASIC[1]}".encode()).decode() not in stored
    assert type(result).from_json(stored).delivery.security == ("BasicAuth",)


def test_a_wrong_password_is_refused_with_401(package: tuple[Any, Any, Any], receiving: Any):
    models, _, sender = package
    base, recorder = receiving
    recorder.calls.clear()
    wrong = {"BasicAuth": (BASIC[0], "guess")}
    with sender.WebhookSender(SECRET, allow_loopback=True, credentials=wrong, schedule=(0,)) as client:
        result = client.send_charge(f"{base}/webhooks/charge", models.Charge(**CHARGE))
    assert [attempt.status for attempt in result.attempts] == [401]
    assert recorder.calls == []


def test_without_credentials_nothing_is_sent(package: tuple[Any, Any, Any], receiving: Any):
    models, _, sender = package
    base, recorder = receiving
    recorder.calls.clear()
    with (
        sender.WebhookSender(SECRET, allow_loopback=True) as client,
        pytest.raises(ValueError, match="requires security BasicAuth: give credentials"),
    ):
        client.send_charge(f"{base}/webhooks/charge", models.Charge(**CHARGE))
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("credentials", "sent"), [({"ApiKey": KEY}, ("ApiKey",)), ({"BasicAuth": BASIC}, ("BasicAuth",))]
)
def test_either_alternative_of_a_requirement_is_sent(
    package: tuple[Any, Any, Any], receiving: Any, credentials: dict[str, Any], sent: tuple[str, ...]
):
    models, _, sender = package
    base, recorder = receiving
    recorder.calls.clear()

    async def send() -> Any:
        async with sender.AsyncWebhookSender(SECRET, allow_loopback=True, credentials=credentials) as client:
            return await client.send_notice(f"{base}/webhooks/notice", models.Charge(**CHARGE))

    import asyncio  # noqa: PLC0415

    result = asyncio.run(send())
    assert result.delivered, result.attempts
    assert result.delivery.security == sent
    assert [name for name, _ in recorder.calls] == ["notice"]


def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "secured.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    return path


def listen(tmp_path: Path, *credentials: str) -> subprocess.Popen[str]:
    port = free_port()
    command = [sys.executable, "-m", "generator", "listen", str(spec_file(tmp_path)), "--port", str(port)]
    command += ["--secret", SECRET, *(f"--credential={value}" for value in credentials)]
    env = {**os.environ, "HOOKGEN_CACHE": str(tmp_path / "cache")}
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_hookgen_send_delivers_to_hookgen_listen_with_credentials(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    basic = f"BasicAuth={BASIC[0]}:{BASIC[1]}"
    process = listen(tmp_path, basic, f"ApiKey={KEY}")
    port = int(process.args[process.args.index("--port") + 1])  # type: ignore[union-attr, index, arg-type]
    listener = Listener(process, port)
    try:
        listener.wait_until_serving()
        url = f"http://127.0.0.1:{port}"
        spec = str(spec_file(tmp_path))
        assert main(["send", spec, "--all", "--url", url, "--secret", SECRET, "--credential", basic]) == 0
        assert main(["send", spec, "charge", "--url", f"{url}/webhooks/charge", "--secret", SECRET]) == 2
        printed = [json.loads(listener.lines.get(timeout=10)) for _ in range(2)]
    finally:
        process.terminate()
        process.wait(timeout=10)
        for reader, stream in ((listener.reader, process.stdout), (listener.error_reader, process.stderr)):
            reader.join(timeout=10)
            assert stream is not None
            stream.close()
    assert [(line["webhook"], line["payload"]) for line in printed] == [("charge", CHARGE), ("notice", CHARGE)]
    assert "charge: the webhook requires security BasicAuth: give credentials" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ((), "webhook 'charge' requires security scheme BasicAuth: give --credential"),
        (("BasicAuth=adyen",), "--credential BasicAuth: HTTP Basic takes USER:PASSWORD"),
        (("BasicAuth=a:b",), "webhook 'notice' requires security scheme ApiKey: give --credential"),
        (("Bearer=x", "BasicAuth=a:b"), "--credential: no webhook requires a security scheme 'Bearer'"),
        (("ApiKey= ", "BasicAuth=a:b"), "--credential ApiKey: the key is empty"),
        (("nothing",), "--credential 'nothing': write NAME=VALUE"),
    ],
)
def test_a_missing_or_malformed_credential_is_one_line_and_exit_2(
    tmp_path: Path, credentials: tuple[str, ...], message: str
):
    process = listen(tmp_path, *credentials)
    out, err = process.communicate(timeout=120)
    assert (process.returncode, out) == (2, "")
    [line] = err.splitlines()
    assert line.startswith(f"hookgen: error: {message}"), line


def test_a_plain_sender_takes_the_schemes_as_an_option(package: tuple[Any, Any, Any], receiving: Any):
    """`Sender` (as `DeliveryQueue` builds it) sends credentials when given the spec's `security_schemes`."""
    from generator.runtime._sender import Sender  # noqa: PLC0415

    models, _, _ = package
    base, recorder = receiving
    recorder.calls.clear()
    schemes = DOCUMENT["components"]["securitySchemes"]
    payload = models.Charge(**CHARGE)
    with Sender(SECRET, allow_loopback=True, credentials={"ApiKey": KEY}, security_schemes=schemes) as client:
        result = client.send(f"{base}/webhooks/notice", payload, security=(("ApiKey",),))
    assert result.delivered, result.attempts
    assert [name for name, _ in recorder.calls] == ["notice"]
    with (
        Sender(SECRET, allow_loopback=True, credentials={"ApiKey": KEY}) as client,
        pytest.raises(ValueError, match="requires security ApiKey"),
    ):
        client.send(f"{base}/webhooks/notice", payload, security=(("ApiKey",),))
