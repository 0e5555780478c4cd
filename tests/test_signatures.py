"""Webhook signatures: every scheme round-trips, rejects tampering and garbage, and agrees with published vectors."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import string
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from generator.runtime._signatures import (
    DEFAULT_TOLERANCE_SECONDS,
    PRESETS,
    HmacScheme,
    MissingHeader,
    Scheme,
    SignatureError,
    StandardWebhooksScheme,
    StripeScheme,
    Verified,
    scheme_from_declaration,
)

NOW = 1_700_000_000
DELIVERY_ID = "msg_2bXkY7"
EVENT_TYPE = "invoice.paid"
BODY = '{"type":"invoice.paid","name":"é","amount":1}'.encode()
RESERIALISED = {
    "whitespace": '{"type": "invoice.paid", "name": "é", "amount": 1}'.encode(),
    "key order": '{"name":"é","type":"invoice.paid","amount":1}'.encode(),
    "escaped é": b'{"type":"invoice.paid","name":"\\u00e9","amount":1}',
    "trailing newline": BODY + b"\n",
    "empty": b"",
}

SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_SECRET_ROTATED = base64.b64encode(bytes(range(32))).decode()  # Standard Webhooks takes secrets without whsec_ too
SW_WRONG_SECRET = "whsec_" + base64.b64encode(b"not the key, though base64 all the same").decode()


@dataclass(frozen=True)
class Case:
    """One scheme, with what a test needs to know about its deliveries (header names lower-case)."""

    name: str
    declaration: dict[str, object] | None
    secrets: tuple[str, str]
    wrong_secret: str
    signature_header: str
    required: tuple[str, ...]
    sent_headers: frozenset[str]  # canonical case, as sign() names them
    signature_prefix: str = ""
    timestamp_header: str | None = None  # None where the timestamp travels inside the signature header (Stripe)
    timestamped: bool = False
    signs_id: bool = False

    @property
    def scheme(self) -> Scheme:
        return scheme_from_declaration(self.declaration)

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        name="standard-webhooks",
        declaration=None,
        secrets=(SW_SECRET, SW_SECRET_ROTATED),
        wrong_secret=SW_WRONG_SECRET,
        signature_header="webhook-signature",
        required=("webhook-id", "webhook-timestamp", "webhook-signature"),
        sent_headers=frozenset({"webhook-id", "webhook-timestamp", "webhook-signature"}),
        signature_prefix="v1,",
        timestamp_header="webhook-timestamp",
        timestamped=True,
        signs_id=True,
    ),
    Case(
        name="github",
        declaration={"scheme": "github"},
        secrets=("It's a Secret to Everybody", "rotated github secret"),
        wrong_secret="It's a Secret to Nobody",
        signature_header="x-hub-signature-256",
        required=("x-hub-signature-256",),
        sent_headers=frozenset({"X-Hub-Signature-256", "X-GitHub-Delivery"}),
        signature_prefix="sha256=",
    ),
    Case(
        name="stripe",
        declaration={"scheme": "stripe"},
        secrets=("whsec_test_secret", "whsec_rotated_secret"),
        wrong_secret="whsec_wrong_secret",
        signature_header="stripe-signature",
        required=("stripe-signature",),
        sent_headers=frozenset({"Stripe-Signature"}),
        timestamped=True,
    ),
    Case(
        name="shopify",
        declaration={"scheme": "shopify"},
        secrets=("shopify client secret", "rotated shopify client secret"),
        wrong_secret="another app's secret",
        signature_header="x-shopify-hmac-sha256",
        required=("x-shopify-hmac-sha256",),
        sent_headers=frozenset({"X-Shopify-Hmac-SHA256", "X-Shopify-Webhook-Id"}),
    ),
    Case(
        name="slack",
        declaration={"scheme": "slack"},
        secrets=("8f742231b10e8888abcd99yyyzzz85a5", "rotated slack signing secret"),
        wrong_secret="8f742231b10e8888abcd99yyyzzz85a6",
        signature_header="x-slack-signature",
        required=("x-slack-signature", "x-slack-request-timestamp"),
        sent_headers=frozenset({"X-Slack-Signature", "X-Slack-Request-Timestamp"}),
        signature_prefix="v0=",
        timestamp_header="x-slack-request-timestamp",
        timestamped=True,
    ),
    Case(
        name="hmac-everything",
        declaration={
            "scheme": "hmac",
            "header": "X-Signature",
            "algorithm": "sha512",
            "encoding": "base64",
            "prefix": "sig=",
            "timestamp-header": "X-Timestamp",
            "signed-content": "{id}:{timestamp}:{body}",
            "id-header": "X-Delivery-Id",
            "event-header": "X-Event-Type",
        },
        secrets=("generic secret", "rotated generic secret"),
        wrong_secret="generic secret!",
        signature_header="x-signature",
        required=("x-signature", "x-timestamp", "x-delivery-id"),
        sent_headers=frozenset({"X-Signature", "X-Timestamp", "X-Delivery-Id"}),
        signature_prefix="sig=",
        timestamp_header="x-timestamp",
        timestamped=True,
        signs_id=True,
    ),
    Case(
        name="hmac-minimal",
        declaration={"scheme": "hmac", "header": "X-Signature"},
        secrets=("minimal secret", "rotated minimal secret"),
        wrong_secret="Minimal secret",
        signature_header="x-signature",
        required=("x-signature",),
        sent_headers=frozenset({"X-Signature"}),
    ),
    Case(
        name="hmac-sha1-timestamped",
        declaration={
            "scheme": "hmac",
            "header": "X-Hub-Signature",
            "algorithm": "sha1",
            "prefix": "sha1=",
            "timestamp-header": "X-Request-Timestamp",
        },
        secrets=("sha1 secret", "rotated sha1 secret"),
        wrong_secret="sha1 secrets",
        signature_header="x-hub-signature",
        required=("x-hub-signature", "x-request-timestamp"),
        sent_headers=frozenset({"X-Hub-Signature", "X-Request-Timestamp"}),
        signature_prefix="sha1=",
        timestamp_header="x-request-timestamp",
        timestamped=True,
    ),
]
TIMESTAMPED = [case for case in CASES if case.timestamped]
SIGNS_ID = [case for case in CASES if case.signs_id]
ID_UNSIGNED = [case for case in CASES if not case.signs_id and case.scheme.id_header is not None]
PREFIXED = [case for case in CASES if case.signature_prefix]

cases = pytest.mark.parametrize("case", CASES, ids=str)


def deliver(
    case: Case,
    body: bytes = BODY,
    *,
    secret: str | None = None,
    delivery_id: str = DELIVERY_ID,
    timestamp: int = NOW,
) -> dict[str, str]:
    """A delivery's headers as the receiver's adapter hands them over: names lower-case, event header added."""
    scheme = case.scheme
    sent = scheme.sign(body, secret or case.secrets[0], delivery_id=delivery_id, timestamp=timestamp)
    headers = {name.lower(): value for name, value in sent.items()}
    if scheme.event_header is not None:
        headers[scheme.event_header] = EVENT_TYPE
    return headers


def with_timestamp(case: Case, headers: dict[str, str], text: str) -> dict[str, str]:
    """The same delivery with its timestamp text replaced, wherever the scheme carries it."""
    changed = dict(headers)
    if case.timestamp_header is not None:
        changed[case.timestamp_header] = text
    else:
        assert case.name == "stripe"
        _, _, rest = changed["stripe-signature"].partition(",")
        changed["stripe-signature"] = f"t={text},{rest}"
    return changed


def verify(case: Case, headers: dict[str, str], body: bytes = BODY, **kwargs: float) -> Verified:
    return case.scheme.verify(headers, body, list(case.secrets), now=kwargs.pop("now", NOW), **kwargs)


def rejection(case: Case, headers: dict[str, str], body: bytes = BODY, **kwargs: float) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify(case, headers, body, **kwargs)
    return caught.value


def expected_verified(case: Case) -> Verified:
    """What verifying `deliver(case)` reports."""
    scheme = case.scheme
    return Verified(
        delivery_id=DELIVERY_ID if scheme.id_header is not None else None,
        timestamp=NOW if case.timestamped else None,
        event_type=EVENT_TYPE if scheme.event_header is not None else None,
    )


# --- every scheme --------------------------------------------------------------------------------------------------


@cases
def test_a_signed_delivery_verifies_and_reports_its_headers(case: Case) -> None:
    assert verify(case, deliver(case)) == expected_verified(case)


@cases
def test_sign_names_the_headers_in_their_canonical_case(case: Case) -> None:
    sent = case.scheme.sign(BODY, case.secrets[0], delivery_id=DELIVERY_ID, timestamp=NOW)
    assert set(sent) == case.sent_headers


@cases
def test_the_scheme_names_its_headers_in_lower_case(case: Case) -> None:
    scheme = case.scheme
    for header in (scheme.id_header, scheme.event_header):
        assert header is None or header == header.lower()
    assert scheme.name == (case.declaration or {"scheme": "standard-webhooks"})["scheme"]


@cases
@pytest.mark.parametrize("variant", RESERIALISED, ids=str)
def test_a_reserialised_body_is_rejected(case: Case, variant: str) -> None:
    error = rejection(case, deliver(case), RESERIALISED[variant])
    assert str(error) == "no signature matches"


@pytest.mark.parametrize("case", SIGNS_ID, ids=str)
def test_a_changed_delivery_id_is_rejected_where_the_id_is_signed(case: Case) -> None:
    headers = deliver(case)
    id_header = case.scheme.id_header
    assert id_header is not None
    headers[id_header] = DELIVERY_ID + "x"
    assert str(rejection(case, headers)) == "no signature matches"


@pytest.mark.parametrize("case", ID_UNSIGNED, ids=str)
def test_an_unsigned_delivery_id_is_only_reported(case: Case) -> None:
    headers = deliver(case)
    id_header = case.scheme.id_header
    assert id_header is not None
    headers[id_header] = "another id"
    assert verify(case, headers).delivery_id == "another id"


@pytest.mark.parametrize("case", TIMESTAMPED, ids=str)
def test_a_changed_timestamp_is_rejected(case: Case) -> None:
    headers = with_timestamp(case, deliver(case), str(NOW + 1))
    assert str(rejection(case, headers)) == "no signature matches"


@cases
def test_each_required_header_missing_is_a_missing_header(case: Case) -> None:
    for header in case.required:
        headers = deliver(case)
        del headers[header]
        with pytest.raises(MissingHeader, match=f"^missing header {header}$"):
            verify(case, headers)


@cases
def test_each_required_header_empty_is_rejected_but_not_missing(case: Case) -> None:
    for header in case.required:
        headers = deliver(case)
        headers[header] = ""
        error = rejection(case, headers)
        assert not isinstance(error, MissingHeader)
        assert str(error) == f"empty header {header}"


@pytest.mark.parametrize("case", SIGNS_ID, ids=str)
def test_a_delivery_id_that_is_not_text_is_rejected(case: Case) -> None:
    headers = deliver(case)
    id_header = case.scheme.id_header
    assert id_header is not None
    headers[id_header] = "msg_\ud800"  # a lone surrogate cannot be encoded, so it cannot have been signed
    assert str(rejection(case, headers)) == f"{id_header} is not valid text"


@cases
def test_no_headers_at_all_is_a_missing_header(case: Case) -> None:
    with pytest.raises(MissingHeader):
        verify(case, {})


GARBAGE_SIGNATURES = [
    "garbage",
    "v1,a,b",
    "v1,!!!!",
    "v1,bm90IGEgc2lnbmF0dXJl",  # base64 of the wrong length
    "v1a",
    "v1a,",
    "",
    " ",
    "v1,",
    "sha256=",
    "sha256=zz",
    "v0=",
    "t=1700000000",
    "t=1700000000,v1=",
    "t=1700000000,v1=xyz",
    "sig=",
    "é",
    "v1,é",
    "\x00",
    "v1,AAAA\nAAAA",
]


@cases
@pytest.mark.parametrize("garbage", GARBAGE_SIGNATURES, ids=repr)
def test_a_malformed_signature_header_is_rejected(case: Case, garbage: str) -> None:
    headers = deliver(case)
    headers[case.signature_header] = garbage
    error = rejection(case, headers)
    assert not isinstance(error, MissingHeader)


@cases
def test_a_truncated_or_extended_signature_is_rejected(case: Case) -> None:
    valid = deliver(case)[case.signature_header]
    for changed in (valid[:-2], valid[:-1], valid + "A", valid + "AA", valid + "=", "A" + valid):
        headers = deliver(case)
        headers[case.signature_header] = changed
        rejection(case, headers)


def test_hex_signatures_are_compared_as_bytes_so_case_does_not_matter() -> None:
    case = next(case for case in CASES if case.name == "hmac-minimal")
    headers = deliver(case)
    headers["x-signature"] = headers["x-signature"].upper()
    assert verify(case, headers) == expected_verified(case)


@pytest.mark.parametrize("case", PREFIXED, ids=str)
def test_a_signature_without_its_prefix_is_rejected(case: Case) -> None:
    headers = deliver(case)
    headers[case.signature_header] = headers[case.signature_header].removeprefix(case.signature_prefix)
    rejection(case, headers)


@pytest.mark.parametrize("case", TIMESTAMPED, ids=str)
@pytest.mark.parametrize("offset", [-301, 301, -10_000, 10_000])
def test_a_timestamp_outside_the_tolerance_is_rejected(case: Case, offset: int) -> None:
    error = rejection(case, deliver(case, timestamp=NOW + offset))
    assert str(error) == "timestamp outside tolerance"


@pytest.mark.parametrize("case", TIMESTAMPED, ids=str)
@pytest.mark.parametrize("offset", [-300, -299, 0, 299, 300])
def test_a_timestamp_within_the_tolerance_is_accepted(case: Case, offset: int) -> None:
    assert verify(case, deliver(case, timestamp=NOW + offset)).timestamp == NOW + offset


@pytest.mark.parametrize("case", TIMESTAMPED, ids=str)
def test_the_tolerance_is_the_callers(case: Case) -> None:
    headers = deliver(case, timestamp=NOW - 1000)
    assert verify(case, headers, tolerance=1000).timestamp == NOW - 1000
    assert str(rejection(case, deliver(case, timestamp=NOW - 11), tolerance=10)) == "timestamp outside tolerance"
    assert str(rejection(case, headers, tolerance=float("nan"))) == "timestamp outside tolerance"
    assert str(rejection(case, headers, now=float("nan"))) == "timestamp outside tolerance"


@pytest.mark.parametrize("case", TIMESTAMPED, ids=str)
def test_now_defaults_to_the_clock(case: Case) -> None:
    current = int(time.time())
    assert DEFAULT_TOLERANCE_SECONDS == 300
    fresh = deliver(case, timestamp=current)
    assert case.scheme.verify(fresh, BODY, list(case.secrets)).timestamp == current
    stale = deliver(case, timestamp=current - 400)
    with pytest.raises(SignatureError, match="timestamp outside tolerance"):
        case.scheme.verify(stale, BODY, list(case.secrets))


BAD_TIMESTAMPS = [
    "",
    "abc",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1700000000.0",
    "1700000000.5",
    "1.7e9",
    "1700000000abc",
    "-1700000000",
    "+1700000000",
    " 1700000000",
    "1700000000 ",
    "01700000000",
    "1_700_000_000",
    "0x6553f100",
    "\uff11\uff17" + "\uff10" * 8,  # fullwidth digits, which str.isdigit() accepts
    "\u0661\u0667" + "\u0660" * 8,  # Arabic-Indic digits, which int() accepts
    "9" * 5000,
    "1700000000\x00",
]


@pytest.mark.parametrize("case", TIMESTAMPED, ids=str)
@pytest.mark.parametrize("text", BAD_TIMESTAMPS, ids=lambda text: repr(text[:20]))
def test_a_malformed_timestamp_is_rejected(case: Case, text: str) -> None:
    error = rejection(case, with_timestamp(case, deliver(case), text))
    assert not isinstance(error, MissingHeader)


@cases
def test_either_of_two_secrets_verifies_during_rotation(case: Case) -> None:
    for secret in case.secrets:
        assert verify(case, deliver(case, secret=secret)) == expected_verified(case)


@cases
def test_a_delivery_signed_with_another_secret_is_rejected(case: Case) -> None:
    error = rejection(case, deliver(case, secret=case.wrong_secret))
    assert str(error) == "no signature matches"
    with pytest.raises(SignatureError, match="no signature matches"):
        case.scheme.verify(deliver(case), BODY, [case.secrets[1]], now=NOW)


@cases
def test_secrets_must_be_configured(case: Case) -> None:
    scheme = case.scheme
    headers = deliver(case)
    with pytest.raises(TypeError, match="not one string"):
        scheme.verify(headers, BODY, case.secrets[0], now=NOW)
    with pytest.raises(ValueError, match="no webhook secret configured"):
        scheme.verify(headers, BODY, [], now=NOW)
    with pytest.raises(ValueError, match="may not be empty"):
        scheme.verify(headers, BODY, [""], now=NOW)


@cases
def test_a_non_utf8_body_round_trips(case: Case) -> None:
    body = bytes(range(256))
    assert verify(case, deliver(case, body), body) == expected_verified(case)


# --- hypothesis: whatever arrives in the headers, only SignatureError comes out -----------------------------------

PLAUSIBLE_STARTS = ["", "v1,", "v1a,", "v0=", "sha256=", "sha1=", "sig=", "t=", "t=1700000000,v1=", "1700000000"]
header_values = st.one_of(
    st.text(),
    st.text(st.characters(categories=["Cs", "Nd", "Po", "Zs", "Cc"])),  # lone surrogates, foreign digits, controls
    st.binary().map(lambda raw: raw.decode("latin-1")),  # what an ASGI server hands over
    st.builds(
        "".join,
        st.tuples(st.sampled_from(PLAUSIBLE_STARTS), st.text(string.hexdigits + string.ascii_letters + "+/=,. ")),
    ),
    st.integers().map(str),
    st.floats().map(str),
)
FUZZ = settings(max_examples=150, deadline=None, database=None)


def _known_headers(case: Case) -> list[str]:
    scheme = case.scheme
    optional = [header for header in (scheme.id_header, scheme.event_header) if header is not None]
    return [*case.required, *optional, "x-unrelated"]


@cases
@FUZZ
@given(data=st.data(), body=st.binary(max_size=64))
def test_arbitrary_headers_only_ever_raise_signature_error(case: Case, data: st.DataObject, body: bytes) -> None:
    headers = data.draw(st.dictionaries(st.sampled_from(_known_headers(case)), header_values))
    with pytest.raises(SignatureError):
        case.scheme.verify(headers, body, list(case.secrets), now=NOW)


@cases
@FUZZ
@given(data=st.data())
def test_a_valid_delivery_with_fuzzed_headers_only_ever_raises_signature_error(case: Case, data: st.DataObject) -> None:
    headers = deliver(case)
    fuzzed = data.draw(st.dictionaries(st.sampled_from(case.required), header_values, min_size=1))
    assume(all(headers[name] != value for name, value in fuzzed.items()))
    with pytest.raises(SignatureError):
        verify(case, {**headers, **fuzzed})


# --- Standard Webhooks against the standardwebhooks library --------------------------------------------------------

LIBRARY_PAYLOADS = ['{"test": 2432232314}', BODY.decode(), '{"emoji":"🎉","text":"\\u00e9 é"}', "[]", "", "x" * 10_000]


def test_standard_webhooks_published_vector() -> None:
    # standard-webhooks/standard-webhooks, libraries/python/tests/test_webhooks.py (test_sign_function)
    scheme = StandardWebhooksScheme()
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    body = b'{"test": 2432232314}'
    for secret in ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"):
        assert scheme.sign(body, secret, delivery_id=headers["webhook-id"], timestamp=1614265330) == headers
        verified = scheme.verify(headers, body, [secret], now=1614265330)
        assert verified == Verified(delivery_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, event_type=None)
    tampered = {**headers, "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="}
    with pytest.raises(SignatureError, match="no signature matches"):
        scheme.verify(tampered, body, [SW_SECRET], now=1614265330)


@pytest.mark.parametrize("payload", LIBRARY_PAYLOADS, ids=lambda payload: repr(payload[:20]))
def test_standard_webhooks_library_signs_and_we_verify(payload: str) -> None:
    timestamp = 1_614_265_330
    signature = Webhook(SW_SECRET).sign(DELIVERY_ID, datetime.fromtimestamp(timestamp, tz=UTC), payload)
    headers = {"webhook-id": DELIVERY_ID, "webhook-timestamp": str(timestamp), "webhook-signature": signature}
    scheme = StandardWebhooksScheme()
    assert scheme.verify(headers, payload.encode(), [SW_SECRET], now=timestamp).delivery_id == DELIVERY_ID
    with pytest.raises(SignatureError):
        scheme.verify(headers, payload.encode() + b" ", [SW_SECRET], now=timestamp)


@pytest.mark.parametrize("payload", LIBRARY_PAYLOADS, ids=lambda payload: repr(payload[:20]))
@pytest.mark.parametrize("secret", [SW_SECRET, SW_SECRET_ROTATED])
def test_we_sign_and_the_standard_webhooks_library_verifies(payload: str, secret: str) -> None:
    # The library checks against its own clock, so this delivery is signed now.
    headers = StandardWebhooksScheme().sign(
        payload.encode(), secret, delivery_id=DELIVERY_ID, timestamp=int(time.time())
    )
    assert Webhook(secret).verify(payload, headers, json_parse=False) is None
    with pytest.raises(WebhookVerificationError):
        Webhook(SW_WRONG_SECRET).verify(payload, headers, json_parse=False)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(payload + " ", headers, json_parse=False)


def test_standard_webhooks_takes_any_v1_among_several_and_ignores_other_versions() -> None:
    case = CASES[0]
    good = deliver(case)["webhook-signature"]
    other = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
    several = deliver(case)
    several["webhook-signature"] = f"{other} v2,{good.removeprefix('v1,')} {good} {other}"
    assert verify(case, several).delivery_id == DELIVERY_ID
    several["webhook-signature"] = f"v1,a,b v1a,xyz  {good}"
    assert verify(case, several).delivery_id == DELIVERY_ID
    other_version_only = deliver(case)
    other_version_only["webhook-signature"] = "v2," + good.removeprefix("v1,")
    assert str(rejection(case, other_version_only)) == "no valid v1 signature in webhook-signature"


def test_standard_webhooks_secrets_must_be_base64() -> None:
    headers = deliver(CASES[0])
    for secret in ("whsec_", "whsec_abcde", "whsec_é"):
        with pytest.raises(ValueError, match="secret"):
            StandardWebhooksScheme().verify(headers, BODY, [secret], now=NOW)


# --- published vectors and independent computations ---------------------------------------------------------------


def test_github_published_vector() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries ("Testing the webhook payload
    # validation"); github/docs content/webhooks/using-webhooks/validating-webhook-deliveries.md
    scheme = scheme_from_declaration({"scheme": "github"})
    signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    secret = "It's a Secret to Everybody"
    headers = {"x-hub-signature-256": signature, "x-github-delivery": "72d3162e", "x-github-event": "ping"}
    assert scheme.verify(headers, b"Hello, World!", [secret]) == Verified("72d3162e", None, "ping")
    sent = scheme.sign(b"Hello, World!", secret, delivery_id="72d3162e", timestamp=0)
    assert sent == {"X-Hub-Signature-256": signature, "X-GitHub-Delivery": "72d3162e"}
    with pytest.raises(SignatureError, match="no signature matches"):
        scheme.verify(headers, b"Hello, World?", [secret])


def test_github_legacy_sha1_header_alone_is_missing_the_sha256_one() -> None:
    legacy = {"x-hub-signature": "sha1=" + hmac.new(b"s", b"{}", hashlib.sha1).hexdigest()}
    with pytest.raises(MissingHeader, match="x-hub-signature-256"):
        scheme_from_declaration({"scheme": "github"}).verify(legacy, b"{}", ["s"])


SLACK_DOCS_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)


def test_slack_published_vector() -> None:
    # https://docs.slack.dev/authentication/verifying-requests-from-slack (the worked example), as quoted in
    # slackapi/python-slack-sdk tests/slack_sdk/signature/test_signature_verifier.py
    scheme = scheme_from_declaration({"scheme": "slack"})
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    headers = {"x-slack-request-timestamp": "1531420618", "x-slack-signature": signature}
    assert scheme.verify(headers, SLACK_DOCS_BODY, [secret], now=1531420618 + 60) == Verified(None, 1531420618, None)
    sent = scheme.sign(SLACK_DOCS_BODY, secret, delivery_id="unused", timestamp=1531420618)
    assert sent == {"X-Slack-Signature": signature, "X-Slack-Request-Timestamp": "1531420618"}
    with pytest.raises(SignatureError, match="timestamp outside tolerance"):
        scheme.verify(headers, SLACK_DOCS_BODY, [secret])


def stripe_reference_header(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe-Signature as stripe-python's WebhookSignature.generate_signature_header computes it."""
    signed_payload = f"{timestamp}.{payload.decode()}"
    signature = hmac.new(secret.encode("utf-8"), msg=signed_payload.encode("utf-8"), digestmod=hashlib.sha256)
    return f"t={timestamp},v1={signature.hexdigest()}"


def test_stripe_against_an_independent_computation() -> None:
    # No published vector with its secret and payload was found; stripe-python's tests sign with its own helper.
    payload = b'{\n  "id": "evt_test_webhook",\n  "object": "event"\n}'
    secret = "whsec_test_secret"
    reference = stripe_reference_header(payload, secret, NOW)
    scheme = scheme_from_declaration({"scheme": "stripe"})
    assert scheme.sign(payload, secret, delivery_id="evt_test_webhook", timestamp=NOW) == {
        "Stripe-Signature": reference
    }
    assert scheme.verify({"stripe-signature": reference}, payload, [secret], now=NOW) == Verified(None, NOW, None)


def test_stripe_takes_any_v1_in_any_order_and_ignores_v0() -> None:
    secret = "whsec_test_secret"
    good = stripe_reference_header(BODY, secret, NOW).partition(",")[2]  # "v1=<hex>"
    scheme = StripeScheme()
    bad_v1 = "v1=" + "0" * 64
    for header in (
        f"t={NOW},{bad_v1},{good},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39",
        f"{good},t={NOW}",
        f"t={NOW},v1=xyz,{good},extra,unknown=1",
    ):
        assert scheme.verify({"stripe-signature": header}, BODY, [secret], now=NOW).timestamp == NOW
    for header, reason in (
        (f"t={NOW},v0={good.removeprefix('v1=')}", "no valid v1 signature in stripe-signature"),
        (good, "stripe-signature needs exactly one t="),
        (f"t={NOW},t={NOW},{good}", "stripe-signature needs exactly one t="),
        (f"t={NOW},{bad_v1}", "no signature matches"),
    ):
        with pytest.raises(SignatureError, match=f"^{reason}$"):
            scheme.verify({"stripe-signature": header}, BODY, [secret], now=NOW)


def test_stripe_reports_an_id_header_only_when_declared() -> None:
    scheme = scheme_from_declaration({"scheme": "stripe", "id-header": "Idempotency-Key", "event-header": "X-Kind"})
    sent = scheme.sign(BODY, "whsec_x", delivery_id="evt_1", timestamp=NOW)
    headers = {name.lower(): value for name, value in sent.items()} | {"x-kind": "charge.succeeded"}
    assert scheme.verify(headers, BODY, ["whsec_x"], now=NOW) == Verified("evt_1", NOW, "charge.succeeded")


def test_shopify_against_an_independent_computation() -> None:
    # shopify.dev/docs/apps/build/webhooks/verify-deliveries describes the digest (base64 HMAC-SHA256 of the raw
    # body, keyed by the client secret) but publishes no vector; this is the digest as Shopify/shopify-app-js
    # computes it in its webhook tests (packages/apps/shopify-api/lib/webhooks/__tests__/utils.ts).
    secret = "hush"
    body = b'{"id":820982911946154508,"email":"jon@example.com","note":"caf\xc3\xa9"}'
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    scheme = scheme_from_declaration({"scheme": "shopify"})
    headers = {"x-shopify-hmac-sha256": digest, "x-shopify-webhook-id": "b54557e4", "x-shopify-topic": "orders/create"}
    assert scheme.verify(headers, body, [secret]) == Verified("b54557e4", None, "orders/create")
    assert scheme.sign(body, secret, delivery_id="b54557e4", timestamp=0)["X-Shopify-Hmac-SHA256"] == digest
    hex_instead = {**headers, "x-shopify-hmac-sha256": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}
    with pytest.raises(SignatureError):
        scheme.verify(hex_instead, body, [secret])


def test_generic_hmac_defaults_against_an_independent_computation() -> None:
    secret = "s3cret"
    body = b'{"a":1}'
    plain = scheme_from_declaration({"scheme": "hmac", "header": "X-Sig"})
    assert plain.sign(body, secret, delivery_id="d", timestamp=NOW) == {
        "X-Sig": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    }
    timed = scheme_from_declaration({"scheme": "hmac", "header": "X-Sig", "timestamp-header": "X-Ts"})
    expected = hmac.new(secret.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    assert timed.sign(body, secret, delivery_id="d", timestamp=NOW) == {"X-Sig": expected, "X-Ts": str(NOW)}


def test_generic_hmac_layout_with_literal_braces_and_an_id() -> None:
    declaration: dict[str, object] = {
        "scheme": "hmac",
        "header": "X-Sig",
        "encoding": "base64",
        "signed-content": "{{v2}}|{id}|{body}",
        "id-header": "X-Id",
    }
    scheme = scheme_from_declaration(declaration)
    digest = hmac.new(b"k", b"{v2}|d-1|" + BODY, hashlib.sha256).digest()
    assert scheme.sign(BODY, "k", delivery_id="d-1", timestamp=NOW) == {
        "X-Sig": base64.b64encode(digest).decode(),
        "X-Id": "d-1",
    }
    assert (scheme.id_header, scheme.event_header) == ("x-id", None)


# --- declarations --------------------------------------------------------------------------------------------------


def test_presets() -> None:
    assert PRESETS == ("standard-webhooks", "github", "stripe", "shopify", "slack", "hmac")
    assert isinstance(scheme_from_declaration(None), StandardWebhooksScheme)
    assert scheme_from_declaration({"scheme": "standard-webhooks"}) == scheme_from_declaration(None)
    assert isinstance(scheme_from_declaration({"scheme": "stripe"}), StripeScheme)
    for name in ("github", "shopify", "slack"):
        scheme = scheme_from_declaration({"scheme": name})
        assert isinstance(scheme, HmacScheme)
        assert scheme.name == name


def test_preset_header_overrides() -> None:
    github = scheme_from_declaration({"scheme": "github", "event-header": "X-Event", "id-header": "X-Id"})
    assert (github.id_header, github.event_header) == ("x-id", "x-event")
    standard = scheme_from_declaration({"scheme": "standard-webhooks", "event-header": "Webhook-Event"})
    headers = deliver(CASES[0]) | {"webhook-event": "invoice.paid"}
    assert standard.verify(headers, BODY, [SW_SECRET], now=NOW) == Verified(DELIVERY_ID, NOW, "invoice.paid")


@pytest.mark.parametrize(
    ("declaration", "id_field"),
    [
        ({"scheme": "stripe"}, "id"),
        ({"scheme": "slack"}, "event_id"),
        ({"scheme": "github"}, None),
        ({"scheme": "shopify"}, None),
        ({"scheme": "standard-webhooks"}, None),
        ({"scheme": "stripe", "id-field": "event"}, "event"),
        ({"scheme": "github", "id-field": "delivery"}, "delivery"),
        ({"scheme": "hmac", "header": "X-Sig", "id-field": "uuid"}, "uuid"),
    ],
    ids=repr,
)
def test_the_payload_field_that_carries_the_delivery_id(declaration: dict[str, str], id_field: str | None) -> None:
    assert scheme_from_declaration(declaration).id_field == id_field


BAD_DECLARATIONS: list[tuple[object, str]] = [
    ({}, "missing scheme"),
    ({"scheme": "svix"}, "unknown scheme 'svix'"),
    ({"scheme": "GitHub"}, "unknown scheme 'GitHub'"),
    ("github", "must be a mapping"),
    (["github"], "must be a mapping"),
    ({"scheme": 1}, "string"),
    ({"scheme": "github", "secret": "x"}, "does not take secret"),
    ({"scheme": "github", "tolerance": "300"}, "does not take tolerance"),
    ({"scheme": "standard-webhooks", "id-header": "X-Id"}, "does not take id-header"),
    ({"scheme": "standard-webhooks", "id-field": "id"}, "does not take id-field"),
    ({"scheme": "stripe", "id-field": ""}, "id-field must name a top-level payload field"),
    ({"scheme": "slack", "header": "X-Sig"}, "does not take header"),
    ({"scheme": "hmac"}, "needs a header"),
    ({"scheme": "hmac", "header": "X-Sig", "algorithm": "md5"}, "algorithm 'md5'"),
    ({"scheme": "hmac", "header": "X-Sig", "algorithm": "SHA256"}, "algorithm 'SHA256'"),
    ({"scheme": "hmac", "header": "X-Sig", "encoding": "base32"}, "encoding 'base32'"),
    ({"scheme": "hmac", "header": "X Sig"}, "not an HTTP header name"),
    ({"scheme": "hmac", "header": ""}, "not an HTTP header name"),
    ({"scheme": "hmac", "header": "X-Sig:"}, "not an HTTP header name"),
    ({"scheme": "hmac", "header": "X-Sig", "id-header": "X-Ïd"}, "not an HTTP header name"),
    ({"scheme": "hmac", "header": "X-Sig", "header-name": "X"}, "does not take header-name"),
    ({"scheme": "hmac", "header": 5}, "string"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{body}{body}"}, "{body} exactly once"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "constant"}, "{body} exactly once"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{ts}.{body}"}, "unknown placeholder"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{}.{body}"}, "unknown placeholder"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{body!r}"}, "unknown placeholder"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{body:>9}"}, "unknown placeholder"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{body"}, "signed-content"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "}{body}"}, "signed-content"),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{timestamp}.{body}"}, "timestamp-header"),
    (
        {"scheme": "hmac", "header": "X-Sig", "timestamp-header": "X-Ts", "signed-content": "{body}"},
        "timestamp-header",
    ),
    ({"scheme": "hmac", "header": "X-Sig", "signed-content": "{id}.{body}"}, "needs an id-header"),
]


@pytest.mark.parametrize(("declaration", "message"), BAD_DECLARATIONS, ids=repr)
def test_a_bad_declaration_is_a_value_error(declaration: object, message: str) -> None:
    with pytest.raises(ValueError, match="x-webhook-signature") as caught:
        scheme_from_declaration(declaration)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_verified_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Verified(None, None, None).delivery_id = "x"  # type: ignore[misc]


def test_sign_refuses_a_negative_timestamp() -> None:
    with pytest.raises(ValueError, match="unix seconds"):
        StandardWebhooksScheme().sign(BODY, SW_SECRET, delivery_id=DELIVERY_ID, timestamp=-1)
