"""`hookgen send`: one signed delivery of a webhook, or of every webhook, to a receiver, printing each attempt.

The payload is a JSON file, else the spec's first example of the webhook's body, else (with the fidelity extra) a
payload drawn from the body's schema; it is parsed by the generated model first, so what goes out is what the contract
says. The package is the one `hookgen listen` caches for the spec.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pydantic

from ..errors import ConfigError
from ..ir import Spec, Webhook
from ..pipeline import build
from ..spec import pointers
from .credentials import parse_credentials
from .extras import EXTRAS, installed
from .fidelity.judge import body_examples
from .fidelity.payloads import draw_payloads
from .imported import import_generated
from .package_cache import PACKAGE, cached_package, cached_spec

# A command line waits seconds, not hours: attempts at once, then 1 s and 2 s later.
SCHEDULE = (0.0, 1.0, 2.0)
# Without an example, payloads are drawn from the schema (hypothesis-jsonschema, the fidelity extra): this many, at most
# this long, and the first the model accepts is sent.
DRAWS = 20
DRAW_SECONDS = 20.0


@dataclass(frozen=True)
class Options:
    """What `hookgen send` was asked: the target, the secret, the payload's source and the guard's opening."""

    url: str
    secret: str
    payload_file: Path | None = None
    attempts: int = len(SCHEDULE)
    allow_private: bool = False
    credentials: tuple[str, ...] = ()  # NAME=VALUE, as `--credential` takes them


def send(
    spec_path: Path,
    webhook_key: str | None,
    options: Options,
    *,
    ref_roots: Sequence[Path] = (),
    signature: dict[str, Any] | None = None,
) -> bool:
    """Send one delivery of `webhook_key` to the URL (or of every webhook, under it, when None); True if all landed.

    `signature` is the scheme of webhooks that declare none (`[tool.hookgen] signature`), as the receivers have it.
    """
    folder, spec, document = _spec_and_package(spec_path, ref_roots, signature)
    [models, sender] = import_generated(folder, PACKAGE, "models", "sender")
    targets = _targets(spec, webhook_key, options.url)
    client = _client(sender, options)
    try:
        return all(
            _send_one(client, webhook, url, _payload(document, webhook, models, options.payload_file))
            for webhook, url in targets
        )
    finally:
        client.close()


def _spec_and_package(
    spec_path: Path, ref_roots: Sequence[Path], signature: dict[str, Any] | None
) -> tuple[Path, Spec, dict[str, Any]]:
    """The cached package, the IR and the document: from the cache when the spec's package is there (no models are
    generated again: a second send on GitHub's spec takes seconds, not the whole generation), else built and cached."""
    cached = cached_spec(spec_path, ref_roots, signature)
    if cached is not None:
        return cached
    generated = build(spec_path, package=PACKAGE, ref_roots=ref_roots, signature=signature)
    return cached_package(spec_path, generated, ref_roots, signature), generated.spec, generated.document


def listen_url(base: str, key: str) -> str:
    """Where `hookgen listen` (and `router`'s default prefix) serves a webhook under `base`."""
    return base.rstrip("/") + "/webhooks/" + quote(key, safe="")


def _targets(spec: Spec, webhook_key: str | None, url: str) -> list[tuple[Webhook, str]]:
    webhooks = spec.webhooks
    if webhook_key is None:
        return [(webhook, listen_url(url, webhook.key)) for webhook in webhooks]
    for webhook in webhooks:
        if webhook.key == webhook_key:
            return [(webhook, url)]
    known = ", ".join(webhook.key for webhook in webhooks)
    raise ConfigError(f"the spec has no webhook {webhook_key!r} (it has {known})")


def _client(sender: Any, options: Options) -> Any:
    schedule = SCHEDULE[: options.attempts] + (SCHEDULE[-1],) * (options.attempts - len(SCHEDULE))
    return sender.WebhookSender(
        options.secret,
        schedule=schedule,
        max_attempts_in_process=options.attempts,
        allow_loopback=True,
        allow_private=options.allow_private,
        credentials=parse_credentials(options.credentials, sender.SECURITY_SCHEMES),
    )


def _payload(document: dict[str, Any], webhook: Webhook, models: Any, payload_file: Path | None) -> Any:
    """The webhook's payload model, from the file or the spec's first example (None for a webhook without a body)."""
    if webhook.body is None:
        return None
    data = _read_json(payload_file) if payload_file is not None else _example(document, webhook, models)
    model = getattr(models, webhook.body.model_name)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the payload"
        raise ConfigError(
            f"{webhook.key}: the payload does not fit {model.__name__}: {where}: {first['msg']}"
        ) from None


def _example(document: dict[str, Any], webhook: Webhook, models: Any) -> Any:
    """The spec's first example of the body that its model accepts, else a payload drawn from its schema (the
    fidelity extra's generator)."""
    assert webhook.body is not None
    model = getattr(models, webhook.body.model_name)
    examples = body_examples(document, webhook)
    for example in examples:
        try:
            model.model_validate(example)
        except pydantic.ValidationError:
            continue
        return example
    if not all(installed(module) for module in EXTRAS["fidelity"]):
        if examples:
            return examples[0]  # refused by the model: the caller says where
        raise ConfigError(
            f"{webhook.key}: the spec has no example of its payload; give one with --payload FILE, "
            "or install hookgen[fidelity] to draw one from its schema"
        )
    return _drawn(document, webhook, model, had_examples=bool(examples))


def _drawn(document: dict[str, Any], webhook: Webhook, model: Any, *, had_examples: bool = False) -> Any:
    """The first payload drawn from the webhook's schema that its model accepts (the draws are reproducible)."""
    lacking = "no example its model accepts" if had_examples else "no example"
    assert webhook.body is not None
    schema = pointers.resolve(document, webhook.body.schema_pointer)
    drawn = draw_payloads(document, schema, count=DRAWS, seconds=DRAW_SECONDS)
    for payload in drawn.payloads:
        try:
            model.model_validate(payload)
        except pydantic.ValidationError:
            continue
        print(f"{webhook.key}: the spec has {lacking}: sending a payload drawn from its schema")
        return payload
    raise ConfigError(
        f"{webhook.key}: the spec has {lacking} of its payload, and none of {len(drawn.payloads)} payloads drawn "
        f"from its schema in {DRAW_SECONDS:g} s fits the model; give one with --payload FILE"
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as error:
        raise ConfigError(f"cannot read --payload {path}: {error.strerror}") from None
    except ValueError as error:
        raise ConfigError(f"--payload {path} is not JSON: {error}") from None


def _send_one(client: Any, webhook: Webhook, url: str, payload: Any, echo: Callable[[str], None] = print) -> bool:
    method = getattr(client, f"send_{webhook.python_name}")
    try:
        result = method(url, payload)
    except ValueError as error:  # a secret the webhook's scheme cannot sign with, or a credential it lacks
        raise ConfigError(f"{webhook.key}: {error}") from None
    for attempt in result.attempts:
        echo(f"{webhook.key}: attempt {attempt.number}: {_attempt_line(attempt)}")
    echo(f"{webhook.key}: {_outcome_line(result)} ({result.delivery.delivery_id} to {url})")
    return bool(result.delivered)


def _attempt_line(attempt: Any) -> str:
    milliseconds = f"{attempt.latency * 1000:.0f} ms"
    if attempt.error is None:
        return f"HTTP {attempt.status} in {milliseconds}"
    return f"{attempt.error} ({milliseconds})"


def _outcome_line(result: Any) -> str:
    outcome: str = result.outcome.value
    if result.next_attempt_at is not None:
        return f"{outcome}, next attempt due at {result.next_attempt_at.isoformat(timespec='seconds')}"
    return outcome
