"""The docs run: every `sh` block of README.md and docs/*.md is executed, or says why not.

The convention (docs/README.md says it for writers):
- `<!-- test -->` on the line before a ```sh block: the block runs with `bash -e` and must exit 0;
- `<!-- test: exit N -->`: it must exit N, and a ```text block right after it holds lines its output must contain;
- `<!-- test: write FILE -->` before any fenced block: its text is written to FILE (a file the reader creates);
- `<!-- not run: REASON -->`: the block is shown only (the reason says why);
an unmarked ```sh block fails this test. The blocks of one document run in order, in one fresh folder, with this
venv's `hookgen`; `8000` is replaced by a free port, and what a block starts in the background is stopped at its end.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.commands.cli import COMMANDS, parser

from .conftest import ROOT
from .redis_server import free_port

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"<!-- (test|test: exit (\d+)|test: write (\S+)|not run: [^>]+) -->\n$")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One fenced block, its language, and what its marker asks (None: no marker)."""

    line: int
    language: str
    text: str
    marker: str | None
    exit_status: int = 0
    write_to: str | None = None


def blocks(markdown: str) -> list[Block]:
    """Every fenced block of a document, with the marker on the line before it."""
    found = []
    for match in FENCE.finditer(markdown):
        before = markdown[: match.start()]
        previous = before[before.rstrip("\n").rfind("\n") + 1 :] if before else ""
        marker = MARKER.search(previous)
        line = before.count("\n") + 1
        if marker is None:
            found.append(Block(line, match.group(1), match.group(2), None))
            continue
        status = int(marker.group(2)) if marker.group(2) else 0
        found.append(Block(line, match.group(1), match.group(2), marker.group(1), status, marker.group(3)))
    return found


def test_every_sh_block_of_the_docs_is_run_or_says_why_not() -> None:
    unmarked = [
        f"{doc.relative_to(ROOT)}:{block.line}"
        for doc in DOCS
        for block in blocks(doc.read_text(encoding="utf-8"))
        if block.language == "sh" and block.marker is None
    ]
    assert unmarked == []


@pytest.mark.parametrize("doc", [d for d in DOCS if "<!-- test" in d.read_text(encoding="utf-8")], ids=lambda d: d.name)
def test_the_examples_of_each_document_run(doc: Path, tmp_path: Path) -> None:
    port = str(free_port())
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "VIRTUAL_ENV")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["HOOKGEN_CACHE"] = str(tmp_path / ".cache")
    found = blocks(doc.read_text(encoding="utf-8"))
    for index, block in enumerate(found):
        if block.marker is None or block.marker.startswith("not run"):
            continue
        where = f"{doc.name}:{block.line}"
        if block.write_to is not None:
            (tmp_path / block.write_to).write_text(block.text, encoding="utf-8")
            continue
        output = _run(block.text.replace("8000", port), tmp_path, env)
        assert output.returncode == block.exit_status, f"{where} exited {output.returncode}:\n{output.stdout}"
        following = found[index + 1] if index + 1 < len(found) else None
        if block.exit_status and following is not None and following.language == "text":
            for line in following.text.splitlines():
                assert line in output.stdout, f"{where}: {line!r} not in:\n{output.stdout}"


def _run(script: str, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a block with bash -e in its own process group, stopped whole when it ends (background jobs too)."""
    command = ["bash", "-e", "-c", script]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    process = subprocess.Popen(command, cwd=folder, env=env, text=True, start_new_session=True, **pipes)
    try:
        process.wait(timeout=240)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # what the block left running in the background
    assert process.stdout is not None
    stdout = process.stdout.read()
    process.stdout.close()
    return subprocess.CompletedProcess(command, process.returncode, stdout, "")


def test_the_command_reference_is_the_help_of_every_command() -> None:
    """docs/commands.md is `hookgen COMMAND --help` for each command: regenerate it with the tool it names."""
    assert (ROOT / "docs" / "commands.md").read_text(encoding="utf-8") == command_reference()


def command_reference() -> str:
    """docs/commands.md as the argument parser writes it (100 columns)."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        subcommands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        sections = [
            f"## `hookgen {name}`\n\n```text\n{subcommands[name].format_help().rstrip()}\n```\n"
            for name in sorted(COMMANDS)
        ]
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    head = (
        "# Command reference\n\n"
        "Each command's `--help`, as `hookgen` prints it: options, examples and exit status. This file is made\n"
        "from the argument parser and a test keeps it equal (`python tests/tools/command_reference.py`).\n"
        "Every command also takes `--quiet`/`-q` (errors only) and `--verbose`/`-v` (every warning, stage timings).\n"
        "Exit status is the same everywhere: `0` ok, `1` a check failed, `2` bad input or usage.\n\n"
    )
    return head + "\n".join(sections)
