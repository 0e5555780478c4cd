"""The sender: typed deliveries to the generated receiver over uvicorn, retries against a scripted server, the guard."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest
import standardwebhooks
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.commands.fidelity.judge import body_examples
from generator.runtime._sender import (
    DEFAULT_SCHEDULE,
    AsyncSender,
    Outcome,
    RefusedTarget,
    Result,
    Sender,
    _Policy,
    encode,
    exponential_schedule,
    unix_seconds,
)

from .conftest import EXAMPLE_KEYS, ROOT, Imported
from .redis_server import free_port
from .servers import serving

SECRET = "whsec_" + base64.b64encode(b"sender-secret-32-bytes-long!!!!!").decode()
FAST = (0, 0.01, 0.01, 0.01)


@dataclass
class Seen:
    """A request the scripted server received."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Script:
    """What the scripted server answers, in order (then 200), and what it received."""

    answers: list[tuple[int, dict[str, str]] | str] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)


class Payload:
    """A stand-in for a model: the sender needs only model_dump_json."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def model_dump_json(self, **options: Any) -> str:
        assert options == {"by_alias": True, "exclude_unset": True}
        return json.dumps(self.data)


PAYLOAD: Any = Payload({"order": 1})


@pytest.fixture(scope="module")
def scripted() -> Iterator[tuple[str, Script]]:
    script = Script()

    async def answer(request: Request) -> Response:
        script.seen.append(Seen(request.url.path, dict(request.headers), await request.body()))
        planned = script.answers.pop(0) if script.answers else (200, {})
        if planned == "hang":
            await asyncio.sleep(2)
            planned = (200, {})
        assert not isinstance(planned, str)
        status, headers = planned
        return Response(b"refused: a reason" if status >= 400 else b"", status, headers=headers)

    app = Starlette(routes=[Route("/{path:path}", answer, methods=["POST"])])
    with serving(app) as url:
        yield url, script


@pytest.fixture
def server(scripted: tuple[str, Script]) -> tuple[str, Script]:
    url, script = scripted
    script.answers.clear()
    script.seen.clear()
    return url, script


def sender(**options: Any) -> Sender:
    options.setdefault("schedule", FAST)
    options.setdefault("max_attempts_in_process", len(options["schedule"]))
    return Sender(SECRET, allow_loopback=True, **options)


def verify(seen: Seen) -> Any:
    """The payload, once the official standardwebhooks library has verified the request's signature."""
    return standardwebhooks.Webhook(SECRET).verify(seen.body, seen.headers)


# ---- every webhook of the example, into the generated receiver over uvicorn


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda payload: self.calls.append((name, payload))


def test_the_sender_delivers_every_example_webhook_to_the_generated_receiver(example: Imported):
    from subscriptions_webhooks import models, receivers  # noqa: PLC0415 - the committed, installed package
    from subscriptions_webhooks.sender import WebhookSender  # noqa: PLC0415

    recorder = Recorder()
    webhooks = example.generated.spec.webhooks
    assert [webhook.key for webhook in webhooks] == EXAMPLE_KEYS
    with (
        serving(receivers.create_app(recorder, secrets=[SECRET])) as url,
        WebhookSender(SECRET, allow_loopback=True) as client,
    ):
        for webhook in webhooks:
            assert webhook.body is not None
            model = getattr(models, webhook.body.model_name)
            payload = model.model_validate(body_examples(example.document, webhook)[0])
            path = "/webhooks/" + webhook.key.replace("/", "%2F")
            result = getattr(client, f"send_{webhook.python_name}")(url + path, payload)
            assert result.delivered, (webhook.key, result.attempts)
            name, received = recorder.calls[-1]
            assert name == webhook.python_name
            assert type(received) is model
            assert received == payload


def test_the_async_sender_delivers_to_the_generated_receiver(example: Imported):
    from subscriptions_webhooks import models, receivers  # noqa: PLC0415
    from subscriptions_webhooks.sender import AsyncWebhookSender  # noqa: PLC0415

    recorder = Recorder()
    webhook = example.webhook("monitoring.alert")
    payload = models.Alert.model_validate(body_examples(example.document, webhook)[0])

    async def send(url: str) -> Any:
        async with AsyncWebhookSender(SECRET, allow_loopback=True) as client:
            return await client.send_monitoring_alert(url + "/webhooks/monitoring.alert", payload)

    with serving(receivers.create_app(recorder, secrets=[SECRET])) as url:
        result = asyncio.run(send(url))
    assert result.delivered
    assert recorder.calls == [("monitoring_alert", payload)]


class Aliased(pydantic.BaseModel):
    sender: str = pydantic.Field(alias="from")
    note: str = "a default"


def test_the_body_is_what_was_set_by_alias():
    from subscriptions_webhooks import models  # noqa: PLC0415

    alert = {"alert_id": "a", "severity": "critical", "metric": "cpu", "value": 1, "threshold": 0}
    alert |= {"triggered_at": "2026-01-01T00:00:00Z"}
    assert json.loads(encode(models.Alert.model_validate(alert))).keys() == alert.keys()  # labels are MISSING
    assert json.loads(encode(Aliased.model_validate({"from": "ada"}))) == {"from": "ada"}
    assert encode(None) == b""


# ---- signatures


def test_every_attempt_verifies_with_standardwebhooks_keeping_its_id_with_a_fresh_timestamp(server):
    url, script = server
    script.answers[:] = [(500, {}), (503, {})]
    ticks = iter(range(0, 600, 20))
    with sender(clock=lambda: datetime.now(UTC) + timedelta(seconds=next(ticks) - 120)) as client:
        result = client.send(url + "/hook", PAYLOAD, delivery_id="msg_fixed")
    assert [attempt.status for attempt in result.attempts] == [500, 503, 200]
    assert result.outcome is Outcome.DELIVERED
    assert {seen.headers["webhook-id"] for seen in script.seen} == {"msg_fixed"}
    assert len({seen.headers["webhook-timestamp"] for seen in script.seen}) == 3
    assert len({seen.headers["webhook-signature"] for seen in script.seen}) == 3
    assert [verify(seen) for seen in script.seen] == [{"order": 1}] * 3


def test_a_non_utc_aware_clock_is_converted_not_relabelled(server):
    url, script = server
    tokyo = timezone(timedelta(hours=9))
    with sender(clock=lambda: datetime.now(tokyo)) as client:
        assert client.send(url + "/hook", PAYLOAD).delivered
    assert abs(int(script.seen[0].headers["webhook-timestamp"]) - time.time()) < 60
    assert verify(script.seen[0]) == {"order": 1}


def test_unix_seconds_converts_aware_datetimes_and_refuses_naive_ones():
    moment = datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=9)))
    assert unix_seconds(moment) == unix_seconds(datetime(2026, 1, 1, tzinfo=UTC)) == 1767225600
    with pytest.raises(ValueError, match="timezone-aware"):
        unix_seconds(datetime(2026, 1, 1))


def test_a_secret_it_cannot_sign_with_fails_before_any_attempt(server):
    url, script = server
    with Sender("whsec_not base64!", allow_loopback=True) as client, pytest.raises(ValueError, match="base64"):
        client.send(url + "/hook", PAYLOAD)
    assert script.seen == []


# ---- retries


def test_429_waits_at_least_retry_after(server):
    url, script = server
    script.answers[:] = [(429, {"Retry-After": "7"})]
    waits: list[float] = []
    with sender() as client:
        client.sleep = waits.append
        result = client.send(url + "/hook", PAYLOAD)
    assert [attempt.status for attempt in result.attempts] == [429, 200]
    assert result.attempts[0].retry_after == 7
    assert waits[1] >= 6.9  # the schedule says 0.01 s; the clock moved a little since the attempt


def test_a_retry_after_longer_than_a_process_waits_is_left_to_resume(server):
    url, script = server
    script.answers[:] = [(503, {"Retry-After": "3600"})]
    waits: list[float] = []
    with sender() as client:
        client.sleep = waits.append
        result = client.send(url + "/hook", PAYLOAD)
    assert result.outcome is Outcome.PENDING
    assert len(result.attempts) == 1
    assert max(waits) < 1


def test_a_retry_after_date_is_honoured(server):
    url, script = server
    later = datetime.now(UTC) + timedelta(seconds=30)
    script.answers[:] = [(503, {"Retry-After": later.strftime("%a, %d %b %Y %H:%M:%S GMT")})]
    with sender(max_attempts_in_process=1) as client:
        result = client.send(url + "/hook", PAYLOAD)
    assert result.outcome is Outcome.PENDING
    assert result.next_attempt_at is not None
    assert result.next_attempt_at >= later - timedelta(seconds=2)


@pytest.mark.parametrize(("status", "outcome"), [(410, Outcome.GONE), (404, Outcome.FAILED), (400, Outcome.FAILED)])
def test_410_is_gone_and_other_4xx_are_not_retried(server, status: int, outcome: Outcome):
    url, script = server
    script.answers[:] = [(status, {})]
    with sender() as client:
        result = client.send(url + "/hook", PAYLOAD)
    assert result.outcome is outcome
    assert len(result.attempts) == len(script.seen) == 1
    assert result.attempts[0].error == f"HTTP {status}: refused: a reason"


def test_a_redirect_is_not_followed(server):
    url, script = server
    script.answers[:] = [(307, {"Location": url + "/elsewhere"})]
    with sender() as client:
        result = client.send(url + "/hook", PAYLOAD)
    assert result.outcome is Outcome.FAILED
    assert [seen.path for seen in script.seen] == ["/hook"]
    assert result.attempts[0].error == f"redirect to {url}/elsewhere not followed"


def test_a_hanging_receiver_times_out_and_is_retried(server):
    url, script = server
    script.answers[:] = ["hang", "hang"]
    with sender(schedule=(0, 0.01), timeout=0.2) as client:
        result = client.send(url + "/hook", PAYLOAD)
    assert result.outcome is Outcome.FAILED  # two attempts: the schedule is spent
    assert [attempt.status for attempt in result.attempts] == [None, None]
    assert all(attempt.error and attempt.error.startswith("timeout") for attempt in result.attempts)
    assert all(attempt.latency < 1.5 for attempt in result.attempts)


def test_a_connection_error_is_retried():
    with sender(schedule=(0, 0.01)) as client:
        result = client.send(f"http://127.0.0.1:{free_port()}/hook", PAYLOAD)
    assert [attempt.status for attempt in result.attempts] == [None, None]
    assert all(attempt.error and attempt.error.startswith("connection error") for attempt in result.attempts)


def test_a_pending_delivery_resumes_with_the_same_id(server):
    url, script = server
    script.answers[:] = [(500, {})]
    with sender(max_attempts_in_process=1) as client:
        pending = client.send(url + "/hook", PAYLOAD)
        assert pending.outcome is Outcome.PENDING
        assert pending.next_attempt_at is not None
        done = client.resume(pending)
        with pytest.raises(ValueError, match="delivered delivery is not resumed"):
            client.resume(done)
    assert done.delivered
    assert [attempt.number for attempt in done.attempts] == [1, 2]
    assert script.seen[0].headers["webhook-id"] == script.seen[1].headers["webhook-id"] == done.delivery.delivery_id


RESUME_ELSEWHERE = """
import sys
from pathlib import Path

from generator.runtime._sender import Result, Sender

path = Path(sys.argv[1])
with Sender(sys.argv[2], allow_loopback=True, schedule=(0, 0.01, 0.01)) as client:
    path.write_text(client.resume(Result.from_json(path.read_text())).to_json())
"""


def test_a_pending_result_saved_as_json_resumes_in_another_process(server, tmp_path):
    url, script = server
    script.answers[:] = [(503, {"Retry-After": "0"})]
    with sender(schedule=(0, 0.01, 0.01), max_attempts_in_process=1) as client:
        pending = client.send(url + "/hook", PAYLOAD, signature={"scheme": "standard-webhooks"})
    assert pending.outcome is Outcome.PENDING
    saved = tmp_path / "result.json"
    saved.write_text(pending.to_json())
    command = [sys.executable, "-c", RESUME_ELSEWHERE, str(saved), SECRET]
    done = subprocess.run(command, check=False, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    resumed = Result.from_json(saved.read_text())
    assert resumed.delivered
    assert resumed.delivery == pending.delivery
    assert resumed.attempts[0] == pending.attempts[0]
    assert [(attempt.number, attempt.status) for attempt in resumed.attempts] == [(1, 503), (2, 200)]
    assert [seen.headers["webhook-id"] for seen in script.seen] == [pending.delivery.delivery_id] * 2
    assert [verify(seen) for seen in script.seen] == [json.loads(encode(PAYLOAD))] * 2
    assert Result.from_json(resumed.to_json()) == resumed


@pytest.mark.parametrize("text", ["{}", '{"version": 2}', '{"version": 1, "delivery": {}}', "[]"])
def test_a_result_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="not a hookgen sender result"):
        Result.from_json(text)


def test_the_default_schedule_is_standard_webhooks_and_says_when_to_resume(server):
    url, script = server
    script.answers[:] = [(500, {})]
    assert DEFAULT_SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    with Sender(SECRET, allow_loopback=True, max_attempts_in_process=1) as client:
        result = client.send(url + "/hook", PAYLOAD)
    assert result.next_attempt_at is not None
    wait = (result.next_attempt_at - result.attempts[0].at).total_seconds()
    assert 4.5 <= wait <= 5.5


def test_jitter_spreads_the_schedule_and_a_spent_schedule_fails():
    low = _Policy((0, 100, 100), 0.1, 3, False, False, random=lambda: 0.0)
    high = _Policy((0, 100, 100), 0.1, 3, False, False, random=lambda: 1.0)
    assert (low._delay(1, None), high._delay(1, None)) == pytest.approx((90, 110))
    assert low._delay(1, 500) == 500
    assert exponential_schedule(1, 2, 4) == (0, 1, 2, 4)


def test_the_async_sender_retries_and_stops_like_the_sync_one(server):
    url, script = server
    script.answers[:] = [(502, {}), (410, {})]

    async def send() -> Any:
        async with AsyncSender(SECRET, allow_loopback=True, schedule=FAST, max_attempts_in_process=4) as client:
            return await client.send(url + "/hook", PAYLOAD)

    result = asyncio.run(send())
    assert [attempt.status for attempt in result.attempts] == [502, 410]
    assert result.outcome is Outcome.GONE


# ---- the target guard


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.0.1", "[::1]", "[::ffff:10.0.0.1]", "0.0.0.0"]
)
def test_the_guard_refuses_non_public_addresses_by_default(host: str):
    with Sender(SECRET, schedule=FAST, max_attempts_in_process=4) as client:
        result = client.send(f"http://{host}:9/hook", PAYLOAD)
    assert result.outcome is Outcome.REFUSED
    assert len(result.attempts) == 1
    assert "allow_private=True" in (result.attempts[0].error or "")


def test_the_guard_names_cloud_metadata():
    policy = _Policy(FAST, 0, 1, False, False)
    with pytest.raises(RefusedTarget, match="cloud metadata"):
        policy.check("metadata.example", ["169.254.169.254"])
    assert policy.check("example.com", ["93.184.216.34"]) == "93.184.216.34"


def test_loopback_is_refused_unless_allowed(server):
    url, script = server
    with Sender(SECRET) as strict, Sender(SECRET, allow_private=True) as relaxed:
        assert strict.send(url + "/hook", PAYLOAD).outcome is Outcome.REFUSED
        assert script.seen == []
        assert relaxed.send(url + "/hook", PAYLOAD).delivered
    assert len(script.seen) == 1


def test_a_host_name_is_resolved_once_and_that_address_is_used(server):
    url, script = server
    port = int(url.rsplit(":", 1)[1])
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    resolved: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        resolved.append(host)
        return next(answers)

    with Sender(SECRET, allow_loopback=True, resolver=rebinding, schedule=FAST, max_attempts_in_process=1) as client:
        first = client.send(f"http://hooks.example.com:{port}/hook", PAYLOAD)
        second = client.send(f"http://hooks.example.com:{port}/hook", PAYLOAD)
    assert first.delivered
    assert script.seen[0].headers["host"] == f"hooks.example.com:{port}"
    assert second.outcome is Outcome.REFUSED  # the second answer points inside: refused, not connected to
    assert resolved == ["hooks.example.com", "hooks.example.com"]
    assert len(script.seen) == 1


def test_a_url_that_is_not_http_is_refused():
    with Sender(SECRET, allow_private=True) as client:
        result = client.send("file:///etc/passwd", PAYLOAD)
    assert result.outcome is Outcome.REFUSED
