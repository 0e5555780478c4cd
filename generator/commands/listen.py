"""`hookgen listen`: serve a spec's generated receivers, printing each accepted delivery as one JSON line.

Each refused delivery (4xx: signature, content type, size, body, payload, timeout) is printed on stderr instead, as
`{"status": ..., "reason": ..., "webhook": ..., "delivery_id": ...}`.

The package is generated once per spec content into a cache folder (`package_cache.py`), so a restart is quick.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import ConfigError
from .credentials import missing_credentials, parse_credentials
from .imported import import_generated
from .package_cache import PACKAGE, cached_package


class PrintingHandlers:
    """Handlers that print each delivery as one JSON line: the webhook key, the delivery id and the payload."""

    def __init__(self, receivers: ModuleType) -> None:
        """Answer every webhook of `receivers`."""
        self._current_delivery = receivers.current_delivery

    def __getattr__(self, name: str) -> Any:
        """Every handler method prints."""
        if name.startswith("_"):
            raise AttributeError(name)
        return self._print

    def _print(self, payload: object) -> None:
        delivery = self._current_delivery()
        head = {"webhook": delivery.endpoint.key, "delivery_id": delivery.delivery_id}
        # The body is JSON the model has read: it is printed as it came, not parsed and written again (a large
        # body would be held three times). Its line breaks can only be whitespace, since JSON escapes them in strings.
        body = delivery.body or b"null"
        if b"\n" in body or b"\r" in body:
            body = body.translate(_LINE_BREAKS_TO_SPACES)
        opening = json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "payload": '
        with _PRINTING:  # sync handlers run in threads: one line at a time
            out = sys.stdout.buffer
            out.write(opening)
            out.write(body)
            out.write(b"}\n")
            out.flush()


_LINE_BREAKS_TO_SPACES = bytes.maketrans(b"\r\n", b"  ")
_PRINTING = threading.Lock()


def listening_app(
    spec_path: Path,
    *,
    secrets: list[str],
    max_body: int | None,
    ref_roots: Sequence[Path] = (),
    signature: dict[str, Any] | None = None,
    credentials: Sequence[str] = (),
) -> Any:
    """The receivers' app for a spec; a ConfigError when a secret or credential cannot be used, before serving."""
    folder = cached_package(spec_path, ref_roots=ref_roots, signature=signature)
    [receivers] = import_generated(folder, PACKAGE, "receivers")
    expected = parse_credentials(credentials, receivers.SECURITY_SCHEMES)
    for endpoint in receivers.ENDPOINTS:
        if missing := missing_credentials(endpoint.security, expected):
            raise ConfigError(f"webhook {endpoint.key!r} requires security scheme {missing}: give --credential")
    options: dict[str, Any] = {"credentials": expected}
    if max_body is not None:
        options["max_body"] = max_body
    try:
        app = receivers.create_app(PrintingHandlers(receivers), secrets=secrets, **options)
    except ValueError as error:  # the receiver checks every secret against every scheme when it is built
        raise ConfigError(f"--secret: {error}") from None
    print_refusals(logging.getLogger(f"{PACKAGE}._receive.refused"))
    return app


class RefusalPrinter(logging.Handler):
    """Prints each refused delivery the receivers log as one JSON line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record's answer: its status, reason, webhook and delivery id."""
        answer = getattr(record, "hookgen_answer", None)
        if answer is None:
            return
        line = {
            "status": answer.status,
            "reason": answer.reason,
            "webhook": answer.webhook,
            "delivery_id": answer.delivery_id,
        }
        print(json.dumps(line, ensure_ascii=False), file=sys.stderr, flush=True)


def print_refusals(logger: logging.Logger) -> None:
    """Send the refusals `logger` records to stderr as JSON lines, and nowhere else."""
    if not any(isinstance(handler, RefusalPrinter) for handler in logger.handlers):
        logger.addHandler(RefusalPrinter())
    logger.setLevel(logging.INFO)
    logger.propagate = False


def serve(app: Any, *, host: str, port: int) -> None:
    """Serve an app under uvicorn until interrupted."""
    import uvicorn  # noqa: PLC0415 - only `listen` needs the server

    uvicorn.run(app, host=host, port=port, log_level="warning")
