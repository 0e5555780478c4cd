"""The FastAPI adapter over a `Receiver`: routes that read the raw body within the size limit and answer its `Answer`.

`receivers.py` builds the `Receiver` of the spec's webhooks and hands it to `router`, `single_endpoint` or
`create_app` here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from ._receive import Answer, Receiver, log_refusal

# How long a client may take to send its whole body: one that sends less than its Content-Length is answered 408.
DEFAULT_BODY_TIMEOUT = 10.0

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "ClientDisconnected",
    "RawRoute",
    "create_app",
    "read_body",
    "response",
    "route",
    "router",
    "single_endpoint",
]


def router(
    core: Receiver, *, prefix: str, paths: Mapping[str, str] | None, body_timeout: float = DEFAULT_BODY_TIMEOUT
) -> APIRouter:
    """One POST endpoint per webhook of `core`, at `prefix` + `/{key, URL-quoted}` unless `paths` maps the key."""
    api = APIRouter()
    _add_routes(api, core, prefix, paths, body_timeout)
    return api


def single_endpoint(
    core: Receiver, *, path: str, event_field: str | None, body_timeout: float = DEFAULT_BODY_TIMEOUT
) -> APIRouter:
    """One POST endpoint at `path` for every webhook, dispatching by the event header or the payload's `event_field`."""
    if event_field is None and core.schemes[""].event_header is None:
        raise ValueError("the signature scheme names no event header: pass event_field, the payload's type field")
    api = APIRouter()
    api.add_api_route(path, route(core, "", event_field, body_timeout), methods=["POST"], include_in_schema=False)
    return api


def create_app(
    core: Receiver,
    *,
    title: str,
    version: str,
    prefix: str,
    paths: Mapping[str, str] | None,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
) -> FastAPI:
    """A FastAPI app with one POST endpoint per webhook of `core`, laid out as `router` lays them out."""
    app = FastAPI(title=title, version=version)
    # The routes go on the app itself: an included router adds a layer of route matching to every delivery.
    _add_routes(app.router, core, prefix, paths, body_timeout)
    return app


def _add_routes(
    api: APIRouter, core: Receiver, prefix: str, paths: Mapping[str, str] | None, body_timeout: float
) -> None:
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(f"prefix {prefix!r} must start with '/' and must not end with '/'")
    for key in core.endpoints:
        path = (paths or {}).get(key, "/" + quote(key, safe=""))
        api.add_api_route(
            prefix + path,
            route(core, key, None, body_timeout),
            methods=["POST"],
            include_in_schema=False,
            route_class_override=RawRoute,
        )


class RawRoute(APIRoute):
    """A route matched against the request's raw path, so that a key's quoted `/` (`%2F`) stays in its segment.

    Starlette matches the decoded path, where `orders%2Fcreate` has become `orders/create`. Both sides are put in
    one canonical quoting first (each segment decoded, then quoted with nothing safe), so a client may quote more
    or less than needed. A path without `%` (a `paths=` override written plainly) also matches the decoded path.
    """

    def matches(self, scope: Any) -> tuple[Any, Any]:
        """Match the canonical raw path; fall back to the decoded path only where no quoting is involved."""
        canonical = _canonical_path(scope)
        if canonical is not None:
            match, child = super().matches({**scope, "path": canonical})
            # Match is starlette's, which a package may not import directly (it depends on fastapi).
            if match.name != "NONE" or "%" in self.path:
                return match, child
        return super().matches(scope)


_CANONICAL = "hookgen.canonical_path"


def _canonical_path(scope: Any) -> str | None:
    """The raw request path with each segment quoted as `quote(segment, safe="")` quotes it; None without one."""
    raw = scope.get("raw_path")
    if scope.get("type") != "http" or not isinstance(raw, bytes):
        return None
    canonical = scope.get(_CANONICAL)
    if canonical is None:
        segments = raw.split(b"?", 1)[0].split(b"/")
        canonical = "/".join(quote(unquote_to_bytes(segment), safe="") for segment in segments)
        scope[_CANONICAL] = canonical  # every route asks in turn: computed once per request
    return str(canonical)


def route(
    core: Receiver, key: str, event_field: str | None, body_timeout: float = DEFAULT_BODY_TIMEOUT
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint receiving the webhook `key` (every webhook when `key` is "") with `core`."""

    async def receive(request: Request) -> Response:
        try:
            body = await asyncio.wait_for(read_body(request, core.max_body), body_timeout)
        except TimeoutError:
            return _refused(Answer(408, f"body not received within {body_timeout:g} s", webhook=key or None))
        except ClientDisconnected:  # nobody reads the answer; logged as one line, not as the server's traceback
            return _refused(Answer(499, "client disconnected before sending its whole body", webhook=key or None))
        if body is None:
            return _refused(Answer(413, f"body larger than {core.max_body} bytes", webhook=key or None))
        return response(await core.receive_async(key, request.headers, body, event_field=event_field))

    return receive


def _refused(answer: Answer) -> Response:
    log_refusal(answer)
    return response(answer)


class ClientDisconnected(Exception):  # noqa: N818 - it names what happened, as Starlette's ClientDisconnect does
    """The client went away before sending its whole body."""


async def read_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than `limit` (refused by Content-Length before reading).

    It reads the ASGI messages itself: Starlette's `request.body()` raises its own ClientDisconnect, which this
    package cannot name without importing Starlette (FastAPI does not re-export it).
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None
        if not message.get("more_body", False):
            return b"".join(chunks)  # one chunk is returned as it is, not copied


@lru_cache(maxsize=256)
def _detail(reason: str) -> bytes:
    # Most answers repeat ("handled", "duplicate delivery: ..."): encoded once each.
    return json.dumps({"detail": reason}).encode()


def response(answer: Answer) -> Response:
    """The HTTP response for an answer: its status, `{"detail": reason}`, and the errors of a 422."""
    if answer.status == 204:
        return Response(status_code=204)
    if not answer.errors and not answer.headers:
        return Response(_detail(answer.reason), answer.status, media_type="application/json")
    content: dict[str, object] = {"detail": answer.reason}
    if answer.errors:
        content["errors"] = answer.errors
    return JSONResponse(content, status_code=answer.status, headers=dict(answer.headers))
