"""The intermediate representation: what the spec means, as small frozen dataclasses.

A `Spec` holds `Webhook`s; each webhook holds its header parameters, request bodies and
responses. Nothing here is code: templates and filters decide how it is written.
Schemas stay JSON values (pointers into the bundled document), models are named by class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HeaderParameter:
    """A header the provider sends with a webhook."""

    name: str
    python_name: str
    required: bool
    description: str | None
    deprecated: bool
    schema: dict[str, Any]
    python_type: str
    declaration: dict[str, Any]  # the parameter object as the contract writes it, `$ref`s inlined


@dataclass(frozen=True)
class RequestBody:
    """One media type of a webhook's request body, and the model that reads it."""

    media_type: str
    schema_pointer: str
    model_name: str
    description: str | None
    required: bool
    # What the media type object says beside its schema (`example`, `examples`, `encoding`), `$ref`s inlined.
    media: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    """A response status the receiver may answer with."""

    status: str
    description: str
    # The response object as the contract writes it (headers, content, links), `$ref`s inlined.
    declaration: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Webhook:
    """One operation of one webhook: the key as the spec writes it, and what it carries."""

    key: str
    method: str
    python_name: str
    operation_id: str | None
    summary: str | None
    description: str | None
    tags: tuple[str, ...]
    deprecated: bool
    headers: tuple[HeaderParameter, ...]
    bodies: tuple[RequestBody, ...]
    responses: tuple[Response, ...]
    security: tuple[dict[str, list[str]], ...] | None
    extensions: dict[str, Any] = field(default_factory=dict)
    # How this webhook's deliveries are signed: its own `x-webhook-signature`, else the document's; None is the default.
    signature: SignatureScheme | None = None

    @property
    def openapi_extra(self) -> dict[str, Any]:
        """What FastAPI's decorator cannot say itself: vendor extensions, security, the exact description.

        FastAPI strips a description's surrounding whitespace; the contract's text is kept as written.
        """
        extra = dict(self.extensions)
        if self.description is not None and self.description != self.description.strip():
            extra["description"] = self.description
        if self.security is not None:
            extra["security"] = list(self.security)
        return extra

    @property
    def request_body_extra(self) -> dict[str, Any]:
        """The request body's description and each media type's examples, which FastAPI's decorator cannot declare."""
        extra: dict[str, Any] = {}
        if self.bodies and self.bodies[0].description is not None:
            extra["description"] = self.bodies[0].description
        content = {body.media_type: body.media for body in self.bodies if body.media}
        if content:
            extra["content"] = content
        return extra

    @property
    def declared_responses(self) -> dict[str, dict[str, Any]]:
        """Each response object as the contract writes it, by status."""
        return {response.status: response.declaration for response in self.responses}

    @property
    def security_alternatives(self) -> tuple[tuple[str, ...], ...] | None:
        """The security requirement: alternatives, each the names of schemes that must all pass; None if none."""
        if self.security is None:
            return None
        return tuple(tuple(requirement) for requirement in self.security)

    @property
    def statuses(self) -> list[str]:
        """The response statuses the spec declares."""
        return [response.status for response in self.responses]

    @property
    def success_status(self) -> int | None:
        """The 2xx status a receiver answers with: the first one the spec declares."""
        for status in self.statuses:
            if status.isdigit() and status.startswith("2"):
                return int(status)
        return None

    @property
    def body(self) -> RequestBody | None:
        """The body the generated code reads: JSON first, else the first declared."""
        json_bodies = [body for body in self.bodies if _is_json(body.media_type)]
        candidates = json_bodies or list(self.bodies)
        return candidates[0] if candidates else None

    @property
    def other_bodies(self) -> tuple[RequestBody, ...]:
        """The media types declared beside the one the receivers read: documented, answered 415 by receivers."""
        return tuple(body for body in self.bodies if body is not self.body)


@dataclass(frozen=True)
class SignatureScheme:
    """How deliveries are signed, from the `x-webhook-signature` extension."""

    scheme: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def declaration(self) -> dict[str, Any]:
        """The `x-webhook-signature` mapping this scheme was read from."""
        return {"scheme": self.scheme, **self.options}


@dataclass(frozen=True)
class Spec:
    """A whole webhook contract."""

    title: str
    version: str
    description: str | None
    webhooks: tuple[Webhook, ...]
    signature: SignatureScheme | None
    security_schemes: dict[str, Any] = field(default_factory=dict)
    # `info` beyond title, version and description (contact, license, termsOfService, summary, `x-` keys).
    info: dict[str, Any] = field(default_factory=dict)
    # The document's top-level `tags`, with their descriptions, and its `x-` extensions (`x-webhook-signature`).
    tags: tuple[dict[str, Any], ...] = ()
    extensions: dict[str, Any] = field(default_factory=dict)

    @property
    def webhook_security_schemes(self) -> dict[str, Any]:
        """The security schemes that some webhook requires, by name."""
        used = {name for webhook in self.webhooks for names in webhook.security_alternatives or () for name in names}
        return {name: scheme for name, scheme in self.security_schemes.items() if name in used}


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", maxsplit=1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")
