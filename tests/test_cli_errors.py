"""A spec that cannot be generated: exit 2, one located line per problem, and the output folder untouched."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

LINE = re.compile(r"^(?P<file>[^:]+)(:(?P<line>\d+))?: (?P<pointer>/\S*): (?P<message>.+)$")

GOOD_HEAD = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n"


def _webhook_with(schema_yaml: str) -> str:
    return (
        GOOD_HEAD
        + "webhooks:\n  thing.happened:\n    post:\n      requestBody:\n        content:\n          application/json:\n"
        + "            schema:\n"
        + "".join(f"              {line}\n" for line in schema_yaml.splitlines())
        + "      responses:\n        '200': {description: ok}\n"
    )


CASES: dict[str, tuple[dict[str, str], str, int | None, str]] = {
    # name: (files, message fragment, expected line or None, expected pointer)
    "broken-yaml": ({"spec.yaml": GOOD_HEAD + "webhooks:\n  a: [unclosed\n"}, "invalid YAML", 5, "/"),
    "broken-json": ({"spec.json": '{"openapi": "3.1.0",\n "info": {,\n}'}, "invalid JSON", 2, "/"),
    "empty-file": ({"spec.yaml": "\n  \n"}, "file is empty", 1, "/"),
    "not-openapi": ({"spec.yaml": "name: my-service\nversion: 2\n"}, "not an OpenAPI document", 1, "/"),
    "no-webhooks": ({"spec.yaml": GOOD_HEAD + "paths: {}\n"}, "no `webhooks`", 1, "/"),
    "webhooks-not-a-map": ({"spec.yaml": GOOD_HEAD + "webhooks:\n  - a\n  - b\n"}, "must be a map", 4, "/webhooks"),
    "dangling-ref": (
        {"spec.yaml": _webhook_with("$ref: '#/components/schemas/Missing'")},
        "$ref does not resolve",
        10,
        "/webhooks/thing.happened/post/requestBody/content/application~1json/schema/$ref",
    ),
    "ref-to-missing-file": (
        {"spec.yaml": _webhook_with("$ref: './nowhere.yaml#/Thing'")},
        "missing file",
        10,
        "/webhooks/thing.happened/post/requestBody/content/application~1json/schema/$ref",
    ),
    "invalid-schema-type": (
        {"spec.yaml": _webhook_with("type: object\nproperties:\n  name:\n    type: strin")},
        "strin",
        13,
        "/webhooks/thing.happened/post/requestBody/content/application~1json/schema/properties/name/type",
    ),
}


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous_output(tmp_path: Path) -> Path:
    """An output folder holding an earlier, good generation."""
    output = tmp_path / "out"
    shutil.copytree(ROOT / "generated", output, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return output


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_spec_fails_with_located_problems_and_leaves_the_output_alone(
    case: str, tmp_path: Path, previous_output: Path
) -> None:
    files, fragment, line, pointer = CASES[case]
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = _snapshot(previous_output)

    result = _run("generate", next(iter(files)), "--output", previous_output, cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    problems = [LINE.match(text) for text in result.stderr.splitlines()]
    assert problems and all(problems), result.stderr
    assert any(fragment in m["message"] for m in problems if m), result.stderr
    first = next(m for m in problems if m and fragment in m["message"])
    assert first["file"] == next(iter(files))
    assert first["pointer"] == pointer
    assert (int(first["line"]) if first["line"] else None) == line
    assert _snapshot(previous_output) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_a_file_that_does_not_exist(tmp_path: Path, previous_output: Path) -> None:
    before = _snapshot(previous_output)
    result = _run("generate", "missing.yaml", "--output", previous_output, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "missing.yaml: /: file does not exist"
    assert _snapshot(previous_output) == before


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    schema = "type: object\nproperties:\n  a:\n    type: strin\n  b:\n    $ref: '#/nope'\n  c:\n    type: 7"
    (tmp_path / "spec.yaml").write_text(_webhook_with(schema), encoding="utf-8")
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    assert result.returncode == 2
    pointers = {LINE.match(line)["pointer"] for line in result.stderr.splitlines()}  # type: ignore[index]
    prefix = "/webhooks/thing.happened/post/requestBody/content/application~1json/schema/properties"
    assert {f"{prefix}/a/type", f"{prefix}/b/$ref", f"{prefix}/c/type"} <= pointers
    assert not (tmp_path / "out").exists()


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    result = _run("generate", "--no-such-flag", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_folder_hookgen_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = _run("generate", ROOT / "spec" / "openapi.yaml", "--output", precious, cwd=tmp_path)
    assert result.returncode == 2
    assert "refusing" in result.stderr
    assert (precious / "notes.txt").read_text() == "keep me"


def test_warnings_do_not_stop_generation_but_strict_does(tmp_path: Path) -> None:
    schema = "type: object\nrequired: [a, a]\nproperties:\n  a: {type: string}"
    (tmp_path / "spec.yaml").write_text(_webhook_with(schema), encoding="utf-8")
    relaxed = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "warning: " in relaxed.stderr and "/schema/required" in relaxed.stderr
    strict = _run("generate", "spec.yaml", "--output", "strict-out", "--strict", cwd=tmp_path)
    assert strict.returncode == 2
    assert not (tmp_path / "strict-out").exists()
