"""Retries that outlive a process: each attempt of a delivery is a Dramatiq message on Redis, run by any worker.

Install the package's `queue` extra (Dramatiq with Redis). A worker module builds the queue, and `dramatiq` runs it:

    # webhook_worker.py
    queue = DeliveryQueue("redis://redis:6379/0", secret=os.environ["WEBHOOK_SECRET"])

    $ dramatiq webhook_worker --processes 2 --threads 4      # on as many machines as needed

The application builds the same queue and enqueues deliveries: `queue.enqueue(sender.delivery(url, payload, ...))`
(or `queue.send(url, payload, signature=..., media_type=...)`). Each message carries the whole `Result` as JSON.
A worker makes the one attempt that is due, then enqueues the next one, delayed until its `next_attempt_at`,
until the delivery lands, fails or is gone; `on_result` sees every result.

Why Dramatiq: its Redis broker hands each message to one worker and acknowledges it only when the actor returns;
a worker that dies (SIGKILL, a lost machine) stops sending heartbeats, and its unacknowledged messages, delayed ones
included, go back to the queue for the others. It supports redis-py up to 8 and is actively maintained. arq is
asyncio-native and smaller, but pins redis-py below 6.

Exactly one worker makes each attempt: before posting, a worker claims `delivery id:attempt number` in Redis (the
receivers' `RedisStore`), for `lease_seconds`. A message that finds its attempt done is dropped; one that finds it in
progress comes back after the lease, and is made again only if the worker holding it died before finishing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import dramatiq
import pydantic
import redis
from dramatiq.brokers.redis import RedisBroker

from ._dedupe import Claim, RedisStore
from ._sender import DEFAULT_TIMEOUT, Delivery, Outcome, Requirement, Result, Sender

__all__ = ["ACTOR_NAME", "DEFAULT_LEASE_SECONDS", "QUEUE_NAME", "DeliveryQueue"]

ACTOR_NAME = "hookgen_deliver"
QUEUE_NAME = "hookgen_deliveries"
# How long one worker holds an attempt: longer than an attempt can take (the sender's timeout), with room to spare.
DEFAULT_LEASE_SECONDS = 4 * math.ceil(DEFAULT_TIMEOUT)
# What an actor failure of ours (Redis unreachable when enqueuing the next attempt) gets: Dramatiq's own retries.
_ACTOR_RETRIES = 10
_ACTOR_MIN_BACKOFF_MS = 1000


class DeliveryQueue:
    """Deliveries whose attempts are Dramatiq messages on the Redis at `url`, signed with `secret`."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
        broker_options: Mapping[str, Any] | None = None,
        on_result: Callable[[Result], None] | None = None,
        key_prefix: str = "hookgen:sender:attempt:",
        **sender_options: Any,
    ) -> None:
        """Declare the actor on a Redis broker (made the global one, which `dramatiq` workers use).

        `sender_options` go to `Sender` (schedule, timeout, allow_private, credentials with the generated
        `sender.SECURITY_SCHEMES` as `security_schemes`, ...); `broker_options` to `RedisBroker`.
        """
        self.broker = RedisBroker(url=url, **(broker_options or {}))  # type: ignore[no-untyped-call]
        dramatiq.set_broker(self.broker)
        self.sender = Sender(secret, **{**sender_options, "max_attempts_in_process": 1})
        self.lease_seconds = lease_seconds
        self.claims = RedisStore(redis.Redis.from_url(url), prefix=key_prefix, claim_seconds=lease_seconds)
        self.on_result = on_result
        declare = dramatiq.actor(
            actor_name=ACTOR_NAME,
            queue_name=QUEUE_NAME,
            broker=self.broker,
            max_retries=_ACTOR_RETRIES,
            min_backoff=_ACTOR_MIN_BACKOFF_MS,
        )
        self.actor = declare(self.attempt)

    def send(
        self,
        url: str,
        payload: pydantic.BaseModel | None,
        *,
        signature: Mapping[str, str] | None = None,
        media_type: str | None = "application/json",
        delivery_id: str | None = None,
        security: Requirement | None = None,
    ) -> Result:
        """Enqueue the delivery of `payload` to `url`: its first attempt is due now."""
        delivery = self.sender.delivery(
            url, payload, signature=signature, media_type=media_type, delivery_id=delivery_id, security=security
        )
        return self.enqueue(delivery)

    def enqueue(self, delivery: Delivery) -> Result:
        """Enqueue a delivery (made by `Sender.delivery`); the pending result, with no attempt yet."""
        result = self.sender.start(delivery)
        self._enqueue(result, self.sender.wait(result))
        return result

    def resume(self, result: Result) -> None:
        """Enqueue a pending result (from `Sender.send` or `Result.from_json`) for its next attempt, when due."""
        if result.outcome is not Outcome.PENDING:
            raise ValueError(f"a {result.outcome.value} delivery is not resumed")
        self._enqueue(result, self.sender.wait(result))

    def attempt(self, text: str) -> None:
        """The actor: make the attempt a message carries, once across workers, and enqueue the next one."""
        result = Result.from_json(text)
        if result.outcome is not Outcome.PENDING:
            return
        number = len(result.attempts) + 1
        key = f"{result.delivery.delivery_id}:{number}"
        claim = self.claims.claim(key)
        if claim is Claim.DONE:
            return  # made, and its successor enqueued, by another worker
        if claim is Claim.IN_PROGRESS:
            self._enqueue(result, self.lease_seconds)  # look again once the holder's lease is over
            return
        try:
            result = self.sender.policy.record(result, self.sender.attempt(result.delivery, number))
            if result.outcome is Outcome.PENDING:
                self._enqueue(result, self.sender.wait(result))
        except BaseException:
            self.claims.release(key)
            raise
        self.claims.complete(key)
        if self.on_result is not None:
            self.on_result(result)

    def _enqueue(self, result: Result, delay_seconds: float) -> None:
        delay = math.ceil(delay_seconds * 1000)
        self.actor.send_with_options(args=(result.to_json(),), delay=delay or None)

    def close(self) -> None:
        """Close the sender's and the claims' connections, and the broker's."""
        self.sender.close()
        self.claims.close()
        self.broker.close()
