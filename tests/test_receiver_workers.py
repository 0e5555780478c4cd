"""Several uvicorn worker processes sharing one real Redis: concurrent duplicates of a delivery run its handler once."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import redis

from generator.runtime._signatures import StandardWebhooksScheme

from .conftest import ROOT
from .redis_server import free_port, redis_url_fixture

redis_url = redis_url_fixture()

SECRET = "whsec_" + base64.b64encode(b"w" * 32).decode()
WORKERS = 3
DUPLICATES = 50

# The app each worker imports: the runtime's receiver on a RedisStore; the handler counts its runs in Redis and
# is slow, so duplicates arrive while it runs. Every answer names the worker process that gave it.
APP = textwrap.dedent(
    """
    import os
    import time

    import pydantic
    import redis

    from generator.runtime._dedupe import MemoryStore, RedisStore
    from generator.runtime._fastapi import create_app
    from generator.runtime._receive import Endpoint, Receiver

    URL = os.environ["TEST_REDIS_URL"]
    PREFIX = os.environ["TEST_PREFIX"]
    counter = redis.Redis.from_url(URL)


    class Order(pydantic.BaseModel):
        id: int


    class Handlers:
        def order_paid(self, payload: Order) -> None:
            counter.incr(PREFIX + "runs")
            time.sleep(0.5)


    endpoint = Endpoint("order.paid", "order_paid", Order, "application/json", 200, None)
    # TEST_STORE=memory is the control: each process its own store, so each worker runs the delivery.
    shared = os.environ["TEST_STORE"] == "redis"
    store = RedisStore.from_url(URL, prefix=PREFIX + "dedupe:") if shared else MemoryStore()
    app = create_app(
        Receiver([endpoint], Handlers(), secrets=[os.environ["TEST_SECRET"]], store=store),
        title="workers", version="1", prefix="/webhooks", paths=None,
    )


    # Each worker says it serves once started, and the test delivers only when every worker has said so.
    def say_this_worker_serves():
        open(os.path.join(os.environ["TEST_READY"], str(os.getpid())), "w").close()

    app.router.on_startup.append(say_this_worker_serves)

    @app.middleware("http")
    async def name_the_worker(request, call_next):
        response = await call_next(request)
        response.headers["x-worker"] = str(os.getpid())
        return response
    """
)


def wait_until_serving(process: subprocess.Popen[bytes], base: str, ready: Path) -> None:
    """Wait until every worker has started (on a busy machine the first serves long before the last is up)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "uvicorn exited"
        try:
            httpx.get(base, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if len(list(ready.iterdir())) >= WORKERS:
            return
        time.sleep(0.1)
    raise AssertionError("uvicorn's workers did not all start")


def serve_and_deliver(tmp_path: Path, redis_url: str, store: str) -> tuple[int, list[httpx.Response]]:
    """Run the app under uvicorn workers with `store`, post the duplicates at once: the handler's runs, the answers."""
    prefix = f"test-workers-{time.time_ns()}:"
    (tmp_path / "workers_app.py").write_text(APP, encoding="utf-8")
    ready = tmp_path / "ready"
    ready.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
        "TEST_REDIS_URL": redis_url,
        "TEST_PREFIX": prefix,
        "TEST_SECRET": SECRET,
        "TEST_STORE": store,
        "TEST_READY": str(ready),
    }
    command = [sys.executable, "-m", "uvicorn", "workers_app:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(WORKERS), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    body = b'{"id":7}'
    headers = StandardWebhooksScheme().sign(body, SECRET, delivery_id="msg_workers", timestamp=int(time.time()))
    headers["content-type"] = "application/json"

    def deliver(_: int) -> httpx.Response:
        # A new connection each: the kernel hands each to one of the workers.
        return httpx.post(f"{base}/webhooks/order.paid", content=body, headers=headers, timeout=30)

    try:
        wait_until_serving(process, base, ready)
        with ThreadPoolExecutor(max_workers=DUPLICATES) as pool:
            answers = list(pool.map(deliver, range(DUPLICATES)))
    finally:
        process.terminate()
        process.wait(timeout=30)
    runs = redis.Redis.from_url(redis_url).get(prefix + "runs")
    return int(runs or 0), answers


def workers(answers: list[httpx.Response]) -> int:
    return len({answer.headers["x-worker"] for answer in answers})


def test_duplicates_spread_over_worker_processes_run_the_handler_once(tmp_path: Path, redis_url: str):
    runs, answers = serve_and_deliver(tmp_path, redis_url, "redis")
    assert workers(answers) >= 2, "the deliveries all reached one worker"
    assert runs == 1
    assert {answer.status_code for answer in answers} <= {200, 409}


def test_the_control_a_store_per_process_runs_it_in_each_worker(tmp_path: Path, redis_url: str):
    runs, answers = serve_and_deliver(tmp_path, redis_url, "memory")
    assert runs == workers(answers) >= 2
