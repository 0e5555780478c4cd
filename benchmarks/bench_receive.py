"""Benchmark: deliveries per second through the generated receiver against a hand-written FastAPI endpoint.

Both run in this process, in the same run, over httpx's ASGI transport (no sockets), with an async no-op
handler: the generated one verifies, dedupes (MemoryStore), parses and answers; the hand-written one
verifies and parses. Deliveries alternate between the two, each timed on its own, so that load from
elsewhere on a shared machine falls on both alike; the median time per delivery gives each rate.
Prints both rates and the ratio generated / hand-written (the issue aims at 0.9 or more).
Not a test: only the ratio within one run means something.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from generator.pipeline import generate
from generator.runtime._signatures import SignatureError, StandardWebhooksScheme

ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 200
SECRET = "whsec_" + base64.b64encode(b"bench" * 8).decode()
BODY = json.dumps(
    {"username": "ada", "monthly_fee": 12.5, "start_date": "2026-11-01T09:30:00Z", "plan": "pro", "trial_ends_at": None}
).encode()


class NoOp:
    """Async handlers that do nothing, for every webhook."""

    def __getattr__(self, name: str) -> Any:
        async def handle(payload: object) -> None:
            return None

        return handle


def hand_written_app(model: Any) -> FastAPI:
    """What a team would write by hand: verify the signature on the raw body, parse, call the handler."""
    app = FastAPI()
    scheme = StandardWebhooksScheme()
    handler = NoOp().new_subscription

    @app.post("/webhooks/new-subscription")
    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            scheme.verify({k.lower(): v for k, v in request.headers.items()}, body, [SECRET])
        except SignatureError:
            return Response(status_code=401)
        await handler(model.model_validate_json(body))
        return Response(status_code=200)

    return app


def signed_deliveries(count: int, prefix: str) -> list[dict[str, str]]:
    """`count` signed deliveries of BODY, each with its own id, so that none is a duplicate."""
    scheme = StandardWebhooksScheme()
    now = int(time.time())
    return [
        {**scheme.sign(BODY, SECRET, delivery_id=f"{prefix}{i}", timestamp=now), "content-type": "application/json"}
        for i in range(count)
    ]


async def paired_timings(generated: Any, baseline: Any, count: int, name: str) -> tuple[list[float], list[float]]:
    """Seconds per delivery of each app, measured in pairs: a delivery to one, then to the other, order alternating.

    Interleaving puts both under the same load at the same moment, which rounds of one app then the other do not.
    """
    timings: tuple[list[float], list[float]] = ([], [])
    apps = (generated, baseline)
    clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") for app in apps]
    # Ids unique to this round: a repeated id would be answered as a duplicate, without parsing or handler.
    deliveries = (signed_deliveries(count, f"{name}_generated_"), signed_deliveries(count, f"{name}_baseline_"))
    for i in range(count):
        for side in (0, 1) if i % 2 else (1, 0):
            start = time.perf_counter()
            response = await clients[side].post("/webhooks/new-subscription", content=BODY, headers=deliveries[side][i])
            timings[side].append(time.perf_counter() - start)
            assert response.status_code == 200 and b"duplicate" not in response.content, response.text
    for client in clients:
        await client.aclose()
    return timings


def main(count: int = 5000) -> None:
    """Generate the example package, then time both endpoints delivery by delivery and print the median rates."""
    with tempfile.TemporaryDirectory() as folder:
        generate(ROOT / "spec" / "openapi.yaml", Path(folder) / "out", package="bench_receivers")
        sys.path.insert(0, str(Path(folder) / "out"))
        receivers = importlib.import_module("bench_receivers.receivers")
        models = importlib.import_module("bench_receivers.models")
        generated_app = receivers.create_app(NoOp(), secrets=[SECRET])
        baseline_app = hand_written_app(models.NewSubscription)
        asyncio.run(paired_timings(generated_app, baseline_app, WARM_UP, "warm-up"))
        generated, baseline = asyncio.run(paired_timings(generated_app, baseline_app, count, "timed"))
    generated_rate, baseline_rate = 1 / statistics.median(generated), 1 / statistics.median(baseline)
    print(f"generated receiver {generated_rate:.0f}/s, hand-written endpoint {baseline_rate:.0f}/s (medians)", end=", ")
    print(f"ratio generated/hand-written {generated_rate / baseline_rate:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
