"""Custom templates: a user folder is searched first and the built-in templates second, so one file is overridden."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.pipeline import generate

from .conftest import EXAMPLE_KEYS, ROOT

COMMITTED = ROOT / "generated"
README = (
    "# {{ package }}: our webhooks\n\n{% for webhook in spec.webhooks %}- {{ webhook.key | md_code }}\n{% endfor %}"
)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path)
    }


def test_one_overridden_template_changes_its_file_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "README.md.jinja").write_text(README, encoding="utf-8")
    spec = ROOT / "spec" / "openapi.yaml"
    generate(spec, tmp_path / "out", package="subscriptions_webhooks", templates=tmp_path / "templates")
    produced, golden = _files(tmp_path / "out"), _files(COMMITTED)
    assert produced.keys() == golden.keys()
    assert {name for name in golden if produced[name] != golden[name]} == {"README.md"}
    expected = "# subscriptions_webhooks: our webhooks\n\n" + "".join(f"- `{key}`\n" for key in EXAMPLE_KEYS)
    assert produced["README.md"].decode() == expected


def test_a_broken_user_template_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "README.md.jinja").write_text("{{ spec.nope }}\n", encoding="utf-8")
    (tmp_path / "templates" / "__init__.py.jinja").write_text("{% if %}\n", encoding="utf-8")
    command = [sys.executable, "-m", "generator", "generate", str(ROOT / "spec" / "openapi.yaml")]
    command += ["--output", "out", "--package", "p", "--templates", "templates"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("hookgen: error: template ") and "templates" in line
    assert not (tmp_path / "out").exists()
