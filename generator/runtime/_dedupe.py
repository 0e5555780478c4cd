"""Dropping duplicate webhook deliveries: providers retry, so one delivery id can arrive many times, even at once.

A receiver calls `claim(delivery_id)` before running its handler:

- `Claim.NEW`: this caller owns the delivery. Run the handler, then `complete()` it, or `release()` it on failure
  so that the provider's next retry runs the handler again.
- `Claim.IN_PROGRESS`: another worker is running the handler right now; answer 409 so the provider retries later.
- `Claim.DONE`: already handled; answer 2xx without running the handler.

`MemoryStore` serves one process; `RedisStore` serves any number of processes and machines sharing one Redis.
This module uses the standard library only: `RedisStore` takes a redis-py client that the caller made.
"""

from __future__ import annotations

import enum
import importlib
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

__all__ = [
    "DEFAULT_CLAIM_SECONDS",
    "DEFAULT_REDIS_TIMEOUT",
    "DEFAULT_WINDOW_SECONDS",
    "Claim",
    "DedupeStore",
    "MemoryStore",
    "RedisClient",
    "RedisStore",
]

# How long a completed delivery id is remembered. It must outlast every retry of the same id:
# - Standard Webhooks, example schedule: last attempt 75 h 35 min after the first
#   https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
# - Svix: 8 attempts, the last 27 h 35 min after the first  https://docs.svix.com/retries
# - Stripe (live mode): retries for up to 3 days  https://docs.stripe.com/webhooks/process-undelivered-events
# - Shopify: 8 retries over 4 hours  https://shopify.dev/changelog/updates-to-webhook-retry-mechanism
# - GitHub: no automatic retries  https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries
#   but a manual redelivery (same X-GitHub-Delivery) is offered for 3 days
#   https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/redelivering-webhooks
# 7 days is more than twice the longest of these, leaving room for a provider's own backlog and delays.
DEFAULT_WINDOW_SECONDS = 7 * 24 * 60 * 60

# How long an in-progress claim lives when its worker dies mid-handler; after that a retry gets NEW again.
# It must be longer than a handler ever runs, or a slow handler's delivery can be claimed a second time.
DEFAULT_CLAIM_SECONDS = 300


class Claim(enum.Enum):
    """What `DedupeStore.claim` found for a delivery id."""

    NEW = "new"
    IN_PROGRESS = "in-progress"
    DONE = "done"


class DedupeStore(Protocol):
    """Where a receiver records the deliveries it handles."""

    def claim(self, delivery_id: str) -> Claim:
        """Claim a delivery: exactly one of any number of concurrent callers gets `Claim.NEW`."""
        ...

    def complete(self, delivery_id: str) -> None:
        """Mark a claimed delivery as handled, remembered for the window."""
        ...

    def release(self, delivery_id: str) -> None:
        """Forget an in-progress claim after the handler failed, so a retry gets `Claim.NEW`; never forgets DONE."""
        ...


def _require_positive(name: str, value: float) -> None:
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")


class _Timeline:
    """Delivery ids sharing one lifetime, oldest first: the expired ones are always at the front."""

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self._started: dict[str, float] = {}  # insertion order is start order

    def __len__(self) -> int:
        return len(self._started)

    def alive(self, delivery_id: str, now: float) -> bool:
        started = self._started.get(delivery_id)
        return started is not None and now - started < self.lifetime

    def add(self, delivery_id: str, now: float) -> None:
        self._started.pop(delivery_id, None)
        self._started[delivery_id] = now

    def discard(self, delivery_id: str) -> None:
        self._started.pop(delivery_id, None)

    def oldest_start(self) -> float:
        return next(iter(self._started.values()), float("inf"))

    def drop_oldest(self) -> None:
        del self._started[next(iter(self._started))]

    def drop_expired(self, now: float) -> None:
        while self._started and now - self.oldest_start() >= self.lifetime:
            self.drop_oldest()


class MemoryStore:
    """A store in this process's memory: thread-safe, with expiry and at most `max_entries` ids.

    Expiry is checked on every lookup; expired ids are swept out at most every `_SWEEP_SECONDS`
    (and whenever the store is full), so a delivery costs a few dictionary operations.
    """

    _SWEEP_SECONDS = 1.0

    def __init__(
        self,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        claim_seconds: float = DEFAULT_CLAIM_SECONDS,
        max_entries: int = 1_000_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Remember completed ids for `window_seconds` and claims for `claim_seconds`, by `clock`."""
        _require_positive("window_seconds", window_seconds)
        _require_positive("claim_seconds", claim_seconds)
        _require_positive("max_entries", max_entries)
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._in_progress = _Timeline(claim_seconds)
        self._done = _Timeline(window_seconds)
        self._next_sweep = float("-inf")

    def __len__(self) -> int:
        """The number of ids remembered, expired ones included until the next sweep drops them."""
        with self._lock:
            return len(self._in_progress) + len(self._done)

    def claim(self, delivery_id: str) -> Claim:
        """Claim a delivery: exactly one of any number of concurrent callers gets `Claim.NEW`."""
        with self._lock:
            now = self._now()
            if self._done.alive(delivery_id, now):
                return Claim.DONE
            if self._in_progress.alive(delivery_id, now):
                return Claim.IN_PROGRESS
            self._done.discard(delivery_id)  # expired, not yet swept
            self._make_room(now)
            self._in_progress.add(delivery_id, now)
            return Claim.NEW

    def complete(self, delivery_id: str) -> None:
        """Mark a delivery as handled, remembered for the window."""
        with self._lock:
            now = self._now()
            self._in_progress.discard(delivery_id)
            self._done.discard(delivery_id)
            self._make_room(now)
            self._done.add(delivery_id, now)

    def release(self, delivery_id: str) -> None:
        """Forget an in-progress claim so a retry gets `Claim.NEW`; a completed delivery stays DONE."""
        with self._lock:
            self._in_progress.discard(delivery_id)

    def _now(self) -> float:
        now = self._clock()
        if now >= self._next_sweep:
            self._sweep(now)
        return now

    def _sweep(self, now: float) -> None:
        self._in_progress.drop_expired(now)
        self._done.drop_expired(now)
        self._next_sweep = now + self._SWEEP_SECONDS

    def _make_room(self, now: float) -> None:
        if len(self._in_progress) + len(self._done) < self.max_entries:
            return
        self._sweep(now)  # expired ids go first
        while len(self._in_progress) + len(self._done) >= self.max_entries:
            oldest = min(self._in_progress, self._done, key=_Timeline.oldest_start)
            oldest.drop_oldest()


class RedisClient(Protocol):
    """The part of a redis-py `redis.Redis` client that `RedisStore` uses."""

    def set(self, name: str, value: str, *, ex: int | None = ..., nx: bool = ...) -> Any:
        """SET, optionally with an expiry in seconds (EX) and only when absent (NX)."""
        ...

    def get(self, name: str) -> Any:
        """GET: the value as bytes or str, or None when absent."""
        ...

    def eval(self, script: str, numkeys: int, *keys_and_args: str) -> Any:
        """Run a Lua script atomically on the server."""
        ...

    def close(self) -> None:
        """Close the client's connections."""
        ...


# Deletes the key only while it still holds an in-progress claim, so a release can never forget a DONE record.
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

# How long `RedisStore.from_url`'s client waits for Redis to connect or to answer one command, in seconds. A Redis
# that is down, or paused, then costs a delivery this long (twice, with the one retry), and the receiver answers 503.
DEFAULT_REDIS_TIMEOUT = 2.0

# A claim seen taken can vanish (expired, released) before it is read; after this many tries report it taken.
_CLAIM_ATTEMPTS = 3


def _as_text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class RedisStore:
    """A store in Redis, shared by every process and machine that uses the same server and prefix."""

    def __init__(
        self,
        client: RedisClient,
        *,
        prefix: str = "hookgen:delivery:",
        window_seconds: int = DEFAULT_WINDOW_SECONDS,
        claim_seconds: int = DEFAULT_CLAIM_SECONDS,
    ) -> None:
        """Use `client` (a `redis.Redis`), keys `prefix + delivery_id`, and these expiries in whole seconds."""
        _require_positive("window_seconds", window_seconds)
        _require_positive("claim_seconds", claim_seconds)
        self.client = client
        self.prefix = prefix
        self.window_seconds = window_seconds
        self.claim_seconds = claim_seconds

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "hookgen:delivery:",
        window_seconds: int = DEFAULT_WINDOW_SECONDS,
        claim_seconds: int = DEFAULT_CLAIM_SECONDS,
        **client_options: Any,
    ) -> RedisStore:
        """A store on a new redis-py client for `url` (redis://host:port/db), made with `client_options`.

        Unless `client_options` say otherwise, the client gives up on a command after DEFAULT_REDIS_TIMEOUT
        seconds and retries it once, so a Redis that is down or paused fails a delivery (503) instead of hanging it.
        """
        try:
            # Imported by name so that this module, copied into generated packages, needs redis-py only here.
            redis = importlib.import_module("redis")
        except ImportError as error:
            raise ImportError("RedisStore.from_url needs redis-py; install redis-py: pip install redis") from error
        retry = importlib.import_module("redis.retry").Retry(importlib.import_module("redis.backoff").NoBackoff(), 1)
        # redis-py waits forever (5.x) or retries for tens of seconds (8.x) by default: a delivery must not.
        defaults = {
            "socket_timeout": DEFAULT_REDIS_TIMEOUT,
            "socket_connect_timeout": DEFAULT_REDIS_TIMEOUT,
            "retry": retry,
        }
        client = redis.Redis.from_url(url, **{**defaults, **client_options})
        return cls(client, prefix=prefix, window_seconds=window_seconds, claim_seconds=claim_seconds)

    def key(self, delivery_id: str) -> str:
        """The Redis key that holds a delivery's state."""
        return self.prefix + delivery_id

    def claim(self, delivery_id: str) -> Claim:
        """Claim a delivery: exactly one of any number of concurrent callers gets `Claim.NEW` (SET NX)."""
        key = self.key(delivery_id)
        for _ in range(_CLAIM_ATTEMPTS):
            if self.client.set(key, Claim.IN_PROGRESS.value, ex=self.claim_seconds, nx=True):
                return Claim.NEW
            state = _as_text(self.client.get(key))
            if state is not None:
                return Claim(state)
        return Claim.IN_PROGRESS

    def complete(self, delivery_id: str) -> None:
        """Mark a delivery as handled, remembered for the window (even if its claim expired meanwhile)."""
        self.client.set(self.key(delivery_id), Claim.DONE.value, ex=self.window_seconds)

    def release(self, delivery_id: str) -> None:
        """Forget an in-progress claim so a retry gets `Claim.NEW`; a completed delivery stays DONE."""
        self.client.eval(_RELEASE_SCRIPT, 1, self.key(delivery_id), Claim.IN_PROGRESS.value)

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()
