"""Benchmark: deliveries per second through the generated receivers under 1, 2 and 4 uvicorn worker processes.

Every worker shares one real redis-server for dedupe (`RedisStore`), as a deployment would. A load generator in this
process (httpx, asyncio, CONCURRENCY requests in flight) sends signed deliveries, each with its own id, to
`create_app` with a no-op async handler; each worker count is measured ROUNDS times, interleaved, and the best
round gives its rate. Prints each rate and its ratio to 1 worker.
The ratio is bounded by the machine: the load generator and redis-server run on the same cores as the workers
(`os.cpu_count()` is printed; this one has 2), so more workers than free cores only add switching.
Not a test: only the ratios within one run mean something. Needs redis-server on PATH.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

from generator.runtime._signatures import StandardWebhooksScheme
from tests.redis_server import free_port, running_redis_server

BIN = Path(sys.executable).parent
SECRET = "whsec_" + base64.b64encode(b"workers" * 5).decode()
BODY = json.dumps(
    {"username": "ada", "monthly_fee": 12.5, "start_date": "2026-11-01T09:30:00Z", "plan": "pro"}
).encode()
WORKER_COUNTS = (1, 2, 4)
DELIVERIES = 1000
WARM_UP = 200
CONCURRENCY = 32
ROUNDS = 2

APP = textwrap.dedent(
    """
    import os

    from subscriptions_webhooks._dedupe import RedisStore
    from subscriptions_webhooks.receivers import create_app


    class NoOp:
        def __getattr__(self, name):
            async def handle(payload):
                return None

            return handle


    store = RedisStore.from_url(os.environ["BENCH_REDIS_URL"], prefix=os.environ["BENCH_PREFIX"])
    app = create_app(NoOp(), secrets=[os.environ["BENCH_SECRET"]], store=store)
    """
)


def signed(count: int, prefix: str) -> list[dict[str, str]]:
    """`count` signed deliveries of BODY, each with its own id."""
    scheme = StandardWebhooksScheme()
    now = int(time.time())
    return [
        {**scheme.sign(BODY, SECRET, delivery_id=f"{prefix}{i}", timestamp=now), "content-type": "application/json"}
        for i in range(count)
    ]


async def send_all(url: str, deliveries: list[dict[str, str]]) -> float:
    """Send every delivery, CONCURRENCY at a time; the seconds it took. Every answer must be 200."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        pending = iter(deliveries)

        async def lane() -> None:
            for headers in pending:
                answer = await client.post(url, content=BODY, headers=headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"answered {answer.status_code}: {answer.text}")

        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started


def serve(folder: Path, redis_url: str, workers: int, port: int, prefix: str) -> subprocess.Popen[bytes]:
    """uvicorn with `workers` processes serving the app."""
    env = {
        **os.environ,
        "PYTHONPATH": str(folder),
        "BENCH_REDIS_URL": redis_url,
        "BENCH_PREFIX": prefix,
        "BENCH_SECRET": SECRET,
    }
    command = [str(BIN / "uvicorn"), "bench_app:app", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.DEVNULL, start_new_session=True)


def wait_until_serving(server: subprocess.Popen[bytes], base: str) -> None:
    """Wait until the server answers HTTP."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("uvicorn exited")
        try:
            httpx.get(base + "/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


def rate(folder: Path, redis_url: str, workers: int, round_number: int) -> float:
    """Deliveries per second with `workers` processes, after a warm-up that reaches every worker."""
    port = free_port()
    prefix = f"bench:{workers}:{round_number}:"
    server = serve(folder, redis_url, workers, port, prefix)
    url = f"http://127.0.0.1:{port}/webhooks/new-subscription"
    try:
        wait_until_serving(server, f"http://127.0.0.1:{port}")
        asyncio.run(send_all(url, signed(WARM_UP, "warm-")))
        return DELIVERIES / asyncio.run(send_all(url, signed(DELIVERIES, "run-")))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    """Measure every worker count ROUNDS times, interleaved; print the best rates and their ratios to 1 worker."""
    if shutil.which("redis-server") is None:
        print("bench_workers: skipped, redis-server is not installed (.ci/run installs it)")
        return
    print(f"cores: {os.cpu_count()}; {DELIVERIES} deliveries, {CONCURRENCY} in flight, one redis-server")
    best: dict[int, float] = {}
    with running_redis_server() as redis_url, tempfile.TemporaryDirectory(prefix="hookgen-bench-workers-") as name:
        folder = Path(name)
        (folder / "bench_app.py").write_text(APP)
        for round_number in range(ROUNDS):
            for workers in WORKER_COUNTS:
                best[workers] = max(best.get(workers, 0.0), rate(folder, redis_url, workers, round_number))
    for workers in WORKER_COUNTS:
        print(
            f"{workers} worker(s): {best[workers]:7.0f} deliveries/s, ratio to 1 worker {best[workers] / best[1]:.2f}"
        )


if __name__ == "__main__":
    main()
