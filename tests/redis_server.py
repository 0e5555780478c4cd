"""A real redis-server for tests: started on a free port of 127.0.0.1 in a temporary folder, stopped afterwards.

In a test module, `redis_url = redis_url_fixture()` makes a `redis_url` fixture; or use `running_redis_server()`.
Without redis-server on PATH the tests that need it skip, or fail when HOOKGEN_REQUIRE_REDIS=1 (as in CI).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REQUIRE_REDIS_VARIABLE = "HOOKGEN_REQUIRE_REDIS"
MISSING_MESSAGE = "redis-server not installed; .ci/run installs it"
STARTUP_SECONDS = 10.0
STOP_SECONDS = 5.0
START_ATTEMPTS = 3


def require_redis_server() -> str:
    """The path of redis-server; skips the test without it, or fails it when HOOKGEN_REQUIRE_REDIS=1."""
    path = shutil.which("redis-server")
    if path is not None:
        return path
    if os.environ.get(REQUIRE_REDIS_VARIABLE) == "1":
        pytest.fail(f"{MISSING_MESSAGE} ({REQUIRE_REDIS_VARIABLE}=1 makes the Redis tests required)", pytrace=False)
    pytest.skip(MISSING_MESSAGE)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers_ping(port: int) -> bool:
    """Whether a Redis server on 127.0.0.1:`port` answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _start(executable: str, port: int, folder: Path) -> subprocess.Popen[bytes]:
    command = [
        executable,
        *("--save", ""),
        *("--appendonly", "no"),
        *("--port", str(port)),
        *("--bind", "127.0.0.1"),
        *("--dir", str(folder)),
    ]
    with (folder / "redis.log").open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _wait_until_ready(server: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        if answers_ping(port):
            return True
        time.sleep(0.02)
    return False


def _start_ready(executable: str, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    # Another program can take the free port before redis-server binds it: then try another port.
    for _ in range(START_ATTEMPTS):
        port = free_port()
        server = _start(executable, port, folder)
        if _wait_until_ready(server, port):
            return server, port
        _stop(server)
    log = (folder / "redis.log").read_text(errors="replace")
    raise RuntimeError(f"redis-server did not answer PING after {START_ATTEMPTS} attempts; its last log:\n{log}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextmanager
def running_redis_server() -> Iterator[str]:
    """Run a redis-server on a free port of 127.0.0.1 and yield its URL, redis://127.0.0.1:PORT/0."""
    executable = require_redis_server()
    with tempfile.TemporaryDirectory(prefix="hookgen-redis-") as folder:
        server, port = _start_ready(executable, Path(folder))
        try:
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            _stop(server)


def redis_url_fixture() -> Any:
    """A session-scoped fixture yielding the URL of a redis-server; use it as `redis_url = redis_url_fixture()`."""

    @pytest.fixture(scope="session")
    def redis_url() -> Iterator[str]:
        with running_redis_server() as url:
            yield url

    return redis_url
