"""The extras: `hookgen fidelity` and `hookgen listen` without theirs say what to install; `generate` needs neither.

Each command runs in a subprocess where the extras' modules cannot be imported, made so in one of two ways: the
module is None in `sys.modules` (what `find_spec` reports as not installed), or an import hook refuses it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator.commands.extras import EXTRAS

from .conftest import EXAMPLE_SPEC, ROOT

# argv: how to block (sys-modules | hook), the modules to block (comma-separated), a file that receives every
# attempt to import a blocked module, then hookgen's own arguments.
WITHOUT = """
import json, sys
from importlib.abc import MetaPathFinder

how, blocked, attempts_file, *args = sys.argv[1:]
blocked = set(blocked.split(","))
attempts = []

class Refuse(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

if how == "sys-modules":
    sys.modules.update(dict.fromkeys(blocked))
else:
    sys.meta_path.insert(0, Refuse())
from generator.commands.cli import main
try:
    status = main(args)
finally:
    with open(attempts_file, "w") as file:
        json.dump(attempts, file)
raise SystemExit(status)
"""

EVERY_EXTRA_MODULE = sorted(module for modules in EXTRAS.values() for module in modules)


def _without(
    blocked: list[str], *args: str | Path, cwd: Path, tmp_path: Path, how: str = "hook"
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `hookgen ARGS` with the `blocked` modules unimportable; the result, and the blocked imports attempted."""
    attempts = tmp_path / "attempts.json"
    command = [sys.executable, "-c", WITHOUT, how, ",".join(blocked), str(attempts), *map(str, args)]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=300)
    return result, json.loads(attempts.read_text()) if attempts.exists() else []


COMMANDS = {
    "fidelity": ["fidelity", EXAMPLE_SPEC, "--payloads", "1"],
    "listen": ["listen", EXAMPLE_SPEC, "--port", "8765", "--secret", "whsec_test"],
    "send": ["send", EXAMPLE_SPEC, "payment", "--url", "http://127.0.0.1:9/", "--secret", "whsec_test"],
}


@pytest.mark.parametrize("how", ["sys-modules", "hook"])
@pytest.mark.parametrize(
    ("command", "blocked"),
    [
        ("fidelity", ["hypothesis"]),
        ("fidelity", ["hypothesis_jsonschema"]),
        ("listen", ["uvicorn"]),
        ("send", ["httpx"]),
    ],
)
def test_a_command_without_its_extra_says_in_one_line_what_to_install(
    command: str, blocked: list[str], how: str, tmp_path: Path
) -> None:
    result, _ = _without(blocked, *COMMANDS[command], cwd=ROOT, tmp_path=tmp_path, how=how)
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"hookgen: error: hookgen {command} needs the {command} extra: pip install 'hookgen[{command}]'\n"
    )
    assert result.stdout == ""


def test_generate_and_scaffold_need_no_extra(tmp_path: Path) -> None:
    output = tmp_path / "out"
    result, attempts = _without(
        EVERY_EXTRA_MODULE, "generate", EXAMPLE_SPEC, "--output", output, cwd=ROOT, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert attempts == []
    committed_models = sorted((ROOT / "generated" / "subscriptions_webhooks" / "models").glob("*.py"))
    models = [f"models/{path.name}" for path in committed_models]
    assert "models/__init__.py" in models
    for name in (*models, "webhooks.py", "receivers.py"):
        committed = ROOT / "generated" / "subscriptions_webhooks" / name
        assert (output / "subscriptions_webhooks" / name).read_text() == committed.read_text()

    handlers = tmp_path / "handlers.py"
    result, attempts = _without(
        EVERY_EXTRA_MODULE, "scaffold", EXAMPLE_SPEC, "--output", handlers, cwd=ROOT, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert attempts == []
    assert "class Handlers" in handlers.read_text()


def test_the_extras_table_matches_pyproject() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra, modules in EXTRAS.items():
        distributions = [requirement.split(">")[0].split("<")[0].split("=")[0] for requirement in extras[extra]]
        assert sorted(name.replace("-", "_") for name in distributions) == sorted(modules)
    assert "hookgen[fidelity,listen,send,queue]" in extras["dev"]
