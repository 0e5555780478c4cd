"""Send signed webhook deliveries: serialise a model as the contract says, sign it, POST it, retry on a schedule.

`Sender` (sync) and `AsyncSender` (asyncio), both on httpx. One delivery keeps its id on every attempt; the
timestamp and signature are made afresh for each. An attempt succeeds on 2xx; connection errors, timeouts, 429 and
5xx are retried after the schedule's next delay (with jitter, and never sooner than the receiver's `Retry-After`);
410 marks the endpoint gone; any other answer (a redirect, which is never followed, or another 4xx) fails at once.

The default schedule is Standard Webhooks': immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later.
A process does not wait days: it makes at most `max_attempts_in_process` attempts, then returns a `Result` whose
`next_attempt_at` says when to call `resume(result)`, from a job queue or a cron job.

Before each attempt the target's host name is resolved once, and every address it resolves to must be public
(not loopback, private, link-local, cloud metadata, multicast or reserved) unless the sender allows it
(`allow_private=True`, or `allow_loopback=True` for 127.0.0.1 and ::1 alone). The request then goes to that address
itself, with the original Host header and TLS server name, so a second DNS answer (rebinding) is never used.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import enum
import ipaddress
import json
import random
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import httpx
import pydantic

from ._signatures import API_KEY, BASIC, credential_kind, scheme_from_declaration

__all__ = [
    "DEFAULT_ATTEMPTS_IN_PROCESS",
    "DEFAULT_SCHEDULE",
    "DEFAULT_TIMEOUT",
    "AsyncSender",
    "Attempt",
    "Credential",
    "Delivery",
    "Outcome",
    "RefusedTarget",
    "Result",
    "Sender",
    "encode",
    "exponential_schedule",
    "unix_seconds",
]

# Seconds to wait before each attempt, after the one before: Standard Webhooks' schedule.
DEFAULT_SCHEDULE: tuple[float, ...] = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
DEFAULT_TIMEOUT = 15.0
DEFAULT_ATTEMPTS_IN_PROCESS = 2
DEFAULT_JITTER = 0.1
# The longest a process sleeps between two attempts (a long Retry-After included); longer waits are left to resume.
DEFAULT_MAX_WAIT_IN_PROCESS = 60.0
# What is kept of a receiver's answer, to show why it refused.
_REASON_BYTES = 512
_METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
# What a security scheme sends: (user, password) for HTTP Basic, the key for an API key in a header.
Credential = str | tuple[str, str]
# A security requirement: alternatives, each the names of the schemes that must all be sent.
Requirement = tuple[tuple[str, ...], ...]


class RefusedTarget(Exception):  # noqa: N818 - it names the refusal, as SignatureError's siblings do
    """A target URL the sender may not connect to (its scheme, or an address that is not public)."""


class Outcome(enum.Enum):
    """Where a delivery stands after the attempts made so far."""

    DELIVERED = "delivered"  # a 2xx answer
    PENDING = "pending"  # retryable: resume at next_attempt_at
    FAILED = "failed"  # a redirect or a 4xx, or the schedule is spent
    GONE = "gone"  # 410: the receiver has removed this endpoint; stop sending to it
    REFUSED = "refused"  # the target is not one the sender may connect to


@dataclass(frozen=True)
class Attempt:
    """One attempt: when, the status answered (None when none was), latency in seconds, and what went wrong."""

    number: int
    at: datetime
    status: int | None
    latency: float
    error: str | None = None
    retry_after: float | None = None
    refused: bool = False


@dataclass(frozen=True)
class Delivery:
    """What is sent: the target, the body bytes, the delivery id kept across retries, and how to sign it."""

    url: str
    body: bytes
    delivery_id: str
    signature: Mapping[str, str] | None = None
    media_type: str | None = "application/json"
    # The security schemes sent with it (one alternative of the webhook's requirement); their credentials stay with
    # the sender, so a stored result never holds them.
    security: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """A delivery and every attempt made for it; `next_attempt_at` is set while the outcome is PENDING."""

    delivery: Delivery
    attempts: tuple[Attempt, ...] = ()
    outcome: Outcome = Outcome.PENDING
    next_attempt_at: datetime | None = None

    @property
    def delivered(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.outcome is Outcome.DELIVERED

    def to_json(self) -> str:
        """The result as JSON, to store or queue and `from_json` in another process (the body as base64)."""
        delivery = self.delivery
        document = {
            "version": _RESULT_FORMAT,
            "delivery": {
                "url": delivery.url,
                "body": base64.b64encode(delivery.body).decode("ascii"),
                "delivery_id": delivery.delivery_id,
                "signature": None if delivery.signature is None else dict(delivery.signature),
                "media_type": delivery.media_type,
                "security": list(delivery.security),
            },
            "attempts": [{**asdict(attempt), "at": attempt.at.isoformat()} for attempt in self.attempts],
            "outcome": self.outcome.value,
            "next_attempt_at": None if self.next_attempt_at is None else self.next_attempt_at.isoformat(),
        }
        return json.dumps(document, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Result:
        """The result `to_json` wrote; ValueError when the text is not one."""
        try:
            document = json.loads(text)
            if document.get("version") != _RESULT_FORMAT:
                raise ValueError(f"not a hookgen sender result of format {_RESULT_FORMAT}")
            stored = document["delivery"]
            delivery = Delivery(
                url=str(stored["url"]),
                body=base64.b64decode(stored["body"], validate=True),
                delivery_id=str(stored["delivery_id"]),
                signature=stored["signature"],
                media_type=stored["media_type"],
                security=tuple(str(name) for name in stored.get("security", ())),
            )
            attempts = tuple(
                Attempt(**{**attempt, "at": datetime.fromisoformat(attempt["at"])}) for attempt in document["attempts"]
            )
            due = document["next_attempt_at"]
            return cls(
                delivery,
                attempts,
                Outcome(document["outcome"]),
                None if due is None else datetime.fromisoformat(due),
            )
        except (KeyError, TypeError, AttributeError, binascii.Error) as error:
            raise ValueError(f"not a hookgen sender result: {type(error).__name__}: {error}") from None


# The version of `Result.to_json`'s document: a stored result of another format is refused, not misread.
_RESULT_FORMAT = 1


def encode(payload: pydantic.BaseModel | None) -> bytes:
    """A payload's body as the contract writes it: by alias, leaving out what was never set (no body for None)."""
    if payload is None:
        return b""
    return payload.model_dump_json(by_alias=True, exclude_unset=True).encode("utf-8")


def unix_seconds(moment: datetime) -> int:
    """Unix seconds of an aware datetime, converted (not relabelled as UTC: standard-webhooks issue 251)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a webhook timestamp must be a timezone-aware datetime")
    return int(moment.timestamp())


def exponential_schedule(first: float, factor: float, attempts: int, *, cap: float = 10 * 3600) -> tuple[float, ...]:
    """A schedule of `attempts` delays: immediately, then `first`, growing by `factor`, each at most `cap`."""
    return (0.0, *(min(cap, first * factor**n) for n in range(attempts - 1)))


def new_delivery_id() -> str:
    """A fresh delivery id, `msg_` and 32 hex digits."""
    return f"msg_{uuid.uuid4().hex}"


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, for TCP (one DNS answer, used for both the check and the connection)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class _Policy:
    """The retry schedule and the target guard: pure decisions shared by the sync and async senders."""

    schedule: tuple[float, ...]
    jitter: float
    max_attempts_in_process: int
    allow_private: bool
    allow_loopback: bool
    random: Callable[[], float] = field(default=random.random)

    def record(self, result: Result, attempt: Attempt) -> Result:
        """The result once `attempt` is added: its outcome, and when to try again if it is pending."""
        attempts = (*result.attempts, attempt)
        outcome = _outcome(attempt)
        if outcome is not Outcome.PENDING:
            return replace(result, attempts=attempts, outcome=outcome, next_attempt_at=None)
        if len(attempts) >= len(self.schedule):
            return replace(result, attempts=attempts, outcome=Outcome.FAILED, next_attempt_at=None)
        delay = self._delay(len(attempts), attempt.retry_after)
        return replace(result, attempts=attempts, next_attempt_at=attempt.at + timedelta(seconds=delay))

    def _delay(self, index: int, retry_after: float | None) -> float:
        spread = 1 + self.jitter * (2 * self.random() - 1)
        return max(self.schedule[index] * spread, retry_after or 0.0)

    def check(self, host: str, addresses: Sequence[str]) -> str:
        """The address to connect to, when every address `host` resolves to may be connected to."""
        if not addresses:
            raise RefusedTarget(f"{host} resolves to no address")
        for text in addresses:
            address = ipaddress.ip_address(text.split("%")[0])
            if not self._allowed(address):
                raise RefusedTarget(f"{host} resolves to {address}, {_kind(address)} address (allow_private=True)")
        return addresses[0]

    def _allowed(self, address: Address) -> bool:
        if self.allow_private or (self.allow_loopback and address.is_loopback):
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return self._allowed(address.ipv4_mapped)
        return address.is_global and not address.is_multicast and address not in _METADATA_ADDRESSES


def _kind(address: Address) -> str:
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata"
    if address.is_loopback:
        return "a loopback"
    if address.is_link_local:
        return "a link-local"
    return "a private" if address.is_private else "a non-public"


def _outcome(attempt: Attempt) -> Outcome:
    if attempt.refused:
        return Outcome.REFUSED
    status = attempt.status
    if status is None or status == 429 or status >= 500:
        return Outcome.PENDING
    if 200 <= status < 300:
        return Outcome.DELIVERED
    return Outcome.GONE if status == 410 else Outcome.FAILED


def _retry_after(response: httpx.Response, now: datetime) -> float | None:
    """The seconds a 429 or 5xx asks to wait, from `Retry-After` in seconds or as an HTTP date."""
    text = response.headers.get("retry-after", "").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, (moment - now).total_seconds())


def _status_error(response: httpx.Response, reason: bytes) -> str | None:
    if response.is_success:
        return None
    if response.is_redirect:
        return f"redirect to {response.headers.get('location', '?')} not followed"
    text = reason.decode("utf-8", "replace").strip()
    return f"HTTP {response.status_code}" + (f": {text}" if text else "")


def _transport_error(error: httpx.TransportError) -> str:
    kind = "timeout" if isinstance(error, httpx.TimeoutException) else "connection error"
    return f"{kind}: {type(error).__name__}{': ' + str(error) if str(error) else ''}"


class _Core:
    """Configuration and request building, shared by `Sender` and `AsyncSender`."""

    def __init__(
        self,
        secret: str,
        *,
        schedule: Sequence[float] = DEFAULT_SCHEDULE,
        max_attempts_in_process: int = DEFAULT_ATTEMPTS_IN_PROCESS,
        max_wait_in_process: float = DEFAULT_MAX_WAIT_IN_PROCESS,
        jitter: float = DEFAULT_JITTER,
        allow_private: bool = False,
        allow_loopback: bool = False,
        resolver: Resolver = system_resolver,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        user_agent: str = "hookgen-sender",
        credentials: Mapping[str, Credential] | None = None,
        security_schemes: Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        if not schedule or max_attempts_in_process < 1:
            raise ValueError("a sender needs a schedule and at least one attempt in process")
        self.secret = secret
        self.policy = _Policy(tuple(schedule), jitter, max_attempts_in_process, allow_private, allow_loopback)
        self.max_wait_in_process = max_wait_in_process
        self.resolver = resolver
        self.clock = clock
        self.user_agent = user_agent
        self.credentials = dict(credentials or {})
        if security_schemes is not None:  # a generated sender has its spec's already
            self.security_schemes = security_schemes

    # The security schemes the webhooks declare, by name; a generated sender sets its spec's.
    security_schemes: Mapping[str, Mapping[str, object]] = {}

    def delivery(
        self,
        url: str,
        payload: pydantic.BaseModel | None,
        *,
        signature: Mapping[str, str] | None = None,
        media_type: str | None = "application/json",
        delivery_id: str | None = None,
        security: Requirement | None = None,
    ) -> Delivery:
        """The delivery of `payload` to `url`, serialised as the contract says and signed as `signature` declares.

        `security` is the webhook's requirement: the first alternative whose schemes all have credentials is sent.
        """
        # A declaration or secret it cannot sign with fails here (ValueError), before any attempt.
        scheme_from_declaration(signature).sign(b"", self.secret, delivery_id="check", timestamp=0)
        schemes = self._alternative(security)
        body = encode(payload)
        media = None if payload is None else media_type
        return Delivery(url, body, delivery_id or new_delivery_id(), signature, media, schemes)

    def _alternative(self, security: Requirement | None) -> tuple[str, ...]:
        """The schemes of the first alternative the credentials satisfy; ValueError when none is."""
        if security is None:
            return ()
        for names in security:
            if all(self._credential_for(name) is not None for name in names):
                return tuple(names)
        wanted = " or ".join("+".join(names) for names in security)
        raise ValueError(f"the webhook requires security {wanted}: give credentials={{name: ...}} for it")

    def _credential_for(self, name: str) -> Credential | None:
        """The credential of a supported scheme, if one of the right kind is configured."""
        kind = credential_kind(self.security_schemes.get(name, {}))
        credential = self.credentials.get(name)
        if kind == BASIC:
            return credential if isinstance(credential, tuple) else None
        if kind == API_KEY:
            return credential if isinstance(credential, str) else None
        return None

    def _security_headers(self, delivery: Delivery) -> dict[str, str]:
        """The headers that carry the delivery's security schemes."""
        headers = {}
        for name in delivery.security:
            credential = self._credential_for(name)
            if isinstance(credential, tuple):
                token = base64.b64encode(f"{credential[0]}:{credential[1]}".encode()).decode("ascii")
                headers["Authorization"] = f"Basic {token}"
            elif credential is not None:
                headers[str(self.security_schemes[name]["name"])] = credential
            else:
                raise ValueError(f"no credential for security scheme {name!r}")
        return headers

    def start(self, delivery: Delivery) -> Result:
        """A result with no attempt yet, its first attempt due now."""
        return Result(delivery, next_attempt_at=self.clock())

    def target(self, delivery: Delivery) -> tuple[str, int]:
        """The host and port a delivery goes to; refused unless http or https."""
        url = httpx.URL(delivery.url)
        if url.scheme not in ("http", "https") or not url.host:
            raise RefusedTarget(f"{delivery.url!r} is not an http or https URL")
        return url.host, url.port or (443 if url.scheme == "https" else 80)

    def request(self, client: httpx.Client | httpx.AsyncClient, delivery: Delivery, at: datetime, ip: str) -> Any:
        """The signed request, addressed to `ip` with the URL's own Host header and TLS server name."""
        url = httpx.URL(delivery.url)
        scheme = scheme_from_declaration(delivery.signature)
        headers = scheme.sign(delivery.body, self.secret, delivery_id=delivery.delivery_id, timestamp=unix_seconds(at))
        headers.update(self._security_headers(delivery))
        headers["Host"] = url.netloc.decode("ascii")
        headers["User-Agent"] = self.user_agent
        if delivery.media_type is not None:
            headers["Content-Type"] = delivery.media_type
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        pinned = url.copy_with(host=ip)
        return client.build_request("POST", pinned, content=delivery.body, headers=headers, extensions=extensions)

    def wait(self, result: Result) -> float:
        """Seconds until the result's next attempt is due (0 when it is due already)."""
        if result.next_attempt_at is None:
            return 0.0
        return max(0.0, (result.next_attempt_at - self.clock()).total_seconds())

    def refused(self, number: int, at: datetime, error: RefusedTarget) -> Attempt:
        """The attempt the guard stopped."""
        return Attempt(number, at, None, 0.0, str(error), refused=True)


def _resumable(result: Result) -> Result:
    if result.outcome is not Outcome.PENDING:
        raise ValueError(f"a {result.outcome.value} delivery is not resumed")
    return result


class Sender(_Core):
    """Sends deliveries with a blocking httpx client; `send` returns once delivered, stopped, or pending."""

    def __init__(
        self, secret: str, *, timeout: float = DEFAULT_TIMEOUT, verify: ssl.SSLContext | bool = True, **options: Any
    ) -> None:
        """A sender signing with `secret`; options: schedule, max_attempts_in_process, jitter, allow_private, ...

        `verify` is httpx's: True checks https certificates against certifi's roots; an SSLContext trusts its own.
        """
        super().__init__(secret, **options)
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=verify)
        self.sleep: Callable[[float], None] = time.sleep

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
        """Deliver `payload` to `url`, retrying in process up to `max_attempts_in_process` attempts."""
        delivery = self.delivery(
            url, payload, signature=signature, media_type=media_type, delivery_id=delivery_id, security=security
        )
        return self.run(self.start(delivery))

    def resume(self, result: Result) -> Result:
        """Continue a pending delivery (waiting until its `next_attempt_at`), with the same delivery id."""
        return self.run(_resumable(result))

    def run(self, result: Result) -> Result:
        """Attempt a pending result until it is settled or this process's attempts are spent."""
        for number in range(self.policy.max_attempts_in_process):
            wait = self.wait(result)
            if number and wait > self.max_wait_in_process:
                break  # pending: its next_attempt_at is for resume
            self.sleep(wait)
            result = self.policy.record(result, self.attempt(result.delivery, len(result.attempts) + 1))
            if result.outcome is not Outcome.PENDING:
                break
        return result

    def attempt(self, delivery: Delivery, number: int) -> Attempt:
        """One signed POST of the delivery, recorded whatever happens."""
        at = self.clock()
        started = time.perf_counter()
        try:
            host, port = self.target(delivery)
            ip = self.policy.check(host, self.resolver(host, port))
            response = self.client.send(self.request(self.client, delivery, at, ip), stream=True)
            try:
                reason = b"" if response.is_success else _read_some(response.iter_bytes())
            finally:
                response.close()
        except RefusedTarget as error:
            return self.refused(number, at, error)
        except (httpx.TransportError, OSError) as error:
            message = _transport_error(error) if isinstance(error, httpx.TransportError) else f"resolve: {error}"
            return Attempt(number, at, None, time.perf_counter() - started, message)
        latency = time.perf_counter() - started
        return Attempt(
            number, at, response.status_code, latency, _status_error(response, reason), _retry_after(response, at)
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSender(_Core):
    """Sends deliveries with an asyncio httpx client; the same schedule, guard and results as `Sender`."""

    def __init__(
        self, secret: str, *, timeout: float = DEFAULT_TIMEOUT, verify: ssl.SSLContext | bool = True, **options: Any
    ) -> None:
        """A sender signing with `secret`; options as `Sender`'s, `verify` included."""
        super().__init__(secret, **options)
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False, verify=verify)
        self.sleep: Callable[[float], Any] = asyncio.sleep

    async def send(
        self,
        url: str,
        payload: pydantic.BaseModel | None,
        *,
        signature: Mapping[str, str] | None = None,
        media_type: str | None = "application/json",
        delivery_id: str | None = None,
        security: Requirement | None = None,
    ) -> Result:
        """Deliver `payload` to `url`, retrying in process up to `max_attempts_in_process` attempts."""
        delivery = self.delivery(
            url, payload, signature=signature, media_type=media_type, delivery_id=delivery_id, security=security
        )
        return await self.run(self.start(delivery))

    async def resume(self, result: Result) -> Result:
        """Continue a pending delivery (waiting until its `next_attempt_at`), with the same delivery id."""
        return await self.run(_resumable(result))

    async def run(self, result: Result) -> Result:
        """Attempt a pending result until it is settled or this process's attempts are spent."""
        for number in range(self.policy.max_attempts_in_process):
            wait = self.wait(result)
            if number and wait > self.max_wait_in_process:
                break  # pending: its next_attempt_at is for resume
            await self.sleep(wait)
            result = self.policy.record(result, await self.attempt(result.delivery, len(result.attempts) + 1))
            if result.outcome is not Outcome.PENDING:
                break
        return result

    async def attempt(self, delivery: Delivery, number: int) -> Attempt:
        """One signed POST of the delivery, recorded whatever happens."""
        at = self.clock()
        started = time.perf_counter()
        try:
            host, port = self.target(delivery)
            ip = self.policy.check(host, await asyncio.to_thread(self.resolver, host, port))
            response = await self.client.send(self.request(self.client, delivery, at, ip), stream=True)
            try:
                reason = b"" if response.is_success else await _aread_some(response)
            finally:
                await response.aclose()
        except RefusedTarget as error:
            return self.refused(number, at, error)
        except (httpx.TransportError, OSError) as error:
            message = _transport_error(error) if isinstance(error, httpx.TransportError) else f"resolve: {error}"
            return Attempt(number, at, None, time.perf_counter() - started, message)
        latency = time.perf_counter() - started
        return Attempt(
            number, at, response.status_code, latency, _status_error(response, reason), _retry_after(response, at)
        )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _read_some(chunks: Any) -> bytes:
    read = b""
    for chunk in chunks:
        read += chunk
        if len(read) >= _REASON_BYTES:
            break
    return read[:_REASON_BYTES]


async def _aread_some(response: httpx.Response) -> bytes:
    read = b""
    async for chunk in response.aiter_bytes():
        read += chunk
        if len(read) >= _REASON_BYTES:
            break
    return read[:_REASON_BYTES]
