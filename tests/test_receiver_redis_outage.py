"""A receiver on a real Redis that goes down, is killed, or is paused (SIGSTOP) mid-run, served by real uvicorn.

While Redis cannot answer, deliveries get 503 (within the client's timeout, not forever) and no handler runs; once
it answers again, every delivery is handled exactly once, however often it was sent.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from generator.runtime._dedupe import RedisStore
from generator.runtime._fastapi import create_app
from generator.runtime._receive import Endpoint, Receiver, current_delivery
from generator.runtime._signatures import StandardWebhooksScheme

from .redis_server import free_port, running_redis_server
from .servers import serving
from .test_receiver_http import SECRET, Item

KEY = "order.paid"
# Longer than the client's timeout (2 s) plus its one retry, so a request that hangs shows as an error.
REQUEST_SECONDS = 20.0
# How long the test waits for a batch of requests, each bounded by REQUEST_SECONDS.
WAIT_SECONDS = 180.0


class Counting:
    """The handler counts the runs of each delivery id."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.lock = threading.Lock()

    def order_paid(self, payload: Item) -> None:
        with self.lock:
            self.runs[current_delivery().delivery_id] += 1


def app_on(url: str, handlers: Counting, prefix: str) -> object:
    # A claim left behind by a command Redis ran while paused expires after 2 s instead of 300 s.
    store = RedisStore.from_url(url, prefix=prefix, claim_seconds=2)
    endpoint = Endpoint(KEY, "order_paid", Item, "application/json", 200, None)
    core = Receiver([endpoint], handlers, secrets=[SECRET], store=store)
    return create_app(core, title="outage", version="1", prefix="/webhooks", paths=None)


def deliver(base: str, delivery_id: str) -> int:
    body = b'{"id": 1}'
    headers = StandardWebhooksScheme().sign(body, SECRET, delivery_id=delivery_id, timestamp=int(time.time()))
    headers["content-type"] = "application/json"
    try:
        return httpx.post(f"{base}/webhooks/{KEY}", content=body, headers=headers, timeout=REQUEST_SECONDS).status_code
    except httpx.TimeoutException:
        return -1  # the receiver hung


def post_until_handled(base: str, delivery_ids: list[str]) -> None:
    """Resend each delivery until it is answered 200 (409 while a claim made during the outage expires)."""
    for delivery_id in delivery_ids:
        deadline = time.monotonic() + 30
        while (status := deliver(base, delivery_id)) != 200:
            assert status in (409, 503), status
            assert time.monotonic() < deadline, f"{delivery_id} still answered {status}"
            time.sleep(0.2)


def server_pid(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


def test_a_redis_that_is_down_from_the_start_gets_503_not_a_crash(caplog: pytest.LogCaptureFixture):
    handlers = Counting()
    with serving(app_on(f"redis://127.0.0.1:{free_port()}/0", handlers, "down:")) as base:
        assert [deliver(base, "m1"), deliver(base, "m1")] == [503, 503]
    assert handlers.runs == Counter()
    assert [record for record in caplog.records if record.exc_info] == []


def test_a_redis_paused_mid_run_fails_deliveries_with_503_and_none_is_handled_twice(
    caplog: pytest.LogCaptureFixture,
):
    handlers = Counting()
    ids = [f"m{index}" for index in range(12)]
    with running_redis_server() as url, serving(app_on(url, handlers, "paused:")) as base:
        pid = server_pid(url)
        assert [deliver(base, delivery_id) for delivery_id in ids[:4]] == [200] * 4
        # Three clients send every delivery twice while Redis is paused for part of the run, and three more send
        # each once while it is paused: six in flight, as many as the server's threads that wait on Redis.
        with ThreadPoolExecutor(3) as mixed_pool, ThreadPoolExecutor(3) as paused_pool:
            running = [mixed_pool.submit(deliver, base, delivery_id) for delivery_id in ids * 2]
            time.sleep(0.05)
            os.kill(pid, signal.SIGSTOP)
            try:
                during = [paused_pool.submit(deliver, base, delivery_id) for delivery_id in ids]
                paused = [future.result(timeout=WAIT_SECONDS) for future in during]
            finally:
                os.kill(pid, signal.SIGCONT)
            mixed = [future.result(timeout=WAIT_SECONDS) for future in running]
        assert set(paused) == {503}
        assert set(mixed) <= {200, 409, 503}
        post_until_handled(base, ids)
        assert [deliver(base, delivery_id) for delivery_id in ids] == [200] * len(ids)  # duplicates, not run
    assert handlers.runs == Counter(dict.fromkeys(ids, 1))
    assert [record for record in caplog.records if record.exc_info] == []


def test_a_redis_killed_mid_run_fails_deliveries_with_503(caplog: pytest.LogCaptureFixture):
    handlers = Counting()
    with running_redis_server() as url, serving(app_on(url, handlers, "killed:")) as base:
        assert deliver(base, "m1") == 200
        os.kill(server_pid(url), signal.SIGKILL)
        time.sleep(0.2)
        # A new delivery, and a duplicate of the handled one: neither can be checked, so neither is accepted.
        assert [deliver(base, "m2"), deliver(base, "m1")] == [503, 503]
    assert handlers.runs == Counter({"m1": 1})
    assert [record for record in caplog.records if record.exc_info] == []
