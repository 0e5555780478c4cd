"""The sender's retries carried by Dramatiq: a real redis-server, real `dramatiq` worker processes, a real receiver.

The receiver (Starlette under uvicorn, in this process) counts the POSTs of each delivery id and fails the first ones
as each test says. Deliveries are enqueued from this process; only the workers post.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
import redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

pytest.importorskip("dramatiq", reason="the queue extra (dramatiq[redis]) is not installed; make installs it")

from generator.runtime._queue import DeliveryQueue

from .conftest import ROOT
from .redis_server import running_redis_server
from .servers import serving

SECRET = "whsec_" + base64.b64encode(b"queue-secret-32-bytes-long!!!!!!").decode()
# Workers give up on a dead worker's messages after 3 s without its heartbeat, and check at every fetch.
BROKER_OPTIONS = {"heartbeat_timeout": 3000, "maintenance_chance": 1_000_000}

WORKER = textwrap.dedent(
    """
    import json
    import os

    from generator.runtime._queue import DeliveryQueue

    queue = DeliveryQueue(
        os.environ["TEST_REDIS_URL"],
        os.environ["TEST_SECRET"],
        schedule=json.loads(os.environ["TEST_SCHEDULE"]),
        jitter=0,
        timeout=2,
        lease_seconds=3,
        allow_loopback=True,
        user_agent=f"worker-{os.getpid()}",
        broker_options={"heartbeat_timeout": 3000, "maintenance_chance": 1_000_000},
    )
    """
)


@dataclass
class Receiver:
    """Counts POSTs per delivery id; answers 500 to the first `failures` of each, then 200."""

    failures: int = 0
    delay: float = 0.0
    posts: dict[str, list[tuple[float, int, str]]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def landed(self) -> set[str]:
        with self.lock:
            return {key for key, posts in self.posts.items() if any(status == 200 for _, status, _ in posts)}


@pytest.fixture
def receiver() -> Iterator[tuple[str, Receiver]]:
    state = Receiver()

    async def answer(request: Request) -> Response:
        await request.body()
        await asyncio.sleep(state.delay)
        delivery_id = request.headers["webhook-id"]
        with state.lock:
            seen = state.posts[delivery_id]
            status = 500 if len(seen) < state.failures else 200
            seen.append((time.monotonic(), status, request.headers["user-agent"]))
        return Response(b"", status)

    app = Starlette(routes=[Route("/hook", answer, methods=["POST"])])
    with serving(app, log_level="error") as base:
        yield f"{base}/hook", state


@pytest.fixture
def redis_url() -> Iterator[str]:
    with running_redis_server() as url:
        yield url


class Workers:
    """`dramatiq` worker processes, each in its own process group, stopped (or killed) by the test."""

    def __init__(self, folder: Path, redis_url: str, schedule: list[float]) -> None:
        (folder / "queue_worker.py").write_text(WORKER)
        self.folder = folder
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(folder)]),
            "TEST_REDIS_URL": redis_url,
            "TEST_SECRET": SECRET,
            "TEST_SCHEDULE": str(schedule),
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs_open: list[IO[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        dramatiq = Path(sys.executable).parent / "dramatiq"
        command = [str(dramatiq), "queue_worker", "--processes", "1", "--threads", "4"]
        log = (self.folder / f"worker-{len(self.processes)}.log").open("wb")
        self.logs_open.append(log)
        process = subprocess.Popen(
            command, cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self.logs_open:
            log.close()

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.folder.glob("worker-*.log")))


@pytest.fixture
def workers(tmp_path: Path, redis_url: str, request: pytest.FixtureRequest) -> Iterator[Workers]:
    running = Workers(tmp_path, redis_url, request.param)
    try:
        yield running
    finally:
        running.stop()


def producer(redis_url: str, schedule: list[float]) -> DeliveryQueue:
    """The application's side: the same queue, used only to enqueue."""
    return DeliveryQueue(
        redis_url, SECRET, schedule=schedule, jitter=0, allow_loopback=True, broker_options=BROKER_OPTIONS
    )


class Payload:
    def __init__(self, number: int) -> None:
        self.number = number

    def model_dump_json(self, **options: object) -> str:
        return f'{{"order": {self.number}}}'


def wait_for(condition: object, seconds: float, workers: Workers) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out; worker logs:\n{workers.logs()}"
        time.sleep(0.1)


@pytest.mark.parametrize("workers", [[0, 1, 2]], indirect=True)
def test_a_delivery_that_fails_twice_is_retried_by_the_worker_on_schedule_and_lands_once(redis_url, receiver, workers):
    url, state = receiver
    state.failures = 2
    workers.start()
    queue = producer(redis_url, [0, 1, 2])
    try:
        enqueued = queue.send(url, Payload(1))  # type: ignore[arg-type]
    finally:
        queue.close()
    delivery_id = enqueued.delivery.delivery_id
    wait_for(lambda: state.landed() == {delivery_id}, 60, workers)
    time.sleep(3)  # a stray or repeated attempt would arrive by now
    posts = state.posts[delivery_id]
    assert [status for _, status, _ in posts] == [500, 500, 200]
    gaps = [later - earlier for (earlier, _, _), (later, _, _) in itertools.pairwise(posts)]
    assert gaps[0] >= 1 - 0.05
    assert gaps[1] >= 2 - 0.05
    assert list(state.posts) == [delivery_id]


# The retries are due 30 s after the first attempts: the worker must be killed before any is, or it may have sent
# one, and the next worker sends it again (a second 200). With 10 s, one clean-clone run saw that second 200: more
# than 10 s had passed between a delivery's first attempt and the kill on a busy machine.
@pytest.mark.parametrize("workers", [[0, 30]], indirect=True)
def test_killing_the_worker_mid_schedule_loses_no_delivery(redis_url, receiver, workers):
    url, state = receiver
    state.failures = 1
    first = workers.start()
    queue = producer(redis_url, [0, 30])
    try:
        ids = {queue.send(url, Payload(number)).delivery.delivery_id for number in range(5)}  # type: ignore[arg-type]
    finally:
        queue.close()
    wait_for(lambda: set(state.posts) == ids, 60, workers)  # every first attempt failed; the retries are due in 30 s
    workers.kill(first)  # SIGKILL to the whole worker, its retries held or queued
    assert state.landed() == set()
    workers.start()
    wait_for(lambda: state.landed() == ids, 60, workers)
    time.sleep(2)
    assert {key: [status for _, status, _ in posts] for key, posts in state.posts.items()} == {
        key: [500, 200] for key in ids
    }


@pytest.mark.parametrize("workers", [[0, 1]], indirect=True)
def test_two_workers_never_make_the_same_attempt_twice(redis_url, receiver, workers):
    url, state = receiver
    state.failures = 1
    state.delay = 0.1  # a worker's four threads cannot take every message before the other worker's turn
    workers.start()
    workers.start()
    heartbeats = redis.Redis.from_url(redis_url)
    try:
        wait_for(lambda: heartbeats.zcard("dramatiq:__heartbeats__") >= 2, 60, workers)  # both workers are fetching
    finally:
        heartbeats.close()
    queue = producer(redis_url, [0, 1])
    try:
        results = [queue.send(url, Payload(number)) for number in range(20)]  # type: ignore[arg-type]
        for result in results:
            queue.enqueue(result.delivery)  # the same first attempt queued again: two workers may hold it at once
    finally:
        queue.close()
    ids = {result.delivery.delivery_id for result in results}
    wait_for(lambda: state.landed() == ids, 60, workers)
    time.sleep(3)
    assert {key: [status for _, status, _ in posts] for key, posts in state.posts.items()} == {
        key: [500, 200] for key in ids
    }
    agents = {agent for posts in state.posts.values() for _, _, agent in posts}
    assert len(agents) == 2, agents  # both workers posted
