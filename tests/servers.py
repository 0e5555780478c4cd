"""Serve an ASGI app with a real uvicorn on 127.0.0.1, in a thread of the test's process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from .redis_server import free_port

STARTUP_SECONDS = 10


@contextmanager
def serving(app: Any, **options: Any) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL (`https` when `ssl_certfile` is given)."""
    # No log_config: uvicorn's loggers propagate, so caplog sees any traceback the server logs.
    options.setdefault("log_config", None)
    options.setdefault("log_level", "warning")
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started, "uvicorn did not start"
        scheme = "https" if options.get("ssl_certfile") else "http"
        yield f"{scheme}://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
