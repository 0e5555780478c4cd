"""`hookgen scaffold`: typed handler stubs, never overwritten, and appended for webhooks added to the spec."""

from __future__ import annotations

import ast
import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.commands.cli import main

from .test_receiver_presets import PRESETS, spec_document


def write_spec(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec_document(None, PRESETS[:count]), sort_keys=False), encoding="utf-8")
    return path


def methods(path: Path) -> list[str]:
    module = ast.parse(path.read_text(encoding="utf-8"))
    handlers = next(node for node in module.body if isinstance(node, ast.ClassDef) and node.name == "Handlers")
    return [node.name for node in handlers.body if isinstance(node, ast.FunctionDef)]


def test_a_fresh_scaffold_has_a_typed_stub_per_webhook(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    spec = write_spec(tmp_path, len(PRESETS))
    handlers = tmp_path / "app" / "handlers.py"
    assert main(["scaffold", str(spec), "--output", str(handlers), "--package", "scaffolded"]) == 0
    assert f"wrote {len(PRESETS)} handlers" in capsys.readouterr().err
    assert methods(handlers) == [preset.key for preset in PRESETS]
    assert "def push(self, payload: models.PushPayload) -> None:" in handlers.read_text(encoding="utf-8")


def test_the_scaffold_satisfies_the_handlers_protocol_under_mypy_strict(tmp_path: Path):
    spec = write_spec(tmp_path, 2)
    assert main(["generate", str(spec), "--output", str(tmp_path / "out"), "--package", "scaffolded"]) == 0
    assert main(["scaffold", str(spec), "--output", str(tmp_path / "app" / "handlers.py"), "-p", "scaffolded"]) == 0
    (tmp_path / "app" / "serve.py").write_text(
        "from scaffolded.receivers import Handlers as Protocol, create_app\n"
        "from handlers import Handlers\n\n"
        "handlers: Protocol = Handlers()\n"
        "app = create_app(handlers, secrets=['s'])\n",
        encoding="utf-8",
    )
    env = {**os.environ, "MYPYPATH": str(tmp_path / "out")}
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "serve.py", "handlers.py"]
    result = subprocess.run(command, cwd=tmp_path / "app", env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_existing_module_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    spec = write_spec(tmp_path, 2)
    handlers = tmp_path / "handlers.py"
    assert main(["scaffold", str(spec), "-o", str(handlers)]) == 0
    mine = handlers.read_text(encoding="utf-8").replace('raise NotImplementedError("push")', "print(payload)")
    handlers.write_text(mine, encoding="utf-8")
    capsys.readouterr()
    assert main(["scaffold", str(spec), "-o", str(handlers)]) == 0
    assert "every webhook has a handler" in capsys.readouterr().err
    assert main(["scaffold", str(spec), "-o", str(handlers), "--append"]) == 0
    assert handlers.read_text(encoding="utf-8") == mine


def test_a_grown_spec_lists_the_missing_handlers_and_appends_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    handlers = tmp_path / "handlers.py"
    assert main(["scaffold", str(write_spec(tmp_path / "v1", 2)), "-o", str(handlers)]) == 0
    mine = handlers.read_text(encoding="utf-8").replace('raise NotImplementedError("push")', "print(payload)")
    mine += "\n\ndef helper() -> int:\n    return 1\n"
    handlers.write_text(mine, encoding="utf-8")
    grown = write_spec(tmp_path / "v2", 4)
    capsys.readouterr()

    assert main(["scaffold", str(grown), "-o", str(handlers)]) == 1
    assert capsys.readouterr().out.splitlines() == ["missing handler: order", "missing handler: slash"]
    assert handlers.read_text(encoding="utf-8") == mine

    assert main(["scaffold", str(grown), "-o", str(handlers), "--append"]) == 0
    after = handlers.read_text(encoding="utf-8")
    assert methods(handlers) == ["push", "charge", "order", "slash"]
    changes = difflib.SequenceMatcher(None, mine.splitlines(), after.splitlines()).get_opcodes()
    assert {change[0] for change in changes} == {"equal", "insert"}  # the owner's lines are all kept, in order
    assert "print(payload)" in after and after.endswith("def helper() -> int:\n    return 1\n")
    compile(after, str(handlers), "exec")


def test_a_module_without_a_handlers_class_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    handlers = tmp_path / "handlers.py"
    handlers.write_text("x = 1\n", encoding="utf-8")
    assert main(["scaffold", str(write_spec(tmp_path, 1)), "-o", str(handlers), "--append"]) == 2
    assert "no top-level class Handlers" in capsys.readouterr().err
    assert handlers.read_text(encoding="utf-8") == "x = 1\n"


def test_scaffold_works_from_the_installed_package_alone(tmp_path: Path):
    """No spec, no checkout, no pyproject: the generated package on the path is enough (it knows its ENDPOINTS)."""
    spec = write_spec(tmp_path / "spec", len(PRESETS))
    assert main(["generate", str(spec), "--output", str(tmp_path / "site"), "--package", "installed_hooks"]) == 0
    assert main(["scaffold", str(spec), "-o", str(tmp_path / "from_spec.py"), "-p", "installed_hooks"]) == 0
    spec.unlink()  # the spec is gone: only the package remains
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    command = [sys.executable, "-m", "generator", "scaffold", "--package", "installed_hooks", "-o", "handlers.py"]
    result = subprocess.run(command, cwd=consumer, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert f"wrote {len(PRESETS)} handlers" in result.stderr
    written = (consumer / "handlers.py").read_text(encoding="utf-8")
    assert written == (tmp_path / "from_spec.py").read_text(encoding="utf-8")


def test_scaffold_without_a_spec_names_a_package_that_is_not_installed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    assert main(["scaffold", "--package", "no_such_hooks_package", "-o", "handlers.py"]) == 2
    err = capsys.readouterr().err
    assert "cannot import the generated package 'no_such_hooks_package'" in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "handlers.py").exists()


def test_append_keeps_the_modules_single_quotes(tmp_path: Path):
    handlers = tmp_path / "handlers.py"
    assert main(["scaffold", str(write_spec(tmp_path / "v1", 2)), "-o", str(handlers)]) == 0
    command = ["ruff", "format", "--isolated", "--config", "format.quote-style='single'", str(handlers)]
    subprocess.run([str(Path(sys.executable).parent / command[0]), *command[1:]], check=True, capture_output=True)
    mine = handlers.read_text(encoding="utf-8")
    assert "raise NotImplementedError('push')" in mine  # the owner's style: single quotes
    assert main(["scaffold", str(write_spec(tmp_path / "v2", 4)), "-o", str(handlers), "--append"]) == 0
    after = handlers.read_text(encoding="utf-8")
    assert after.startswith(mine.rstrip("\n"))
    added = after[len(mine.rstrip("\n")) :]
    assert "raise NotImplementedError('order')" in added and "raise NotImplementedError('slash')" in added
    # docstrings stay double-quoted, as the formatter left the owner's own
    assert '"Handle one `push` delivery."' in mine and '"Handle one `order` delivery."' in added
    assert not [line for line in added.splitlines() if '"' in line and "delivery." not in line]
    assert methods(handlers) == ["push", "charge", "order", "slash"]


def test_append_keeps_double_quotes_in_a_double_quoted_module(tmp_path: Path):
    handlers = tmp_path / "handlers.py"
    assert main(["scaffold", str(write_spec(tmp_path / "v1", 2)), "-o", str(handlers)]) == 0
    assert main(["scaffold", str(write_spec(tmp_path / "v2", 4)), "-o", str(handlers), "--append"]) == 0
    assert 'raise NotImplementedError("order")' in handlers.read_text(encoding="utf-8")
