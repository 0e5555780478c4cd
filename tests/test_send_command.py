"""`hookgen send` through `main`: every webhook's example into the generated receiver over uvicorn, and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from generator.commands.cli import main
from generator.commands.send import listen_url

from .conftest import EXAMPLE_KEYS, EXAMPLE_SPEC, ROOT
from .redis_server import free_port
from .servers import serving
from .test_sender import SECRET, Recorder

ALERT = {
    "alert_id": "alt_9",
    "severity": "warning",
    "metric": "disk",
    "value": 91.0,
    "threshold": 90,
    "triggered_at": "2026-02-01T10:00:00+01:00",
}


@pytest.fixture(autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKGEN_CACHE", str(tmp_path_factory.getbasetemp() / "send-cache"))


@pytest.fixture(scope="module")
def receiving() -> Any:
    from subscriptions_webhooks import receivers  # noqa: PLC0415 - the committed, installed package

    recorder = Recorder()
    with serving(receivers.create_app(recorder, secrets=[SECRET])) as url:
        yield url, recorder


def send(*args: Any) -> int:
    return main(["send", str(EXAMPLE_SPEC), *map(str, args), "--secret", SECRET])


def test_send_all_delivers_every_example_where_listen_serves_it(receiving, capsys):
    url, recorder = receiving
    recorder.calls.clear()
    assert send("--all", "--url", url) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines if "delivered" in line] == EXAMPLE_KEYS
    assert [line for line in lines if "attempt 1: HTTP 2" in line] == [line for line in lines if "attempt" in line]
    assert len(recorder.calls) == len(EXAMPLE_KEYS)


def test_send_one_webhook_with_a_payload_file(receiving, tmp_path: Path, capsys):
    url, recorder = receiving
    recorder.calls.clear()
    payload = tmp_path / "alert.json"
    payload.write_text(json.dumps(ALERT))
    assert send("monitoring.alert", "--url", listen_url(url, "monitoring.alert"), "--payload", payload) == 0
    [(name, received)] = recorder.calls
    assert (name, received.alert_id, received.metric) == ("monitoring_alert", "alt_9", "disk")
    assert "monitoring.alert: attempt 1: HTTP 202" in capsys.readouterr().out


def test_a_second_send_reads_the_cached_package_without_generating_models_again(
    receiving, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    url, recorder = receiving
    monkeypatch.setenv("HOOKGEN_CACHE", str(tmp_path / "cache"))
    recorder.calls.clear()
    assert send("--all", "--url", url) == 0
    first = [(name, payload.model_dump(mode="json")) for name, payload in recorder.calls]
    recorder.calls.clear()

    def generating(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the models were generated again")

    monkeypatch.setattr("generator.pipeline.generate_models", generating)
    assert send("--all", "--url", url) == 0
    assert [(name, payload.model_dump(mode="json")) for name, payload in recorder.calls] == first
    assert len(first) == len(EXAMPLE_KEYS)


def test_a_cached_package_whose_body_classes_do_not_fit_the_spec_is_built_again(
    receiving, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    url, recorder = receiving
    monkeypatch.setenv("HOOKGEN_CACHE", str(tmp_path / "cache"))
    assert send("payment", "--url", listen_url(url, "payment")) == 0
    [bodies] = (tmp_path / "cache").glob("*/bodies.json")
    bodies.write_text('[["payment", "post", "application/json", "Payment"]]')
    recorder.calls.clear()
    assert send("payment", "--url", listen_url(url, "payment")) == 0
    assert [name for name, _ in recorder.calls] == ["payment_status"]
    assert len(json.loads(bodies.read_text())) == len(EXAMPLE_KEYS)  # written again, whole


def test_listen_url_quotes_every_slash():
    assert listen_url("http://h:1/", "/AUTHORISATION") == "http://h:1/webhooks/%2FAUTHORISATION"


def test_an_unreachable_receiver_prints_each_attempt_and_exits_1(capsys):
    url = f"http://127.0.0.1:{free_port()}/hook"
    assert send("payment", "--url", url, "--attempts", "2") == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[1] for line in out[:2]] == ["attempt 1", "attempt 2"]
    assert out[-1].startswith("payment: failed")


def test_a_private_address_is_refused_without_the_flag(capsys):
    assert send("payment", "--url", "http://10.0.0.1/hook") == 1
    assert "a private address" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--url", "http://127.0.0.1:9/"], "the spec has no webhook 'nope'"),
        (["--all", "--payload", "x.json", "--url", "http://127.0.0.1:9/"], "--payload fits one webhook"),
        (["payment", "--payload", "/nonexistent.json", "--url", "http://127.0.0.1:9/"], "cannot read --payload"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], message: str, capsys):
    assert send(*args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_a_webhook_or_all_is_required(capsys):
    assert main(["send", "--url", "http://127.0.0.1:9/", "--secret", SECRET]) == 2
    assert capsys.readouterr().err == "hookgen: error: give the WEBHOOK to send, or --all\n"


def test_a_payload_the_model_refuses_is_one_line(tmp_path: Path, capsys):
    payload = tmp_path / "bad.json"
    payload.write_text(json.dumps({**ALERT, "value": "high"}))
    assert send("monitoring.alert", "--url", "http://127.0.0.1:9/", "--payload", payload) == 2
    # A number is strict (`StrictFloat`): a string is not parsed as one, and the message says only what is wrong.
    assert capsys.readouterr().err == (
        "hookgen: error: monitoring.alert: the payload does not fit Alert: value: Input should be a valid number\n"
    )


# A body with required fields, constraints and a format, and no example anywhere.
NO_EXAMPLE_SCHEMA = {
    "type": "object",
    "required": ["id", "count", "kind", "at"],
    "properties": {
        "id": {"type": "string", "minLength": 3, "pattern": "^ev_"},
        "count": {"type": "integer", "minimum": 1, "maximum": 9},
        "kind": {"enum": ["created", "deleted"]},
        "at": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    },
    "additionalProperties": False,
}


def write_spec_without_example(folder: Path, schema: dict[str, Any] = NO_EXAMPLE_SCHEMA) -> Path:
    body = {"content": {"application/json": {"schema": schema}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "webhooks": {"ping": {"post": {"requestBody": body, "responses": {"200": {"description": "ok"}}}}},
    }
    (folder / "openapi.yaml").write_text(yaml.safe_dump(document))
    return folder / "openapi.yaml"


def send_to_listen(spec: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, Any]:
    """`hookgen send SPEC ping` to a real `hookgen listen` of the same spec: what send printed, what listen got."""
    port = free_port()
    command = [sys.executable, "-m", "generator", "listen", str(spec), "--port", str(port), "--secret", SECRET]
    listener = subprocess.Popen(command, cwd=ROOT, env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert listener.poll() is None, "hookgen listen exited"
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert (
            main(["send", str(spec), "ping", "--url", f"http://127.0.0.1:{port}/webhooks/ping", "--secret", SECRET])
            == 0
        )
        out = capsys.readouterr().out
        assert "ping: delivered" in out
        assert listener.stdout is not None
        line = json.loads(listener.stdout.readline())
    finally:
        listener.terminate()
        listener.wait(timeout=10)
        assert listener.stdout is not None
        listener.stdout.close()
    assert line["webhook"] == "ping"
    return out, line["payload"]


def test_a_webhook_without_an_example_is_sent_a_payload_drawn_from_its_schema(tmp_path: Path, capsys):
    out, payload = send_to_listen(write_spec_without_example(tmp_path), capsys)
    assert out.startswith("ping: the spec has no example: sending a payload drawn from its schema\n")
    checker = jsonschema.Draft202012Validator(NO_EXAMPLE_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert list(checker.iter_errors(payload)) == []


GOOD = {"id": "ev_1", "count": 2, "kind": "created", "at": "2026-01-01T00:00:00Z"}


def test_a_schema_level_example_is_sent_as_written(tmp_path: Path, capsys):
    """`example` on the body's schema (deprecated in 3.1, as Chargebee's 35 webhooks carry it) is the spec's example."""
    out, payload = send_to_listen(write_spec_without_example(tmp_path, {**NO_EXAMPLE_SCHEMA, "example": GOOD}), capsys)
    assert "drawn" not in out
    assert payload == GOOD


def test_an_example_the_model_refuses_gives_way_to_a_drawn_payload(tmp_path: Path, capsys):
    wrong = {**GOOD, "count": 10}  # above the maximum
    out, payload = send_to_listen(write_spec_without_example(tmp_path, {**NO_EXAMPLE_SCHEMA, "example": wrong}), capsys)
    assert out.startswith("ping: the spec has no example its model accepts: sending a payload drawn from its schema\n")
    checker = jsonschema.Draft202012Validator(NO_EXAMPLE_SCHEMA, format_checker=jsonschema.FormatChecker())
    assert list(checker.iter_errors(payload)) == []


def test_without_the_fidelity_extra_a_webhook_without_an_example_fails_clearly(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    spec = write_spec_without_example(tmp_path)
    monkeypatch.setitem(sys.modules, "hypothesis_jsonschema", None)  # as if the fidelity extra were not installed
    argv = ["send", str(spec), "ping", "--url", "http://127.0.0.1:9/", "--secret", SECRET]
    assert main(argv) == 2
    assert capsys.readouterr().err.endswith(
        "ping: the spec has no example of its payload; give one with --payload FILE, "
        "or install hookgen[fidelity] to draw one from its schema\n"
    )
