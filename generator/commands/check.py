"""`hookgen check`: validate the spec as `generate` would, and compare the output folder with what it would write.

Nothing is written: the package is rendered in memory, formatted by ruff in a temporary folder (exactly as
`generate` formats it), and compared file by file with the output folder.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Level, Problem
from ..pipeline import build
from ..render.write import generated_files, write_formatted
from ..spec.load import display_path
from ..spec.rules import RuleSettings

_DIFF_LINES = 20


@dataclass(frozen=True)
class Stale:
    """One file of the output folder that is not what `generate` would write, with a short unified diff."""

    path: str
    diff: str


@dataclass(frozen=True)
class CheckResult:
    """The findings on the spec and the stale files of the output folder."""

    findings: list[Problem]
    stale: list[Stale]

    def fails(self, fail_on: Level) -> bool:
        """Whether the output is stale or a finding is at or above `fail_on`."""
        worst = {p.level for p in self.findings}
        return bool(self.stale) or Level.ERROR in worst or (fail_on is Level.WARNING and Level.WARNING in worst)


def check(
    spec: Path,
    output: Path | None,
    *,
    package: str | None = None,
    asserted_formats: frozenset[str],
    ref_roots: Sequence[Path] = (),
    rules: RuleSettings = RuleSettings(),  # noqa: B008 - a frozen value
    signature: dict[str, Any] | None = None,
    model_settings: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Validate `spec` (SpecError when it cannot be generated) and compare `output`, when given.

    `rules` and `signature` are `[tool.hookgen.rules]` and `[tool.hookgen] signature`, as `generate` reads them.
    """
    generated = build(
        spec,
        package=package,
        asserted_formats=asserted_formats,
        ref_roots=ref_roots,
        rules=rules,
        signature=signature,
        model_settings=model_settings,
    )
    stale = stale_files(generated.files, output) if output is not None else []
    return CheckResult(list(generated.warnings), stale)


def formatted(files: dict[str, str]) -> dict[str, str]:
    """The files as `generate` writes them: formatted by ruff in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="hookgen-check-") as folder:
        root = Path(folder)
        write_formatted(files, root)
        return {relative: (root / relative).read_text(encoding="utf-8") for relative in files}


def stale_files(files: dict[str, str], output: Path) -> list[Stale]:
    """Every file of `output` that differs from, is missing from, or is not in what would be generated."""
    wanted = formatted(files)
    present = {relative.as_posix(): output / relative for relative in generated_files(output)}
    stale = []
    for relative in sorted(set(wanted) | set(present)):
        have = present[relative].read_text(encoding="utf-8", errors="replace") if relative in present else ""
        want = wanted.get(relative, "")
        if have != want or relative not in present:
            stale.append(Stale(display_path(output / relative), _short_diff(relative, have, want)))
    return stale


def _short_diff(relative: str, have: str, want: str) -> str:
    lines = list(
        difflib.unified_diff(
            have.splitlines(), want.splitlines(), f"{relative} (on disk)", f"{relative} (generated)", lineterm=""
        )
    )
    more = len(lines) - _DIFF_LINES
    return "\n".join(lines[:_DIFF_LINES] + ([f"... {more} more lines"] if more > 0 else []))
