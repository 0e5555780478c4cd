"""`hookgen check`: exit 0 clean, 1 on a stale folder or a finding at --fail-on, 2 on a bad spec."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.commands.cli import main

from .conftest import ROOT

WARNED = """openapi: 3.1.0
info: {title: T, version: '1'}
webhooks:
  thing.happened:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                count: {type: integer, default: "many"}
      responses:
        '200': {description: ok}
"""


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def output(tmp_path: Path) -> Path:
    copied = tmp_path / "generated"
    shutil.copytree(ROOT / "generated", copied, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return copied


def test_up_to_date_output_passes(capsys: pytest.CaptureFixture[str], output: Path) -> None:
    code, out, err = run(capsys, "check", ROOT / "spec" / "openapi.yaml", "--output", output)
    assert code == 0, out + err
    assert "up to date" in err


def test_stale_output_fails_with_a_diff(capsys: pytest.CaptureFixture[str], output: Path) -> None:
    models = output / "subscriptions_webhooks" / "models" / "__init__.py"
    models.write_text(models.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    (output / "subscriptions_webhooks" / "extra.py").write_text("x = 1\n", encoding="utf-8")
    before = models.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "check", ROOT / "spec" / "openapi.yaml", "--output", output)
    assert code == 1
    assert "stale: " in out and "models/__init__.py" in out and "-# edited by hand" in out and "extra.py" in out
    assert models.read_text(encoding="utf-8") == before  # nothing written


def test_warning_fails_only_with_fail_on_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no [tool.hookgen] output to compare with
    spec = tmp_path / "spec.yaml"
    spec.write_text(WARNED, encoding="utf-8")
    code, _, err = run(capsys, "check", spec)
    assert code == 0 and "warning" in err
    assert run(capsys, "check", spec, "--fail-on", "warning")[0] == 1
    assert not (tmp_path / "generated").exists()


def test_bad_spec_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n", encoding="utf-8")
    code, _, err = run(capsys, "check", spec)
    assert code == 2 and "no `webhooks`" in err and "Traceback" not in err
