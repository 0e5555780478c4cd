"""Benchmark: deliveries per second through the generated receiver against a hand-written FastAPI endpoint.

Both run in this process, in the same run, over httpx's ASGI transport (no sockets), with an async no-op
handler: the generated one verifies, dedupes (MemoryStore), parses and answers; the hand-written one
verifies and parses. Prints both rates and the ratio generated / hand-written (the issue aims at 0.9 or more).
Not a test: only the ratio within one run means something.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from generator.pipeline import generate
from generator.runtime.signatures import SignatureError, StandardWebhooksScheme

ROOT = Path(__file__).resolve().parents[1]
# Rounds alternate the two endpoints; the best of each is kept, so a burst of load elsewhere does not decide.
ROUNDS = 5
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


async def rate(app: Any, count: int) -> float:
    """Deliveries per second of `count` distinct signed deliveries, posted one after another."""
    scheme = StandardWebhooksScheme()
    now = int(time.time())
    deliveries = [
        {**scheme.sign(BODY, SECRET, delivery_id=f"msg_{i}", timestamp=now), "content-type": "application/json"}
        for i in range(count)
    ]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        start = time.perf_counter()
        for headers in deliveries:
            response = await client.post("/webhooks/new-subscription", content=BODY, headers=headers)
            assert response.status_code == 200, response.text
        return count / (time.perf_counter() - start)


def main(count: int = 3000) -> None:
    """Generate the example package, then time both endpoints alternately (ROUNDS times) and print the best rates."""
    with tempfile.TemporaryDirectory() as folder:
        generate(ROOT / "spec" / "openapi.yaml", Path(folder) / "out", package="bench_receivers")
        sys.path.insert(0, str(Path(folder) / "out"))
        receivers = importlib.import_module("bench_receivers.receivers")
        models = importlib.import_module("bench_receivers.models")
        generated_rates, baseline_rates = [], []
        for _ in range(ROUNDS):
            generated_rates.append(asyncio.run(rate(receivers.create_app(NoOp(), secrets=[SECRET]), count)))
            baseline_rates.append(asyncio.run(rate(hand_written_app(models.NewSubscription), count)))
    generated_rate, baseline_rate = max(generated_rates), max(baseline_rates)
    print(f"generated receiver {generated_rate:.0f}/s, hand-written endpoint {baseline_rate:.0f}/s", end=", ")
    print(f"ratio generated/hand-written {generated_rate / baseline_rate:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
