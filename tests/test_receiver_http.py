"""The FastAPI adapter over real HTTP (uvicorn on 127.0.0.1): routing by the raw path, body reading, refusals."""

from __future__ import annotations

import base64
import datetime
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx
import pydantic
import pytest
from fastapi import FastAPI
from svix.webhooks import Webhook

from generator.runtime._fastapi import create_app, router, single_endpoint
from generator.runtime._receive import Endpoint, Receiver, current_delivery
from generator.runtime._signatures import StandardWebhooksScheme

from .servers import serving

SECRET = "whsec_" + base64.b64encode(b"h" * 32).decode()


class Item(pydantic.BaseModel):
    id: int


class Recorder:
    """Every handler records the webhook key of its delivery."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda payload: self.keys.append(current_delivery().endpoint.key)


# Keys that need URL-quoting: a '/', a leading '/', a space, braces, a literal '%2F', non-ASCII.
QUOTED_KEYS = ["orders/create", "/AUTHORISATION", "order paid", "{dataType}.write.successful", "odd%2Fkey", "café"]


def endpoints(keys: list[str]) -> list[Endpoint]:
    return [Endpoint(key, f"h{index}", Item, "application/json", 200, None) for index, key in enumerate(keys)]


def post(url: str, body: bytes, delivery_id: str, **headers: str) -> httpx.Response:
    signed = StandardWebhooksScheme().sign(body, SECRET, delivery_id=delivery_id, timestamp=int(time.time()))
    return httpx.post(url, content=body, headers={**signed, "content-type": "application/json", **headers}, timeout=10)


def test_keys_that_need_quoting_are_reached_at_their_quoted_path():
    recorder = Recorder()
    core = Receiver(endpoints(QUOTED_KEYS), recorder, secrets=[SECRET])
    with serving(create_app(core, title="t", version="1", prefix="/webhooks", paths=None)) as base:
        answers = [
            post(f"{base}/webhooks/{quote(key, safe='')}", b'{"id":1}', f"m{i}") for i, key in enumerate(QUOTED_KEYS)
        ]
        # The unquoted '/' is another path, and a quoted key is not reached quoted twice.
        unquoted = post(f"{base}/webhooks/orders/create", b'{"id":1}', "u1")
        twice = post(f"{base}/webhooks/{quote(quote('orders/create', safe=''), safe='')}", b'{"id":1}', "u2")
        lower = post(f"{base}/webhooks/orders%2fcreate", b'{"id":1}', "u3")
    assert [answer.status_code for answer in answers] == [200] * len(QUOTED_KEYS)
    assert (unquoted.status_code, twice.status_code, lower.status_code) == (404, 404, 200)
    assert recorder.keys == [*QUOTED_KEYS, "orders/create"]


def test_quoted_keys_are_reached_in_an_included_router_and_paths_still_override():
    recorder = Recorder()
    core = Receiver(endpoints(["orders/create", "plain"]), recorder, secrets=[SECRET])
    app = FastAPI()
    app.include_router(router(core, prefix="/webhooks", paths={"plain": "/moved here"}), prefix="/shop")
    with serving(app) as base:
        quoted = post(f"{base}/shop/webhooks/orders%2Fcreate", b'{"id":1}', "m1")
        moved = post(f"{base}/shop/webhooks/moved%20here", b'{"id":1}', "m2")
        old = post(f"{base}/shop/webhooks/plain", b'{"id":1}', "m3")
        wrong_method = httpx.get(f"{base}/shop/webhooks/orders%2Fcreate", timeout=10)
    assert (quoted.status_code, moved.status_code, old.status_code) == (200, 200, 404)
    assert wrong_method.status_code == 405
    assert recorder.keys == ["orders/create", "plain"]


class Typed(pydantic.BaseModel):
    type: str
    value: Any = None


DEEP = b'{"type":"item","value":' + b"[" * 1000 + b"]" * 1000 + b"}"
NOT_JSON = [
    b'{"type":"item","value":NaN}',
    b'{"type":"item","value":Infinity}',
    b'{"type":"item","value":-Infinity}',
    b'{"type":"item","value":[1,{"x":NaN}]}',
]


@contextmanager
def every_route(recorder: Recorder) -> Iterator[list[str]]:
    """The same webhook served at its own route, at a single endpoint by a payload field, and by a header."""
    typed = [Endpoint("item", "item", Typed, "application/json", 200, None)]
    by_header = {"scheme": "standard-webhooks", "event-header": "X-Event"}
    app = create_app(
        Receiver(typed, recorder, secrets=[SECRET]), title="t", version="1", prefix="/webhooks", paths=None
    )
    app.include_router(
        single_endpoint(Receiver(typed, recorder, secrets=[SECRET]), path="/by-field", event_field="type")
    )
    header_core = Receiver(typed, recorder, secrets=[SECRET], signature=by_header)
    app.include_router(single_endpoint(header_core, path="/by-header", event_field=None))
    with serving(app) as base:
        yield [f"{base}/webhooks/item", f"{base}/by-field", f"{base}/by-header"]


@pytest.mark.parametrize("body", [DEEP, *NOT_JSON], ids=["deep", "nan", "inf", "-inf", "nested-nan"])
def test_every_route_answers_400_to_a_body_that_is_not_json(body: bytes):
    recorder = Recorder()
    with every_route(recorder) as urls:
        answers = [post(url, body, f"m{index}", **{"x-event": "item"}) for index, url in enumerate(urls)]
    assert [(answer.status_code, answer.json()) for answer in answers] == [(400, {"detail": "body is not JSON"})] * 3
    assert recorder.keys == []


def test_nan_inside_a_string_is_json():
    recorder = Recorder()
    with every_route(recorder) as urls:
        body = b'{"type":"item","value":"NaN and Infinity"}'
        answers = [post(url, body, f"m{index}", **{"x-event": "item"}) for index, url in enumerate(urls)]
    assert [answer.status_code for answer in answers] == [200] * 3
    assert recorder.keys == ["item"] * 3


def send_partly(base: str, path: str, declared: int, sent: bytes, wait: float) -> bytes:
    """POST with a Content-Length of `declared` but only `sent` bytes of body; what the server answers in `wait` s."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as connection:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        connection.sendall(f"{head}Content-Length: {declared}\r\n\r\n".encode() + sent)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_body_shorter_than_its_content_length_is_answered_408_with_one_quiet_line(caplog: pytest.LogCaptureFixture):
    recorder = Recorder()
    core = Receiver(endpoints(["orders/create"]), recorder, secrets=[SECRET])
    app = create_app(core, title="t", version="1", prefix="/webhooks", paths=None, body_timeout=0.5)
    caplog.set_level(logging.INFO)
    with serving(app) as base:
        started = time.monotonic()
        answer = send_partly(base, "/webhooks/orders%2Fcreate", 100, b'{"id":', wait=5)
        elapsed = time.monotonic() - started
        time.sleep(0.2)  # anything the server logs after answering
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert 0.5 <= elapsed < 3
    assert [record.levelno for record in caplog.records if record.levelno >= logging.WARNING] == []
    refused = [record for record in caplog.records if record.name.endswith("._receive.refused")]
    assert [(record.getMessage(), record.exc_info) for record in refused] == [
        ("webhook delivery refused: 408 body not received within 0.5 s (webhook 'orders/create', delivery None)", None)
    ]
    assert recorder.keys == []


def test_a_delivery_signed_by_svix_with_svix_headers_is_accepted_under_its_id():
    seen: list[str] = []

    class Handlers:
        def h0(self, payload: Item) -> None:
            seen.append(current_delivery().delivery_id)

    core = Receiver(endpoints(["orders/create"]), Handlers(), secrets=[SECRET])
    body = '{"id":7}'
    sent_at = datetime.datetime.now(tz=datetime.UTC)
    headers = {
        "svix-id": "msg_svix_1",
        "svix-timestamp": str(int(sent_at.timestamp())),
        "svix-signature": Webhook(SECRET).sign("msg_svix_1", sent_at, body),
        "content-type": "application/json",
    }
    with serving(create_app(core, title="t", version="1", prefix="/webhooks", paths=None)) as base:
        url = f"{base}/webhooks/orders%2Fcreate"
        accepted = httpx.post(url, content=body, headers=headers, timeout=10)
        again = httpx.post(url, content=body, headers=headers, timeout=10)
        tampered = httpx.post(url, content='{"id":8}', headers={**headers, "svix-id": "msg_svix_2"}, timeout=10)
    assert (accepted.status_code, again.status_code, tampered.status_code) == (200, 200, 401)
    assert seen == ["msg_svix_1"]


def test_a_client_that_disconnects_mid_body_is_logged_as_one_quiet_line(caplog: pytest.LogCaptureFixture):
    recorder = Recorder()
    core = Receiver(endpoints(["orders/create"]), recorder, secrets=[SECRET])
    app = create_app(core, title="t", version="1", prefix="/webhooks", paths=None, body_timeout=5)
    caplog.set_level(logging.INFO)
    with serving(app) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as connection:
            head = f"POST /webhooks/orders%2Fcreate HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            connection.sendall(f"{head}Content-Length: 100\r\n\r\n".encode() + b'{"id":')
            time.sleep(0.2)  # the server is reading the body now
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(r.name.endswith(".refused") for r in caplog.records):
            time.sleep(0.05)
        time.sleep(0.2)  # anything the server logs after that
    assert [(record.name, record.getMessage()) for record in caplog.records if record.exc_info] == []
    assert [record.levelno for record in caplog.records if record.levelno >= logging.WARNING] == []
    refused = [record.getMessage() for record in caplog.records if record.name.endswith("._receive.refused")]
    assert refused == [
        "webhook delivery refused: 499 client disconnected before sending its whole body "
        "(webhook 'orders/create', delivery None)"
    ]
    assert recorder.keys == []
