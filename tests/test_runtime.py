"""The receiver runtime imported from generator.runtime, without generating: each step's answer, the FastAPI adapter."""

from __future__ import annotations

import ast
import asyncio
import base64
import json
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pydantic
import pytest
from fastapi.testclient import TestClient

from generator.render.render import CONTRACT_MODULE, RUNTIME_MODULES
from generator.runtime._dedupe import Claim, MemoryStore
from generator.runtime._fastapi import create_app, read_body, response, route, router, single_endpoint
from generator.runtime._receive import Answer, Endpoint, Receiver, current_delivery
from generator.runtime._signatures import scheme_from_declaration

from .conftest import ROOT

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
NOW = 1_800_000_000
GITHUB = {"scheme": "github"}


class Order(pydantic.BaseModel):
    id: int
    item: str


ORDER = Endpoint("order.paid", "order_paid", Order, "application/json", 202, None)
PING = Endpoint("ping", "ping", None, None, 204, None)
BODY = json.dumps({"id": 7, "item": "book"}).encode()
LIMIT = len(BODY)
WRONG = b'{"id": "x", "item": "b"}'  # the model refuses it; shorter than BODY


class Handlers:
    """Records each order with the delivery id `current_delivery()` gives; raises while `fail` is above zero."""

    def __init__(self, fail: int = 0) -> None:
        self.orders: list[tuple[str, Order]] = []
        self.pings = 0
        self.fail = fail

    def order_paid(self, payload: Order) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("the handler failed")
        self.orders.append((current_delivery().delivery_id, payload))

    def ping(self, payload: None) -> None:
        assert payload is None
        self.pings += 1


class AsyncHandlers(Handlers):
    async def order_paid(self, payload: Order) -> None:
        await asyncio.sleep(0)
        super().order_paid(payload)


def make_receiver(handlers: Handlers, **options: Any) -> Receiver:
    return Receiver([ORDER, PING], handlers, secrets=[SECRET], clock=lambda: NOW, **options)


def signed(
    body: bytes = BODY,
    *,
    delivery_id: str = "msg_1",
    timestamp: int = NOW,
    secret: str = SECRET,
    declaration: dict[str, str] | None = None,
) -> dict[str, str]:
    headers = scheme_from_declaration(declaration).sign(body, secret, delivery_id=delivery_id, timestamp=timestamp)
    return {**headers, "Content-Type": "application/json"}


def test_a_verified_new_delivery_runs_its_handler_and_answers_the_declared_status():
    handlers = Handlers()
    answer = make_receiver(handlers).receive("order.paid", signed(), BODY)
    assert (answer.status, answer.reason) == (202, "handled")
    assert handlers.orders == [("msg_1", Order(id=7, item="book"))]


def test_a_webhook_without_a_body_gets_none():
    handlers = Handlers()
    answer = make_receiver(handlers).receive("ping", signed(b""), b"")
    assert answer.status == 204
    assert handlers.pings == 1


@pytest.mark.parametrize(
    ("headers", "body", "status", "reason"),
    [
        (signed(), BODY + b" ", 413, f"body larger than {LIMIT} bytes"),
        ({**signed(), "Content-Type": "text/plain"}, BODY, 415, "unsupported content type"),
        ({"Content-Type": "application/json"}, BODY, 401, "missing header webhook-id"),
        (signed(secret="whsec_" + base64.b64encode(b"o" * 32).decode()), BODY, 401, "no signature matches"),
        (signed(timestamp=NOW - 301), BODY, 401, "timestamp outside tolerance"),
        (signed(b"{not json"), b"{not json", 400, "body is not JSON"),
        (signed(b'{"item": "\xe9"}'), b'{"item": "\xe9"}', 400, "body is not UTF-8"),
        (signed(WRONG), WRONG, 422, "payload does not match the schema"),
    ],
)
def test_each_step_refuses_with_its_status(headers: dict[str, str], body: bytes, status: int, reason: str):
    handlers = Handlers()
    answer = make_receiver(handlers, max_body=LIMIT).receive("order.paid", headers, body)
    assert answer.status == status
    assert reason in answer.reason
    assert handlers.orders == []


def test_a_refused_payload_lists_the_models_errors_and_releases_the_id():
    handlers = Handlers()
    receiver = make_receiver(handlers)
    answer = receiver.receive("order.paid", signed(WRONG), WRONG)
    assert answer.status == 422
    assert [(error["loc"], error["type"]) for error in answer.errors] == [(("id",), "int_parsing")]
    assert receiver.receive("order.paid", signed(), BODY).status == 202


def test_a_duplicate_delivery_is_answered_without_running_the_handler():
    handlers = Handlers()
    receiver = make_receiver(handlers)
    receiver.receive("order.paid", signed(), BODY)
    answer = receiver.receive("order.paid", signed(), BODY)
    assert (answer.status, answer.reason) == (202, "duplicate delivery: already handled")
    assert len(handlers.orders) == 1


def test_a_delivery_another_worker_is_running_is_answered_409():
    store = MemoryStore()
    assert store.claim("msg_1") is Claim.NEW
    handlers = Handlers()
    assert make_receiver(handlers, store=store).receive("order.paid", signed(), BODY).status == 409
    assert handlers.orders == []


def test_a_failing_handler_is_answered_500_and_its_id_released(caplog: pytest.LogCaptureFixture):
    handlers = Handlers(fail=1)
    receiver = make_receiver(handlers)
    answer = receiver.receive("order.paid", signed(), BODY)
    assert (answer.status, answer.reason) == (500, "the handler failed; the delivery can be retried")
    assert "handler for webhook 'order.paid' failed on delivery 'msg_1'" in caplog.text
    assert receiver.receive("order.paid", signed(), BODY).status == 202
    assert handlers.orders == [("msg_1", Order(id=7, item="book"))]


def test_receive_async_awaits_an_async_handler_and_releases_a_failed_id():
    handlers = AsyncHandlers(fail=1)
    receiver = make_receiver(handlers)
    assert asyncio.run(receiver.receive_async("order.paid", signed(), BODY)).status == 500
    assert asyncio.run(receiver.receive_async("order.paid", signed(), BODY)).status == 202
    assert handlers.orders == [("msg_1", Order(id=7, item="book"))]


def test_without_an_id_header_the_id_is_the_payload_field_under_the_webhook_key():
    stripe = {"scheme": "stripe"}
    endpoint = Endpoint("charge", "order_paid", Order, "application/json", 200, stripe)
    handlers = Handlers()
    receiver = Receiver([endpoint], handlers, secrets=[SECRET], clock=lambda: NOW)
    body = json.dumps({"id": 7, "item": "book", "pending_webhooks": 1}).encode()
    retry = json.dumps({"id": 7, "item": "book", "pending_webhooks": 0}).encode()
    assert receiver.receive("charge", signed(body, declaration=stripe), body).status == 200
    assert receiver.receive("charge", signed(retry, declaration=stripe), retry).reason.startswith("duplicate")
    assert [delivery_id for delivery_id, _ in handlers.orders] == ["charge:7"]


def test_the_single_endpoint_dispatches_by_event_header_and_ignores_unknown_events(caplog: pytest.LogCaptureFixture):
    endpoints = [Endpoint("order.paid", "order_paid", Order, "application/json", 202, GITHUB)]
    handlers = Handlers()
    receiver = Receiver(endpoints, handlers, secrets=["s"], signature=GITHUB)
    headers = signed(secret="s", declaration=GITHUB)
    assert receiver.receive("", {**headers, "X-GitHub-Event": "order.paid"}, BODY).status == 202
    with caplog.at_level(logging.WARNING):
        answer = receiver.receive("", {**headers, "X-GitHub-Event": "refund"}, BODY)
    assert (answer.status, answer.reason) == (200, "unknown event type 'refund': ignored")
    assert "unknown event type 'refund'" in caplog.text
    assert len(handlers.orders) == 1


def test_declared_http_basic_security_is_enforced_with_a_challenge():
    endpoint = Endpoint("order.paid", "order_paid", Order, "application/json", 202, None, security=(("basic",),))
    schemes = {"basic": {"type": "http", "scheme": "basic"}}
    credentials = {"basic": ("u", "p")}
    receiver = Receiver(
        [endpoint], Handlers(), secrets=[SECRET], security_schemes=schemes, credentials=credentials, clock=lambda: NOW
    )
    refused = receiver.receive("order.paid", signed(), BODY)
    assert (refused.status, refused.headers) == (401, {"WWW-Authenticate": 'Basic realm="webhooks"'})
    authorization = "Basic " + base64.b64encode(b"u:p").decode()
    assert receiver.receive("order.paid", {**signed(), "Authorization": authorization}, BODY).status == 202


def test_bad_configuration_fails_at_start_up():
    with pytest.raises(TypeError, match="not one string"):
        Receiver([ORDER], Handlers(), secrets=SECRET)
    with pytest.raises(ValueError, match="no webhook secret"):
        Receiver([ORDER], Handlers(), secrets=[])
    secured = Endpoint("order.paid", "order_paid", Order, "application/json", 202, None, security=(("key",),))
    with pytest.raises(ValueError, match="requires security scheme 'key'"):
        Receiver([secured], Handlers(), secrets=[SECRET], security_schemes={"key": {"type": "apiKey", "in": "header"}})


def test_the_router_serves_each_webhook_under_the_prefix_or_its_mapped_path():
    handlers = Handlers()
    app = create_app(make_receiver(handlers), title="t", version="1", prefix="", paths=None)
    app.include_router(router(make_receiver(handlers), prefix="/hooks", paths={"ping": "/health-ping"}))
    client = TestClient(app)
    assert client.post("/hooks/order.paid", content=BODY, headers=signed()).status_code == 202
    assert client.post("/hooks/health-ping", content=b"", headers=signed(b"", delivery_id="p")).status_code == 204
    assert client.post("/order.paid", content=BODY, headers=signed(delivery_id="msg_2")).status_code == 202
    assert client.post("/hooks/ping", content=b"", headers=signed(b"")).status_code == 404
    assert [delivery_id for delivery_id, _ in handlers.orders] == ["msg_1", "msg_2"]


def test_create_app_names_the_app_and_checks_the_prefix():
    app = create_app(make_receiver(Handlers()), title="Shop receivers", version="2.0", prefix="/w", paths=None)
    assert (app.title, app.version) == ("Shop receivers", "2.0")
    for prefix in ("w", "/w/"):
        with pytest.raises(ValueError, match="must start with '/' and must not end with '/'"):
            create_app(make_receiver(Handlers()), title="t", version="1", prefix=prefix, paths=None)


def test_an_http_answer_carries_the_reason_the_errors_and_the_headers():
    client = TestClient(create_app(make_receiver(Handlers()), title="t", version="1", prefix="/w", paths=None))
    refused = client.post("/w/order.paid", content=WRONG, headers=signed(WRONG))
    assert refused.status_code == 422
    assert refused.json()["detail"] == "payload does not match the schema"
    assert [error["loc"] for error in refused.json()["errors"]] == [["id"]]
    unsigned = client.post("/w/order.paid", content=BODY, headers={"Content-Type": "application/json"})
    assert (unsigned.status_code, unsigned.json()) == (401, {"detail": "missing header webhook-id"})


def test_response_turns_an_answer_into_http():
    empty = response(Answer(204, "handled"))
    assert (empty.status_code, empty.body) == (204, b"")
    plain = response(Answer(202, "handled"))
    assert (plain.status_code, plain.media_type) == (202, "application/json")
    assert json.loads(plain.body) == {"detail": "handled"}
    challenged = response(Answer(401, "missing credentials", headers={"WWW-Authenticate": "Basic"}))
    assert (challenged.status_code, challenged.headers["WWW-Authenticate"]) == (401, "Basic")
    assert json.loads(challenged.body) == {"detail": "missing credentials"}


def test_the_single_endpoint_needs_an_event_header_or_field():
    with pytest.raises(ValueError, match="names no event header"):
        single_endpoint(make_receiver(Handlers()), path="/webhooks", event_field=None)
    handlers = Handlers()
    endpoints = [Endpoint("order.paid", "order_paid", Order, "application/json", 202, None)]
    core = Receiver(endpoints, handlers, secrets=[SECRET], clock=lambda: NOW)
    app = create_app(core, title="t", version="1", prefix="/unused", paths=None)
    app.include_router(single_endpoint(core, path="/all", event_field="item"))
    client = TestClient(app)
    body = json.dumps({"id": 7, "item": "order.paid"}).encode()
    assert client.post("/all", content=body, headers=signed(body)).status_code == 202
    assert handlers.orders == [("msg_1", Order(id=7, item="order.paid"))]


class Unread:
    """A request whose Content-Length is over the limit, and whose body must not be read."""

    headers: ClassVar = {"content-length": str(LIMIT + 1)}

    async def body(self) -> bytes:
        raise AssertionError("the body was read")

    async def stream(self) -> AsyncIterator[bytes]:
        raise AssertionError("the body was read")
        yield b""

    async def receive(self) -> dict[str, object]:
        raise AssertionError("the body was read")


class Chunked:
    """A request without Content-Length, streamed in chunks; counts how many were read."""

    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.read = 0

    async def receive(self) -> dict[str, object]:
        """The next ASGI body message."""
        chunk = self.chunks[self.read]
        self.read += 1
        return {"type": "http.request", "body": chunk, "more_body": self.read < len(self.chunks)}


def test_an_oversized_content_length_is_answered_413_before_reading():
    handlers = Handlers()
    endpoint = route(make_receiver(handlers, max_body=LIMIT), "order.paid", None)
    answer = asyncio.run(endpoint(Unread()))
    assert (answer.status_code, json.loads(answer.body)) == (413, {"detail": f"body larger than {LIMIT} bytes"})
    assert handlers.orders == []


def test_a_streamed_body_is_read_until_it_passes_the_limit():
    over = Chunked([b"0123456789", b"0123456789", b"0123456789", b"never read"])
    assert asyncio.run(read_body(over, 25)) is None
    assert over.read == 3
    within = Chunked([b"0123456789", b"01234"])
    assert asyncio.run(read_body(within, 15)) == b"012345678901234"


# What a generated package depends on (its pyproject): a runtime module may import nothing else.
ALLOWED_IMPORTS = {
    "_signatures.py": set(),
    "_dedupe.py": set(),
    "_types.py": {"pydantic"},
    "_receive.py": {"pydantic"},
    "_fastapi.py": {"fastapi"},
    "_sender.py": {"httpx", "pydantic"},
    # Imported only by who uses the queue: the package's `queue` extra (dramatiq[redis], which brings redis).
    "_queue.py": {"dramatiq", "pydantic", "redis"},
    # Shipped only with a contract, and then the package depends on jsonschema (referencing comes with it).
    "_contract.py": {"jsonschema", "pydantic", "referencing"},
}


def imported_packages(source: str) -> set[str]:
    """The top-level names of the absolute imports anywhere in a module."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            names.add(str(node.module).split(".")[0])
    return names


@pytest.mark.parametrize("name", [*RUNTIME_MODULES, CONTRACT_MODULE])
def test_a_runtime_module_imports_only_the_standard_library_and_the_packages_dependencies(name: str):
    source = (ROOT / "generator" / "runtime" / name).read_text(encoding="utf-8")
    assert imported_packages(source) - sys.stdlib_module_names == ALLOWED_IMPORTS[name]


@pytest.mark.parametrize("secret", ["", " ", "\t\n"])
def test_an_hmac_secret_of_whitespace_only_fails_at_start_up(secret: str):
    github = Endpoint("order.paid", "order_paid", Order, "application/json", 202, GITHUB)
    with pytest.raises(ValueError, match="may not be empty or whitespace only"):
        Receiver([github], Handlers(), secrets=["good", secret], signature=GITHUB)


def test_handlers_lacking_a_method_fail_at_start_up_naming_every_missing_one():
    class Partial:
        def ping(self, payload: None) -> None:
            pass

        order_paid = "not callable"

    with pytest.raises(TypeError, match=r"^Partial lacks handlers for: order_paid \(hookgen scaffold --append"):
        make_receiver(Partial())  # type: ignore[arg-type]

    class Empty:
        pass

    with pytest.raises(TypeError, match="Empty lacks handlers for: order_paid, ping"):
        make_receiver(Empty())  # type: ignore[arg-type]


class FailingStore(MemoryStore):
    """A store whose named steps raise, as a Redis client does when Redis is down."""

    def __init__(self, *failing: str) -> None:
        super().__init__()
        self.failing = set(failing)

    def claim(self, delivery_id: str) -> Claim:
        if "claim" in self.failing:
            raise ConnectionError("Redis is down")
        return super().claim(delivery_id)

    def complete(self, delivery_id: str) -> None:
        if "complete" in self.failing:
            raise ConnectionError("Redis is down")
        super().complete(delivery_id)

    def release(self, delivery_id: str) -> None:
        if "release" in self.failing:
            raise ConnectionError("Redis is down")
        super().release(delivery_id)


def test_a_store_that_cannot_claim_answers_503_and_runs_nothing(caplog: pytest.LogCaptureFixture):
    handlers = Handlers()
    answer = make_receiver(handlers, store=FailingStore("claim")).receive("order.paid", signed(), BODY)
    assert (answer.status, answer.reason) == (503, "the dedupe store is unavailable; retry later")
    assert handlers.orders == []
    assert [record.getMessage() for record in caplog.records if record.levelname == "WARNING"] == [
        "dedupe store failed to claim delivery 'msg_1': ConnectionError: Redis is down"
    ]


def test_a_handled_delivery_the_store_cannot_record_is_still_answered_2xx_and_its_claim_kept(
    caplog: pytest.LogCaptureFixture,
):
    handlers = Handlers()
    store = FailingStore("complete")
    receiver = make_receiver(handlers, store=store)
    assert receiver.receive("order.paid", signed(), BODY).status == 202
    # The claim stays in progress: a duplicate arriving now is not run again.
    assert receiver.receive("order.paid", signed(), BODY).status == 409
    assert len(handlers.orders) == 1
    assert [record for record in caplog.records if record.exc_info and record.levelname == "WARNING"] == []


def test_a_failed_handler_whose_claim_cannot_be_released_is_answered_500():
    handlers = Handlers(fail=1)
    answer = make_receiver(handlers, store=FailingStore("release")).receive("order.paid", signed(), BODY)
    assert answer.status == 500
    assert handlers.orders == []
