"""`hookgen listen` as a black box: a subprocess serving the example spec, a signed POST, the JSON line it prints."""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from generator.commands.package_cache import spec_digest
from generator.runtime._signatures import StandardWebhooksScheme

from .conftest import EXAMPLE_SPEC, ROOT
from .redis_server import free_port

SECRET = "whsec_" + base64.b64encode(b"listen" * 6).decode()
BODY = (
    b'{"alert_id":"a1","severity":"critical","metric":"cpu","value":99.5,"threshold":90,'
    b'"triggered_at":"2026-01-01T00:00:00Z"}'
)


class Listener:
    """A running `hookgen listen`, its port, and the lines it prints on stdout."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(process.stdout, self.lines), daemon=True)
        self.reader.start()
        self.error_reader = threading.Thread(target=self._read, args=(process.stderr, self.errors), daemon=True)
        self.error_reader.start()

    def _read(self, stream: IO[str] | None, lines: queue.Queue[str]) -> None:
        assert stream is not None
        for line in stream:
            lines.put(line)

    def wait_until_serving(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "hookgen listen exited"
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("hookgen listen did not start")

    def post(self, key: str, body: bytes, delivery_id: str, secret: str = SECRET) -> httpx.Response:
        headers = StandardWebhooksScheme().sign(body, secret, delivery_id=delivery_id, timestamp=int(time.time()))
        url = f"http://127.0.0.1:{self.port}/webhooks/{key}"
        return httpx.post(url, content=body, headers={**headers, "content-type": "application/json"}, timeout=10)


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    port = free_port()
    command = [sys.executable, "-m", "generator", "listen", str(EXAMPLE_SPEC), "--port", str(port), "--secret", SECRET]
    env = {**os.environ, "HOOKGEN_CACHE": str(tmp_path / "cache")}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = subprocess.Popen(command, cwd=ROOT, env=env, text=True, **pipes)
    listener = Listener(process, port)
    try:
        yield listener
    finally:
        process.terminate()
        process.wait(timeout=10)
        listener.reader.join(timeout=10)
        listener.error_reader.join(timeout=10)
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def test_an_accepted_delivery_is_printed_as_one_json_line(listener: Listener, tmp_path: Path):
    listener.wait_until_serving()
    assert listener.post("monitoring.alert", BODY, "msg_listen").status_code == 202
    line = json.loads(listener.lines.get(timeout=10))
    assert line == {"webhook": "monitoring.alert", "delivery_id": "msg_listen", "payload": json.loads(BODY)}
    assert [folder.name for folder in (tmp_path / "cache").iterdir()] == [spec_digest(EXAMPLE_SPEC)]


def test_a_body_written_over_several_lines_is_printed_on_one(listener: Listener):
    listener.wait_until_serving()
    payload = {**json.loads(BODY), "labels": {"note": "two\nlines\r\n", "café": "ünïcode"}}
    body = json.dumps(payload, indent=2, ensure_ascii=False).encode()
    assert b"\n" in body
    assert listener.post("monitoring.alert", body, "msg_lines").status_code == 202
    line = listener.lines.get(timeout=10)
    assert line.endswith("}\n")
    assert "\n" not in line[:-1]
    assert json.loads(line) == {"webhook": "monitoring.alert", "delivery_id": "msg_lines", "payload": payload}


def test_refused_and_duplicate_deliveries_print_nothing(listener: Listener):
    listener.wait_until_serving()
    assert listener.post("monitoring.alert", BODY, "msg_1").status_code == 202
    assert listener.post("monitoring.alert", BODY, "msg_1").status_code == 202
    assert listener.post("monitoring.alert", BODY, "msg_2", secret="whsec_" + "A" * 40).status_code == 401
    assert listener.post("monitoring.alert", b"{}", "msg_3").status_code == 422
    assert listener.post("monitoring.alert", BODY, "msg_4").status_code == 202
    printed = [json.loads(listener.lines.get(timeout=10))["delivery_id"] for _ in range(2)]
    assert printed == ["msg_1", "msg_4"]
    assert listener.lines.empty()


def test_each_refused_delivery_is_printed_as_one_json_line_on_stderr(listener: Listener):
    listener.wait_until_serving()
    assert listener.errors.get(timeout=10).startswith("hookgen: listening on ")
    assert listener.post("monitoring.alert", BODY, "msg_1", secret="whsec_" + "A" * 40).status_code == 401
    assert listener.post("monitoring.alert", b"{}", "msg_2").status_code == 422
    assert listener.post("monitoring.alert", b'{"value": NaN}', "msg_3").status_code == 400
    assert listener.post("monitoring.alert", BODY, "msg_4").status_code == 202
    refused = [json.loads(listener.errors.get(timeout=10)) for _ in range(3)]
    assert refused == [
        {"status": 401, "reason": "no signature matches", "webhook": "monitoring.alert", "delivery_id": None},
        {
            "status": 422,
            "reason": "payload does not match the schema",
            "webhook": "monitoring.alert",
            "delivery_id": "msg_2",
        },
        {"status": 400, "reason": "body is not JSON", "webhook": "monitoring.alert", "delivery_id": "msg_3"},
    ]
    assert json.loads(listener.lines.get(timeout=10))["delivery_id"] == "msg_4"
    assert listener.lines.empty()
    assert listener.errors.empty()


def test_the_digest_follows_every_file_of_the_spec(tmp_path: Path):
    spec = tmp_path / "openapi.yaml"
    spec.write_text(EXAMPLE_SPEC.read_text(encoding="utf-8"), encoding="utf-8")
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    for source in (EXAMPLE_SPEC.parent / "schemas").iterdir():
        (schemas / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    before = spec_digest(spec)
    assert before == spec_digest(EXAMPLE_SPEC)
    billing = schemas / "billing.yaml"
    billing.write_text(billing.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert spec_digest(spec) != before


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "a webhook secret may not be empty"),
        ("   ", "a webhook secret may not be empty"),
        ("not base64!", "a standard-webhooks secret must be base64, optionally after whsec_"),
    ],
)
def test_a_secret_that_cannot_be_used_is_one_line_and_exit_2_before_serving(tmp_path: Path, secret: str, message: str):
    command = [sys.executable, "-m", "generator", "listen", str(EXAMPLE_SPEC), "--port", str(free_port())]
    env = {**os.environ, "HOOKGEN_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [*command, "--secret", secret], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [f"hookgen: error: --secret: {message}"]
