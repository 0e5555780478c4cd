"""Benchmark: the peak memory (RSS) one large delivery costs a receiver, against the body's size and a no-op app.

Each server runs in its own process under uvicorn on 127.0.0.1. After a small delivery warms it up, its peak RSS
(VmHWM in /proc/PID/status) is the floor; one signed delivery of about 20 MB then raises the peak, and the rise is
what that delivery cost. The servers:
- `baseline`: a hand-written FastAPI endpoint that reads the body and answers 200 (what any receiver must hold);
- `create_app`: the generated package's receivers with a no-op handler (verify, dedupe, parse, run);
- `hookgen listen`: the command, which also prints each delivery as one JSON line (to /dev/null here).
Two bodies: an order of many small line items (the model holds many small objects) and one long string.
Prints each rise in MB, as a multiple of the body and of the baseline's rise, and what parsing the body into its
model costs alone, in a plain process (the floor for any receiver that hands the handler a model), beside what
`json.loads` costs (the floor for any Python representation), and each receiver's rise above the model's own cost.
Linux only (/proc).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

from generator.runtime._signatures import StandardWebhooksScheme

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "whsec_" + base64.b64encode(b"memory" * 6).decode()
TARGET_BYTES = 20 * 1000 * 1000
MB = 1024 * 1024

BASELINE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI, Request, Response

    app = FastAPI()


    @app.post("/webhooks/{key}")
    async def receive(key: str, request: Request) -> Response:
        await request.body()
        return Response(status_code=200)
    """
)

GENERATED_APP = textwrap.dedent(
    """
    import os

    from subscriptions_webhooks.receivers import create_app


    class NoOp:
        def __getattr__(self, name):
            async def handle(payload):
                return None

            return handle


    app = create_app(NoOp(), secrets=[os.environ["BENCH_SECRET"]])
    """
)


def order_body() -> bytes:
    """An order.updated payload of about TARGET_BYTES: many small line items."""
    item = {"sku": "SKU-000001", "quantity": 3, "unit_price": {"value": 1999, "currency": "EUR"}}
    count = TARGET_BYTES // len(json.dumps(item))
    payload = {"order_id": "ord_1", "status": "shipped", "items": [item] * count, "updated_at": "2026-11-01T09:30:00Z"}
    return json.dumps(payload).encode()


def string_body() -> bytes:
    """A new-subscription payload of about TARGET_BYTES: one long string."""
    payload = {
        "username": "a" * TARGET_BYTES,
        "monthly_fee": 12.5,
        "start_date": "2026-11-01T09:30:00Z",
        "plan": "pro",
    }
    return json.dumps(payload).encode()


MODEL_ALONE = textwrap.dedent(
    """
    import json
    import sys
    from pathlib import Path

    from subscriptions_webhooks import models


    def peak():
        return next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmHWM:"))


    body = Path(sys.argv[2]).read_bytes()
    floor = peak()
    parse = json.loads if sys.argv[1] == "json.loads" else getattr(models, sys.argv[1]).model_validate_json
    parsed = parse(body)
    print(floor, peak() - floor)
    """
)


def model_alone(folder: Path, model: str, body: bytes) -> tuple[int, int]:
    """The peak RSS of a process holding the body, and its rise when the model parses it: the payload's own cost."""
    (folder / "body.json").write_bytes(body)
    command = [sys.executable, str(folder / "model_alone.py"), model, str(folder / "body.json")]
    floor, rise = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    return int(floor), int(rise)


def peak_rss(pid: int) -> int:
    """The peak resident set size of a process, in bytes (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/PID/status")


def free_port() -> int:
    """A free TCP port of 127.0.0.1."""
    import socket  # noqa: PLC0415

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(kind: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    """Start the server `kind` on `port`."""
    env = {**os.environ, "BENCH_SECRET": SECRET, "PYTHONPATH": str(folder), "HOOKGEN_CACHE": str(folder / "cache")}
    if kind == "hookgen listen":
        command = [str(BIN / "hookgen"), "listen", str(ROOT / "spec" / "openapi.yaml"), "--secret", SECRET]
        command += ["--port", str(port)]
    else:
        module = "baseline_app" if kind == "baseline" else "generated_app"
        command = [str(BIN / "uvicorn"), f"{module}:app", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)


def post(base: str, key: str, body: bytes, delivery_id: str) -> int:
    """Deliver a signed body to the webhook `key`; the status answered."""
    headers = StandardWebhooksScheme().sign(body, SECRET, delivery_id=delivery_id, timestamp=int(time.time()))
    headers["content-type"] = "application/json"
    return httpx.post(f"{base}/webhooks/{key}", content=body, headers=headers, timeout=120).status_code


def wait_until_serving(server: subprocess.Popen[bytes], base: str) -> None:
    """Wait until the server answers HTTP."""
    deadline = time.monotonic() + 120  # hookgen listen generates the package on its first run
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            httpx.get(base + "/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def measure(kind: str, folder: Path, key: str, body: bytes, small: bytes) -> tuple[int, int]:
    """The server's peak RSS after a small delivery, and its rise after the large one, in bytes."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(kind, folder, port)
    try:
        wait_until_serving(server, base)
        post(base, key, small, "warm-up")
        floor = peak_rss(server.pid)
        status = post(base, key, body, "large")
        if status >= 300:
            raise RuntimeError(f"{kind} answered {status} to the large delivery")
        return floor, peak_rss(server.pid) - floor
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    """Measure each server on each body; print the rises and their ratios."""
    small_order = json.dumps(
        {
            "order_id": "o",
            "status": "shipped",
            "items": [{"sku": "s", "quantity": 1, "unit_price": {"value": 1, "currency": "EUR"}}],
            "updated_at": "2026-11-01T09:30:00Z",
        }
    ).encode()
    small_string = json.dumps(
        {"username": "ada", "monthly_fee": 1.0, "start_date": "2026-11-01T09:30:00Z", "plan": "pro"}
    ).encode()
    cases = [
        ("order.updated", "OrderUpdated", order_body(), small_order),
        ("new-subscription", "NewSubscription", string_body(), small_string),
    ]
    with tempfile.TemporaryDirectory(prefix="hookgen-bench-memory-") as name:
        folder = Path(name)
        (folder / "baseline_app.py").write_text(BASELINE_APP)
        (folder / "generated_app.py").write_text(GENERATED_APP)
        (folder / "model_alone.py").write_text(MODEL_ALONE)
        for key, model, body, small in cases:
            size = len(body)
            print(f"{key}: one delivery of {size / MB:.1f} MB")
            _, plain = model_alone(folder, "json.loads", body)
            _, parsed = model_alone(folder, model, body)
            print(f"  json.loads alone, in a plain process: +{plain / MB:.1f} MB = {plain / size:4.1f}x the body")
            print(
                f"  {model}.model_validate_json alone, in a plain process: +{parsed / MB:.1f} MB = "
                f"{parsed / size:4.1f}x the body, {parsed / plain:.1f}x json.loads"
            )
            rises = {}
            for kind in ("baseline", "create_app", "hookgen listen"):
                floor, rise = measure(kind, folder, key, body, small)
                rises[kind] = rise
                versus = f", {rise / rises['baseline']:.1f}x the baseline's" if kind != "baseline" else ""
                print(
                    f"  {kind:15} {floor / MB:6.1f} MB -> peak {(floor + rise) / MB:6.1f} MB: "
                    f"+{rise / MB:6.1f} MB = {rise / size:4.1f}x the body{versus}"
                )
                if kind != "baseline":
                    own = rise - parsed
                    print(f"  {'':15} above the model alone: {own / MB:+6.1f} MB = {own / size:4.1f}x the body")


if __name__ == "__main__":
    main()
