"""Signatures the sender makes verify with the providers' official libraries, and a tampered body fails each.

The sender posts to a capture endpoint (uvicorn on 127.0.0.1); the captured headers and raw body go to:
standardwebhooks and svix (standard-webhooks preset), stripe (`Webhook.construct_event`, `verify_header`), slack_sdk
(`SignatureVerifier`), and, run with node, @octokit/webhooks-methods (`verify`, github preset) and
@shopify/shopify-api (`webhooks.validate`, shopify preset). The npm packages are installed at test time into
.hookgen-cache/official-verifiers; the test skips with a message when npm or node is missing or the install fails.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import slack_sdk.signature
import standardwebhooks
import stripe
import svix.webhooks
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.runtime._sender import Sender

from .servers import serving
from .test_sender import PAYLOAD, Seen

SECRET = "whsec_" + base64.b64encode(b"official-verifier-secret-32bytes").decode()
NPM_CACHE = Path(__file__).resolve().parent.parent / ".hookgen-cache" / "official-verifiers"
NPM_PACKAGES = ["@octokit/webhooks-methods@6", "@shopify/shopify-api@13"]
VERIFY_JS = Path(__file__).resolve().parent / "official" / "verify.mjs"
# Headers Shopify's validate() requires besides the HMAC; they describe the delivery and are not signed.
SHOPIFY_METADATA = {
    "x-shopify-topic": "orders/create",
    "x-shopify-shop-domain": "example.myshopify.com",
    "x-shopify-api-version": "2025-01",
}


@pytest.fixture(scope="module")
def capture() -> Iterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []

    async def record(request: Request) -> Response:
        seen.append(Seen(request.url.path, dict(request.headers), await request.body()))
        return Response(b"")

    with serving(Starlette(routes=[Route("/{path:path}", record, methods=["POST"])])) as url:
        yield url, seen


def captured(capture: tuple[str, list[Seen]], scheme: str) -> Seen:
    """The one request the sender made, signed with `scheme`, as the capture endpoint received it."""
    url, seen = capture
    seen.clear()
    with Sender(SECRET, allow_loopback=True, schedule=(0,)) as client:
        assert client.send(url + "/hook", PAYLOAD, signature={"scheme": scheme}).delivered
    assert len(seen) == 1
    return seen[0]


def tampered(body: bytes) -> bytes:
    return body.replace(b"1", b"2")


def stripe_verifies(headers: dict[str, str], body: bytes) -> bool:
    try:
        event = stripe.Webhook.construct_event(body.decode(), headers["stripe-signature"], SECRET)
        stripe.WebhookSignature.verify_header(body.decode(), headers["stripe-signature"], SECRET, tolerance=300)
    except stripe.SignatureVerificationError:
        return False
    return bool(event["order"] == json.loads(body)["order"])


def slack_verifies(headers: dict[str, str], body: bytes) -> bool:
    verifier = slack_sdk.signature.SignatureVerifier(SECRET)
    return verifier.is_valid(body, headers["x-slack-request-timestamp"], headers["x-slack-signature"])


def standardwebhooks_verifies(headers: dict[str, str], body: bytes) -> bool:
    try:
        standardwebhooks.Webhook(SECRET).verify(body, headers)
    except standardwebhooks.WebhookVerificationError:
        return False
    return True


def svix_verifies(headers: dict[str, str], body: bytes) -> bool:
    named = {name.replace("webhook-", "svix-"): value for name, value in headers.items()}
    try:
        svix.webhooks.Webhook(SECRET).verify(body, named)
    except svix.webhooks.WebhookVerificationError:
        return False
    return True


PYTHON_VERIFIERS: list[tuple[str, Callable[[dict[str, str], bytes], bool]]] = [
    ("standard-webhooks", standardwebhooks_verifies),
    ("standard-webhooks", svix_verifies),
    ("stripe", stripe_verifies),
    ("slack", slack_verifies),
]


@pytest.mark.parametrize(("scheme", "verifies"), PYTHON_VERIFIERS, ids=[v.__name__ for _, v in PYTHON_VERIFIERS])
def test_the_official_python_library_verifies_the_senders_signature(
    capture: tuple[str, list[Seen]], scheme: str, verifies: Callable[[dict[str, str], bytes], bool]
) -> None:
    seen = captured(capture, scheme)
    assert verifies(seen.headers, seen.body)
    assert not verifies(seen.headers, tampered(seen.body))


@pytest.fixture(scope="module")
def node_verifier() -> Path:
    """The official JS verifiers, installed with npm into the cache folder (once)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node or npm is not installed: cannot run @octokit/webhooks-methods and @shopify/shopify-api")
    if not (NPM_CACHE / "node_modules" / "@shopify" / "shopify-api").is_dir():
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        command = ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", str(NPM_CACHE)]
        done = subprocess.run([*command, *NPM_PACKAGES], capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            pytest.skip(f"npm install {' '.join(NPM_PACKAGES)} failed: {done.stderr.strip()[-200:]}")
    script = NPM_CACHE / "verify.mjs"
    shutil.copyfile(VERIFY_JS, script)
    return script


def node_verdict(script: Path, tmp_path: Path, scheme: str, headers: dict[str, str], body: bytes) -> Any:
    request = tmp_path / "delivery.json"
    text = json.dumps({"scheme": scheme, "secret": SECRET, "headers": headers, "body": base64.b64encode(body).decode()})
    request.write_text(text)
    done = subprocess.run(["node", str(script), str(request)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_octokit_webhooks_methods_verifies_the_github_signature(
    capture: tuple[str, list[Seen]], node_verifier: Path, tmp_path: Path
) -> None:
    seen = captured(capture, "github")
    assert node_verdict(node_verifier, tmp_path, "github", seen.headers, seen.body) == {"valid": True}
    assert node_verdict(node_verifier, tmp_path, "github", seen.headers, tampered(seen.body)) == {"valid": False}


def test_shopify_api_validates_the_shopify_signature(
    capture: tuple[str, list[Seen]], node_verifier: Path, tmp_path: Path
) -> None:
    seen = captured(capture, "shopify")
    headers = seen.headers | SHOPIFY_METADATA
    assert node_verdict(node_verifier, tmp_path, "shopify", headers, seen.body) == {"valid": True, "reason": None}
    wrong = node_verdict(node_verifier, tmp_path, "shopify", headers, tampered(seen.body))
    assert wrong == {"valid": False, "reason": "invalid_hmac"}
