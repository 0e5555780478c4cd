"""The framework-agnostic receiving core: verify, dedupe and parse a delivery, then run its handler.

`Receiver.check(key, headers, body)` takes the raw body bytes and returns a `Delivery` to hand to a handler,
or an `Answer` (a status and a reason) when the handler is not to see it; `Receiver.receive` /
`Receiver.receive_async` also run the handler and record the delivery as done (or release it when the handler
raises, so the provider's retry runs it again).
A FastAPI, Flask or Django view, or a queue worker, is a thin adapter over these.

The steps, in order: body size (413), content type (415), signature and timestamp (401), which webhook
(an unknown event is answered 2xx and logged), duplicate delivery id (2xx, or 409 while another worker
runs it, or 503 while the dedupe store cannot be reached), payload (400 when not UTF-8 JSON, 422 when the model
refuses it), handler (500 when it raises), then the 2xx status the spec declares.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import inspect
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import ModuleType
from typing import Any

import pydantic

from ._dedupe import Claim, DedupeStore, MemoryStore
from ._signatures import (
    BASIC,
    DEFAULT_TOLERANCE_SECONDS,
    Scheme,
    SignatureError,
    credential_kind,
    scheme_from_declaration,
)

__all__ = [
    "DEFAULT_MAX_BODY",
    "Credential",
    "current_delivery",
    "Delivery",
    "Endpoint",
    "Handler",
    "Receiver",
    "Answer",
    "log_refusal",
]

# GitHub's own payload cap: 25 MiB.
DEFAULT_MAX_BODY = 25 * 1024 * 1024
logger = logging.getLogger(__name__)
# One line per delivery a handler does not see (4xx), with the `Answer` as the record's `hookgen_answer`.
refusals = logging.getLogger(__name__ + ".refused")

Handler = Callable[[Any], "Awaitable[None] | None"]
# What a security scheme expects: (user, password) for HTTP Basic, the key for an API key in a header.
Credential = str | tuple[str, str]
_current: ContextVar[Delivery] = ContextVar("hookgen_current_delivery")


def current_delivery() -> Delivery:
    """The delivery whose handler is running (its webhook key, delivery id, payload and raw body)."""
    return _current.get()


@dataclass(frozen=True)
class Endpoint:
    """What the receiver needs to know of one webhook: its model, media type, success status and signature.

    `model_ref` is the body's model, or its name in `models`: a name is resolved on the first delivery (`model`),
    so that a receiver imports only the models of the webhooks it is sent.
    """

    key: str
    handler_name: str
    model_ref: type[pydantic.BaseModel] | str | None
    media_type: str | None
    success_status: int
    signature: Mapping[str, str] | None
    # Alternatives, each the names of security schemes that must all pass; None: the spec declares no security.
    security: tuple[tuple[str, ...], ...] | None = None
    models: ModuleType | None = field(default=None, repr=False, compare=False)

    @cached_property
    def model(self) -> type[pydantic.BaseModel] | None:
        """The body's model (None for a webhook without a body), imported on first use when named."""
        if isinstance(self.model_ref, str):
            model: type[pydantic.BaseModel] = getattr(self.models, self.model_ref)
            return model
        return self.model_ref

    @property
    def model_name(self) -> str | None:
        """The name of the body's model, without importing it."""
        if self.model_ref is None or isinstance(self.model_ref, str):
            return self.model_ref
        return self.model_ref.__name__


@dataclass(frozen=True)
class Delivery:
    """A verified, new delivery, parsed into its webhook's model (None for a webhook without a body)."""

    endpoint: Endpoint
    delivery_id: str
    payload: pydantic.BaseModel | None
    body: bytes = field(repr=False, default=b"")


@dataclass(frozen=True)
class Answer:
    """What a receiver answers a delivery with: a status, a reason, and the validation errors of a 422."""

    status: int
    reason: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    headers: Mapping[str, str] = field(default_factory=dict)
    # Which webhook and delivery were refused, where known (the delivery id once the signature is verified).
    webhook: str | None = None
    delivery_id: str | None = None


def log_refusal(answer: Answer) -> None:
    """Log a refused delivery as one line, no traceback; the record carries the answer as `hookgen_answer`."""
    refusals.info(
        "webhook delivery refused: %d %s (webhook %r, delivery %r)",
        answer.status,
        answer.reason,
        answer.webhook,
        answer.delivery_id,
        extra={"hookgen_answer": answer},
    )


class Receiver:
    """Receives deliveries for a set of webhooks, with one dedupe store and one set of secrets."""

    def __init__(
        self,
        endpoints: Sequence[Endpoint],
        handlers: object,
        *,
        secrets: Sequence[str],
        store: DedupeStore | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        signature: Mapping[str, str] | None = None,
        security_schemes: Mapping[str, Mapping[str, object]] | None = None,
        credentials: Mapping[str, Credential] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Receive `endpoints` with `handlers`; `signature` is the document's scheme, which a single endpoint uses.

        `clock` gives the current unix time that timestamps are checked against; tests can pin it.

        The secrets are checked against every scheme now, so a bad one fails at start-up, not per delivery.
        """
        if isinstance(secrets, str):
            raise TypeError("secrets must be a sequence of strings, not one string")
        self.endpoints = {endpoint.key: endpoint for endpoint in endpoints}
        self.schemes = {endpoint.key: scheme_from_declaration(endpoint.signature) for endpoint in endpoints}
        self.handlers = _handlers_of(handlers, endpoints)
        self._media_types = {endpoint.key: _media_types([endpoint]) for endpoint in endpoints}
        self._media_types[""] = _media_types(endpoints)  # the single endpoint takes any webhook's
        self._coroutine_handlers = {
            key for key, handler in self.handlers.items() if inspect.iscoroutinefunction(handler)
        }
        self.secrets = tuple(secrets)
        self.store: DedupeStore = MemoryStore() if store is None else store
        # The memory store answers at once; any other (Redis) does network I/O, kept off the event loop.
        self._store_in_memory = isinstance(self.store, MemoryStore)
        self.max_body = max_body
        self.tolerance = tolerance
        self.clock = clock
        self.schemes[""] = scheme_from_declaration(signature)
        for scheme in set(self.schemes.values()):
            _check_secrets(scheme, self.secrets)
        self.security = _Security(security_schemes or {}, credentials or {})
        for endpoint in endpoints:
            self.security.check_configured(endpoint)

    def check(
        self,
        key: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        event_field: str | None = None,
    ) -> Delivery | Answer:
        """Verify, dedupe and parse one delivery for the webhook `key`, or for the event it names when `key` is "".

        With `key` "" the document's scheme verifies it, and the event type comes from that scheme's event header,
        or from the payload's `event_field` when given; an event type is a webhook key.
        A `Delivery` is claimed in the store: finish it with `run` or `run_async`. A refusal (4xx) is logged.
        """
        checked = self._check(key, headers, body, event_field)
        if isinstance(checked, Answer) and checked.status >= 400:
            if checked.webhook is None and key:
                checked = replace(checked, webhook=key)
            log_refusal(checked)
        return checked

    def _check(self, key: str, headers: Mapping[str, str], body: bytes, event_field: str | None) -> Delivery | Answer:
        headers = {name.lower(): value for name, value in headers.items()}
        if len(body) > self.max_body:
            return Answer(413, f"body larger than {self.max_body} bytes")
        scheme = self.schemes[key]
        if not _content_type_allowed(headers.get("content-type"), self._media_types[key]):
            accepted = ", ".join(sorted(self._media_types[key]))
            return Answer(415, f"unsupported content type: this endpoint reads {accepted}")
        try:
            verified = scheme.verify(headers, body, self.secrets, tolerance=self.tolerance, now=self.clock())
        except SignatureError as error:
            return Answer(401, str(error))
        resolved = self._resolve(key, verified.event_type, body, event_field)
        if isinstance(resolved, Answer):
            return resolved
        if not self.security.allows(resolved, headers):
            challenge = self.security.challenge(resolved)
            return Answer(401, "missing or wrong credentials", headers=challenge, webhook=resolved.key)
        delivery_id = verified.delivery_id or _delivery_id_in_body(resolved.key, body, scheme.id_field)
        return self._claim_and_parse(resolved, delivery_id, body)

    def _resolve(self, key: str, event_type: str | None, body: bytes, event_field: str | None) -> Endpoint | Answer:
        if key:
            return self.endpoints[key]
        if event_field is not None:
            field_value = _payload_field(body, event_field)
            if isinstance(field_value, Answer):
                return field_value
            event_type = field_value
        endpoint = self.endpoints.get(event_type or "")
        if endpoint is None:
            logger.warning("webhook delivery for unknown event type %r ignored", event_type)
            return Answer(200, f"unknown event type {event_type!r}: ignored")
        return endpoint

    def _claim_and_parse(self, endpoint: Endpoint, delivery_id: str, body: bytes) -> Delivery | Answer:
        try:
            claim = self.store.claim(delivery_id)
        except Exception as error:  # noqa: BLE001 - any failure of the store (Redis down, paused): the sender retries
            _log_store_failure("claim", delivery_id, error)
            return Answer(503, "the dedupe store is unavailable; retry later", webhook=endpoint.key)
        if claim is Claim.DONE:
            return Answer(endpoint.success_status, "duplicate delivery: already handled")
        if claim is Claim.IN_PROGRESS:
            return Answer(
                409, "this delivery is being handled; retry later", webhook=endpoint.key, delivery_id=delivery_id
            )
        try:
            parsed = _parse(endpoint, body)
        except BaseException:
            self._release(delivery_id)  # a failure of ours: the provider's retry must not find it claimed
            raise
        if isinstance(parsed, Answer):
            self._release(delivery_id)
            return replace(parsed, webhook=endpoint.key, delivery_id=delivery_id)
        return Delivery(endpoint, delivery_id, parsed, body)

    def receive(self, key: str, headers: Mapping[str, str], body: bytes, **options: Any) -> Answer:
        """Check a delivery and run its handler (an async one with asyncio.run): what to answer the sender."""
        checked = self.check(key, headers, body, **options)
        return checked if isinstance(checked, Answer) else self.run(checked)

    async def receive_async(self, key: str, headers: Mapping[str, str], body: bytes, **options: Any) -> Answer:
        """Check a delivery and run its handler (a sync one in a worker thread): what to answer the sender."""
        if self._store_in_memory:
            checked = self.check(key, headers, body, **options)
        else:
            # Another store does network I/O (Redis): keep it off the event loop.
            checked = await asyncio.to_thread(self.check, key, headers, body, **options)
        return checked if isinstance(checked, Answer) else await self.run_async(checked)

    def run(self, delivery: Delivery) -> Answer:
        """Run a checked delivery's handler, then complete its claim, or release it when the handler raises."""
        token = _current.set(delivery)
        try:
            _run_sync(self.handlers[delivery.endpoint.key], delivery.payload)
        except Exception:  # noqa: BLE001 - whatever a handler raises is answered 500, and the provider retries
            _log_failure(delivery)
            return self._released(delivery)
        finally:
            _current.reset(token)
        return self._done(delivery)

    async def run_async(self, delivery: Delivery) -> Answer:
        """Await a checked delivery's handler, then complete its claim, or release it when the handler raises."""
        token = _current.set(delivery)
        handler = self.handlers[delivery.endpoint.key]
        try:
            if delivery.endpoint.key in self._coroutine_handlers:
                await handler(delivery.payload)
            else:
                await _run_async(handler, delivery.payload)
        except Exception:  # noqa: BLE001 - whatever a handler raises is answered 500, and the provider retries
            _log_failure(delivery)
            finish = self._released
        else:
            finish = self._done
        finally:
            _current.reset(token)
        if self._store_in_memory:
            return finish(delivery)
        return await asyncio.to_thread(finish, delivery)  # the store does network I/O: off the event loop

    def _released(self, delivery: Delivery) -> Answer:
        self._release(delivery.delivery_id)
        return Answer(500, "the handler failed; the delivery can be retried")

    def _release(self, delivery_id: str) -> None:
        try:
            self.store.release(delivery_id)
        except Exception as error:  # noqa: BLE001 - the claim then expires after its claim time instead
            _log_store_failure("release", delivery_id, error)

    def _done(self, delivery: Delivery) -> Answer:
        try:
            self.store.complete(delivery.delivery_id)
        except Exception as error:  # noqa: BLE001 - the handler ran: answering 5xx would have it run again
            # The claim stays in progress until it expires, so duplicates arriving until then are not run.
            _log_store_failure("complete", delivery.delivery_id, error)
        return Answer(delivery.endpoint.success_status, "handled")


def _delivery_id_in_body(key: str, body: bytes, field: str | None) -> str:
    """The webhook key and the id the payload's top-level `field` carries (Stripe's event `id`), else its SHA-256.

    Without either an id header or such a field, a delivery is known by its body: a retry resends the same bytes.
    The webhook key is part of it: a field may hold a resource's id, the same for an order and a customer.
    """
    if field is not None:
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep: the payload step answers it
            payload = None
        value = payload.get(field) if isinstance(payload, dict) else None
        if (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value):
            return f"{key}:{value}"
    return f"{key}:sha256:{hashlib.sha256(body).hexdigest()}"


def _log_store_failure(step: str, delivery_id: str, error: Exception) -> None:
    logger.warning("dedupe store failed to %s delivery %r: %s: %s", step, delivery_id, type(error).__name__, error)


def _log_failure(delivery: Delivery) -> None:
    logger.exception("handler for webhook %r failed on delivery %r", delivery.endpoint.key, delivery.delivery_id)


class _Security:
    """The security schemes the spec declares for webhooks, and the credentials the receiver expects."""

    def __init__(self, schemes: Mapping[str, Mapping[str, object]], credentials: Mapping[str, Credential]) -> None:
        self.schemes = schemes
        self.credentials = credentials

    def check_configured(self, endpoint: Endpoint) -> None:
        """Raise ValueError when a scheme the endpoint requires is unsupported or has no credential."""
        for name in {name for names in endpoint.security or () for name in names}:
            scheme = self.schemes.get(name, {})
            kind = credential_kind(scheme)
            if kind is None:
                raise ValueError(f"webhook {endpoint.key!r}: security scheme {name!r} {dict(scheme)} is not supported")
            credential = self.credentials.get(name)
            expected = tuple if kind == BASIC else str
            if not isinstance(credential, expected):
                raise ValueError(f"webhook {endpoint.key!r} requires security scheme {name!r}: give credentials")

    def allows(self, endpoint: Endpoint, headers: Mapping[str, str]) -> bool:
        """Whether the headers satisfy one alternative of the endpoint's security requirement."""
        if endpoint.security is None:
            return True
        return any(all(self._passes(name, headers) for name in names) for names in endpoint.security)

    def challenge(self, endpoint: Endpoint) -> Mapping[str, str]:
        """The WWW-Authenticate header for an endpoint that HTTP Basic can satisfy."""
        names = {name for names in endpoint.security or () for name in names}
        basic = any(self.schemes[name].get("type") == "http" for name in names)
        return {"WWW-Authenticate": 'Basic realm="webhooks"'} if basic else {}

    def _passes(self, name: str, headers: Mapping[str, str]) -> bool:
        scheme = self.schemes[name]
        credential = self.credentials[name]
        if isinstance(credential, tuple):
            user, password = credential
            kind, _, token = headers.get("authorization", "").strip().partition(" ")
            expected = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            return kind.lower() == "basic" and _same(token.strip(), expected)
        return _same(headers.get(str(scheme["name"]).lower(), ""), credential)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def _check_secrets(scheme: Scheme, secrets: Sequence[str]) -> None:
    if not secrets:
        raise ValueError("no webhook secret configured")
    for secret in secrets:
        scheme.sign(b"", secret, delivery_id="check", timestamp=0)  # raises ValueError on a secret it cannot use


def _handlers_of(handlers: object, endpoints: Sequence[Endpoint]) -> dict[str, Callable[..., Any]]:
    """Each webhook's handler method; a TypeError naming every one that is missing, at start-up, not at a delivery."""
    found = {endpoint.key: getattr(handlers, endpoint.handler_name, None) for endpoint in endpoints}
    missing = sorted({e.handler_name for e in endpoints if not callable(found[e.key])})
    if missing:
        kind = type(handlers).__name__
        raise TypeError(f"{kind} lacks handlers for: {', '.join(missing)} (hookgen scaffold --append adds stubs)")
    return {key: handler for key, handler in found.items() if callable(handler)}


def _media_types(endpoints: Sequence[Endpoint]) -> frozenset[str]:
    """The base media types some endpoint declares; empty when none declares a body."""
    return frozenset(_base_media_type(e.media_type) for e in endpoints if e.media_type is not None)


def _content_type_allowed(content_type: str | None, declared: frozenset[str]) -> bool:
    if not declared:
        return True
    return content_type is not None and _base_media_type(content_type) in declared


def _base_media_type(media_type: str) -> str:
    return media_type.split(";", maxsplit=1)[0].strip().lower()


def _payload_field(body: bytes, name: str) -> str | Answer | None:
    """The string in the payload's top-level field `name`, or the 400 for a body that is not JSON (RFC 8259)."""
    try:
        payload = json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, NaN or Infinity, or nested too deep
        return _not_json(body)
    value = payload.get(name) if isinstance(payload, dict) else None
    return value if isinstance(value, str) else None


class _NonJsonConstantError(ValueError):
    """NaN, Infinity or -Infinity: Python's json and pydantic read them, but they are not JSON."""


def _refuse_constant(name: str) -> object:
    raise _NonJsonConstantError(name)


# A JSON string, or one of the literals that are not JSON: scanned in order, a string's content is never a literal.
_STRING_OR_CONSTANT = re.compile(rb'"(?:[^"\\]|\\.)*+"|NaN|Infinity', re.DOTALL)


def _has_non_json_constant(body: bytes) -> bool:
    """Whether the body holds NaN, Infinity or -Infinity outside strings (scanned only when those bytes occur).

    The scan reads the bytes in place: parsing the body to find out would build every value of it a second time.
    """
    if b"NaN" not in body and b"Infinity" not in body:
        return False
    return any(match[0][0] != ord('"') for match in _STRING_OR_CONSTANT.finditer(body))


def _not_json(body: bytes) -> Answer:
    return Answer(400, "body is not UTF-8" if not _is_utf8(body) else "body is not JSON")


def _parse(endpoint: Endpoint, body: bytes) -> pydantic.BaseModel | Answer | None:
    if endpoint.model is None:
        return None
    if _has_non_json_constant(body):  # pydantic reads NaN and Infinity; RFC 8259 does not have them
        return _not_json(body)
    try:
        # Pydantic reads the bytes itself: decoding first would copy every body only to tell errors apart.
        return endpoint.model.model_validate_json(body)
    except pydantic.ValidationError as error:
        errors = error.errors(include_url=False, include_context=False, include_input=False)
        if all(item["type"] == "json_invalid" for item in errors):
            return _not_json(body)
        return Answer(422, "payload does not match the schema", [dict(item) for item in errors])


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _run_sync(handler: Handler, payload: pydantic.BaseModel | None) -> None:
    result = handler(payload)
    if inspect.isawaitable(result):
        asyncio.run(_awaited(result))


async def _run_async(handler: Handler, payload: pydantic.BaseModel | None) -> None:
    if inspect.iscoroutinefunction(handler):
        await handler(payload)
        return
    result = await asyncio.to_thread(handler, payload)
    if inspect.isawaitable(result):
        await result


async def _awaited(result: Awaitable[None]) -> None:
    await result
