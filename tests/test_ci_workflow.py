"""The GitHub Actions workflow in the README: its `run:` steps, taken from the README, run in a clone of a git
repository as GitHub runs them (`bash -eo pipefail`), on a pull request that breaks consumers and on a safe one."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

INSTALL = "pip install hookgen"  # the one step not run: hookgen is installed here already


def workflow() -> dict[str, Any]:
    """The README's workflow: the YAML block that uploads SARIF."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [text for text in re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL) if "upload-sarif" in text]
    loaded: dict[str, Any] = yaml.safe_load(block)
    return loaded


def steps() -> list[dict[str, Any]]:
    [job] = workflow()["jobs"].values()
    return list(job["steps"])


def spec(properties: dict[str, Any]) -> dict[str, Any]:
    body = {"type": "object", "required": ["id"], "properties": properties}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop", "version": "1"},
        "x-webhook-signature": "standard-webhooks",
        "webhooks": {
            "order.paid": {
                "post": {
                    "operationId": "orderPaid",
                    "summary": "An order was paid",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }


OLD = {"id": {"type": "string"}, "total": {"type": "integer"}}


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A clone (so `origin/main` exists) of a repository whose main holds the spec, on a branch."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin = tmp_path / "origin"
    (origin / "spec").mkdir(parents=True)
    (origin / "spec" / "openapi.yaml").write_text(yaml.safe_dump(spec(OLD), sort_keys=False), encoding="utf-8")
    (origin / "pyproject.toml").write_text('[tool.hookgen]\nspec = "spec/openapi.yaml"\n', encoding="utf-8")
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", ".")
    git(origin, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "spec")
    git(tmp_path, "clone", "-q", str(origin), "checkout")
    clone = tmp_path / "checkout"
    git(clone, "checkout", "-q", "-b", "change")
    return clone


def run_steps(folder: Path) -> list[tuple[str, int, str]]:
    """Each `run:` step but the install, as GitHub runs it, in order: (command, exit status, stderr)."""
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = []
    for step in steps():
        if "run" not in step or step["run"] == INSTALL:
            continue
        command = step["run"]
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        done.append((command, result.returncode, result.stderr))
    return done


def test_the_workflow_runs_check_and_diff_and_uploads_what_diff_wrote() -> None:
    commands = [step["run"] for step in steps() if "run" in step]
    assert commands == [INSTALL, "hookgen check", "hookgen diff --base origin/main --format sarif > hookgen-diff.sarif"]
    [upload] = [step for step in steps() if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert upload["if"] == "always()"  # uploaded when the diff step fails, which is when it matters
    assert upload["with"]["sarif_file"] == commands[-1].rsplit("> ", 1)[1]
    assert workflow()["jobs"]["contract"]["permissions"]["security-events"] == "write"


def test_a_breaking_pull_request_fails_the_diff_step_with_sarif(pull_request: Path) -> None:
    broken = {"id": OLD["id"]}  # `total` removed: consumers reading it break
    (pull_request / "spec" / "openapi.yaml").write_text(yaml.safe_dump(spec(broken), sort_keys=False))
    (check, check_status, check_err), (_, diff_status, _) = run_steps(pull_request)
    assert (check, check_status) == ("hookgen check", 0), check_err
    assert diff_status == 1
    sarif = json.loads((pull_request / "hookgen-diff.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    [result] = sarif["runs"][0]["results"]
    assert "total" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "spec/openapi.yaml"


def test_a_safe_pull_request_passes_every_step(pull_request: Path) -> None:
    added = {**OLD, "note": {"type": "string"}}  # an optional property added: safe
    (pull_request / "spec" / "openapi.yaml").write_text(yaml.safe_dump(spec(added), sort_keys=False))
    assert [status for _, status, _ in run_steps(pull_request)] == [0, 0]
    sarif = json.loads((pull_request / "hookgen-diff.sarif").read_text(encoding="utf-8"))
    assert [result["level"] for result in sarif["runs"][0]["results"]] == ["note"]
