"""The dedupe stores: MemoryStore, and RedisStore against a real redis-server."""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from generator.runtime._dedupe import (
    DEFAULT_CLAIM_SECONDS,
    DEFAULT_WINDOW_SECONDS,
    Claim,
    DedupeStore,
    MemoryStore,
    RedisStore,
)

from .redis_server import MISSING_MESSAGE, REQUIRE_REDIS_VARIABLE, redis_url_fixture, require_redis_server

redis_url = redis_url_fixture()

# Redis expires a key some milliseconds after its time; waiting this much longer leaves no doubt.
EXPIRY_MARGIN = 0.2
CALLERS = 50
PROCESSES = 5
BARRIER_SECONDS = 60.0


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Backend:
    """Makes stores of one kind, and lets their time pass."""

    name: str
    make: Callable[..., DedupeStore]
    wait: Callable[[float], None]


def unique_prefix() -> str:
    return f"hookgen-test:{uuid.uuid4().hex}:"


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def memory_backend() -> Backend:
    clock = FakeClock()
    return Backend("memory", lambda **options: MemoryStore(clock=clock, **options), clock.advance)


def redis_backend(client: redis.Redis) -> Backend:
    prefix = unique_prefix()
    return Backend("redis", lambda **options: RedisStore(client, prefix=prefix, **options), time.sleep)


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        return memory_backend()
    return redis_backend(request.getfixturevalue("redis_client"))


def claim_together(store: DedupeStore, delivery_id: str, callers: int, barrier: Any) -> list[Claim]:
    """Claim one id from `callers` threads that all wait at `barrier` first, so they really claim at once."""

    def claim_when_all_are_ready() -> Claim:
        barrier.wait(timeout=BARRIER_SECONDS)
        return store.claim(delivery_id)

    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(claim_when_all_are_ready) for _ in range(callers)]
        return [future.result() for future in futures]


# --- both stores ---


def test_first_claim_is_new_then_in_progress_then_done(backend: Backend) -> None:
    store = backend.make()
    assert store.claim("evt_1") is Claim.NEW
    assert store.claim("evt_1") is Claim.IN_PROGRESS
    store.complete("evt_1")
    assert store.claim("evt_1") is Claim.DONE
    assert store.claim("evt_1") is Claim.DONE


def test_release_lets_a_retry_claim_again(backend: Backend) -> None:
    store = backend.make()
    assert store.claim("evt_1") is Claim.NEW
    store.release("evt_1")
    assert store.claim("evt_1") is Claim.NEW
    assert store.claim("evt_1") is Claim.IN_PROGRESS


def test_release_never_forgets_a_completed_delivery(backend: Backend) -> None:
    store = backend.make()
    assert store.claim("evt_1") is Claim.NEW
    store.complete("evt_1")
    store.release("evt_1")
    assert store.claim("evt_1") is Claim.DONE


def test_release_of_an_unknown_id_does_nothing(backend: Backend) -> None:
    store = backend.make()
    store.release("evt_never_seen")
    assert store.claim("evt_never_seen") is Claim.NEW


def test_a_claim_expires_so_a_retry_after_a_crash_gets_new(backend: Backend) -> None:
    store = backend.make(claim_seconds=1)
    assert store.claim("evt_1") is Claim.NEW
    assert store.claim("evt_1") is Claim.IN_PROGRESS
    backend.wait(1 + EXPIRY_MARGIN)
    assert store.claim("evt_1") is Claim.NEW
    assert store.claim("evt_1") is Claim.IN_PROGRESS


def test_a_completed_delivery_is_forgotten_after_the_window(backend: Backend) -> None:
    store = backend.make(window_seconds=1)
    assert store.claim("evt_1") is Claim.NEW
    store.complete("evt_1")
    assert store.claim("evt_1") is Claim.DONE
    backend.wait(1 + EXPIRY_MARGIN)
    assert store.claim("evt_1") is Claim.NEW


def test_completing_after_the_claim_expired_still_records_done(backend: Backend) -> None:
    store = backend.make(claim_seconds=1)
    assert store.claim("evt_1") is Claim.NEW
    backend.wait(1 + EXPIRY_MARGIN)
    store.complete("evt_1")
    assert store.claim("evt_1") is Claim.DONE


def test_distinct_ids_are_independent(backend: Backend) -> None:
    store = backend.make()
    assert store.claim("evt_a") is Claim.NEW
    assert store.claim("evt_b") is Claim.NEW
    store.complete("evt_a")
    assert store.claim("evt_b") is Claim.IN_PROGRESS
    store.release("evt_b")
    assert store.claim("evt_a") is Claim.DONE
    assert store.claim("evt_b") is Claim.NEW
    assert store.claim("evt_c") is Claim.NEW


def test_exactly_one_of_50_threads_claiming_at_once_gets_new(backend: Backend) -> None:
    store = backend.make()
    outcomes = Counter(claim_together(store, "evt_1", CALLERS, threading.Barrier(CALLERS)))
    assert outcomes == {Claim.NEW: 1, Claim.IN_PROGRESS: CALLERS - 1}
    store.complete("evt_1")
    assert Counter(claim_together(store, "evt_1", CALLERS, threading.Barrier(CALLERS))) == {Claim.DONE: CALLERS}


# --- MemoryStore ---


def test_memory_claim_lives_exactly_claim_seconds() -> None:
    clock = FakeClock()
    store = MemoryStore(claim_seconds=300, clock=clock)
    assert store.claim("evt_1") is Claim.NEW
    clock.advance(299.999)
    assert store.claim("evt_1") is Claim.IN_PROGRESS
    clock.advance(0.001)
    assert store.claim("evt_1") is Claim.NEW


def test_memory_done_lives_exactly_the_window() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    store.claim("evt_1")
    store.complete("evt_1")
    clock.advance(DEFAULT_WINDOW_SECONDS - 1)
    assert store.claim("evt_1") is Claim.DONE
    clock.advance(1)
    assert store.claim("evt_1") is Claim.NEW


def test_memory_store_never_holds_more_than_max_entries_and_evicts_the_oldest() -> None:
    clock = FakeClock()
    store = MemoryStore(max_entries=3, clock=clock)
    for number in range(10):
        assert store.claim(f"evt_{number}") is Claim.NEW
        clock.advance(1)
        assert len(store) <= 3
    assert [store.claim(f"evt_{number}") for number in (7, 8, 9)] == [Claim.IN_PROGRESS] * 3
    assert store.claim("evt_0") is Claim.NEW
    assert len(store) == 3
    assert store.claim("evt_7") is Claim.NEW


def test_memory_store_evicts_expired_ids_before_the_oldest() -> None:
    clock = FakeClock()
    store = MemoryStore(window_seconds=1000, claim_seconds=10, max_entries=2, clock=clock)
    store.claim("evt_done")
    store.complete("evt_done")
    clock.advance(1)
    store.claim("evt_crashed")
    clock.advance(10)
    assert store.claim("evt_new") is Claim.NEW
    assert len(store) == 2
    assert store.claim("evt_done") is Claim.DONE


def test_memory_store_bounds_completed_ids_too() -> None:
    store = MemoryStore(max_entries=100, clock=FakeClock())
    for number in range(1000):
        store.claim(f"evt_{number}")
        store.complete(f"evt_{number}")
    assert len(store) == 100
    assert store.claim("evt_999") is Claim.DONE
    assert store.claim("evt_0") is Claim.NEW


@pytest.mark.parametrize(
    "options",
    [{"window_seconds": 0}, {"claim_seconds": 0}, {"claim_seconds": -1}, {"max_entries": 0}],
)
def test_memory_store_refuses_non_positive_limits(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        MemoryStore(**options)


def test_default_window_covers_the_longest_documented_retry_schedule() -> None:
    standard_webhooks_last_attempt = 75 * 3600 + 35 * 60 + 5
    assert 2 * standard_webhooks_last_attempt <= DEFAULT_WINDOW_SECONDS
    assert 0 < DEFAULT_CLAIM_SECONDS < DEFAULT_WINDOW_SECONDS


# --- RedisStore ---


def _claim_in_another_process(url: str, prefix: str, delivery_id: str, barrier: Any, results: Any) -> None:
    store = RedisStore.from_url(url, prefix=prefix)
    try:
        outcomes = claim_together(store, delivery_id, CALLERS // PROCESSES, barrier)
        results.put([outcome.value for outcome in outcomes])
    finally:
        store.close()


def test_exactly_one_of_50_claims_from_separate_processes_gets_new(redis_url: str) -> None:
    # spawn: each process starts afresh with its own Redis client, as separate machines would.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CALLERS)
    results = context.Queue()
    arguments = (redis_url, unique_prefix(), "evt_1", barrier, results)
    processes = [context.Process(target=_claim_in_another_process, args=arguments) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    try:
        outcomes = Counter(Claim(value) for _ in processes for value in results.get(timeout=BARRIER_SECONDS))
    finally:
        for process in processes:
            process.join(timeout=BARRIER_SECONDS)
        results.close()
        results.join_thread()
    assert [process.exitcode for process in processes] == [0] * PROCESSES
    assert outcomes == {Claim.NEW: 1, Claim.IN_PROGRESS: CALLERS - 1}


@pytest.mark.parametrize("decode_responses", [False, True])
def test_from_url_works_against_the_real_server(redis_url: str, decode_responses: bool) -> None:
    store = RedisStore.from_url(redis_url, prefix=unique_prefix(), decode_responses=decode_responses)
    try:
        assert store.claim("evt_1") is Claim.NEW
        assert store.claim("evt_1") is Claim.IN_PROGRESS
        store.complete("evt_1")
        assert store.claim("evt_1") is Claim.DONE
    finally:
        store.close()


def test_from_url_passes_store_options(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url, prefix="custom:", window_seconds=60, claim_seconds=5)
    try:
        assert (store.prefix, store.window_seconds, store.claim_seconds) == ("custom:", 60, 5)
        assert store.key("evt_1") == "custom:evt_1"
    finally:
        store.close()


def test_from_url_without_redis_py_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"install redis-py: pip install redis"):
        RedisStore.from_url("redis://127.0.0.1:1/0")


def test_redis_keys_carry_their_expiry(redis_client: redis.Redis) -> None:
    store = RedisStore(redis_client, prefix=unique_prefix())
    key = store.key("evt_1")
    assert key.startswith(store.prefix)
    store.claim("evt_1")
    assert redis_client.get(key) == b"in-progress"
    assert DEFAULT_CLAIM_SECONDS - 5 < redis_client.ttl(key) <= DEFAULT_CLAIM_SECONDS
    store.complete("evt_1")
    assert redis_client.get(key) == b"done"
    assert DEFAULT_WINDOW_SECONDS - 5 < redis_client.ttl(key) <= DEFAULT_WINDOW_SECONDS
    store.release("evt_1")
    assert DEFAULT_WINDOW_SECONDS - 5 < redis_client.ttl(key) <= DEFAULT_WINDOW_SECONDS


def test_redis_release_deletes_the_claim_key(redis_client: redis.Redis) -> None:
    store = RedisStore(redis_client, prefix=unique_prefix())
    store.claim("evt_1")
    store.release("evt_1")
    assert redis_client.exists(store.key("evt_1")) == 0


def test_redis_default_prefix(redis_client: redis.Redis) -> None:
    assert RedisStore(redis_client).key("evt_1") == "hookgen:delivery:evt_1"


def test_redis_store_refuses_non_positive_expiries(redis_client: redis.Redis) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        RedisStore(redis_client, claim_seconds=0)


# --- the rule for a missing redis-server ---


def test_missing_redis_server_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv(REQUIRE_REDIS_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match=MISSING_MESSAGE):
        require_redis_server()


def test_missing_redis_server_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setenv(REQUIRE_REDIS_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match=MISSING_MESSAGE):
        require_redis_server()
