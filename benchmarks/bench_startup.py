"""Benchmark: start-up of a generated package against importing datamodel-code-generator's flat models module.

Each figure is measured in a fresh interpreter (best of N), from before the first import of the package to:
- provider app: `import NAME.webhooks` (the FastAPI app that declares every webhook);
- receiver app: `import NAME.receivers`, `create_app(...)`, and one signed delivery of a spec example answered 2xx
  (served in-process through ASGI, so no HTTP client is imported);
- baseline: `import models` of `datamodel-codegen` alone on the same spec, in the same run (its defaults written
  as values, so that it imports: `datamodel_code_generator_alone(importable=True)`).
The goals (issue 13) are receiver ≤ 0.2x and provider ≤ 0.5x of the baseline. Not a test: only ratios mean something.
Children inherit the environment: with `PYTHONDONTWRITEBYTECODE=1` every child compiles every module from source,
both sides alike; without it, the first child of each kind writes the bytecode the others read.
"""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench_generate import datamodel_code_generator_alone

from generator.commands.fidelity.judge import body_examples
from generator.pipeline import generate

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "corpus" / "github-webhooks.json"
PACKAGE = "bench_pkg"
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # base64 of 24 bytes: a Standard Webhooks test secret

# Each child prints the seconds from before its first import of the package to the end of its work.
_BASELINE = "import time; t = time.perf_counter(); import models; print(time.perf_counter() - t)"
_PROVIDER = f"import time; t = time.perf_counter(); import {PACKAGE}.webhooks; print(time.perf_counter() - t)"
_RECEIVER = f"""
import asyncio, json, sys, time
t = time.perf_counter()
import {PACKAGE}.receivers as receivers

class Handlers:
    def __getattr__(self, name):
        return lambda payload: None

delivery = json.loads(sys.argv[1])
credentials = {{name: v if isinstance(v, str) else tuple(v) for name, v in delivery["credentials"].items()}}
app = receivers.create_app(Handlers(), secrets=[delivery["secret"]], credentials=credentials)
sent = []

async def receive():
    return {{"type": "http.request", "body": delivery["body"].encode(), "more_body": False}}

async def send(message):
    sent.append(message)

scope = {{
    "type": "http", "asgi": {{"version": "3.0"}}, "http_version": "1.1", "method": "POST", "scheme": "http",
    "path": delivery["path"], "raw_path": delivery["path"].encode(), "query_string": b"", "root_path": "",
    "headers": [(k.lower().encode(), v.encode()) for k, v in delivery["headers"].items()],
    "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
}}
asyncio.run(app(scope, receive, send))
status = sent[0]["status"]
assert 200 <= status < 300, (status, sent)
print(time.perf_counter() - t)
"""


@dataclass(frozen=True)
class Startup:
    """Best-of seconds of each start-up, measured in the same run."""

    baseline: float
    provider: float
    receiver: float


def child_seconds(code: str, folder: Path, *args: str) -> float:
    """The seconds a fresh interpreter prints after running `code` with `folder` on its path."""
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(folder)!r})\n{code}", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
    )
    if result.returncode != 0:
        raise RuntimeError(f"start-up child failed:\n{result.stderr}")
    return float(result.stdout.strip().splitlines()[-1])


def first_delivery(spec: Path, folder: Path) -> dict[str, Any]:
    """A signed delivery of the first webhook whose spec example its model accepts: path, headers, body, secret."""
    generated = generate(spec, folder / "pkg", package=PACKAGE)
    for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
        del sys.modules[name]  # the package of a spec measured before, in this process
    sys.path.insert(0, str(folder / "pkg"))
    try:
        _signatures = importlib.import_module(f"{PACKAGE}._signatures")
        receivers = importlib.import_module(f"{PACKAGE}.receivers")
    finally:
        sys.path.remove(str(folder / "pkg"))

    endpoints = {endpoint.key: endpoint for endpoint in receivers.ENDPOINTS}
    for webhook in generated.spec.webhooks:
        endpoint = endpoints.get(webhook.key)
        if endpoint is None or endpoint.model is None:
            continue
        for example in body_examples(generated.document, webhook):
            try:
                endpoint.model.model_validate(example)
            except ValueError:
                continue
            body = json.dumps(example)
            scheme = _signatures.scheme_from_declaration(endpoint.signature or receivers.SIGNATURE)
            headers = scheme.sign(body.encode(), SECRET, delivery_id="msg_bench", timestamp=int(time.time()))
            headers["content-type"] = endpoint.media_type or "application/json"
            credentials, authorization = credentials_for(receivers.SECURITY_SCHEMES)
            path = "/webhooks/" + quote(webhook.key, safe="")
            headers |= authorization
            return {"path": path, "headers": headers, "body": body, "secret": SECRET, "credentials": credentials}
    raise RuntimeError(f"{spec.name}: no webhook has an example its model accepts")


def credentials_for(schemes: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """A credential for each security scheme the receivers enforce, and the headers that present all of them."""
    credentials: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for name, scheme in schemes.items():
        if scheme.get("type") == "http":  # basic, the one HTTP scheme receivers enforce
            credentials[name] = ["bench", "secret"]
            headers["authorization"] = "Basic " + base64.b64encode(b"bench:secret").decode()
        elif scheme.get("type") == "apiKey":
            credentials[name] = "bench-key"
            headers[str(scheme["name"]).lower()] = "bench-key"
    return credentials, headers


def measure(spec: Path, runs: int, folder: Path) -> Startup:
    """Generate the package and the flat models of `spec` into `folder`, then time each start-up `runs` times."""
    delivery = json.dumps(first_delivery(spec, folder))
    datamodel_code_generator_alone(spec, folder / "flat", importable=True)
    return Startup(
        baseline=min(child_seconds(_BASELINE, folder / "flat") for _ in range(runs)),
        provider=min(child_seconds(_PROVIDER, folder / "pkg") for _ in range(runs)),
        receiver=min(child_seconds(_RECEIVER, folder / "pkg", delivery) for _ in range(runs)),
    )


def main(runs: int = 3, spec: Path = SPEC) -> None:
    """Print each start-up beside the baseline, with the ratio and its goal."""
    if not spec.is_file():
        print(f"{spec.name}: skipped (not found)")
        return
    with tempfile.TemporaryDirectory() as folder:
        startup = measure(spec, runs, Path(folder))
    print(f"{spec.name}: import of datamodel-code-generator's flat models (baseline) {startup.baseline:.2f}s")
    for what, seconds, goal in (
        ("receiver app import + first delivery", startup.receiver, 0.2),
        ("provider app import (NAME.webhooks)", startup.provider, 0.5),
    ):
        print(f"  {what}: {seconds:.2f}s, ratio to baseline {seconds / startup.baseline:.2f} (goal <= {goal})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3, Path(sys.argv[2]) if len(sys.argv) > 2 else SPEC)
