"""The generated package's README, followed as written: install note, scaffold, app.py, uvicorn, a signed delivery."""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx

from generator.runtime._signatures import StandardWebhooksScheme

from .conftest import ROOT
from .redis_server import free_port

GENERATED = ROOT / "generated"
PACKAGE = "subscriptions_webhooks"
SECRET = "whsec_" + base64.b64encode(b"readme" * 6).decode()
BODY = (
    b'{"alert_id":"a1","severity":"critical","metric":"cpu","value":99.5,"threshold":90,'
    b'"triggered_at":"2026-01-01T00:00:00Z"}'
)


def fenced(markdown: str, language: str) -> list[str]:
    """The bodies of the fenced blocks of one language, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", markdown, flags=re.MULTILINE | re.DOTALL)


def test_the_readme_says_to_install_uvicorn_which_is_not_a_dependency():
    readme = (GENERATED / "README.md").read_text(encoding="utf-8")
    install = fenced(readme, "sh")[0].split()
    assert install[:3] == ["pip", "install", "."] and "uvicorn" in install
    project = tomllib.loads((GENERATED / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dependencies = project["dependencies"] + [d for ds in project["optional-dependencies"].values() for d in ds]
    assert not [d for d in dependencies if d.startswith("uvicorn")]


def test_the_readme_run_steps_serve_a_verified_delivery(tmp_path: Path):
    """Scaffold from the installed package, app.py and the uvicorn line as the README writes them."""
    readme = (GENERATED / "README.md").read_text(encoding="utf-8")
    scaffold = re.search(r"`(hookgen scaffold [^`]*)`", readme)
    assert scaffold is not None
    command = shlex.split(scaffold.group(1))
    assert command[:2] == ["hookgen", "scaffold"]
    done = subprocess.run(
        [sys.executable, "-m", "generator", *command[1:]], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    handlers = tmp_path / "handlers.py"
    implemented = handlers.read_text(encoding="utf-8").replace(
        'raise NotImplementedError("monitoring.alert")', 'print("handled", payload.alert_id, flush=True)'
    )
    handlers.write_text(implemented, encoding="utf-8")
    (tmp_path / "app.py").write_text(fenced(readme, "python")[0], encoding="utf-8")

    port = free_port()
    serve = shlex.split(fenced(readme, "sh")[1].replace("whsec_...", SECRET).replace("8000", str(port)))
    env_words = [word for word in serve if "=" in word and word.split("=")[0].isupper()]
    env = {**os.environ, **dict(word.split("=", 1) for word in env_words)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = subprocess.Popen(serve[len(env_words) :], cwd=tmp_path, env=env, text=True, **pipes)
    try:
        response = _post_when_up(port, process)
        assert response.status_code == 202, response.text
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert "handled a1" in out, err


def _post_when_up(port: int, process: subprocess.Popen[str]) -> httpx.Response:
    headers = StandardWebhooksScheme().sign(BODY, SECRET, delivery_id="msg_readme", timestamp=int(time.time()))
    headers["content-type"] = "application/json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "uvicorn exited"
        try:
            url = f"http://127.0.0.1:{port}/webhooks/monitoring.alert"
            return httpx.post(url, content=BODY, headers=headers, timeout=10)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("uvicorn did not start")
