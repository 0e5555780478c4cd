"""Spec text never becomes code: hostile strings in every place a spec string reaches the output.

The package must import and run nothing, type-check under `mypy --strict`, and its pyproject.toml must parse
with the spec's text intact where it is kept (a PEP 440 version otherwise).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.version import Version

from generator.pipeline import generate

CANARY = "HOOKGEN_CANARY"
HOSTILE = (
    f'T"""\nimport os; open("{CANARY}", "w")\n"""'
    f"'''\nopen('{CANARY}', 'w')\n''' \\ \\n \x00 \x01 \u2028 \u2029 \r\n é 🎉 {{x}} %s $(id) `id` <script>"
    " ] [tool.evil]"
)
# What hostile text is made of: quotes of every kind, escapes, line breaks, NUL and other controls, braces.
ALPHABET = st.sampled_from(
    ['"', "'", '"""', "'''", "\\", "\n", "\r", "\x00", "\x1b", "\u2028", "{", "}", "#", "[", "]"]
)
HOSTILE_TEXT = st.lists(st.one_of(ALPHABET, st.text(min_size=1, max_size=3)), min_size=1, max_size=8).map("".join)


def hostile_spec(text: str) -> dict[str, Any]:
    """A spec with `text` as title, version, descriptions, key, operationId, tag, property name, enum value,
    default, examples, pattern, header name and the words of union members."""
    payload_schema = {
        "type": "object",
        "description": text,
        "required": [text],
        "properties": {
            text: {
                "type": "string",
                "title": text,
                "description": text,
                "default": text,
                "examples": [text],
                "pattern": re.escape(text),
            },
            "kind": {"type": "string", "enum": [text, "plain"], "description": text},
            # The words of union members, written on them after datamodel-code-generator's run (member_words.py).
            "member": {
                "title": "Member",
                "description": "plain",
                "oneOf": [
                    {"$ref": "#/components/schemas/Plain", "title": text, "description": text},
                    {"$ref": "#/components/schemas/Other", "title": text},
                ],
            },
            "members": {
                "type": "array",
                "items": {"oneOf": [{"$ref": "#/components/schemas/Plain"}, {"$ref": "#/components/schemas/Other"}]}
                | {"title": text},
            },
        },
        "examples": [{text: text, "kind": text}],
    }
    plain = {"type": "object", "properties": {"plain": {"type": "string"}}, "required": ["plain"]}
    other = {"type": "object", "properties": {"other": {"type": "string"}}, "required": ["other"]}
    operation = {
        "operationId": text,
        "summary": text,
        "description": text,
        "tags": [text],
        "parameters": [{"name": text, "in": "header", "description": text, "schema": {"type": "string"}}],
        "requestBody": {
            "description": text,
            "content": {"application/json": {"schema": payload_schema, "example": {text: text, "kind": "plain"}}},
        },
        "responses": {"200": {"description": text}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": text, "version": text, "description": text},
        "tags": [{"name": text, "description": text}],
        "webhooks": {text: {"post": operation}},
        "components": {"schemas": {"Plain": plain, "Other": other}},
    }


def generate_hostile(folder: Path, text: str) -> Path:
    """Write the hostile spec as JSON (any text survives JSON) and generate its package into folder/out."""
    spec = folder / "spec.json"
    spec.write_text(json.dumps(hostile_spec(text)), encoding="utf-8")
    output = folder / "out"
    generate(spec, output, package="hostile")
    return output


def import_everything(output: Path) -> subprocess.CompletedProcess[str]:
    """Import every module of the package and build the provider app's document, in a child process."""
    code = (
        "import hostile, hostile.models, hostile.webhooks, hostile.receivers\n"
        "hostile.webhooks.app.openapi()\n"
        "print(hostile.SPEC_TITLE == hostile.__version__)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=output, capture_output=True, text=True, check=False, timeout=120
    )


def assert_inert(output: Path, text: str) -> None:
    """The package imports, ran nothing, and its pyproject.toml parses."""
    imported = import_everything(output)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "True"  # the spec's text is kept exactly where it is data
    assert not list(output.rglob(f"*{CANARY}*")), "spec text ran as code"
    pyproject = tomllib.loads((output / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(pyproject) == {"build-system", "project", "tool"} and set(pyproject["tool"]) == {"setuptools"}
    Version(pyproject["project"]["version"])  # PEP 440, or pip would refuse the package
    assert pyproject["project"]["description"].startswith(f"Typed webhooks for {' '.join(text.split())}, ")


def test_the_hostile_text_runs_nothing_and_type_checks(tmp_path: Path) -> None:
    output = generate_hostile(tmp_path, HOSTILE)
    assert_inert(output, HOSTILE)
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "hostile"], cwd=output, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize("version", ['1.0"\n[tool.evil]\nx = "y', "1.0\\", "2024-10-01", "v2 beta"])
def test_a_hostile_version_cannot_inject_toml(tmp_path: Path, version: str) -> None:
    document = hostile_spec("plain")
    document["info"]["version"] = version
    (tmp_path / "spec.json").write_text(json.dumps(document), encoding="utf-8")
    generate(tmp_path / "spec.json", tmp_path / "out", package="hostile")
    pyproject = tomllib.loads((tmp_path / "out" / "pyproject.toml").read_text(encoding="utf-8"))
    assert "evil" not in pyproject.get("tool", {})
    Version(pyproject["project"]["version"])


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE_TEXT)
def test_any_hostile_text_runs_nothing(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    output = generate_hostile(tmp_path_factory.mktemp("hostile"), text)
    assert_inert(output, text)
