"""The generated receivers on the example spec (Standard Webhooks): every case of issue 3, through TestClient."""

from __future__ import annotations

import asyncio
import base64
import importlib
import inspect
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from .conftest import Imported
from .redis_server import redis_url_fixture
from .servers import serving

redis_url = redis_url_fixture()

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"o" * 32).decode()
KEY = "new-subscription"
PATH = "/webhooks/new-subscription"
PAYLOAD = {
    "username": "é",
    "monthly_fee": 12.5,
    "start_date": "2026-11-01T09:30:00Z",
    "plan": "pro",
    "trial_ends_at": None,
}
BODY = json.dumps(PAYLOAD, separators=(",", ":"), ensure_ascii=False).encode()


class Recorder:
    """Handlers for every webhook: each call is recorded as (handler name, payload); `fail` makes calls raise."""

    def __init__(self, *, fail: int = 0, delay: float = 0.0) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail = fail
        self.delay = delay
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Callable[[Any], None]:
        if name.startswith("_"):
            raise AttributeError(name)

        def handle(payload: Any) -> None:
            time.sleep(self.delay)
            with self._lock:
                if self.fail:
                    self.fail -= 1
                    raise RuntimeError("the handler failed")
                self.calls.append((name, payload))

        return handle


@pytest.fixture(scope="module")
def receivers(example: Imported) -> ModuleType:
    return importlib.import_module("example_webhooks.receivers")


@pytest.fixture(scope="module")
def signatures(example: Imported) -> ModuleType:
    return importlib.import_module("example_webhooks._signatures")


def signed(
    signatures: ModuleType,
    body: bytes = BODY,
    *,
    secret: str = SECRET,
    delivery_id: str = "msg_1",
    age: int = 0,
    now: int | None = None,
) -> dict[str, str]:
    current = int(time.time()) if now is None else now
    headers: dict[str, str] = signatures.StandardWebhooksScheme().sign(
        body, secret, delivery_id=delivery_id, timestamp=current - age
    )
    return {**headers, "content-type": "application/json"}


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(receivers: ModuleType, recorder: Recorder) -> Iterator[TestClient]:
    yield TestClient(receivers.create_app(recorder, secrets=[SECRET]))


def test_a_valid_delivery_reaches_the_handler_as_its_model(client: TestClient, recorder: Recorder, signatures: Any):
    response = client.post(PATH, content=BODY, headers=signed(signatures))
    assert response.status_code == 200
    assert len(recorder.calls) == 1
    name, payload = recorder.calls[0]
    assert name == "new_subscription"
    assert type(payload).__name__ == "NewSubscription"
    assert payload.username == "é"
    assert payload.monthly_fee == 12.5


def test_the_spec_declared_success_status_is_answered(client: TestClient, recorder: Recorder, signatures: Any):
    body = json.dumps({"user_id": 1, "username": "ada", "login_timestamp": "2026-01-01T00:00:00Z"}).encode()
    response = client.post("/webhooks/login-success", content=body, headers=signed(signatures, body))
    assert response.status_code == 204
    assert [name for name, _ in recorder.calls] == ["login_success"]


def test_an_async_handler_is_awaited(receivers: ModuleType, signatures: Any):
    seen: list[Any] = []

    class AsyncHandlers:
        async def new_subscription(self, payload: Any) -> None:
            seen.append(payload)

        def __getattr__(self, name: str) -> Any:
            return lambda payload: None

    client = TestClient(receivers.create_app(AsyncHandlers(), secrets=[SECRET]))
    assert client.post(PATH, content=BODY, headers=signed(signatures)).status_code == 200
    assert [payload.username for payload in seen] == ["é"]


@pytest.mark.parametrize(
    "reserialised",
    [
        json.dumps(PAYLOAD, ensure_ascii=False).encode(),  # whitespace
        json.dumps(dict(reversed(PAYLOAD.items())), separators=(",", ":"), ensure_ascii=False).encode(),  # key order
        json.dumps(PAYLOAD, separators=(",", ":")).encode(),  # \u00e9
    ],
    ids=["whitespace", "key-order", "escaped"],
)
def test_a_reserialised_body_is_refused(client: TestClient, recorder: Recorder, signatures: Any, reserialised: bytes):
    assert reserialised != BODY
    response = client.post(PATH, content=reserialised, headers=signed(signatures))
    assert response.status_code == 401
    assert recorder.calls == []


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp"])
def test_a_changed_id_or_timestamp_is_refused(client: TestClient, recorder: Recorder, signatures: Any, header: str):
    headers = signed(signatures)
    headers[header] = headers[header] + "1" if header == "webhook-id" else str(int(headers[header]) - 1)
    assert client.post(PATH, content=BODY, headers=headers).status_code == 401
    assert recorder.calls == []


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature", "content-type"])
def test_each_missing_header_is_refused(client: TestClient, recorder: Recorder, signatures: Any, header: str):
    headers = {name: value for name, value in signed(signatures).items() if name != header}
    response = client.post(PATH, content=BODY, headers=headers)
    assert 400 <= response.status_code < 500
    assert recorder.calls == []


@pytest.mark.parametrize("value", ["garbage", "v1,a,b", "v1,!!notbase64!!", "v1a", "v2,AAAA", ""])
def test_a_malformed_signature_header_is_refused(client: TestClient, recorder: Recorder, signatures: Any, value: str):
    headers = {**signed(signatures), "webhook-signature": value}
    assert client.post(PATH, content=BODY, headers=headers).status_code == 401
    assert recorder.calls == []


@pytest.mark.parametrize(("age", "status"), [(301, 401), (-301, 401), (300, 200), (-300, 200)])
def test_a_timestamp_beyond_the_tolerance_is_refused_and_one_at_it_accepted(
    receivers: ModuleType, recorder: Recorder, signatures: Any, age: int, status: int
):
    now = 1_800_000_000  # pinned: against the wall clock, a whole-second timestamp at the boundary races it
    client = TestClient(receivers.create_app(recorder, secrets=[SECRET], clock=lambda: now))
    assert client.post(PATH, content=BODY, headers=signed(signatures, age=age, now=now)).status_code == status


@pytest.mark.parametrize("timestamp", ["abc", "nan", "1e9", "-5", " 1700000000"])
def test_a_malformed_timestamp_is_refused(client: TestClient, signatures: Any, timestamp: str):
    headers = {**signed(signatures), "webhook-timestamp": timestamp}
    assert client.post(PATH, content=BODY, headers=headers).status_code == 401


def test_a_timestamp_within_the_tolerance_is_accepted(client: TestClient, recorder: Recorder, signatures: Any):
    assert client.post(PATH, content=BODY, headers=signed(signatures, age=299)).status_code == 200
    assert len(recorder.calls) == 1


def test_the_tolerance_is_configurable(receivers: ModuleType, recorder: Recorder, signatures: Any):
    client = TestClient(receivers.create_app(recorder, secrets=[SECRET], tolerance=30))
    assert client.post(PATH, content=BODY, headers=signed(signatures, age=31)).status_code == 401


def test_both_secrets_are_accepted_while_rotating(receivers: ModuleType, recorder: Recorder, signatures: Any):
    client = TestClient(receivers.create_app(recorder, secrets=[OLD_SECRET, SECRET]))
    old = signed(signatures, secret=OLD_SECRET, delivery_id="old")
    new = signed(signatures, secret=SECRET, delivery_id="new")
    assert client.post(PATH, content=BODY, headers=old).status_code == 200
    assert client.post(PATH, content=BODY, headers=new).status_code == 200
    wrong = signed(signatures, secret="whsec_" + base64.b64encode(b"w" * 32).decode(), delivery_id="wrong")
    assert client.post(PATH, content=BODY, headers=wrong).status_code == 401
    assert len(recorder.calls) == 2


def test_a_bad_secret_fails_at_start_up(receivers: ModuleType, recorder: Recorder):
    with pytest.raises(ValueError, match="no webhook secret"):
        receivers.create_app(recorder, secrets=[])
    with pytest.raises(TypeError):
        receivers.create_app(recorder, secrets=SECRET)


def test_a_duplicate_is_answered_2xx_and_handled_once(client: TestClient, recorder: Recorder, signatures: Any):
    first = client.post(PATH, content=BODY, headers=signed(signatures))
    again = client.post(PATH, content=BODY, headers=signed(signatures))
    assert (first.status_code, again.status_code) == (200, 200)
    assert len(recorder.calls) == 1


def _concurrent_duplicates(receivers: ModuleType, signatures: Any, store: Any) -> tuple[Recorder, list[int]]:
    recorder = Recorder(delay=0.05)
    client = TestClient(receivers.create_app(recorder, secrets=[SECRET], store=store))
    headers = signed(signatures, delivery_id="concurrent")
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: client.post(PATH, content=BODY, headers=headers).status_code, range(50)))
    return recorder, statuses


def test_concurrent_duplicates_run_the_handler_once_with_the_memory_store(receivers: ModuleType, signatures: Any):
    dedupe = importlib.import_module("example_webhooks._dedupe")
    recorder, statuses = _concurrent_duplicates(receivers, signatures, dedupe.MemoryStore())
    assert len(recorder.calls) == 1
    assert set(statuses) <= {200, 409}  # 409 while the first is running: the provider retries and then gets 200
    assert statuses.count(200) >= 1


def test_concurrent_duplicates_run_the_handler_once_with_the_redis_store(
    receivers: ModuleType, signatures: Any, redis_url: str
):
    dedupe = importlib.import_module("example_webhooks._dedupe")
    store = dedupe.RedisStore.from_url(redis_url, prefix=f"test-receivers-{time.time_ns()}:")
    try:
        recorder, statuses = _concurrent_duplicates(receivers, signatures, store)
    finally:
        store.close()
    assert len(recorder.calls) == 1
    assert set(statuses) <= {200, 409}
    assert statuses.count(200) >= 1


def test_an_oversized_body_is_refused(receivers: ModuleType, recorder: Recorder, signatures: Any):
    client = TestClient(receivers.create_app(recorder, secrets=[SECRET], max_body=len(BODY) - 1))
    assert client.post(PATH, content=BODY, headers=signed(signatures)).status_code == 413
    chunked = client.post(PATH, content=iter([BODY[:10], BODY[10:]]), headers=signed(signatures))
    assert "content-length" not in chunked.request.headers
    assert chunked.status_code == 413
    assert recorder.calls == []


def test_an_oversized_content_length_is_refused_before_reading(receivers: ModuleType, recorder: Recorder):
    core = receivers.receiver(recorder, secrets=[SECRET], max_body=10)
    route = importlib.import_module(receivers.__package__ + "._fastapi").route(core, KEY, None)

    class Unread:
        headers: ClassVar = {"content-length": "11"}

        async def stream(self) -> Any:
            raise AssertionError("the body was read")
            yield b""

    response = asyncio.run(route(Unread()))
    assert response.status_code == 413


def test_a_body_that_is_not_utf8_is_refused(client: TestClient, recorder: Recorder, signatures: Any):
    body = BODY.replace("é".encode(), b"\xe9")
    response = client.post(PATH, content=body, headers=signed(signatures, body))
    assert response.status_code == 400
    assert recorder.calls == []


def test_a_body_that_is_not_json_is_refused(client: TestClient, recorder: Recorder, signatures: Any):
    body = b"{not json"
    assert client.post(PATH, content=body, headers=signed(signatures, body)).status_code == 400
    assert recorder.calls == []


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_the_wrong_content_type_is_refused(client: TestClient, signatures: Any, content_type: str):
    headers = {**signed(signatures), "content-type": content_type}
    assert client.post(PATH, content=BODY, headers=headers).status_code == 415


def test_a_charset_parameter_is_accepted(client: TestClient, signatures: Any):
    headers = {**signed(signatures), "content-type": "application/json; charset=utf-8"}
    assert client.post(PATH, content=BODY, headers=headers).status_code == 200


def test_a_payload_that_breaks_the_schema_is_refused_with_its_errors(
    client: TestClient, recorder: Recorder, signatures: Any
):
    body = json.dumps({**PAYLOAD, "monthly_fee": -1}).encode()
    response = client.post(PATH, content=body, headers=signed(signatures, body))
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["monthly_fee"]]
    assert recorder.calls == []
    fixed = json.dumps(PAYLOAD).encode()  # the claim was released: the same id can still be delivered
    assert client.post(PATH, content=fixed, headers=signed(signatures, fixed)).status_code == 200


def test_a_payload_the_contract_check_refuses_is_a_422_and_never_reaches_the_handler(
    client: TestClient, recorder: Recorder, signatures: Any
):
    # uniqueItems and oneOf exactness have no Pydantic type: the body model checks them against its contract share.
    event = {
        "object": "customer_event",
        "action": "updated",
        "customer": {"id": "c", "email": "e", "preferred_contact": {"email": "e", "phone": "1"}},
        "occurred_at": "2026-11-27T08:15:00Z",
    }
    body = json.dumps(event).encode()
    response = client.post("/webhooks/customer.event", content=body, headers=signed(signatures, body))
    assert response.status_code == 422
    assert "/customer/preferred_contact" in response.json()["errors"][0]["msg"]
    assert recorder.calls == []


def test_a_handler_that_raises_gets_500_and_the_retry_succeeds(
    receivers: ModuleType, signatures: Any, caplog: pytest.LogCaptureFixture
):
    recorder = Recorder(fail=1)
    client = TestClient(receivers.create_app(recorder, secrets=[SECRET]))
    assert client.post(PATH, content=BODY, headers=signed(signatures)).status_code == 500
    assert "handler for webhook 'new-subscription' failed" in caplog.text
    assert client.post(PATH, content=BODY, headers=signed(signatures)).status_code == 200
    assert len(recorder.calls) == 1


def test_prefix_and_paths_are_configurable(receivers: ModuleType, recorder: Recorder, signatures: Any):
    app = receivers.create_app(recorder, secrets=[SECRET], prefix="/in", paths={KEY: "/subscribed"})
    client = TestClient(app)
    assert client.post("/in/subscribed", content=BODY, headers=signed(signatures)).status_code == 200
    headers = signed(signatures, b"{}", delivery_id="msg_2")
    assert client.post("/in/order.updated", content=b"{}", headers=headers).status_code == 422


def test_the_router_mounts_in_an_app_of_ones_own(receivers: ModuleType, recorder: Recorder, signatures: Any):
    app = FastAPI()
    app.include_router(receivers.router(recorder, secrets=[SECRET], prefix=""), prefix="/hooks")
    response = TestClient(app).post(f"/hooks/{KEY}", content=BODY, headers=signed(signatures))
    assert response.status_code == 200
    assert [name for name, _ in recorder.calls] == ["new_subscription"]


@pytest.mark.parametrize("prefix", ["webhooks", "/webhooks/"])
def test_a_prefix_must_start_with_a_slash_and_not_end_with_one(receivers: ModuleType, recorder: Recorder, prefix: str):
    with pytest.raises(ValueError, match="must start with '/' and must not end with '/'"):
        receivers.create_app(recorder, secrets=[SECRET], prefix=prefix)
    with pytest.raises(ValueError, match="must start with '/' and must not end with '/'"):
        receivers.router(recorder, secrets=[SECRET], prefix=prefix)


def test_every_webhook_gets_its_quoted_path(receivers: ModuleType, recorder: Recorder):
    routes = {route.path for route in receivers.router(recorder, secrets=[SECRET]).routes}
    assert routes == {f"/webhooks/{endpoint.key}" for endpoint in receivers.ENDPOINTS}


def test_a_failure_of_our_own_while_parsing_releases_the_delivery(
    receivers: ModuleType, recorder: Recorder, signatures: Any, monkeypatch: pytest.MonkeyPatch
):
    core = receivers.receiver(recorder, secrets=[SECRET])
    receive = importlib.import_module(receivers.__package__ + "._receive")

    def broken(endpoint: Any, body: bytes) -> Any:
        raise RecursionError("a bug of ours, not the sender's")

    with monkeypatch.context() as patched:
        patched.setattr(receive, "_parse", broken)
        with pytest.raises(RecursionError):
            core.check(KEY, signed(signatures), BODY)
    checked = core.check(KEY, signed(signatures), BODY)  # the retry is not told "being handled" (409)
    assert checked.delivery_id == "msg_1"


# What the README documents of each public function, after `handlers`: (name, default), keyword-only.
RECEIVER_OPTIONS_BEFORE = [("secrets", inspect.Parameter.empty), ("store", None)]
RECEIVER_OPTIONS_AFTER = [
    ("max_body", 25 * 1024 * 1024),
    ("tolerance", 300),
    ("credentials", None),
    ("clock", time.time),
]
ROUTES = [("prefix", "/webhooks"), ("paths", None), ("body_timeout", 10.0)]


@pytest.mark.parametrize(
    ("function", "own"),
    [
        ("receiver", []),
        ("router", ROUTES),
        ("create_app", ROUTES),
        ("single_endpoint", [("path", "/webhooks"), ("event_field", None), ("body_timeout", 10.0)]),
    ],
)
def test_the_public_functions_take_the_documented_keywords(
    receivers: ModuleType, function: str, own: list[tuple[str, Any]]
):
    handlers, *options = inspect.signature(getattr(receivers, function)).parameters.values()
    assert (handlers.name, handlers.kind) == ("handlers", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    assert [(option.name, option.default) for option in options] == [
        *RECEIVER_OPTIONS_BEFORE,
        *own,
        *RECEIVER_OPTIONS_AFTER,
    ]
    assert {option.kind for option in options} == {inspect.Parameter.KEYWORD_ONLY}


def test_the_core_works_without_fastapi(receivers: ModuleType, recorder: Recorder, signatures: Any):
    core = receivers.receiver(recorder, secrets=[SECRET])
    checked = core.check(KEY, signed(signatures), BODY)
    assert (checked.endpoint.key, checked.delivery_id, checked.payload.username) == (KEY, "msg_1", "é")
    assert core.check(KEY, signed(signatures), BODY).status == 409  # claimed until run
    answer = core.run(checked)
    assert (answer.status, answer.reason) == (200, "handled")
    assert core.receive(KEY, signed(signatures), BODY).status == 200  # a duplicate now
    assert len(recorder.calls) == 1


def test_a_handler_reads_its_delivery_with_current_delivery(receivers: ModuleType, signatures: Any):
    seen: list[tuple[str, str]] = []

    class Handlers:
        def __getattr__(self, name: str) -> Any:
            def handle(payload: Any) -> None:
                delivery = receivers.current_delivery()
                seen.append((delivery.endpoint.key, delivery.delivery_id))

            return handle

    client = TestClient(receivers.create_app(Handlers(), secrets=[SECRET]))
    assert client.post(PATH, content=BODY, headers=signed(signatures, delivery_id="msg_ctx")).status_code == 200
    assert seen == [(KEY, "msg_ctx")]


def test_end_to_end_through_uvicorn(receivers: ModuleType, recorder: Recorder, signatures: Any):
    with serving(receivers.create_app(recorder, secrets=[SECRET])) as base:
        response = httpx.post(f"{base}{PATH}", content=BODY, headers=signed(signatures), timeout=10)
    assert response.status_code == 200
    assert [(name, payload.username) for name, payload in recorder.calls] == [("new_subscription", "é")]
