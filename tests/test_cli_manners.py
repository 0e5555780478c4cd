"""CLI manners: --help with examples and exit codes, --quiet/--verbose, progress and colour on a terminal only,
warnings grouped by kind, and one exit-code convention across commands (0 ok, 1 check failed, 2 bad input)."""

from __future__ import annotations

import base64
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.commands.cli import COMMANDS, FAST_EXIT, main
from generator.spec.rules import RULES

from .conftest import CORPUS, EXAMPLE_SPEC, ROOT

STAGES = ("bundle", "validate", "prepare", "models", "parse", "render")
STAGE_LINE = re.compile(r"^hookgen: (\w+) +(\d+ )?\w+ +\d+\.\d\d s$")
ANSI = "\033["
SECRET = "whsec_" + base64.b64encode(b"manners" * 5).decode()


def _nullable_spec(folder: Path, count: int) -> Path:
    """A 3.1 spec with `count` OpenAPI 3.0 `nullable` keywords: one warning each, all of one kind."""
    properties = {f"p{i}": {"type": "string", "nullable": True} for i in range(count)}
    schema = {"type": "object", "properties": {**properties, "other": {"type": "object", "nullable": True}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Nullable", "version": "1"},
        "webhooks": {
            "thing": {
                "post": {
                    "description": "A thing happened.",
                    "x-webhook-signature": {"scheme": "standard-webhooks"},
                    "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                    "responses": {"200": {"description": "Received."}},
                }
            }
        },
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openapi.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return folder / "openapi.yaml"


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", *map(str, args)]
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | (env or {})
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=environment)


def _run_on_a_terminal(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run hookgen with stderr on a pseudo-terminal; its exit status and what it wrote there."""
    controller, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | (env or {})
    command = [sys.executable, "-m", "generator", *map(str, args)]
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=follower, env=environment)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=60), b"".join(chunks).decode().replace("\r\n", "\n")


# --help -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_of_every_command_has_examples_and_exit_codes(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0]
    assert [line for line in examples.splitlines() if line.startswith(f"  hookgen {command}")]
    codes = re.findall(r"^  ([012])  ", text.split("exit status:\n", 1)[1], flags=re.MULTILINE)
    assert codes[0] == "0" and codes[-1] == "2"
    assert "--quiet" in text and "--verbose" in text


# Warnings grouped ---------------------------------------------------------------------------------------------------


def test_warnings_of_one_kind_are_one_counted_line_and_each_one_under_verbose(tmp_path: Path) -> None:
    spec = _nullable_spec(tmp_path, 5)
    normal = _run("check", spec, cwd=tmp_path)
    assert normal.returncode == 0, normal.stderr
    warnings = [line for line in normal.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("hookgen: warning: 6 times: OpenAPI 3.0 `nullable: true` in a 3.1 document")
    assert "first at openapi.yaml:" in warnings[0] and "--verbose lists each" in warnings[0]

    verbose = _run("check", spec, "--verbose", cwd=tmp_path)
    each = [line for line in verbose.stderr.splitlines() if ": warning: OpenAPI 3.0 `nullable: true`" in line]
    assert len(each) == 6
    assert each == sorted(each, key=lambda line: int(line.split(":")[1]))  # in file order

    quiet = _run("check", spec, "--quiet", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_svix_nullable_warnings_are_one_summary_line(tmp_path: Path) -> None:
    spec = CORPUS / "svix-lib-openapi.json"
    if not spec.is_file():
        pytest.skip(f"{spec} is not in the corpus")
    normal = _run("check", spec, cwd=tmp_path)
    assert normal.returncode == 0, normal.stderr
    lines = normal.stderr.splitlines()
    assert lines[-1] == "hookgen: spec is valid"
    nullable = [line for line in lines if "nullable: true" in line]
    assert len(nullable) == 1
    assert nullable[0].startswith("hookgen: warning: 39 times: OpenAPI 3.0")
    for rule in RULES:  # a rule's findings are one line too (Svix: 14 bodies not required, 5 numbered names)
        assert len([line for line in lines if f"warning[{rule}]" in line]) <= 1, rule
    assert "hookgen: warning[request-body]: 14 times: " in normal.stderr
    verbose = _run("check", spec, "-v", cwd=tmp_path)
    assert len([line for line in verbose.stderr.splitlines() if "nullable: true" in line]) == 39


# Progress and colour ----------------------------------------------------------------------------------------------


def test_no_progress_and_no_colour_when_not_on_a_terminal(tmp_path: Path) -> None:
    result = _run("check", EXAMPLE_SPEC, cwd=tmp_path)
    assert result.returncode == 0
    # The example has no finding: nothing but the summary.
    assert result.stderr.splitlines() == ["hookgen: spec is valid"]
    assert "\033[" not in result.stderr


def test_verbose_prints_a_timed_line_per_stage_even_when_not_on_a_terminal(tmp_path: Path) -> None:
    result = _run("generate", EXAMPLE_SPEC, "-o", tmp_path / "out", "--verbose", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stages = [m.group(1) for line in result.stderr.splitlines() if (m := STAGE_LINE.match(line))]
    assert stages == [*STAGES, "write"]
    assert ANSI not in result.stderr


def test_generate_and_check_leave_nothing_in_the_working_folder(tmp_path: Path) -> None:
    # ruff, which formats the package, would otherwise keep its cache where it is run: a `.ruff_cache` in the user's
    # folder.
    assert _run("generate", EXAMPLE_SPEC, "-o", tmp_path / "out", cwd=tmp_path).returncode == 0
    assert _run("check", EXAMPLE_SPEC, "-o", tmp_path / "out", cwd=tmp_path).returncode == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_a_terminal_gets_progress_and_colour_and_no_color_turns_colour_off(tmp_path: Path) -> None:
    spec = _nullable_spec(tmp_path, 2)
    status, text = _run_on_a_terminal("generate", spec, "-o", tmp_path / "out", cwd=tmp_path)
    assert status == 0, text
    plain = re.sub(r"\033\[\d+m", "", text)
    assert [m.group(1) for line in plain.splitlines() if (m := STAGE_LINE.match(line))] == [*STAGES, "write"]
    assert "\033[33mwarning:\033[0m" in text

    status, text = _run_on_a_terminal("generate", spec, "-o", tmp_path / "out", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert status == 0 and ANSI not in text and "warning:" in text

    status, text = _run_on_a_terminal("generate", spec, "-o", tmp_path / "out", "-q", cwd=tmp_path)
    assert status == 0 and text == ""


def test_force_color_colours_a_pipe(tmp_path: Path) -> None:
    result = _run("check", _nullable_spec(tmp_path, 2), cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert "\033[33mwarning:\033[0m" in result.stderr
    result = _run("check", _nullable_spec(tmp_path, 2), cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ANSI not in result.stderr


# Exit codes ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example spec and its generated package, a spec that is not one, a module that is not Python."""
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "spec", folder / "spec")
    assert main(["generate", str(folder / "spec" / "openapi.yaml"), "-o", str(folder / "out"), "-q"]) == 0
    (folder / "bad.yaml").write_text("openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n", encoding="utf-8")
    (folder / "notpython.py").write_text("def (:\n", encoding="utf-8")
    return folder


def _stale(folder: Path) -> None:
    models = folder / "out" / "subscriptions_webhooks" / "models" / "__init__.py"
    models.write_text(models.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")


def _breaking(folder: Path) -> None:
    text = (folder / "spec" / "openapi.yaml").read_text(encoding="utf-8")
    assert "  monitoring.alert:" in text
    shutil.copytree(folder / "spec", folder / "newspec", dirs_exist_ok=True)
    (folder / "newspec" / "openapi.yaml").write_text(
        text.replace("  monitoring.alert:", "  monitoring.alert.gone:"), encoding="utf-8"
    )


def _nothing(folder: Path) -> None:
    del folder


SPEC = "spec/openapi.yaml"
# (command line, what to do first, expected exit status)
TABLE: list[tuple[str, Callable[[Path], None], int]] = [
    (f"generate {SPEC} -o out", _nothing, 0),
    ("generate bad.yaml -o out", _nothing, 2),
    ("generate -o out", _nothing, 2),  # no SPEC and no [tool.hookgen]
    (f"generate {SPEC} -o out --package 9lives", _nothing, 2),
    (f"generate {SPEC} --no-such-flag", _nothing, 2),
    (f"generate {SPEC} -o /dev/null/out", _nothing, 2),  # was a FileExistsError traceback, exit 1
    (f"check {SPEC} -o out", _nothing, 0),
    (f"check {SPEC} -o out", _stale, 1),
    ("check bad.yaml", _nothing, 2),
    (f"check {SPEC} --fail-on sometimes", _nothing, 2),
    (f"scaffold {SPEC} -o handlers.py", _nothing, 0),
    (f"scaffold {SPEC} -o notpython.py", _nothing, 2),
    (f"scaffold {SPEC} -o /dev/null/handlers.py", _nothing, 2),  # was a traceback, exit 1
    ("scaffold -o handlers.py", _nothing, 2),  # no SPEC, no --package
    ("scaffold --package no_such_package_here -o handlers.py", _nothing, 2),
    (f"diff {SPEC} {SPEC}", _nothing, 0),
    (f"diff {SPEC} newspec/openapi.yaml", _breaking, 1),
    (f"diff {SPEC} missing.yaml", _nothing, 2),
    (f"diff {SPEC}", _nothing, 2),  # one spec and no --base
    (f"send {SPEC}", _nothing, 2),  # no webhook, no --all
    (f"send {SPEC} monitoring.alert --url http://127.0.0.1:9/x --secret {SECRET} --attempts 1", _nothing, 1),
    (f"send {SPEC} nope --url http://127.0.0.1:9/x --secret {SECRET}", _nothing, 2),
    (f"listen {SPEC} --port 8000 --secret ' '", _nothing, 2),
    (f"listen {SPEC} --port 0 --secret {SECRET}", _nothing, 2),
    ("fidelity bad.yaml", _nothing, 2),
    ("fidelity --payloads 0", _nothing, 2),
    ("no-such-command", _nothing, 2),
    ("", _nothing, 2),
]


def _ids() -> list[str]:
    return [
        f"{line or '(none)'}{'' if first is _nothing else ' after ' + first.__name__[1:]}" for line, first, _ in TABLE
    ]


@pytest.mark.parametrize(("line", "first", "expected"), TABLE, ids=_ids())
def test_exit_status_of_each_command_in_each_situation(
    line: str, first: Callable[[Path], None], expected: int, project: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "project"
    shutil.copytree(project, folder)
    first(folder)
    args = shlex.split(line)
    result = _run(*args, *(["-q"] if args and args[0] in COMMANDS else []), cwd=folder)
    assert result.returncode == expected, result.stderr
    if expected == 2:
        assert result.stderr.strip(), "bad input says why"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", sorted(FAST_EXIT))
def test_a_command_ending_without_teardown_still_says_everything(
    command: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `run` ends these commands with os._exit: what they print must reach a pipe whose buffer was never flushed by
    # Python's own exit (PYTHONUNBUFFERED unset), and the exit status must be theirs.
    folder = tmp_path / "project"
    shutil.copytree(project, folder)
    _breaking(folder)
    args = {
        "check": [SPEC, "-o", "out", "--fail-on", "warning"],
        "diff": [SPEC, "newspec/openapi.yaml"],
        "generate": ["newspec/openapi.yaml", "-o", "out2", "--verbose"],
    }[command]
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = [sys.executable, "-m", "generator", command, *args]
    ran = subprocess.run(process, cwd=folder, capture_output=True, text=True, check=False, env=environment)
    shutil.rmtree(folder / "out2", ignore_errors=True)  # so that the run here writes it too
    os.chdir(folder)
    try:
        status = main([command, *args])
    finally:
        os.chdir(ROOT)
    here = capsys.readouterr()
    assert ran.returncode == status
    assert ran.stdout == here.out
    assert _untimed(ran.stderr) == _untimed(here.err)
    assert ran.stdout or ran.stderr


def _untimed(text: str) -> str:
    return re.sub(r"\d+\.\d\d s$", "N s", text, flags=re.MULTILINE)
