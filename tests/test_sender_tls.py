"""The sender's pinned connection over real TLS: it connects to the address it checked, while SNI and the
certificate's hostname check use the URL's host name (a local CA and server certificates made with trustme)."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.runtime._sender import Outcome, Sender

from .servers import serving

trustme = pytest.importorskip("trustme", reason="trustme (a test dependency) makes the local CA")

SECRET = "whsec_" + base64.b64encode(b"tls-secret-32-bytes-long!!!!!!!!").decode()
# A name no resolver on this machine knows: only the sender's pinned address can reach the server.
HOST = "receiver.test"


class Payload:
    def model_dump_json(self, **options: object) -> str:
        return '{"order": 1}'


@contextmanager
def tls_server(tmp_path: Path, ca: trustme.CA, *names: str) -> Iterator[tuple[int, list[str]]]:
    """uvicorn on 127.0.0.1 with a certificate for `names`; yields its port and the Host headers it saw."""
    hosts: list[str] = []

    async def answer(request: Request) -> Response:
        hosts.append(request.headers["host"])
        return Response(b"", 204)

    certificate = ca.issue_cert(*names)
    pem = tmp_path / "server.pem"
    certificate.private_key_and_cert_chain_pem.write_to_path(str(pem))
    app = Starlette(routes=[Route("/hook", answer, methods=["POST"])])
    with serving(app, ssl_certfile=str(pem), log_level="error") as base:
        yield httpx.URL(base).port, hosts


def pinned_sender(ca: trustme.CA, resolved: list[tuple[str, int]]) -> Sender:
    """A sender trusting the local CA, whose resolver maps HOST to 127.0.0.1 and records what it was asked."""

    def resolve(host: str, port: int) -> list[str]:
        resolved.append((host, port))
        return ["127.0.0.1"] if host == HOST else []

    context = ssl.create_default_context()
    ca.configure_trust(context)
    return Sender(SECRET, verify=context, resolver=resolve, allow_loopback=True, schedule=(0,))


def test_https_goes_to_the_pinned_address_with_the_host_names_sni_and_certificate(tmp_path: Path):
    ca = trustme.CA()
    resolved: list[tuple[str, int]] = []
    with tls_server(tmp_path, ca, HOST) as (port, hosts), pinned_sender(ca, resolved) as sender:
        result = sender.send(f"https://{HOST}:{port}/hook", Payload())  # type: ignore[arg-type]
    assert (result.outcome, [attempt.status for attempt in result.attempts]) == (Outcome.DELIVERED, [204])
    assert resolved == [(HOST, port)]
    assert hosts == [f"{HOST}:{port}"]


@pytest.mark.parametrize("names", [("127.0.0.1",), ("other.test",)], ids=["the-address", "another-name"])
def test_a_certificate_not_for_the_urls_host_name_is_refused(tmp_path: Path, names: tuple[str, ...]):
    # A certificate for the pinned address itself does not pass: the check is against the name the URL gives.
    ca = trustme.CA()
    with tls_server(tmp_path, ca, *names) as (port, hosts), pinned_sender(ca, []) as sender:
        result = sender.send(f"https://{HOST}:{port}/hook", Payload())  # type: ignore[arg-type]
    [attempt] = result.attempts
    assert attempt.status is None
    assert attempt.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert hosts == []


def test_a_certificate_from_an_untrusted_ca_is_refused(tmp_path: Path):
    with tls_server(tmp_path, trustme.CA(), HOST) as (port, hosts), pinned_sender(trustme.CA(), []) as sender:
        result = sender.send(f"https://{HOST}:{port}/hook", Payload())  # type: ignore[arg-type]
    [attempt] = result.attempts
    assert attempt.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert hosts == []
