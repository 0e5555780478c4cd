"""Webhook signatures: verify a delivery's headers against its raw body bytes, and sign one as a sender would.

This module uses the standard library only, because it is copied verbatim into every generated package.

A spec says how its deliveries are signed with the `x-webhook-signature` vendor extension, a mapping.
Without it, deliveries follow Standard Webhooks. The presets:

    x-webhook-signature: {scheme: standard-webhooks}  # webhook-id, webhook-timestamp, webhook-signature: v1,<base64>
                                                      # (or Svix's names: svix-id, svix-timestamp, svix-signature)
    x-webhook-signature: {scheme: github}             # X-Hub-Signature-256: sha256=<hex> over the body
    x-webhook-signature: {scheme: stripe}             # Stripe-Signature: t=<ts>,v1=<hex> over "<ts>.<body>"
    x-webhook-signature: {scheme: shopify}            # X-Shopify-Hmac-SHA256: <base64> over the body
    x-webhook-signature: {scheme: slack}              # X-Slack-Signature: v0=<hex> over "v0:<ts>:<body>"

A preset also takes `event-header` (the header naming the event type) and, except standard-webhooks, whose
signature covers webhook-id, `id-header` (the header carrying the delivery id) and `id-field` (the top-level
payload field carrying it, read when no id header is sent). Stripe's id-field defaults to `id` (the event id,
the same on every retry, while a retried body may differ: its `pending_webhooks` count changes) and Slack's to
`event_id`. Without either, a delivery is known by the SHA-256 of its body. Any other scheme is generic HMAC:

    x-webhook-signature:
      scheme: hmac
      header: X-Signature            # required: the header carrying the signature
      algorithm: sha256              # sha256 | sha512 | sha1 (default sha256)
      encoding: hex                  # hex | base64 (default hex)
      prefix: "sha256="              # optional, stripped before decoding
      timestamp-header: X-Timestamp  # optional; when set, the timestamp is required and checked against the tolerance
      signed-content: "{timestamp}.{body}"  # optional layout; placeholders {timestamp}, {id}, {body};
                                     # {{ and }} are literal braces; default "{body}",
                                     # or "{timestamp}.{body}" when timestamp-header is set
      id-header: X-Delivery-Id       # optional; required when signed-content uses {id}
      event-header: X-Event-Type     # optional
      id-field: id                   # optional

signed-content must use {body} exactly once, {timestamp} exactly when there is a timestamp-header, and {id} only
with an id-header. Unknown keys, schemes, algorithms or encodings are errors.

Timestamps are unix seconds in plain decimal digits (no sign, fraction, exponent or leading zero); anything else
is rejected, and so is one further than the tolerance from now, in either direction. Every signature is compared
in constant time. Any of several secrets may match, so that a secret can be rotated.
"""

from __future__ import annotations

import base64
import functools
import hmac
import string
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

__all__ = [
    "API_KEY",
    "BASIC",
    "DEFAULT_TOLERANCE_SECONDS",
    "PRESETS",
    "HmacScheme",
    "MissingHeader",
    "Scheme",
    "SignatureError",
    "StandardWebhooksScheme",
    "StripeScheme",
    "Verified",
    "credential_kind",
    "scheme_from_declaration",
]

DEFAULT_TOLERANCE_SECONDS = 300
PRESETS: tuple[str, ...] = ("standard-webhooks", "github", "stripe", "shopify", "slack", "hmac")

ALGORITHMS = ("sha256", "sha512", "sha1")
ENCODINGS = ("hex", "base64")
PLACEHOLDERS = ("timestamp", "id", "body")

_HEX_DIGITS = frozenset(string.hexdigits)
_DECIMAL_DIGITS = frozenset(string.digits)
_TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")
# Fifteen digits reach the year 33 million; the bound also keeps int() clear of its huge-number limit.
_MAX_TIMESTAMP_DIGITS = 15
_STANDARD_WEBHOOKS_KEY_PREFIX = "whsec_"


class SignatureError(Exception):
    """A delivery whose signature cannot be trusted (the receiver answers 401)."""


class MissingHeader(SignatureError):  # noqa: N818 - the receivers' API names it so
    """A header that the scheme requires is absent."""


@dataclass(frozen=True)
class Verified:
    """What a verified delivery's headers say about it."""

    delivery_id: str | None
    timestamp: int | None
    event_type: str | None


class Scheme(Protocol):
    """How one kind of sender signs its deliveries."""

    @property
    def name(self) -> str:
        """The scheme's name in `x-webhook-signature`."""

    @property
    def id_header(self) -> str | None:
        """The lower-case header carrying the delivery id, if any."""

    @property
    def event_header(self) -> str | None:
        """The lower-case header carrying the event type, if any."""

    @property
    def id_field(self) -> str | None:
        """The top-level payload field carrying the delivery id when no id header does, if any."""

    def verify(
        self,
        headers: Mapping[str, str],
        body: bytes,
        secrets: Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        now: float | None = None,
    ) -> Verified:
        """Check a delivery (lower-case header names) against any of `secrets`; raise SignatureError if untrusted."""

    def sign(self, body: bytes, secret: str, *, delivery_id: str, timestamp: int) -> dict[str, str]:
        """The signature headers a sender sends with `body`, names in their canonical case."""


@dataclass(frozen=True, kw_only=True)
class _ReportedHeaders:
    """The headers, in canonical case, that carry a delivery's id and event type."""

    delivery_id_header: str | None = None
    event_type_header: str | None = None
    delivery_id_field: str | None = None

    @property
    def id_field(self) -> str | None:
        """The top-level payload field carrying the delivery id when no id header does, if any."""
        return self.delivery_id_field

    @property
    def id_header(self) -> str | None:
        """The lower-case header carrying the delivery id, if any."""
        return _lower(self.delivery_id_header)

    @property
    def event_header(self) -> str | None:
        """The lower-case header carrying the event type, if any."""
        return _lower(self.event_type_header)

    def _verified(self, headers: Mapping[str, str], timestamp: int | None) -> Verified:
        return Verified(
            delivery_id=_optional_header(headers, self.id_header),
            timestamp=timestamp,
            event_type=_optional_header(headers, self.event_header),
        )


@dataclass(frozen=True, kw_only=True)
class StandardWebhooksScheme(_ReportedHeaders):
    """Standard Webhooks: HMAC-SHA256 over "id.timestamp.body", keyed by the base64 secret after `whsec_`."""

    name: str = "standard-webhooks"
    delivery_id_header: str | None = "webhook-id"

    def verify(
        self,
        headers: Mapping[str, str],
        body: bytes,
        secrets: Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        now: float | None = None,
    ) -> Verified:
        """Check a delivery (lower-case header names) against any of `secrets`; raise SignatureError if untrusted."""
        keys = _keys(secrets, _standard_webhooks_key)
        delivery_id = _svix_or_standard_header(headers, "webhook-id")
        timestamp_text = _svix_or_standard_header(headers, "webhook-timestamp")
        signature_list = _svix_or_standard_header(headers, "webhook-signature")
        timestamp = _fresh_timestamp(timestamp_text, "webhook-timestamp", tolerance, now)
        signatures = _standard_webhooks_signatures(signature_list)
        content = _header_bytes(delivery_id, "webhook-id") + f".{timestamp_text}.".encode() + body
        _require_match(keys, "sha256", content, signatures)
        return Verified(delivery_id, timestamp, _optional_header(headers, self.event_header))

    def sign(self, body: bytes, secret: str, *, delivery_id: str, timestamp: int) -> dict[str, str]:
        """The signature headers a sender sends with `body`, names in their canonical case."""
        timestamp_text = _timestamp_text(timestamp)
        content = f"{delivery_id}.{timestamp_text}.".encode() + body
        signature = _mac(_standard_webhooks_key(secret), "sha256", content)
        return {
            "webhook-id": delivery_id,
            "webhook-timestamp": timestamp_text,
            "webhook-signature": "v1," + base64.b64encode(signature).decode("ascii"),
        }


@dataclass(frozen=True, kw_only=True)
class StripeScheme(_ReportedHeaders):
    """Stripe: `Stripe-Signature: t=<ts>,v1=<hex>`, HMAC-SHA256 over "ts.body" keyed by the secret's UTF-8 bytes."""

    name: str = "stripe"

    def verify(
        self,
        headers: Mapping[str, str],
        body: bytes,
        secrets: Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        now: float | None = None,
    ) -> Verified:
        """Check a delivery (lower-case header names) against any of `secrets`; raise SignatureError if untrusted."""
        keys = _keys(secrets, _utf8_key)
        timestamp_text, signatures = _stripe_signature_parts(_required_header(headers, "stripe-signature"))
        timestamp = _fresh_timestamp(timestamp_text, "stripe-signature", tolerance, now)
        _require_match(keys, "sha256", f"{timestamp_text}.".encode() + body, signatures)
        return self._verified(headers, timestamp)

    def sign(self, body: bytes, secret: str, *, delivery_id: str, timestamp: int) -> dict[str, str]:
        """The signature headers a sender sends with `body`, names in their canonical case."""
        timestamp_text = _timestamp_text(timestamp)
        signature = _mac(_utf8_key(secret), "sha256", f"{timestamp_text}.".encode() + body).hex()
        headers = {"Stripe-Signature": f"t={timestamp_text},v1={signature}"}
        if self.delivery_id_header is not None:
            headers[self.delivery_id_header] = delivery_id
        return headers


@dataclass(frozen=True, kw_only=True)
class HmacScheme(_ReportedHeaders):
    """One HMAC signature in one header, over a layout of timestamp, id and body; GitHub, Shopify and Slack too."""

    name: str
    signature_header: str
    algorithm: str = "sha256"
    encoding: str = "hex"
    prefix: str = ""
    timestamp_header: str | None = None
    signed_content: tuple[tuple[str, str | None], ...] = field(default_factory=lambda: _layout("{body}"))

    def verify(
        self,
        headers: Mapping[str, str],
        body: bytes,
        secrets: Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        now: float | None = None,
    ) -> Verified:
        """Check a delivery (lower-case header names) against any of `secrets`; raise SignatureError if untrusted."""
        keys = _keys(secrets, _utf8_key)
        signature = self._signature(headers)
        values = {"body": body}
        timestamp = None
        if self.timestamp_header is not None:
            timestamp_key = self.timestamp_header.lower()
            timestamp_text = _required_header(headers, timestamp_key)
            timestamp = _fresh_timestamp(timestamp_text, timestamp_key, tolerance, now)
            values["timestamp"] = timestamp_text.encode("ascii")
        if self.id_header is not None and self._signs("id"):
            values["id"] = _header_bytes(_required_header(headers, self.id_header), self.id_header)
        _require_match(keys, self.algorithm, _render(self.signed_content, values), [signature])
        return self._verified(headers, timestamp)

    def sign(self, body: bytes, secret: str, *, delivery_id: str, timestamp: int) -> dict[str, str]:
        """The signature headers a sender sends with `body`, names in their canonical case."""
        timestamp_text = _timestamp_text(timestamp)
        values = {"body": body, "timestamp": timestamp_text.encode("ascii"), "id": delivery_id.encode("utf-8")}
        signature = _mac(_utf8_key(secret), self.algorithm, _render(self.signed_content, values))
        encoded = signature.hex() if self.encoding == "hex" else base64.b64encode(signature).decode("ascii")
        headers = {self.signature_header: self.prefix + encoded}
        if self.timestamp_header is not None:
            headers[self.timestamp_header] = timestamp_text
        if self.delivery_id_header is not None:
            headers[self.delivery_id_header] = delivery_id
        return headers

    def _signs(self, placeholder: str) -> bool:
        return any(name == placeholder for _, name in self.signed_content)

    def _signature(self, headers: Mapping[str, str]) -> bytes:
        header = self.signature_header.lower()
        text = _required_header(headers, header)
        if not text.startswith(self.prefix):
            raise SignatureError(f"{header} does not start with {self.prefix!r}")
        encoded = text[len(self.prefix) :]
        decoded = _decode_hex(encoded) if self.encoding == "hex" else _decode_base64(encoded)
        if decoded is None:
            raise SignatureError(f"{header} is not {self.encoding}")
        return decoded


# The security schemes (`components/securitySchemes`) a receiver checks and a sender sends: HTTP Basic takes
# (user, password), an API key in a header takes the key.
BASIC = "basic"
API_KEY = "api-key"


def credential_kind(scheme: Mapping[str, object]) -> str | None:
    """BASIC or API_KEY for a security scheme hookgen supports, None for any other."""
    if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "basic" and "in" not in scheme:
        return BASIC
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return API_KEY
    return None


def scheme_from_declaration(declaration: Mapping[str, object] | None) -> Scheme:
    """The scheme an `x-webhook-signature` value declares (None means Standard Webhooks)."""
    if declaration is None:
        return StandardWebhooksScheme()
    options = _string_options(declaration)
    scheme = options.pop("scheme", None)
    if scheme is None:
        raise ValueError(f"x-webhook-signature: missing scheme (one of {', '.join(PRESETS)})")
    if scheme == "hmac":
        return _generic_scheme(options)
    if scheme == "standard-webhooks":
        _reject_unknown_keys(scheme, options, ("event-header",))
        return StandardWebhooksScheme(event_type_header=_optional_header_name(options, "event-header"))
    preset = _PRESET_SCHEMES.get(scheme)
    if preset is None:
        raise ValueError(f"x-webhook-signature: unknown scheme {scheme!r} (one of {', '.join(PRESETS)})")
    _reject_unknown_keys(scheme, options, ("id-header", "event-header", "id-field"))
    return replace(
        preset,
        delivery_id_header=_optional_header_name(options, "id-header") or preset.delivery_id_header,
        event_type_header=_optional_header_name(options, "event-header") or preset.event_type_header,
        delivery_id_field=_optional_field_name(options, "id-field") or preset.delivery_id_field,
    )


def _generic_scheme(options: dict[str, str]) -> HmacScheme:
    allowed = (
        "header",
        "algorithm",
        "encoding",
        "prefix",
        "timestamp-header",
        "signed-content",
        "id-header",
        "event-header",
        "id-field",
    )
    _reject_unknown_keys("hmac", options, allowed)
    if "header" not in options:
        raise ValueError("x-webhook-signature: scheme hmac needs a header (the header carrying the signature)")
    timestamp_header = _optional_header_name(options, "timestamp-header")
    id_header = _optional_header_name(options, "id-header")
    default_content = "{body}" if timestamp_header is None else "{timestamp}.{body}"
    layout = _layout(options.get("signed-content", default_content))
    _check_layout(layout, has_timestamp=timestamp_header is not None, has_id=id_header is not None)
    return HmacScheme(
        name="hmac",
        signature_header=_header_name(options["header"], "header"),
        algorithm=_one_of(options, "algorithm", ALGORITHMS),
        encoding=_one_of(options, "encoding", ENCODINGS),
        prefix=options.get("prefix", ""),
        timestamp_header=timestamp_header,
        signed_content=layout,
        delivery_id_header=id_header,
        event_type_header=_optional_header_name(options, "event-header"),
        delivery_id_field=_optional_field_name(options, "id-field"),
    )


def _optional_field_name(options: Mapping[str, str], key: str) -> str | None:
    name = options.get(key)
    if name is not None and not name:
        raise ValueError(f"x-webhook-signature: {key} must name a top-level payload field")
    return name


def _string_options(declaration: object) -> dict[str, str]:
    if not isinstance(declaration, Mapping):
        raise ValueError("x-webhook-signature must be a mapping, e.g. {scheme: github}")
    options: dict[str, str] = {}
    for key, value in declaration.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(f"x-webhook-signature: {key!r} must be a string key with a string value")
        options[key] = value
    return options


def _reject_unknown_keys(scheme: str, options: Mapping[str, str], allowed: Sequence[str]) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        accepted = ", ".join(allowed)
        raise ValueError(
            f"x-webhook-signature: scheme {scheme} does not take {', '.join(unknown)} (it takes {accepted})"
        )


def _one_of(options: Mapping[str, str], key: str, choices: Sequence[str]) -> str:
    value = options.get(key, choices[0])
    if value not in choices:
        raise ValueError(f"x-webhook-signature: {key} {value!r} is not one of {', '.join(choices)}")
    return value


def _optional_header_name(options: Mapping[str, str], key: str) -> str | None:
    value = options.get(key)
    return None if value is None else _header_name(value, key)


def _header_name(value: str, key: str) -> str:
    if not value or not set(value) <= _TOKEN_CHARACTERS:
        raise ValueError(f"x-webhook-signature: {key} {value!r} is not an HTTP header name")
    return value


def _layout(template: str) -> tuple[tuple[str, str | None], ...]:
    """Split a signed-content template into (literal text, placeholder or None) pairs."""
    try:
        pieces = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(f"x-webhook-signature: signed-content {template!r}: {error}") from None
    layout: list[tuple[str, str | None]] = []
    for literal, name, format_spec, conversion in pieces:
        if name is not None and (name not in PLACEHOLDERS or format_spec or conversion):
            raise ValueError(
                f"x-webhook-signature: signed-content {template!r} has an unknown placeholder;"
                " use {timestamp}, {id} and {body}"
            )
        layout.append((literal, name))
    return tuple(layout)


def _check_layout(layout: tuple[tuple[str, str | None], ...], *, has_timestamp: bool, has_id: bool) -> None:
    names = [name for _, name in layout]
    if names.count("body") != 1:
        raise ValueError("x-webhook-signature: signed-content must use {body} exactly once")
    # A timestamp that the signature does not cover could be rewritten to pass the freshness check.
    if ("timestamp" in names) != has_timestamp:
        raise ValueError("x-webhook-signature: signed-content uses {timestamp} exactly when timestamp-header is set")
    if "id" in names and not has_id:
        raise ValueError("x-webhook-signature: signed-content uses {id}, which needs an id-header")


def _render(layout: tuple[tuple[str, str | None], ...], values: Mapping[str, bytes]) -> bytes:
    return b"".join(literal.encode("utf-8") + (b"" if name is None else values[name]) for literal, name in layout)


def _keys(secrets: Sequence[str], derive_key: Callable[[str], bytes]) -> list[bytes]:
    # A lone string is a Sequence[str] too; taking each character as a secret would be a silent disaster.
    if isinstance(secrets, str):
        raise TypeError("secrets must be a sequence of strings, not one string")
    if not secrets:
        raise ValueError("no webhook secret configured")
    return [derive_key(secret) for secret in secrets]


def _utf8_key(secret: str) -> bytes:
    if not secret.strip():  # a blank secret is a configuration mistake (an unset variable), not a key
        raise ValueError("a webhook secret may not be empty or whitespace only")
    return secret.encode("utf-8")


@functools.lru_cache(maxsize=64)
def _standard_webhooks_key(secret: str) -> bytes:
    """The key a Standard Webhooks secret stands for, decoded as the `standardwebhooks` library decodes it."""
    encoded = secret.removeprefix(_STANDARD_WEBHOOKS_KEY_PREFIX)
    try:
        # Padding is added because secrets are often written without it; extra padding is ignored.
        key = base64.b64decode(encoded + "==")
    except ValueError:
        raise ValueError("a standard-webhooks secret must be base64, optionally after whsec_") from None
    if not key:
        raise ValueError("a webhook secret may not be empty")
    return key


def _svix_or_standard_header(headers: Mapping[str, str], name: str) -> str:
    """A `webhook-` header, read as the svix library reads it: its `svix-` name first (Svix delivers with those)."""
    svix_name = "svix-" + name.removeprefix("webhook-")
    return _required_header(headers, svix_name if svix_name in headers else name)


def _required_header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        raise MissingHeader(f"missing header {name}")
    if not value:
        raise SignatureError(f"empty header {name}")
    return value


def _optional_header(headers: Mapping[str, str], name: str | None) -> str | None:
    return None if name is None else headers.get(name) or None


def _lower(name: str | None) -> str | None:
    return None if name is None else name.lower()


def _header_bytes(value: str, header: str) -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise SignatureError(f"{header} is not valid text") from None


def _fresh_timestamp(text: str, source: str, tolerance: float, now: float | None) -> int:
    """The unix seconds in `text`, if well-formed and within `tolerance` of `now`."""
    canonical = text == "0" or not text.startswith("0")
    if not 0 < len(text) <= _MAX_TIMESTAMP_DIGITS or not set(text) <= _DECIMAL_DIGITS or not canonical:
        raise SignatureError(f"malformed timestamp in {source}")
    timestamp = int(text)
    current = time.time() if now is None else now
    # Negated so that a NaN clock or tolerance rejects instead of accepting.
    if not abs(current - timestamp) <= tolerance:
        raise SignatureError("timestamp outside tolerance")
    return timestamp


def _timestamp_text(timestamp: int) -> str:
    if timestamp < 0:
        raise ValueError(f"a webhook timestamp is unix seconds, not {timestamp}")
    return str(timestamp)


def _decode_hex(text: str) -> bytes | None:
    if not text or len(text) % 2 or not set(text) <= _HEX_DIGITS:
        return None
    return bytes.fromhex(text)


def _decode_base64(text: str) -> bytes | None:
    if not text or not text.isascii():
        return None
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def _standard_webhooks_signatures(header_value: str) -> list[bytes]:
    """The v1 signatures in a space-separated `webhook-signature`; other versions and malformed entries are skipped."""
    signatures = []
    for entry in header_value.split(" "):
        version, _, encoded = entry.partition(",")
        decoded = _decode_base64(encoded) if version == "v1" else None
        if decoded is not None:
            signatures.append(decoded)
    if not signatures:
        raise SignatureError("no valid v1 signature in webhook-signature")
    return signatures


def _stripe_signature_parts(header_value: str) -> tuple[str, list[bytes]]:
    """The timestamp text and v1 signatures of a `Stripe-Signature`; other schemes such as v0 are skipped."""
    timestamps = []
    signatures = []
    for item in header_value.split(","):
        key, _, value = item.partition("=")
        if key == "t":
            timestamps.append(value)
        decoded = _decode_hex(value) if key == "v1" else None
        if decoded is not None:
            signatures.append(decoded)
    if len(timestamps) != 1:
        raise SignatureError("stripe-signature needs exactly one t=")
    if not signatures:
        raise SignatureError("no valid v1 signature in stripe-signature")
    return timestamps[0], signatures


def _mac(key: bytes, algorithm: str, content: bytes) -> bytes:
    return hmac.new(key, content, algorithm).digest()


def _require_match(keys: Sequence[bytes], algorithm: str, content: bytes, signatures: Sequence[bytes]) -> None:
    expected = [_mac(key, algorithm, content) for key in keys]
    if not any(hmac.compare_digest(mine, theirs) for mine in expected for theirs in signatures):
        raise SignatureError("no signature matches")


# The presets as their senders sign; a declaration's id-header, event-header and id-field replace the defaults.
# Defined last: Slack's layout is parsed by _layout.
_PRESET_SCHEMES: dict[str, HmacScheme | StripeScheme] = {
    "github": HmacScheme(
        name="github",
        signature_header="X-Hub-Signature-256",
        prefix="sha256=",
        delivery_id_header="X-GitHub-Delivery",
        event_type_header="X-GitHub-Event",
    ),
    "stripe": StripeScheme(delivery_id_field="id"),
    "shopify": HmacScheme(
        name="shopify",
        signature_header="X-Shopify-Hmac-SHA256",
        encoding="base64",
        delivery_id_header="X-Shopify-Webhook-Id",
        event_type_header="X-Shopify-Topic",
    ),
    "slack": HmacScheme(
        name="slack",
        signature_header="X-Slack-Signature",
        prefix="v0=",
        timestamp_header="X-Slack-Request-Timestamp",
        signed_content=_layout("v0:{timestamp}:{body}"),
        delivery_id_field="event_id",
    ),
}
