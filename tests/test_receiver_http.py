"""The FastAPI adapter over real HTTP (uvicorn on 127.0.0.1): routing by the raw path, body reading, refusals."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import httpx
import pydantic
import uvicorn
from fastapi import FastAPI

from generator.runtime._fastapi import create_app, router
from generator.runtime._receive import Endpoint, Receiver, current_delivery
from generator.runtime._signatures import StandardWebhooksScheme

from .redis_server import free_port

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


@contextmanager
def serving(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


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
